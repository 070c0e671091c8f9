"""Figures /metrics reads from the database: recent answers by kind, open records, deliveries.

They are read when scraped (a few aggregate queries, over indexed columns where the table is
large), so every worker reports the same figures whichever one Prometheus reaches.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, func, select

from knowledge.record_dates import china_today
from knowledge.record_models import Delivery, Interaction, RecordStatus
from knowledge.record_stats import NOT_FOUND_KIND
from knowledge.topics import is_question

#: Answers are counted over this trailing window (the asked_at index keeps it cheap).
RECENT_WINDOW = timedelta(hours=24)
_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
_DELIVERY = Delivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OperationalCounts:
    """What the database says at one moment (see /metrics' names in the README)."""

    # (channel, answer kind) → records asked within RECENT_WINDOW.
    recent_answers: dict[tuple[str, str], int]
    # Residents' questions within RECENT_WINDOW (record_stats' definition), and not found.
    recent_questions: int
    recent_not_found: int
    open_records: int
    overdue_records: int
    # (purpose, outcome) → deliveries ever; outcome is delivered, failed or unfinished.
    deliveries: dict[tuple[str, str], int]

    @property
    def not_found_ratio(self) -> float | None:
        """Not found, of the recent questions (None when there were none)."""
        return self.recent_not_found / self.recent_questions if self.recent_questions else None


def _recent(connection: Connection, since: datetime) -> tuple[Counter[tuple[str, str]], int, int]:
    table = _INTERACTION
    answers: Counter[tuple[str, str]] = Counter()
    questions = not_found = 0
    rows = connection.execute(
        select(table.c.channel, table.c.answer_kind, table.c.message_type, func.count())
        .where(table.c.asked_at >= since)
        .group_by(table.c.channel, table.c.answer_kind, table.c.message_type)
    ).all()
    for channel, kind, message_type, count in rows:
        answers[(str(channel), str(kind))] += int(count)
        if is_question(str(kind), str(message_type)):
            questions += int(count)
            not_found += int(count) if kind == NOT_FOUND_KIND else 0
    return answers, questions, not_found


def _open(connection: Connection, now: datetime) -> tuple[int, int]:
    table = _INTERACTION
    waiting = table.c.status == RecordStatus.NEEDS_REVIEW.value
    open_records = connection.execute(select(func.count()).where(waiting)).scalar_one()
    overdue = connection.execute(
        select(func.count()).where(waiting, table.c.deadline < china_today(now))
    ).scalar_one()
    return int(open_records), int(overdue)


def _deliveries(connection: Connection) -> dict[tuple[str, str], int]:
    table = _DELIVERY
    found: dict[tuple[str, str], int] = {}
    unfinished = table.c.finished_at.is_(None)
    rows = connection.execute(
        select(table.c.purpose, table.c.delivered, unfinished, func.count()).group_by(
            table.c.purpose, table.c.delivered, unfinished
        )
    ).all()
    for purpose, delivered, unfinished, count in rows:
        outcome = "delivered" if delivered else "unfinished" if unfinished else "failed"
        key = (str(purpose), outcome)
        found[key] = found.get(key, 0) + int(count)
    return found


def read_counts(engine: Engine, now: datetime) -> OperationalCounts:
    """The figures as of now (an aware time)."""
    with engine.connect() as connection:
        answers, questions, not_found = _recent(connection, now - RECENT_WINDOW)
        open_records, overdue = _open(connection, now)
        deliveries = _deliveries(connection)
    return OperationalCounts(
        recent_answers=dict(answers),
        recent_questions=questions,
        recent_not_found=not_found,
        open_records=open_records,
        overdue_records=overdue,
        deliveries=deliveries,
    )
