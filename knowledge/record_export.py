"""The questions of a period one by one, for the records sheet of the statistics export.

The same questions, counted the same way (record_stats.outcome), as the statistics: a sheet's
rows add up to the statistics' totals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from knowledge.record_models import Interaction
from knowledge.record_stats import Period, Tally, outcome, topic_labels
from knowledge.topics import NO_TOPIC, NOT_QUESTION_KINDS, QUESTION_TYPES

#: An export holds at most this many records (a spreadsheet beyond that helps nobody).
MAX_EXPORT_RECORDS = 200_000
_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
_CHUNK = 2000


@dataclass(frozen=True)
class RecordLine:
    """One question as the records sheet lists it (codes; the sheet labels them)."""

    number: str
    asked_at: datetime
    channel: str
    topic: str
    question: str
    answer_kind: str
    status: str
    deadline: date | None
    replied_at: datetime | None
    satisfaction: str
    counted: Tally


def record_lines(
    connection: Connection,
    period: Period,
    today: date,
    *,
    channel: str = "",
    limit: int = MAX_EXPORT_RECORDS,
) -> Iterator[RecordLine]:
    """The period's questions, oldest first (read in chunks, so memory stays flat)."""
    table = _INTERACTION
    first, after = period.utc_bounds()
    conditions = [
        table.c.asked_at >= first,
        table.c.asked_at < after,
        table.c.message_type.in_(QUESTION_TYPES),
        table.c.answer_kind.not_in(sorted(NOT_QUESTION_KINDS)),
    ]
    if channel:
        conditions.append(table.c.channel == channel)
    last_seen: tuple[datetime, int] | None = None
    labels: dict[int, str] = {}
    given = 0
    while given < limit:
        query = select(
            table.c.id,
            table.c.asked_at,
            table.c.channel,
            table.c.topic_id,
            table.c.question,
            table.c.answer_kind,
            table.c.status,
            table.c.staff_reply,
            table.c.replied_at,
            table.c.closed_at,
            table.c.deadline,
            table.c.satisfaction,
        ).where(*conditions)
        if last_seen is not None:
            # Keyset paging: (asked_at, id) after the last row given.
            query = query.where(
                (table.c.asked_at > last_seen[0])
                | ((table.c.asked_at == last_seen[0]) & (table.c.id > last_seen[1]))
            )
        rows = connection.execute(
            query.order_by(table.c.asked_at, table.c.id).limit(min(_CHUNK, limit - given))
        ).all()
        if not rows:
            return
        wanted = {int(r.topic_id) for r in rows if r.topic_id not in (None, NO_TOPIC)}
        labels.update(topic_labels(connection, wanted - set(labels)))
        for row in rows:
            topic = labels.get(int(row.topic_id), "") if row.topic_id else ""
            yield RecordLine(
                number=f"HD{row.asked_at:%Y%m%d}{int(row.id):06d}",
                asked_at=row.asked_at,
                channel=str(row.channel),
                topic=topic,
                question=str(row.question),
                answer_kind=str(row.answer_kind),
                status=str(row.status),
                deadline=row.deadline,
                replied_at=row.replied_at,
                satisfaction=str(row.satisfaction),
                counted=outcome(row, today),
            )
        given += len(rows)
        last_seen = (rows[-1].asked_at, int(rows[-1].id))
