"""Tests for handlers.wechat.exchange's RecentReplies (the rest runs in test_webhook_*.py)."""

from __future__ import annotations

import asyncio

from handlers.wechat.exchange import RecentReplies
from handlers.wechat.replies import PassiveReply


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_recent_key_is_found_until_it_expires() -> None:
    clock = Clock()
    recent = RecentReplies(ttl_seconds=120, max_size=10, clock=clock)
    future: asyncio.Future[PassiveReply] = asyncio.get_running_loop().create_future()
    recent.put(("wechat", "msg:1"), future)
    assert recent.get(("wechat", "msg:1")) is future
    assert recent.get(("wecom", "msg:1")) is None
    clock.now = 121
    assert recent.get(("wechat", "msg:1")) is None


async def test_old_and_surplus_keys_are_dropped_when_new_ones_come() -> None:
    clock = Clock()
    recent = RecentReplies(ttl_seconds=120, max_size=3, clock=clock)
    loop = asyncio.get_running_loop()
    for n in range(5):
        recent.put(("wechat", f"msg:{n}"), loop.create_future())
    assert len(recent) == 3
    assert recent.get(("wechat", "msg:0")) is None
    clock.now = 500
    recent.put(("wechat", "msg:new"), loop.create_future())
    assert len(recent) == 1


async def test_forget_removes_a_key() -> None:
    recent = RecentReplies()
    recent.put(("wechat", "msg:1"), asyncio.get_running_loop().create_future())
    recent.forget(("wechat", "msg:1"))
    recent.forget(("wechat", "msg:2"))
    assert recent.get(("wechat", "msg:1")) is None
