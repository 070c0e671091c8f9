"""Tests for handlers.wechat.exchange's RecentReplies and ReplyMaterials (the rest runs in
test_webhook_*.py)."""

from __future__ import annotations

import asyncio
from datetime import date

from bot.answer import Answer, AnswerKind, Source
from handlers.wechat.exchange import RecentReplies, ReplyMaterials
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


SOURCE = Source("山阴县公共租赁住房管理办法", date(2026, 1, 12), 13, 12, "/documents/12")


def answer(text: str) -> Answer:
    return Answer(text=text, kind=AnswerKind.ANSWERED, sources=(SOURCE,), score=1.0)


def test_the_same_answer_given_again_reuses_its_reply_material() -> None:
    materials = ReplyMaterials("https://zjj.example.gov.cn")
    given = answer("公租房租金每月每平方米4.5元。")
    material = materials.of(given, news=False)
    assert materials.of(given, news=False) is material
    assert material.sources[0]["url"] == "/documents/12"
    assert material.link == "https://zjj.example.gov.cn/documents/12"
    assert material.fit(given.text).reply_text == "公租房租金每月每平方米4.5元。"
    # Equal words from another answer object: made afresh, and alike.
    again = materials.of(answer("公租房租金每月每平方米4.5元。"), news=False)
    assert again is not material and again == material
    # A card is material of its own.
    card = materials.of(given, news=True)
    assert card.card_fields["card"]["url"] == "https://zjj.example.gov.cn/documents/12"
    assert material.card_fields == {}


def test_a_text_other_than_the_answer_is_fitted_afresh() -> None:
    materials = ReplyMaterials("https://zjj.example.gov.cn")
    long = "。".join(["公租房申请人应当如实申报家庭收入和住房情况"] * 120)
    material = materials.of(answer(long), news=False)
    ticketed = "您的诉求已登记，编号HD20261126000001。" + long
    fitted = material.fit(ticketed)
    assert fitted.reply_text.startswith("您的诉求已登记")
    assert len(fitted.reply_text.encode("utf-8")) <= 2048
    assert len(material.fit(long).reply_text.encode("utf-8")) <= 2048


def test_only_the_answers_given_lately_are_kept() -> None:
    materials = ReplyMaterials("https://zjj.example.gov.cn", max_size=2)
    given = [answer(f"答复{n}") for n in range(3)]
    first, second = (materials.of(a, news=False) for a in given[:2])
    assert materials.of(given[0], news=False) is first  # used again: the latest
    materials.of(given[2], news=False)
    assert materials.of(given[0], news=False) is first
    assert materials.of(given[1], news=False) is not second  # dropped, made afresh
