"""Residents' ratings of answers (满意 / 不满意) on WeChat and the web chat, recognised once.

feedback_record() is what both the webhook and POST /api/ask call before asking the bot: for
a message that is a rating ("满意", "不满意", "1", "2") it returns the record to store, whose
insert rates the resident's latest answer in the same transaction and renders the reply; for
anything else None, and the message goes to the bot as usual. The webhook calls it as

    rated = feedback_record(**asked.fields(), deadlines=self._settings.deadlines)

The web chat's buttons rate one answer by its record number (handlers/feedback.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from bot import phrases
from bot.answer import AnswerKind
from bot.compose import format_date
from handlers.answer_records import ReplyDeadlines
from knowledge.record_dates import china_time
from knowledge.records import NewInteraction, RenderedReply, deadline_for
from knowledge.satisfaction import Rated, Rating, Reopening, rate_latest, rating_of


def reopening_for(deadlines: ReplyDeadlines, at: datetime) -> Reopening:
    """The deadline of a record reopened by a rating given at `at` (enquiry working days)."""
    deadline, source = deadline_for(deadlines.calendar, china_time(at), deadlines.enquiry_days)
    return Reopening(deadline, deadlines.enquiry_days, source)


def rating_reply(rating: Rating, rated: Rated) -> str:
    """What the resident is told after rating: thanks, or the record number and deadline."""
    if rated.record_id is None:
        return phrases.NOTHING_TO_RATE
    if rating is Rating.SATISFIED:
        return phrases.SATISFIED_THANKS
    if rated.deadline is None or rated.deadline_days is None:
        return phrases.DISSATISFIED_ACK
    ticket = phrases.TICKET.format(
        number=rated.number, days=rated.deadline_days, deadline=format_date(rated.deadline)
    )
    return f"{phrases.DISSATISFIED_ACK}\n{ticket}"


def feedback_record(
    *,
    channel: str,
    resident: str,
    asked_at: datetime,
    question: str,
    deadlines: ReplyDeadlines,
    dedup_key: str | None = None,
    message_type: str = "text",
) -> NewInteraction | None:
    """The record of a rating message (it rates the latest answer when inserted), or None."""
    rating = rating_of(question)
    if rating is None:
        return None
    reopening = reopening_for(deadlines, asked_at)

    def rate(connection: Connection, record_id: int) -> RenderedReply:
        rated = rate_latest(
            connection,
            channel=channel,
            resident_key=resident,
            before_id=record_id,
            rating=rating,
            at=asked_at,
            reopening=reopening,
        )
        text = rating_reply(rating, rated)
        return RenderedReply(text, text, len(text))

    return NewInteraction(
        channel=channel,
        resident_key=resident,
        asked_at=asked_at,
        question=question,
        dedup_key=dedup_key,
        message_type=message_type,
        answer_kind=AnswerKind.SATISFACTION.value,
        intent=rating.value,
        act_on_records=rate,
    )
