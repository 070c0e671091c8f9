"""What the bot returns: the reply text, its kind, its sources and how sure it is."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum


class AnswerKind(StrEnum):
    """What sort of reply this is (staff filter records by it; statistics count it)."""

    ANSWERED = "answered"
    NOT_FOUND = "not_found"
    RESULT = "result"
    ASK_FOR_TAIL = "ask_for_tail"
    PRIVACY_REFUSED = "privacy_refused"
    COMPLAINT = "complaint"
    OUT_OF_SCOPE = "out_of_scope"
    GREETING = "greeting"
    THANKS = "thanks"
    MENU = "menu"
    HANDOFF = "handoff"
    SATISFACTION = "satisfaction"


# Kinds that open a record for staff review on their own.
REVIEW_KINDS = frozenset({AnswerKind.NOT_FOUND, AnswerKind.COMPLAINT, AnswerKind.HANDOFF})


@dataclass(frozen=True)
class Source:
    """A published document an answer used."""

    title: str
    published_on: date | None
    item_number: int | None
    document_id: int | None
    page_path: str
    qa_id: int | None = None


@dataclass(frozen=True)
class Answer:
    """The bot's reply to one message."""

    text: str
    kind: AnswerKind
    sources: tuple[Source, ...] = ()
    score: float = 1.0
    intent: str = ""
    needs_review: bool = False
    needs_ticket: bool = False
    topic: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def with_text(self, text: str) -> Answer:
        """The same answer with other text."""
        return replace(self, text=text)
