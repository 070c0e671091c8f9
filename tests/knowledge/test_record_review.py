"""Tests for knowledge.record_review: staff replies, closing and reopening, deliveries, and the
replies the web chat fetches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from knowledge.database import session_scope
from knowledge.record_models import Interaction
from knowledge.record_review import (
    CLOSE,
    REOPEN,
    ReviewError,
    add_delivery,
    change_status,
    deliveries,
    save_staff_reply,
    web_replies,
)
from knowledge.records import NewInteraction, record_batch

ASKED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _record(
    engine: Engine, channel: str = "web", resident: str = "w-1", review: bool = True
) -> int:
    stored = record_batch(
        engine,
        [
            NewInteraction(
                channel=channel,
                resident_key=resident,
                asked_at=ASKED,
                question="摇号什么时候？",
                needs_review=review,
            )
        ],
    )
    return stored[0].id


def _status(engine: Engine, record_id: int) -> str:
    with Session(engine) as session:
        record = session.get(Interaction, record_id)
        assert record is not None
        return record.status


def test_a_reply_answers_the_record(engine: Engine) -> None:
    record_id = _record(engine)
    with session_scope(engine) as session:
        save_staff_reply(session, record_id, "  12月18日摇号。 ", "李静")
    assert _status(engine, record_id) == "answered"
    with Session(engine) as session:
        record = session.get(Interaction, record_id)
        assert record is not None
        assert (record.staff_reply, record.replied_by) == ("12月18日摇号。", "李静")


@pytest.mark.parametrize("text, reason", [("   ", "不能为空"), ("长" * 2001, "2000字以内")])
def test_an_empty_or_overlong_reply_is_refused(engine: Engine, text: str, reason: str) -> None:
    record_id = _record(engine)
    with pytest.raises(ReviewError, match=reason), session_scope(engine) as session:
        save_staff_reply(session, record_id, text, "李静")
    assert _status(engine, record_id) == "needs_review"


@pytest.mark.parametrize(
    "actions, final",
    [
        ([CLOSE], "closed"),
        ([CLOSE, REOPEN], "needs_review"),
    ],
)
def test_closing_and_reopening(engine: Engine, actions: list[str], final: str) -> None:
    record_id = _record(engine)
    for action in actions:
        with session_scope(engine) as session:
            change_status(session, record_id, action)
    assert _status(engine, record_id) == final


@pytest.mark.parametrize(
    "review, action, reason",
    [(True, REOPEN, "已在待处理中"), (True, "delete", "未知的操作")],
)
def test_changes_that_make_no_sense_are_refused(
    engine: Engine, review: bool, action: str, reason: str
) -> None:
    record_id = _record(engine, review=review)
    with pytest.raises(ReviewError, match=reason), session_scope(engine) as session:
        change_status(session, record_id, action)


def test_an_unknown_record_is_refused(engine: Engine) -> None:
    with pytest.raises(ReviewError, match="不存在"), session_scope(engine) as session:
        change_status(session, 999, CLOSE)


def test_deliveries_in_order(engine: Engine) -> None:
    record_id = _record(engine, channel="wechat", resident="oAlice")
    with session_scope(engine) as session:
        add_delivery(session, record_id, delivered=False, reason="超出48小时", errcode=45015)
        add_delivery(session, record_id, delivered=True, reason="已送达", attempts=1)
    with Session(engine) as session:
        found = deliveries(session, record_id)
    assert [(d.delivered, d.errcode, d.reason) for d in found] == [
        (False, 45015, "超出48小时"),
        (True, 0, "已送达"),
    ]


def test_the_web_chat_gets_its_own_users_replies_only(engine: Engine) -> None:
    mine, theirs, wechat = (
        _record(engine),
        _record(engine, resident="w-2"),
        _record(engine, channel="wechat", resident="w-1"),
    )
    unanswered = _record(engine)
    first = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        save_staff_reply(session, mine, "12月18日摇号。", "李静", now=first)
        save_staff_reply(session, theirs, "别人的答复", "李静", now=first)
        save_staff_reply(session, wechat, "微信的答复", "李静", now=first)
    with Session(engine) as session:
        found = web_replies(session, "w-1")
        later = web_replies(session, "w-1", since=first + timedelta(seconds=1))
    assert [(r.record_id, r.reply) for r in found] == [(mine, "12月18日摇号。")]
    assert later == []
    assert unanswered not in [r.record_id for r in found]
