"""Exactly once: WeChat's retries, two workers, events in the same second, "更多", tickets.

A retry (same MsgId, or same sender + CreateTime + Event + EventKey) gets the reply the first
delivery got and never a second record; the unique key in the database decides, so a second
worker (a second app on the same database) finds the first one's record.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from bot import phrases
from bot.answer import Answer, AnswerKind, Source
from handlers import keys
from handlers.wechat.answering import Answering
from tests.handlers.wechat.conftest import (
    APPID,
    PUBLIC_URL,
    FixedAnswering,
    Harness,
    Peer,
    message_xml,
    records,
)

LONG_ANSWER = "\n".join(
    f"第{n}条 申请公租房的家庭，应当如实申报家庭人口、收入、住房和资产情况，并提交相应证明材料。"
    for n in range(1, 41)
)
SOURCE = Source("山阴县公共租赁住房管理实施办法", None, 13, 12, "/documents/12")


class CountingAnswering:
    """The real bot, counting how often it is asked."""

    def __init__(self, answering: Answering) -> None:
        self._answering = answering
        self.calls = 0

    def answer(self, text: str, user: str = "") -> Answer:
        self.calls += 1
        return self._answering.answer(text, user)


async def counting_peer(harness: Harness) -> tuple[Peer, CountingAnswering]:
    counters: list[CountingAnswering] = []

    def factory(app: web.Application) -> Answering:
        counters.append(CountingAnswering(app[keys.answerer_key]))
        return counters[0]

    client = await harness.start(answering=factory)
    return Peer(client, "safe"), counters[0]


async def test_three_sequential_retries_get_one_record_and_three_identical_replies(
    harness: Harness,
) -> None:
    peer, bot = await counting_peer(harness)
    xml = message_xml("text", content="申请公租房需要什么材料", msg_id=61000001)
    # Each retry is a new request (new nonce and timestamp) carrying the same message.
    replies = [await peer.post(xml) for _ in range(3)]
    assert {r.kind for r in replies} == {"text"}
    assert len({r.content for r in replies}) == 1
    assert len(records(peer.client)) == 1
    assert bot.calls == 1


async def test_three_concurrent_retries_get_one_record_and_three_identical_replies(
    harness: Harness,
) -> None:
    peer, bot = await counting_peer(harness)
    xml = message_xml("text", content="申请公租房需要什么材料", msg_id=61000002)
    replies = await asyncio.gather(*(peer.post(xml) for _ in range(3)))
    assert {r.kind for r in replies} == {"text"}
    assert len({r.content for r in replies}) == 1
    assert len(records(peer.client)) == 1
    assert bot.calls == 1


async def test_concurrent_retries_of_a_remembered_question_get_one_record(
    harness: Harness,
) -> None:
    # The real bot: the question is remembered after the first resident asked it, so the
    # retries are answered on the event loop, all at once.
    peer = await harness.peer("safe")
    asked = await peer.text("租赁补贴怎么申请", from_user="oFirstResident")
    xml = message_xml("text", content="租赁补贴怎么申请", msg_id=61000005)
    replies = await asyncio.gather(*(peer.post(xml) for _ in range(3)))
    assert {r.content for r in replies} == {asked.content}
    assert len(records(peer.client)) == 2


async def test_a_retry_reaching_another_worker_gets_the_stored_reply(harness: Harness) -> None:
    first = Peer(await harness.start(), "safe")
    second = Peer(await harness.start(), "safe")
    xml = message_xml("text", content="申请公租房需要什么材料", msg_id=61000003)
    one, other = await first.post(xml), await second.post(xml)
    assert one.content == other.content
    assert len(records(first.client)) == 1


async def test_concurrent_deliveries_to_two_workers_make_one_record(harness: Harness) -> None:
    workers = [Peer(await harness.start(), "safe") for _ in range(2)]
    xml = message_xml("text", content="租赁补贴怎么申请", msg_id=61000004)
    replies = await asyncio.gather(*(w.post(xml) for w in workers for _ in range(3)))
    assert len({r.content for r in replies}) == 1
    assert len(records(workers[0].client)) == 1


async def test_two_events_of_one_user_in_one_second_are_two_records(harness: Harness) -> None:
    peer = await harness.peer("safe")
    second = int(time.time())
    subscribe = message_xml("event", event="subscribe", create_time=second)
    click = message_xml("event", event="CLICK", event_key="CONTACT_US", create_time=second)
    for xml in (subscribe, click, subscribe, click):
        assert (await peer.post(xml)).kind == "text"
    stored = records(peer.client)
    assert [r.message_type for r in stored] == ["event:subscribe", "event:click"]
    assert len({r.dedup_key for r in stored}) == 2


async def test_more_continues_a_long_answer_part_by_part(harness: Harness) -> None:
    answer = Answer(text=LONG_ANSWER, kind=AnswerKind.ANSWERED, sources=(SOURCE,))
    client = await harness.start(answering=lambda app: FixedAnswering(answer))
    peer = Peer(client, "safe", receive_id=APPID)
    first = await peer.text("申请要交哪些材料")
    link = f"{PUBLIC_URL}/documents/12"
    assert len(first.content.encode("utf-8")) <= 2048
    assert "回复“更多”" in first.content and link in first.content
    parts = [first.content.split("\n（内容较长")[0]]
    more = message_xml("text", content="更多")
    reply = await peer.post(more)
    # A retry of the same "更多" gets the same part, and does not skip one.
    assert (await peer.post(more)).content == reply.content
    while "回复“更多”" in reply.content:
        parts.append(reply.content.split("\n（内容较长")[0])
        reply = await peer.text("更多")
    parts.append(reply.content)
    assert len(parts) >= 3
    assert "".join(parts).replace("\n", "") == LONG_ANSWER.replace("\n", "")
    assert (await peer.text("更多")).content == phrases.NOTHING_MORE


async def test_more_is_served_by_whichever_worker_gets_it(harness: Harness) -> None:
    answer = Answer(text=LONG_ANSWER, kind=AnswerKind.ANSWERED, sources=(SOURCE,))
    workers = [
        Peer(await harness.start(answering=lambda app: FixedAnswering(answer)), "safe")
        for _ in range(2)
    ]
    first = await workers[0].text("申请要交哪些材料")
    second = await workers[1].text("更多")
    third = await workers[0].text("更多")
    assert first.content.split("\n")[0].startswith("第1条")
    assert second.content != third.content
    assert second.content.split("\n")[0] not in first.content


async def test_more_without_an_earlier_answer_says_there_is_nothing_more(
    harness: Harness,
) -> None:
    peer = await harness.peer("safe")
    assert (await peer.text("更多")).content == phrases.NOTHING_MORE


async def test_a_complaint_reply_quotes_its_own_record_number(harness: Harness) -> None:
    peer = await harness.peer("safe")
    reply = await peer.text("我要投诉，交了材料等了半年没消息")
    [stored] = records(peer.client)
    assert stored.number in reply.content
    assert stored.status == "needs_review"
    assert stored.deadline is not None and stored.deadline_days == 15
    assert stored.reply_text == reply.content


@pytest.mark.parametrize(
    ("message", "reviewed"),
    [
        (message_xml("text", content="宠物医院几点开门，狗狗打疫苗多少钱"), True),
        (message_xml("event", event="CLICK", event_key="CONTACT_US"), False),
    ],
    ids=["typed-question", "menu-click"],
)
async def test_only_typed_questions_open_a_staff_review(
    harness: Harness, message: str, reviewed: bool
) -> None:
    not_found = Answer(text=phrases.NOT_FOUND, kind=AnswerKind.NOT_FOUND, needs_review=True)
    client = await harness.start(answering=lambda app: FixedAnswering(not_found))
    peer = Peer(client, "safe")
    assert (await peer.post(message)).content == phrases.NOT_FOUND
    [stored] = records(client)
    assert (stored.status == "needs_review") is reviewed
    assert (stored.deadline is not None) is reviewed
