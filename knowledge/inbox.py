"""The staff inbox: item-41 records filtered, searched and paged, and one resident's conversation.

Records waiting for staff come first, nearest deadline first; the rest newest first. Search runs
over the question as stored (already masked), so it can never find a record by a resident's
identity or phone number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlmodel import Session, col

from knowledge.record_models import Delivery, Interaction, RecordStatus

PAGE_SIZE = 30
CONVERSATION_LIMIT = 50
# The statuses a clerk still has to act on; only these can be overdue.
OPEN_STATUSES = (RecordStatus.NEEDS_REVIEW.value,)
# Delivery.purpose of a staff reply (the webhook writes "late_answer" for its own pushes).
STAFF_REPLY = "staff_reply"
# Filter values beyond the statuses themselves.
ALL = "all"
OPEN = "open"


@dataclass(frozen=True)
class InboxFilter:
    """What the clerk asked to see: status (or open / all), channel, kind, category, words."""

    status: str = OPEN
    channel: str = ""
    overdue: bool = False
    due_soon: bool = False
    kind: str = ""
    category: str = ""
    search: str = ""
    page: int = 1


@dataclass(frozen=True)
class RecordRow:
    """A record as lists show it (the resident key is shortened by the page, never here)."""

    id: int
    number: str
    channel: str
    resident_key: str
    asked_at: datetime
    question: str
    answer_text: str
    status: str
    answer_kind: str
    category: str
    score: float
    deadline: date | None
    deadline_days: int | None
    calendar_source: str
    staff_reply: str
    replied_at: datetime | None
    replied_by: str
    delivery_failed: bool = False
    # The resident's rating of the answer (satisfied / dissatisfied), '' when none.
    satisfaction: str = ""


@dataclass(frozen=True)
class InboxPage:
    """One page of matching records, how many match, and counts for the filter tabs."""

    rows: tuple[RecordRow, ...]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


def _row(record: Interaction, delivery_failed: bool = False) -> RecordRow:
    assert record.id is not None
    return RecordRow(
        id=record.id,
        number=record.number,
        channel=record.channel,
        resident_key=record.resident_key,
        asked_at=record.asked_at,
        question=record.question,
        answer_text=record.answer_text,
        status=record.status,
        answer_kind=record.answer_kind,
        category=record.category,
        score=record.score,
        deadline=record.deadline,
        deadline_days=record.deadline_days,
        calendar_source=record.calendar_source,
        staff_reply=record.staff_reply,
        replied_at=record.replied_at,
        replied_by=record.replied_by,
        delivery_failed=delivery_failed,
        satisfaction=record.satisfaction,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(
    wanted: InboxFilter, today: date, due_soon_until: date
) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if wanted.status == OPEN or wanted.overdue or wanted.due_soon:
        found.append(col(Interaction.status).in_(OPEN_STATUSES))
    elif wanted.status != ALL:
        found.append(col(Interaction.status) == wanted.status)
    if wanted.overdue:
        found.append(col(Interaction.deadline) < today)
    if wanted.due_soon:
        found.append(col(Interaction.deadline) >= today)
        found.append(col(Interaction.deadline) <= due_soon_until)
    if wanted.channel:
        found.append(col(Interaction.channel) == wanted.channel)
    if wanted.kind:
        found.append(col(Interaction.answer_kind) == wanted.kind)
    if wanted.category:
        found.append(col(Interaction.category) == wanted.category)
    for word in wanted.search.split():
        found.append(col(Interaction.question).like(f"%{_escape_like(word)}%", escape="\\"))
    return found


def find_records(
    session: Session,
    wanted: InboxFilter,
    *,
    today: date,
    due_soon_until: date,
    page_size: int = PAGE_SIZE,
) -> InboxPage:
    """The page of records matching wanted, open ones by deadline first."""
    conditions = _conditions(wanted, today, due_soon_until)
    total = int(session.scalar(select(func.count(col(Interaction.id))).where(*conditions)) or 0)
    pages = max(1, -(-total // page_size))
    page = min(max(wanted.page, 1), pages)
    waiting_first = case((col(Interaction.status).in_(OPEN_STATUSES), 0), else_=1)
    records = session.scalars(
        select(Interaction)
        .where(*conditions)
        .order_by(
            waiting_first,
            col(Interaction.deadline).asc().nulls_last(),
            col(Interaction.asked_at).desc(),
            col(Interaction.id).desc(),
        )
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    failed = _failed_deliveries(session, [r.id for r in records if r.id is not None])
    rows = tuple(_row(r, r.id in failed) for r in records)
    return InboxPage(rows, total, page, pages, tab_counts(session, today, due_soon_until))


def tab_counts(session: Session, today: date, due_soon_until: date) -> dict[str, int]:
    """Records per status, plus open ones overdue and due soon (the inbox's tabs)."""
    counts: dict[str, int] = {status.value: 0 for status in RecordStatus}
    for status, count in session.execute(
        select(col(Interaction.status), func.count()).group_by(col(Interaction.status))
    ):
        counts[str(status)] = int(count)
    counts[ALL] = sum(counts.values())
    counts[OPEN] = sum(counts.get(status, 0) for status in OPEN_STATUSES)
    is_open = col(Interaction.status).in_(OPEN_STATUSES)
    overdue = select(func.count()).where(is_open, col(Interaction.deadline) < today)
    counts["overdue"] = int(session.scalar(overdue) or 0)
    soon = select(func.count()).where(
        is_open, col(Interaction.deadline) >= today, col(Interaction.deadline) <= due_soon_until
    )
    counts["due_soon"] = int(session.scalar(soon) or 0)
    return counts


def _failed_deliveries(session: Session, record_ids: list[int]) -> set[int]:
    """Records whose latest staff reply did not reach the resident."""
    if not record_ids:
        return set()
    latest: dict[int, bool] = {}
    for interaction_id, delivered in session.execute(
        select(col(Delivery.interaction_id), col(Delivery.delivered))
        .where(col(Delivery.interaction_id).in_(record_ids), col(Delivery.purpose) == STAFF_REPLY)
        .order_by(col(Delivery.id))
    ):
        latest[int(interaction_id)] = bool(delivered)
    return {record_id for record_id, delivered in latest.items() if not delivered}


def categories(session: Session) -> list[str]:
    """The categories records carry, for the filter's choices."""
    found = session.scalars(
        select(col(Interaction.category)).where(col(Interaction.category) != "").distinct()
    ).all()
    return sorted(str(value) for value in found)


def answer_kinds(session: Session) -> list[str]:
    """The answer kinds records carry, for the filter's choices."""
    found = session.scalars(
        select(col(Interaction.answer_kind)).where(col(Interaction.answer_kind) != "").distinct()
    ).all()
    return sorted(str(value) for value in found)


def get_record(session: Session, record_id: int) -> RecordRow | None:
    """One record, or None."""
    record = session.get(Interaction, record_id)
    return None if record is None else _row(record)


def record_sources(session: Session, record_id: int) -> list[dict[str, Any]]:
    """The sources the bot's answer cited, as stored."""
    record = session.get(Interaction, record_id)
    return list(record.sources or []) if record is not None else []


def conversation(session: Session, channel: str, resident_key: str) -> list[RecordRow]:
    """This resident's records on this channel, oldest first (the latest ones when many)."""
    records = session.scalars(
        select(Interaction)
        .where(col(Interaction.channel) == channel, col(Interaction.resident_key) == resident_key)
        .order_by(col(Interaction.asked_at).desc(), col(Interaction.id).desc())
        .limit(CONVERSATION_LIMIT)
    ).all()
    return [_row(record) for record in reversed(records)]


def last_message_at(session: Session, channel: str, resident_key: str) -> datetime | None:
    """When this resident last wrote on this channel (WeChat's 48-hour window counts from it)."""
    value = session.scalar(
        select(func.max(col(Interaction.asked_at))).where(
            col(Interaction.channel) == channel, col(Interaction.resident_key) == resident_key
        )
    )
    return value if isinstance(value, datetime) else None
