"""Tables of catalog item 41 (互动回应): every question a resident asked, and what became of it.

A record is written before its reply goes out. Residents' words are stored masked (identity and
phone numbers); the resident key is the channel's pseudonymous id (a WeChat OpenID, a web chat
cookie), needed to deliver a staff reply, and shown to staff only shortened.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Channel(StrEnum):
    """Where a question came from."""

    WECHAT = "wechat"
    WECOM = "wecom"
    WEB = "web"


class RecordStatus(StrEnum):
    """auto_answered → needs_review → answered → published / closed."""

    AUTO_ANSWERED = "auto_answered"
    NEEDS_REVIEW = "needs_review"
    ANSWERED = "answered"
    PUBLISHED = "published"
    CLOSED = "closed"


class Interaction(SQLModel, table=True):
    """One question and the bot's (and later staff's) answer to it."""

    __tablename__ = "interaction"
    __table_args__ = (
        # WeChat retries a message up to three times: the key makes a retry find this record.
        UniqueConstraint("channel", "dedup_key", name="uq_interaction_dedup"),
        Index("ix_interaction_status_deadline", "status", "deadline"),
        Index("ix_interaction_resident", "resident_key", "asked_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    dedup_key: str | None = None
    resident_key: str
    asked_at: datetime = Field(index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    message_type: str = "text"
    answer_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    reply_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    reply_offset: int = 0
    # Set when the passive reply was a news card (title, description, url, pic_url): a retry
    # of the message must get the same card again.
    reply_card: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))
    answer_kind: str = ""
    intent: str = ""
    score: float = 0.0
    sources: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    status: str = Field(default=RecordStatus.AUTO_ANSWERED.value, index=True)
    category: str = ""
    deadline: date | None = None
    deadline_days: int | None = None
    calendar_source: str = ""
    pending_delivery: bool = False
    staff_reply: str = Field(default="", sa_column=Column(Text, nullable=False))
    replied_at: datetime | None = None
    replied_by: str = ""
    topic_id: int | None = Field(default=None, index=True)
    satisfaction: str = ""
    closed_at: datetime | None = None

    @property
    def number(self) -> str:
        """The record number residents and staff quote: HD + date + id (unique everywhere)."""
        return f"HD{self.asked_at:%Y%m%d}{self.id or 0:06d}"


class Delivery(SQLModel, table=True):
    """An attempt to reach a resident after the passive reply: a late answer or a staff reply."""

    __tablename__ = "delivery"

    id: int | None = Field(default=None, primary_key=True)
    interaction_id: int = Field(foreign_key="interaction.id", index=True)
    purpose: str  # late_answer or staff_reply
    created_at: datetime
    finished_at: datetime | None = None
    delivered: bool = False
    attempts: int = 0
    errcode: int = 0
    reason: str = ""


class StaffUser(SQLModel, table=True):
    """A clerk of the bureau who can sign in to /staff/."""

    __tablename__ = "staff_user"
    __table_args__ = (UniqueConstraint("name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str
    password_hash: str
    role: str  # reviewer, publisher or admin
    active: bool = True
    created_at: datetime
    # Bumped on password change or deactivation, which ends every session of the user.
    session_epoch: int = 0


class AuditEntry(SQLModel, table=True):
    """Who did what in the staff workspace, and when."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    staff_name: str
    action: str
    target: str = ""
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))


class PublishedQA(SQLModel, table=True):
    """A question and answer staff published; the bot answers with it, /qa lists it."""

    __tablename__ = "published_qa"

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    withdrawn: bool = False
    version: int = 1
    interaction_id: int | None = Field(default=None, foreign_key="interaction.id")
    created_at: datetime
    updated_at: datetime
    published_by: str = ""


class QAVersion(SQLModel, table=True):
    """Each published wording of a Q&A (the public history of edits and withdrawal)."""

    __tablename__ = "qa_version"
    __table_args__ = (UniqueConstraint("qa_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    qa_id: int = Field(foreign_key="published_qa.id", index=True)
    version: int
    question: str = Field(sa_column=Column(Text, nullable=False))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    change: str  # published, edited or withdrawn
    changed_at: datetime
    changed_by: str = ""


class CachedAccessToken(SQLModel, table=True):
    """The WeChat access_token shared by every worker (fetching a new one ends the old)."""

    __tablename__ = "cached_access_token"

    key: str = Field(primary_key=True)
    value: str
    expires_at: float


class LoginAttempt(SQLModel, table=True):
    """A failed staff sign-in; failures per name and per address slow down password guessing.

    Kept in the database so that every worker counts the same failures.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_name_at", "name", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    name: str
    address: str


class Topic(SQLModel, table=True):
    """A hot topic: questions grouped by their keywords (interaction.topic_id points here).

    A topic keeps the keywords of the question that opened it; later questions join the topic
    whose keywords are most like theirs (knowledge/topics.py), so a topic never drifts.
    """

    __tablename__ = "topic"
    __table_args__ = (UniqueConstraint("signature", name="uq_topic_signature"),)

    id: int | None = Field(default=None, primary_key=True)
    # The keywords sorted: two workers opening the same topic at once find each other's row.
    signature: str
    # The keywords in the order the first question used them (the topic's label).
    keywords: str
    created_at: datetime
