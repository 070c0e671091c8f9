"""Retention: residents' words and the replies to them leave records after N days; counts stay.

What goes, from records asked before the cutoff: the question (replaced by REMOVED_TEXT), the
bot's answer and reply (emptied), a news card, and a staff reply's wording (replaced by
REMOVED_TEXT, so "answered by staff" still counts). What stays is everything the statistics
read (knowledge/record_stats.py): the time, channel, message type, kind, status, topic,
deadline, reply and closing times, and the rating; and the sources the answer cited (the
bureau's own published documents).

Records staff still have to act on (waiting for review, or a delivery pending) keep their text
until they are handled; a later run removes it. Runs are idempotent and work in small batches,
each its own short transaction, so the record writer is never held up for long.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Select, case, null, select, update

from knowledge.maintenance import claim, finish
from knowledge.record_models import Interaction, RecordStatus

#: What a removed question or staff reply reads as afterwards.
REMOVED_TEXT = "（已超过保存期限，原文已删除）"
#: The maintenance_run job name of retention.
RETENTION_JOB = "retention"
_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
_BATCH = 500


@dataclass(frozen=True)
class RetentionResult:
    """What a run removed: the text of this many records asked before cutoff."""

    cutoff: datetime
    records: int


def retention_cutoff(now: datetime, days: int) -> datetime:
    """Records asked before this time lose their text (now must be aware)."""
    if days < 1:
        raise ValueError("retention needs at least one day")
    return now - timedelta(days=days)


def _due(cutoff: datetime, after_id: int) -> Select[Any]:
    table = _INTERACTION
    return (
        select(table.c.id)
        .where(
            table.c.id > after_id,
            table.c.asked_at < cutoff,
            table.c.status != RecordStatus.NEEDS_REVIEW.value,
            table.c.pending_delivery.is_(False),
            table.c.question != REMOVED_TEXT,
        )
        .order_by(table.c.id)
        .limit(_BATCH)
    )


def remove_old_text(
    engine: Engine, *, days: int, now: datetime, stop: threading.Event | None = None
) -> RetentionResult:
    """Remove residents' text from every finished record asked more than `days` before now.

    stop, when set, ends the run after the batch in hand (the service is shutting down).
    """
    cutoff = retention_cutoff(now, days)
    table = _INTERACTION
    removed = 0
    after_id = 0
    while stop is None or not stop.is_set():
        with engine.begin() as connection:
            ids = [int(i) for i in connection.execute(_due(cutoff, after_id)).scalars()]
            if not ids:
                break
            connection.execute(
                update(table)
                .where(table.c.id.in_(ids))
                .values(
                    question=REMOVED_TEXT,
                    answer_text="",
                    reply_text="",
                    reply_card=null(),
                    staff_reply=case((table.c.staff_reply != "", REMOVED_TEXT), else_=""),
                )
            )
        removed += len(ids)
        after_id = ids[-1]
    return RetentionResult(cutoff, removed)


def run_if_due(
    engine: Engine,
    *,
    days: int,
    every: timedelta,
    worker: str,
    stop: threading.Event | None = None,
) -> RetentionResult | None:
    """Run retention unless a run started within `every` (of any worker); None when skipped."""
    started = datetime.now(UTC)
    if not claim(engine, RETENTION_JOB, every=every, now=started, worker=worker):
        return None
    result = remove_old_text(engine, days=days, now=started, stop=stop)
    finish(engine, RETENTION_JOB, now=datetime.now(UTC), changed=result.records)
    return result
