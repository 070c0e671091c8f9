"""Tests for handlers.answer_records: what is stored of an answer, review deadlines, tickets."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot import phrases
from bot.answer import Answer, AnswerKind, Source
from handlers.answer_records import (
    ReplyDeadlines,
    answered_record,
    fixed_record,
    late_answer,
    review_for,
    source_dicts,
    whole,
)
from knowledge.records import RenderedReply
from knowledge.workdays import WorkingCalendar

DEADLINES = ReplyDeadlines(WorkingCalendar(), enquiry_days=5, complaint_days=15)
# 17:00 UTC on Thursday 26 November is 01:00 on Friday 27 November in China.
LATE_EVENING_UTC = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
SOURCE = Source("山阴县公共租赁住房管理实施办法", date(2026, 1, 12), 13, 12, "/documents/12")
COMPLAINT = Answer(
    text=phrases.COMPLAINT_ACK + "\n" + phrases.TICKET_PENDING.format(days=15),
    kind=AnswerKind.COMPLAINT,
    needs_review=True,
    needs_ticket=True,
    topic="公租房",
)
NOT_FOUND = Answer(text=phrases.NOT_FOUND, kind=AnswerKind.NOT_FOUND, needs_review=True)


@pytest.mark.parametrize(
    ("answer", "reviewable", "expected"),
    [
        (NOT_FOUND, True, (True, 5, date(2026, 12, 4))),
        (COMPLAINT, True, (True, 15, date(2026, 12, 18))),
        (NOT_FOUND, False, (False, None, None)),
        (Answer(text="答", kind=AnswerKind.ANSWERED), True, (False, None, None)),
    ],
    ids=["enquiry", "complaint", "menu-click", "answered"],
)
def test_review_deadlines_count_working_days_from_the_china_date(
    answer: Answer, reviewable: bool, expected: tuple[bool, int | None, date | None]
) -> None:
    review = review_for(answer, LATE_EVENING_UTC, DEADLINES, reviewable=reviewable)
    assert (review.needs_review, review.days, review.deadline) == expected


def test_a_complaint_is_rendered_with_its_number_inside_the_insert() -> None:
    new = answered_record(
        channel="wechat",
        resident="o_a",
        asked_at=LATE_EVENING_UTC,
        question="等了半年没消息",
        answer=COMPLAINT,
        deadlines=DEADLINES,
        reviewable=True,
        fit=whole,
    )
    assert new.render_reply is not None and new.needs_review
    rendered = new.render_reply("HD20261126000042")
    assert "登记编号：HD20261126000042" in rendered.reply_text
    assert "2026年12月18日" in rendered.reply_text
    assert (new.category, new.deadline_days) == ("公租房", 15)


def test_an_answer_is_stored_whole_with_the_part_sent() -> None:
    answer = Answer(text="第一句。第二句。", kind=AnswerKind.ANSWERED, sources=(SOURCE,), score=0.8)
    new = answered_record(
        channel="wechat",
        resident="o_a",
        asked_at=LATE_EVENING_UTC,
        question="问",
        answer=answer,
        deadlines=DEADLINES,
        reviewable=True,
        fit=lambda text: RenderedReply(text, "第一句。（更多）", 4),
        dedup_key="msg:1",
    )
    assert (new.answer_text, new.reply_text, new.reply_offset) == (
        "第一句。第二句。",
        "第一句。（更多）",
        4,
    )
    assert new.sources == source_dicts(answer)
    assert new.sources[0]["url"] == "/documents/12" and new.sources[0]["date"] == "2026-01-12"
    assert (new.answer_kind, new.score, new.needs_review) == ("answered", 0.8, False)


def test_a_card_answer_keeps_the_card_and_a_readable_text() -> None:
    card = {"title": "摇号公告", "description": "12月15日", "url": "https://x/documents/27"}
    new = answered_record(
        channel="wechat",
        resident="o_a",
        asked_at=LATE_EVENING_UTC,
        question="[菜单] 摇号公告",
        answer=Answer(text="摇号时间：12月15日。", kind=AnswerKind.ANSWERED),
        deadlines=DEADLINES,
        reviewable=False,
        fit=whole,
        card=card,
        card_text="《摇号公告》",
    )
    assert (new.reply_card, new.reply_text, new.reply_offset) == (card, "《摇号公告》", 12)


def test_fixed_replies_are_never_reviewed() -> None:
    new = fixed_record(
        channel="wechat",
        resident="o_a",
        asked_at=LATE_EVENING_UTC,
        question="[图片]",
        reply_text=phrases.MEDIA_REPLY,
        message_type="image",
    )
    assert (new.needs_review, new.answer_kind, new.reply_text) == (
        False,
        "fixed",
        phrases.MEDIA_REPLY,
    )


def test_a_late_complaint_answer_quotes_the_number_given_when_it_was_recorded() -> None:
    late = late_answer(COMPLAINT, "HD20261126000007", LATE_EVENING_UTC, DEADLINES, reviewable=True)
    assert "HD20261126000007" in late.answer_text
    assert (late.needs_review, late.deadline, late.deadline_days) == (True, date(2026, 12, 18), 15)
