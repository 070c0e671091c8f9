"""Published Q&A (catalog item 41): publish, edit and withdraw with a public version history.

Every change runs inside the caller's transaction and moves the content revision, so every
worker's search index picks the answer up (or drops it) on its next check. Text that still
holds an identity number or a phone number other than the bureau's service numbers is refused:
spec (answering.md) says what is published never names or identifies the resident who asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from knowledge.database import bump_revision
from knowledge.index import PublishedAnswer
from knowledge.masking import mask_identity_numbers, mask_phone_numbers, phone_digits
from knowledge.record_dates import china_date
from knowledge.record_models import Interaction, PublishedQA, QAVersion, RecordStatus

MAX_QUESTION_CHARS = 500
MAX_ANSWER_CHARS = 5000
PUBLISHED = "published"
EDITED = "edited"
WITHDRAWN = "withdrawn"
# Numbers masked in the logs' style (138****5678, 0349****5678) still point at a person.
_MASKED_ID = re.compile(r"(?<!\d)\d{6}\*{8}\d{3}[0-9X]|(?<!\d)\d{6}\*{5}\d{4}(?!\d)")
_MASKED_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d|0\d{2,3})\*{4}\d{4}(?!\d)")


class QAError(ValueError):
    """A Q&A change that cannot be made; the message is a sentence for staff."""


class PersonalNumberError(QAError):
    """The text holds an identity or phone number; the message says which, in masked form."""


class QANotFound(QAError):
    """No Q&A has this id."""


class QAUnchanged(QAError):
    """An edit that changes nothing (no new version is written)."""


@dataclass(frozen=True)
class QAEntry:
    """A published Q&A as pages show it."""

    id: int
    question: str
    answer: str
    version: int
    withdrawn: bool
    interaction_id: int | None
    created_at: datetime
    updated_at: datetime
    published_by: str

    @property
    def published_on(self) -> date:
        """The China date of the current wording."""
        return china_date(self.updated_at)


@dataclass(frozen=True)
class QAVersionEntry:
    """One wording in the history (withdrawal is the last entry of a withdrawn answer)."""

    version: int
    question: str
    answer: str
    change: str
    changed_at: datetime
    changed_by: str


@dataclass(frozen=True)
class QADetail:
    """A Q&A with its versions, oldest first."""

    entry: QAEntry
    versions: tuple[QAVersionEntry, ...]


@dataclass(frozen=True)
class QAPage:
    """One page of a Q&A list and how many match in all."""

    entries: tuple[QAEntry, ...]
    total: int


def personal_numbers(text: str, keep: frozenset[str] = frozenset()) -> list[str]:
    """Identity and phone numbers in text, masked for display; the bureau's own numbers pass."""
    masked = mask_identity_numbers(text)
    found: list[str] = []
    if masked.identity_numbers:
        found.extend(_masked_identity_numbers(masked.text))
    found.extend(
        mask_phone_numbers(number) for number in sorted(phone_digits(text)) if number not in keep
    )
    found.extend(_MASKED_PHONE.findall(text))
    return list(dict.fromkeys(found))


def _masked_identity_numbers(text: str) -> list[str]:
    return _MASKED_ID.findall(text) or ["身份证号码"]


def check_public_text(question: str, answer: str, keep: frozenset[str] = frozenset()) -> None:
    """Raise QAError unless both texts may be published as they are."""
    for label, text, limit in (
        ("问题", question, MAX_QUESTION_CHARS),
        ("答复", answer, MAX_ANSWER_CHARS),
    ):
        if not text.strip():
            raise QAError(f"{label}不能为空")
        if len(text) > limit:
            raise QAError(f"{label}请控制在{limit}字以内（现有{len(text)}字）")
        found = personal_numbers(text, keep)
        if found:
            raise PersonalNumberError(
                f"{label}中含有身份证号码或电话号码（{'、'.join(found)}），"
                "公开的问答不能指向提问的居民，请删除后再公开"
            )


def _entry(row: PublishedQA) -> QAEntry:
    assert row.id is not None
    return QAEntry(
        id=row.id,
        question=row.question,
        answer=row.answer,
        version=row.version,
        withdrawn=row.withdrawn,
        interaction_id=row.interaction_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_by=row.published_by,
    )


def _version(row: PublishedQA, change: str, at: datetime, by: str) -> QAVersion:
    assert row.id is not None
    return QAVersion(
        qa_id=row.id,
        version=row.version,
        question=row.question,
        answer=row.answer,
        change=change,
        changed_at=at,
        changed_by=by,
    )


def publish(
    session: Session,
    question: str,
    answer: str,
    by: str,
    *,
    keep: frozenset[str] = frozenset(),
    interaction_id: int | None = None,
    now: datetime | None = None,
) -> QAEntry:
    """Publish a new Q&A (and mark the record it came from as published)."""
    question, answer = question.strip(), answer.strip()
    check_public_text(question, answer, keep)
    at = now or datetime.now(UTC)
    record = None
    if interaction_id is not None:
        record = session.get(Interaction, interaction_id)
        if record is None:
            raise QAError(f"记录 {interaction_id} 不存在")
    row = PublishedQA(
        question=question,
        answer=answer,
        interaction_id=interaction_id,
        created_at=at,
        updated_at=at,
        published_by=by,
    )
    session.add(row)
    session.flush()
    session.add(_version(row, PUBLISHED, at, by))
    if record is not None:
        record.status = RecordStatus.PUBLISHED.value
        session.add(record)
    bump_revision(session)
    return _entry(row)


def _live_row(session: Session, qa_id: int) -> PublishedQA:
    row = session.get(PublishedQA, qa_id)
    if row is None:
        raise QANotFound(f"问答 {qa_id} 不存在")
    if row.withdrawn:
        raise QAError(f"问答 {qa_id} 已撤回，不能再修改")
    return row


def edit(
    session: Session,
    qa_id: int,
    question: str,
    answer: str,
    by: str,
    *,
    keep: frozenset[str] = frozenset(),
    now: datetime | None = None,
) -> QAEntry:
    """Change a published Q&A's wording; the previous wording stays in its history."""
    question, answer = question.strip(), answer.strip()
    check_public_text(question, answer, keep)
    row = _live_row(session, qa_id)
    if row.question == question and row.answer == answer:
        raise QAUnchanged("问答内容没有改动，未保存新版本")
    at = now or datetime.now(UTC)
    row.question, row.answer = question, answer
    row.version += 1
    row.updated_at = at
    session.add(row)
    session.add(_version(row, EDITED, at, by))
    bump_revision(session)
    return _entry(row)


def withdraw(session: Session, qa_id: int, by: str, *, now: datetime | None = None) -> QAEntry:
    """Take a Q&A off the list and out of the bot's answers (its page says it was withdrawn)."""
    row = _live_row(session, qa_id)
    at = now or datetime.now(UTC)
    row.withdrawn = True
    row.version += 1
    row.updated_at = at
    session.add(row)
    session.add(_version(row, WITHDRAWN, at, by))
    bump_revision(session)
    return _entry(row)


def get(session: Session, qa_id: int) -> QADetail | None:
    """A Q&A (withdrawn or not) with its version history, or None."""
    row = session.get(PublishedQA, qa_id)
    if row is None:
        return None
    versions = session.exec(
        select(QAVersion).where(QAVersion.qa_id == qa_id).order_by(col(QAVersion.version))
    ).all()
    history = tuple(
        QAVersionEntry(v.version, v.question, v.answer, v.change, v.changed_at, v.changed_by)
        for v in versions
    )
    return QADetail(_entry(row), history)


def list_published(
    session: Session,
    *,
    search: str = "",
    include_withdrawn: bool = False,
    offset: int = 0,
    limit: int = 20,
) -> QAPage:
    """Q&A newest first; every word of search must occur in the question or the answer."""
    conditions: list[ColumnElement[bool]] = []
    if not include_withdrawn:
        conditions.append(col(PublishedQA.withdrawn).is_(False))
    for word in search.split():
        pattern = f"%{_escape_like(word)}%"
        conditions.append(
            or_(
                col(PublishedQA.question).like(pattern, escape="\\"),
                col(PublishedQA.answer).like(pattern, escape="\\"),
            )
        )
    total = session.exec(select(func.count()).select_from(PublishedQA).where(*conditions)).one()
    rows = session.exec(
        select(PublishedQA)
        .where(*conditions)
        .order_by(col(PublishedQA.updated_at).desc(), col(PublishedQA.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return QAPage(tuple(_entry(row) for row in rows), int(total))


def published_answers(session: Session) -> list[PublishedAnswer]:
    """Every Q&A not withdrawn, as the search index takes them."""
    rows = session.exec(
        select(PublishedQA)
        .where(col(PublishedQA.withdrawn).is_(False))
        .order_by(col(PublishedQA.id))
    ).all()
    return [
        PublishedAnswer(row.id, row.question, row.answer, china_date(row.updated_at))
        for row in rows
        if row.id is not None
    ]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
