"""Writing interaction records: many at once, exactly once per channel message.

record_batch() inserts a batch in one transaction (group commit: one fsync for many questions)
and, for a message already recorded (a WeChat retry, or the same message reaching two workers),
returns the stored record instead, so the retry gets the very reply the first delivery got.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from knowledge.database import is_sqlite
from knowledge.masking import mask_resident_text
from knowledge.record_models import Interaction, RecordStatus
from knowledge.workdays import WorkingCalendar


@dataclass(frozen=True)
class NewInteraction:
    """A question to record, with the bot's reply (masked here before it is stored)."""

    channel: str
    resident_key: str
    asked_at: datetime
    question: str
    dedup_key: str | None = None
    message_type: str = "text"
    answer_text: str = ""
    reply_text: str = ""
    answer_kind: str = ""
    intent: str = ""
    score: float = 0.0
    sources: list[dict[str, Any]] = field(default_factory=list)
    needs_review: bool = False
    category: str = ""
    deadline: date | None = None
    deadline_days: int | None = None
    calendar_source: str = ""
    pending_delivery: bool = False
    # For replies that quote their own record number (complaints, hand-offs): given the
    # number, returns (answer_text, reply_text); called inside the inserting transaction.
    render_with_number: Callable[[str], tuple[str, str]] | None = None


@dataclass(frozen=True)
class StoredInteraction:
    """A record as stored: its id and number, and whether this call created it."""

    id: int
    number: str
    created: bool
    reply_text: str
    pending_delivery: bool


def deadline_for(calendar: WorkingCalendar, asked_at: datetime, days: int) -> tuple[date, str]:
    """The reply deadline in working days, and which calendar data it used."""
    start = asked_at.date()
    return calendar.add_working_days(start, days), calendar.source_for(start.year).value


def _row(new: NewInteraction) -> dict[str, Any]:
    status = RecordStatus.NEEDS_REVIEW if new.needs_review else RecordStatus.AUTO_ANSWERED
    return {
        "channel": new.channel,
        "dedup_key": new.dedup_key,
        "resident_key": new.resident_key,
        "asked_at": new.asked_at,
        # Spec: identity and phone numbers are masked before a resident's words are stored.
        "question": mask_resident_text(new.question),
        "message_type": new.message_type,
        "answer_text": new.answer_text,
        "reply_text": new.reply_text,
        "reply_offset": len(new.reply_text),
        "answer_kind": new.answer_kind,
        "intent": new.intent,
        "score": new.score,
        "sources": new.sources,
        "status": status.value,
        "category": new.category,
        "deadline": new.deadline,
        "deadline_days": new.deadline_days,
        "calendar_source": new.calendar_source,
        "pending_delivery": new.pending_delivery,
        "staff_reply": "",
    }


def record_batch(engine: Engine, batch: Sequence[NewInteraction]) -> list[StoredInteraction]:
    """Insert a batch in one transaction; duplicates return the record already stored."""
    dialect_insert = sqlite.insert if is_sqlite(engine) else postgresql.insert
    table = Interaction.__table__  # type: ignore[attr-defined]
    results: list[StoredInteraction] = []
    with engine.begin() as connection:
        for new in batch:
            row = _row(new)
            statement = (
                dialect_insert(table)
                .values(**row)
                .on_conflict_do_nothing(index_elements=["channel", "dedup_key"])
                .returning(table.c.id)
            )
            inserted = connection.execute(statement).scalar()
            if inserted is not None:
                number = _number(new.asked_at, int(inserted))
                reply_text = new.reply_text
                if new.render_with_number is not None:
                    answer_text, reply_text = new.render_with_number(number)
                    connection.execute(
                        update(table)
                        .where(table.c.id == inserted)
                        .values(
                            answer_text=answer_text,
                            reply_text=reply_text,
                            reply_offset=len(reply_text),
                        )
                    )
                results.append(
                    StoredInteraction(int(inserted), number, True, reply_text, new.pending_delivery)
                )
                continue
            existing = connection.execute(
                select(
                    table.c.id, table.c.asked_at, table.c.reply_text, table.c.pending_delivery
                ).where(table.c.channel == new.channel, table.c.dedup_key == new.dedup_key)
            ).one()
            results.append(
                StoredInteraction(
                    int(existing.id),
                    _number(existing.asked_at, int(existing.id)),
                    False,
                    existing.reply_text,
                    bool(existing.pending_delivery),
                )
            )
    return results


def _number(asked_at: datetime, record_id: int) -> str:
    return f"HD{asked_at:%Y%m%d}{record_id:06d}"


def complete_delivery(engine: Engine, record_id: int, answer_text: str, reply_text: str) -> None:
    """Store the answer of a record that was recorded before its answer was ready."""
    with engine.begin() as connection:
        connection.execute(
            update(Interaction.__table__)  # type: ignore[attr-defined]
            .where(Interaction.__table__.c.id == record_id)  # type: ignore[attr-defined]
            .values(
                answer_text=answer_text,
                reply_text=reply_text,
                reply_offset=len(reply_text),
                pending_delivery=False,
            )
        )
