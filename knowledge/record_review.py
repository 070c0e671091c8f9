"""What staff do to an item-41 record: reply, close, reopen, and the deliveries of their replies.

Each function works inside the caller's transaction, so the change and its audit entry are
written together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlmodel import Session, col

from knowledge.inbox import STAFF_REPLY
from knowledge.record_models import Channel, Delivery, Interaction, RecordStatus

MAX_REPLY_CHARS = 2000
CLOSE = "close"
REOPEN = "reopen"


class ReviewError(ValueError):
    """A change staff asked for that cannot be made; the message is a sentence for them."""


@dataclass(frozen=True)
class DeliveryRow:
    """One attempt to bring a reply to the resident, as the record page lists it."""

    id: int
    purpose: str
    created_at: datetime
    finished_at: datetime | None
    delivered: bool
    attempts: int
    errcode: int
    reason: str


@dataclass(frozen=True)
class WebReply:
    """A staff reply to a web chat question, as the web chat shows it."""

    record_id: int
    number: str
    question: str
    reply: str
    replied_at: datetime


def _record(session: Session, record_id: int) -> Interaction:
    record = session.get(Interaction, record_id)
    if record is None:
        raise ReviewError(f"记录 {record_id} 不存在")
    return record


def save_staff_reply(
    session: Session, record_id: int, text: str, by: str, *, now: datetime | None = None
) -> Interaction:
    """Store a staff reply; the record counts as answered (a published one stays published)."""
    text = text.strip()
    if not text:
        raise ReviewError("答复内容不能为空")
    if len(text) > MAX_REPLY_CHARS:
        raise ReviewError(f"答复请控制在{MAX_REPLY_CHARS}字以内（现有{len(text)}字）")
    record = _record(session, record_id)
    record.staff_reply = text
    record.replied_at = now or datetime.now(UTC)
    record.replied_by = by
    if record.status != RecordStatus.PUBLISHED.value:
        record.status = RecordStatus.ANSWERED.value
        record.closed_at = None
    session.add(record)
    session.flush()
    return record


def change_status(
    session: Session, record_id: int, action: str, *, now: datetime | None = None
) -> Interaction:
    """Close a record, or reopen it for review."""
    record = _record(session, record_id)
    if action == CLOSE:
        if record.status == RecordStatus.CLOSED.value:
            raise ReviewError("该记录已经关闭")
        record.status = RecordStatus.CLOSED.value
        record.closed_at = now or datetime.now(UTC)
    elif action == REOPEN:
        if record.status == RecordStatus.NEEDS_REVIEW.value:
            raise ReviewError("该记录已在待处理中")
        record.status = RecordStatus.NEEDS_REVIEW.value
        record.closed_at = None
    else:
        raise ReviewError(f"未知的操作：{action}")
    session.add(record)
    session.flush()
    return record


def add_delivery(
    session: Session,
    record_id: int,
    *,
    delivered: bool,
    reason: str,
    attempts: int = 0,
    errcode: int = 0,
    started_at: datetime | None = None,
    purpose: str = STAFF_REPLY,
) -> int:
    """Write what became of one reply; returns the delivery's id."""
    finished = datetime.now(UTC)
    row = Delivery(
        interaction_id=record_id,
        purpose=purpose,
        created_at=started_at or finished,
        finished_at=finished,
        delivered=delivered,
        attempts=attempts,
        errcode=errcode,
        reason=reason,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def deliveries(session: Session, record_id: int) -> list[DeliveryRow]:
    """Every delivery of this record, oldest first."""
    rows = session.scalars(
        select(Delivery).where(col(Delivery.interaction_id) == record_id).order_by(col(Delivery.id))
    ).all()
    return [
        DeliveryRow(
            id=row.id or 0,
            purpose=row.purpose,
            created_at=row.created_at,
            finished_at=row.finished_at,
            delivered=row.delivered,
            attempts=row.attempts,
            errcode=row.errcode,
            reason=row.reason,
        )
        for row in rows
    ]


def web_replies(
    session: Session, resident_key: str, *, since: datetime | None = None, limit: int = 20
) -> list[WebReply]:
    """Staff replies to this web chat user's questions, oldest first (after since, if given)."""
    conditions = [
        col(Interaction.channel) == Channel.WEB.value,
        col(Interaction.resident_key) == resident_key,
        col(Interaction.replied_at).is_not(None),
        col(Interaction.staff_reply) != "",
    ]
    if since is not None:
        conditions.append(col(Interaction.replied_at) > since)
    records = session.scalars(
        select(Interaction)
        .where(*conditions)
        .order_by(col(Interaction.replied_at).desc())
        .limit(limit)
    ).all()
    return [
        WebReply(r.id or 0, r.number, r.question, r.staff_reply, r.replied_at)
        for r in reversed(records)
        if r.replied_at is not None
    ]
