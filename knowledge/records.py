"""Writing interaction records: many at once, exactly once per channel message.

record_batch() inserts a batch in one transaction (group commit: one fsync for many questions)
and, for a message already recorded (a WeChat retry, or the same message reaching two workers),
returns the stored record instead, so the retry gets the very reply the first delivery got.

reply_offset counts the characters of answer_text the resident has been sent; a reply cut to
fit WeChat's limit leaves the rest for "更多", which continue_previous serves from the stored
record (so it works whichever worker the next message reaches).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, insert, select, update

from knowledge.masking import mask_resident_text
from knowledge.record_insert import driver_insert, record_values
from knowledge.record_models import Delivery, Interaction, RecordStatus
from knowledge.workdays import WorkingCalendar

#: answer_kind of a "更多" record; the record it continues is the resident's latest other one.
MORE_KIND = "more"
#: Delivery.purpose of an answer pushed after the passive reply window.
LATE_ANSWER = "late_answer"


@dataclass(frozen=True)
class RenderedReply:
    """The texts of a record decided inside the inserting transaction."""

    answer_text: str
    reply_text: str
    # Characters of answer_text the reply carries (the rest is for "更多").
    reply_offset: int


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
    # None: the whole answer was sent (len(reply_text)); else characters of answer_text sent.
    reply_offset: int | None = None
    # A news card reply (title, description, url, pic_url) instead of text.
    reply_card: dict[str, str] | None = None
    # Like render_with_number, when the reply was cut and its offset must be stored too.
    render_reply: Callable[[str], RenderedReply] | None = None
    # For "更多": given the rest of the resident's latest other answer and that answer's
    # sources, returns this record's reply and how many of those characters it carries.
    continue_previous: Callable[[str, Sequence[dict[str, Any]]], RenderedReply] | None = None
    # For a reply that acts on the resident's other records (feedback on the last answer):
    # given the inserting transaction and this record's id, returns this record's reply.
    act_on_records: Callable[[Connection, int], RenderedReply] | None = None


@dataclass(frozen=True)
class StoredInteraction:
    """A record as stored: its id and number, and whether this call created it."""

    id: int
    number: str
    created: bool
    reply_text: str
    pending_delivery: bool
    reply_card: dict[str, str] | None = None


@dataclass(frozen=True)
class LateAnswer:
    """An answer that was not ready within the passive reply window, as it is finally stored."""

    answer_text: str
    answer_kind: str = ""
    intent: str = ""
    score: float = 0.0
    sources: list[dict[str, Any]] = field(default_factory=list)
    needs_review: bool = False
    category: str = ""
    deadline: date | None = None
    deadline_days: int | None = None
    calendar_source: str = ""


def deadline_for(calendar: WorkingCalendar, asked_at: datetime, days: int) -> tuple[date, str]:
    """The reply deadline in working days, and which calendar data it used."""
    start = asked_at.date()
    return calendar.add_working_days(start, days), calendar.source_for(start.year).value


#: Called inside the inserting transaction with the records a batch created, as (id, record);
#: returns what to run once that transaction has committed, or None (see knowledge/topics.py).
AfterInsert = Callable[
    [Connection, Sequence[tuple[int, NewInteraction]]], Callable[[], None] | None
]
#: Given a record and its question as stored (masked), the topic to store it with, or None
#: (knowledge/topics.py: a question seen before belongs to the same topic for good).
KnownTopic = Callable[[NewInteraction, str], int | None]


def record_batch(
    target: Engine | Connection,
    batch: Sequence[NewInteraction],
    *,
    after_insert: AfterInsert | None = None,
    known_topic: KnownTopic | None = None,
) -> list[StoredInteraction]:
    """Insert a batch in one transaction; duplicates return the record already stored.

    target is an engine, or a connection held by a writer that stores batch after batch (no
    pool round trip per batch). after_insert sees only records this call created, so work it
    does (assigning hot topics) happens exactly once per record, in the same transaction.
    known_topic gives a record its topic in the insert itself.
    """
    results: list[StoredInteraction] = []
    created: list[tuple[int, NewInteraction]] = []
    on_commit: Callable[[], None] | None = None
    with _transaction(target) as connection:
        insert_row = driver_insert(connection.dialect)
        cursor = connection.connection.cursor()
        try:
            for new in batch:
                # Spec: identity and phone numbers are masked before a resident's words are stored.
                question = mask_resident_text(new.question)
                topic_id = known_topic(new, question) if known_topic is not None else None
                inserted = insert_row.run(cursor, record_values(new, question, topic_id))
                if inserted is not None:
                    results.append(_finish_insert(connection, new, inserted))
                    created.append((inserted, new))
                else:
                    results.append(_stored(connection, new))
        finally:
            cursor.close()
        if after_insert is not None and created:
            on_commit = after_insert(connection, created)
    if on_commit is not None:
        on_commit()
    return results


def _stored(connection: Connection, new: NewInteraction) -> StoredInteraction:
    """The record already stored for new's message (a retry)."""
    existing = connection.execute(
        _find_stored(), {"channel": new.channel, "dedup_key": new.dedup_key}
    ).one()
    return StoredInteraction(
        int(existing.id),
        _number(existing.asked_at, int(existing.id)),
        False,
        existing.reply_text,
        bool(existing.pending_delivery),
        existing.reply_card,
    )


@contextmanager
def _transaction(target: Engine | Connection) -> Iterator[Connection]:
    if isinstance(target, Engine):
        with target.begin() as connection:
            yield connection
    else:
        with target.begin():
            yield target


@functools.cache
def _find_stored() -> Any:
    """The look-up of the record stored for a message."""
    table = Interaction.__table__  # type: ignore[attr-defined]
    return select(
        table.c.id,
        table.c.asked_at,
        table.c.reply_text,
        table.c.pending_delivery,
        table.c.reply_card,
    ).where(table.c.channel == bindparam("channel"), table.c.dedup_key == bindparam("dedup_key"))


@functools.cache
def _update_texts() -> Any:
    """Setting a new record's texts once its number is known."""
    table = Interaction.__table__  # type: ignore[attr-defined]
    return (
        update(table)
        .where(table.c.id == bindparam("record_id"))
        .values(
            answer_text=bindparam("answer_text"),
            reply_text=bindparam("reply_text"),
            reply_offset=bindparam("reply_offset"),
        )
    )


def _finish_insert(
    connection: Connection, new: NewInteraction, record_id: int
) -> StoredInteraction:
    """Fill in what depends on the new record (its number, the answer it continues)."""
    number = _number(new.asked_at, record_id)
    rendered: RenderedReply | None = None
    if new.continue_previous is not None:
        rendered = _continue(connection, new, record_id, new.continue_previous)
    elif new.act_on_records is not None:
        rendered = new.act_on_records(connection, record_id)
    elif new.render_reply is not None:
        rendered = new.render_reply(number)
    elif new.render_with_number is not None:
        answer_text, reply_text = new.render_with_number(number)
        rendered = RenderedReply(answer_text, reply_text, len(reply_text))
    reply_text = new.reply_text
    if rendered is not None:
        reply_text = rendered.reply_text
        connection.execute(
            _update_texts(),
            {
                "record_id": record_id,
                "answer_text": rendered.answer_text,
                "reply_text": rendered.reply_text,
                "reply_offset": rendered.reply_offset,
            },
        )
    return StoredInteraction(
        record_id, number, True, reply_text, new.pending_delivery, new.reply_card
    )


def _continue(
    connection: Connection,
    new: NewInteraction,
    record_id: int,
    render: Callable[[str, Sequence[dict[str, Any]]], RenderedReply],
) -> RenderedReply:
    """Serve the next part of the resident's latest other answer, and move its offset on."""
    table = Interaction.__table__  # type: ignore[attr-defined]
    previous = connection.execute(
        select(table.c.id, table.c.answer_text, table.c.reply_offset, table.c.sources)
        .where(
            table.c.channel == new.channel,
            table.c.resident_key == new.resident_key,
            table.c.id < record_id,
            table.c.answer_kind != MORE_KIND,
        )
        .order_by(table.c.id.desc())
        .limit(1)
        # Two "更多" at once (two workers) must not both send the same part.
        .with_for_update()
    ).first()
    if previous is None:
        return render("", [])
    offset = min(max(int(previous.reply_offset), 0), len(previous.answer_text))
    rendered = render(previous.answer_text[offset:], list(previous.sources or []))
    if rendered.reply_offset:
        connection.execute(
            update(table)
            .where(table.c.id == previous.id)
            .values(reply_offset=offset + rendered.reply_offset)
        )
    # The "更多" record itself holds only the part it sent, all of it delivered.
    return RenderedReply(rendered.answer_text, rendered.reply_text, len(rendered.answer_text))


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


def complete_late_answer(engine: Engine, record_id: int, late: LateAnswer, at: datetime) -> int:
    """Store a late answer and open its delivery, in one transaction; returns the delivery id.

    The whole answer goes out as customer-service messages, so reply_offset covers all of it
    and reply_text stays empty: the passive reply was "success", which a retry gets again.
    """
    table = Interaction.__table__  # type: ignore[attr-defined]
    status = RecordStatus.NEEDS_REVIEW if late.needs_review else RecordStatus.AUTO_ANSWERED
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.id == record_id)
            .values(
                answer_text=late.answer_text,
                reply_text="",
                reply_offset=len(late.answer_text),
                answer_kind=late.answer_kind,
                intent=late.intent,
                score=late.score,
                sources=late.sources,
                status=status.value,
                category=late.category,
                deadline=late.deadline,
                deadline_days=late.deadline_days,
                calendar_source=late.calendar_source,
                pending_delivery=False,
            )
        )
        delivery_id = connection.execute(
            insert(Delivery.__table__)  # type: ignore[attr-defined]
            .values(
                interaction_id=record_id,
                purpose=LATE_ANSWER,
                created_at=at,
                delivered=False,
                attempts=0,
                errcode=0,
                reason="",
            )
            .returning(Delivery.__table__.c.id)  # type: ignore[attr-defined]
        ).scalar_one()
    return int(delivery_id)


def finish_delivery(
    engine: Engine,
    delivery_id: int,
    *,
    delivered: bool,
    attempts: int,
    errcode: int,
    reason: str,
    at: datetime,
) -> None:
    """Record how a delivery ended (a delivery never finished was interrupted: unknown)."""
    table = Delivery.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.id == delivery_id)
            .values(
                finished_at=at,
                delivered=delivered,
                attempts=attempts,
                errcode=errcode,
                reason=reason,
            )
        )
