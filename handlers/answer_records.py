"""From a bot Answer to the interaction record to store: sources, review deadline, ticket number.

Shared by the WeChat webhook and the web chat, so that a question is recorded the same way
whichever channel it came by. Questions are masked by knowledge.records on insert.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from bot.answer import Answer, AnswerKind
from bot.compose import with_ticket
from knowledge.record_dates import china_time
from knowledge.records import LateAnswer, NewInteraction, RenderedReply, deadline_for
from knowledge.workdays import WorkingCalendar

#: answer_kind of a record answered with a fixed sentence rather than by the bot.
FIXED_KIND = "fixed"
#: answer_kind of a message refused because its sender wrote too fast.
RATE_LIMITED_KIND = "rate_limited"
#: answer_kind of a question whose answer failed (the bot raised): staff answer it.
FAILED_KIND = "failed"

Fit = Callable[[str], RenderedReply]


@dataclass(frozen=True)
class ReplyDeadlines:
    """How many working days staff have to answer, on which calendar."""

    calendar: WorkingCalendar
    enquiry_days: int
    complaint_days: int


@dataclass(frozen=True)
class Review:
    """Whether a record goes to staff, and by when they answer it."""

    needs_review: bool
    days: int | None = None
    deadline: date | None = None
    calendar_source: str = ""


def utc_now() -> datetime:
    """Now, as records store times (aware, UTC)."""
    return datetime.now(UTC)


def whole(text: str) -> RenderedReply:
    """A reply that carries the whole answer (the web chat has no length limit)."""
    return RenderedReply(text, text, len(text))


def source_dicts(answer: Answer) -> list[dict[str, Any]]:
    """The answer's citations as stored with the record (and shown by /api/ask)."""
    return [
        {
            "title": source.title,
            "date": source.published_on.isoformat() if source.published_on else None,
            "item": source.item_number,
            "document_id": source.document_id,
            "qa_id": source.qa_id,
            "url": source.page_path,
        }
        for source in answer.sources
    ]


def review_for(
    answer: Answer, asked_at: datetime, deadlines: ReplyDeadlines, *, reviewable: bool
) -> Review:
    """Staff review and its deadline, counted in working days from the China date asked."""
    if not (answer.needs_review and reviewable):
        return Review(False)
    complaint = answer.kind is AnswerKind.COMPLAINT
    days = deadlines.complaint_days if complaint else deadlines.enquiry_days
    deadline, source = deadline_for(deadlines.calendar, china_time(asked_at), days)
    return Review(True, days, deadline, source)


def ticketed_text(answer: Answer, number: str, review: Review) -> str:
    """The answer, quoting its record number and deadline when it opens a ticket."""
    if answer.needs_ticket and review.needs_review and review.deadline and review.days:
        return with_ticket(answer, number, review.days, review.deadline).text
    return answer.text


def answered_record(
    *,
    channel: str,
    resident: str,
    asked_at: datetime,
    question: str,
    answer: Answer,
    deadlines: ReplyDeadlines,
    reviewable: bool,
    fit: Fit,
    dedup_key: str | None = None,
    message_type: str = "text",
    card: Mapping[str, str] | None = None,
    card_text: str = "",
    sources: list[dict[str, Any]] | None = None,
) -> NewInteraction:
    """The record of a question the bot answered (fit cuts the answer to the channel's reply).

    sources are source_dicts(answer), when the caller has them already (never changed after).
    """
    review = review_for(answer, asked_at, deadlines, reviewable=reviewable)
    texts: dict[str, Any]
    if answer.needs_ticket and review.needs_review:
        # The number exists only once the record is inserted: render inside that transaction.
        def render(number: str) -> RenderedReply:
            return fit(ticketed_text(answer, number, review))

        texts = {"render_reply": render}
    elif card is not None:
        texts = {
            "answer_text": answer.text,
            "reply_text": card_text,
            "reply_offset": len(answer.text),
            "reply_card": dict(card),
        }
    else:
        rendered = fit(answer.text)
        texts = {
            "answer_text": rendered.answer_text,
            "reply_text": rendered.reply_text,
            "reply_offset": rendered.reply_offset,
        }
    return NewInteraction(
        channel=channel,
        resident_key=resident,
        asked_at=asked_at,
        question=question,
        dedup_key=dedup_key,
        message_type=message_type,
        answer_kind=answer.kind.value,
        intent=answer.intent,
        score=answer.score,
        sources=source_dicts(answer) if sources is None else sources,
        needs_review=review.needs_review,
        category=answer.topic,
        deadline=review.deadline,
        deadline_days=review.days,
        calendar_source=review.calendar_source,
        **texts,
    )


def fixed_record(
    *,
    channel: str,
    resident: str,
    asked_at: datetime,
    question: str,
    reply_text: str,
    kind: str = FIXED_KIND,
    dedup_key: str | None = None,
    message_type: str = "text",
) -> NewInteraction:
    """The record of a message answered with a fixed sentence ('' for no reply); never reviewed."""
    return NewInteraction(
        channel=channel,
        resident_key=resident,
        asked_at=asked_at,
        question=question,
        dedup_key=dedup_key,
        message_type=message_type,
        answer_text=reply_text,
        reply_text=reply_text,
        answer_kind=kind,
    )


def late_answer(
    answer: Answer,
    number: str,
    asked_at: datetime,
    deadlines: ReplyDeadlines,
    *,
    reviewable: bool,
) -> LateAnswer:
    """What to store of an answer that came after the passive reply (its text is sent whole)."""
    review = review_for(answer, asked_at, deadlines, reviewable=reviewable)
    return LateAnswer(
        answer_text=ticketed_text(answer, number, review),
        answer_kind=answer.kind.value,
        intent=answer.intent,
        score=answer.score,
        sources=source_dicts(answer),
        needs_review=review.needs_review,
        category=answer.topic,
        deadline=review.deadline,
        deadline_days=review.days,
        calendar_source=review.calendar_source,
    )
