"""Tests for handlers.staff.delivery: WeChat's 48-hour window and which channel can be reached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from handlers.staff.delivery import NOT_CONFIGURED, STORED_FOR_WEB, outside_window, send_reply
from knowledge.inbox import get_record
from tests.handlers.staff.conftest import add_record

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "last, open_window",
    [
        (NOW - timedelta(hours=1), True),
        (NOW - timedelta(hours=47, minutes=59), True),
        (NOW - timedelta(hours=48), True),
        (NOW - timedelta(hours=48, seconds=1), False),
        ((NOW - timedelta(days=3)).replace(tzinfo=None), False),
    ],
    ids=["an-hour", "just-inside", "exactly-48h", "just-outside", "naive-utc"],
)
def test_the_48_hour_window(last: datetime, open_window: bool) -> None:
    assert (outside_window(last, NOW) == "") is open_window


def test_outside_the_window_the_reason_names_the_last_message_in_china_time() -> None:
    reason = outside_window(datetime(2026, 11, 20, 1, 30, tzinfo=UTC), NOW)
    assert "2026-11-20 09:30" in reason and "48小时" in reason


def test_no_message_at_all_is_no_window() -> None:
    assert "找不到居民的留言记录" in outside_window(None, NOW)


@pytest.mark.parametrize(
    "channel, delivered, reason",
    [
        ("web", True, STORED_FOR_WEB),
        ("wechat", False, NOT_CONFIGURED["wechat"]),
        ("wecom", False, NOT_CONFIGURED["wecom"]),
        ("sms", False, "未知渠道，答复已保存但无法送达"),
    ],
)
async def test_each_channel_without_credentials(
    staff_engine: Engine, channel: str, delivered: bool, reason: str
) -> None:
    record_id = add_record(staff_engine, "摇号什么时候", channel=channel)
    with Session(staff_engine) as session:
        record = get_record(session, record_id)
    assert record is not None
    outcome = await send_reply(staff_engine, {}, record, "12月18日摇号。")
    assert (outcome.delivered, outcome.reason) == (delivered, reason)
