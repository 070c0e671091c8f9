"""The 5-second rule: a slow answer is stored, WeChat gets "success", the answer follows by kf.

The bot is made slow through the answering factory (a real sleep in the answering thread), so
the budget really expires; the customer-service API is the fake WeChat API on loopback.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from aiohttp import web

from bot.answer import Answer, AnswerKind
from handlers import keys
from handlers.settings import Secret
from handlers.wechat.answering import Answering
from handlers.wechat.late_delivery import NOT_CONFIGURED
from tests.fakes.wechat_api import FakeWeChatApi
from tests.handlers.wechat.conftest import (
    RESIDENT,
    FixedAnswering,
    Harness,
    Peer,
    SlowAnswering,
    deliveries,
    eventually,
    message_xml,
    records,
)

BUDGET = 0.3
SLOW = 1.0
LATE_ANSWER = Answer(
    text="公租房申请条件：本县城镇户籍满2年，家庭人均月收入低于2650元。", kind=AnswerKind.ANSWERED
)


def api_settings(fake: FakeWeChatApi) -> dict[str, Any]:
    """Both channels' customer-service credentials, pointing at the fake API."""
    return {
        "wechat_appid": fake.appid,
        "wechat_secret": Secret(fake.secret),
        "wechat_api_base": fake.base_url,
        "wecom_corpid": fake.corpid,
        "wecom_secret": Secret(fake.corpsecret),
        "wecom_agentid": fake.agentid,
        "wecom_api_base": fake.base_url,
    }


async def slow_peer(
    harness: Harness, fake: FakeWeChatApi | None, mode: str = "safe"
) -> tuple[Peer, list[SlowAnswering]]:
    slow: list[SlowAnswering] = []

    def factory(app: web.Application) -> Answering:
        slow.append(SlowAnswering(FixedAnswering(LATE_ANSWER), SLOW))
        return slow[0]

    api = api_settings(fake) if fake is not None else {}
    client = await harness.start(answering=factory, answer_budget_seconds=BUDGET, **api)
    settings = client.app[keys.settings_key]
    receive_id = settings.wecom_corpid if mode == "wecom" else settings.wechat_appid
    return Peer(client, mode, receive_id=receive_id), slow


@pytest.mark.parametrize("mode", ["safe", "wecom"])
async def test_a_slow_answer_is_delivered_by_customer_service_message(
    harness: Harness, fake_wechat_api: FakeWeChatApi, mode: str
) -> None:
    peer, _ = await slow_peer(harness, fake_wechat_api, mode)
    started = time.monotonic()
    reply = await peer.text("公租房申请条件是什么")
    assert reply.kind == "success"
    assert time.monotonic() - started < SLOW
    [pending] = records(peer.client)
    assert pending.pending_delivery and pending.question == "公租房申请条件是什么"
    await eventually(lambda: len(fake_wechat_api.received) == 1)
    [sent] = fake_wechat_api.received
    assert sent.touser == RESIDENT
    assert sent.content == LATE_ANSWER.text
    await eventually(lambda: bool(deliveries(peer.client)[0].finished_at))
    [delivery] = deliveries(peer.client)
    assert (delivery.delivered, delivery.purpose, delivery.interaction_id) == (
        True,
        "late_answer",
        pending.id,
    )
    [done] = records(peer.client)
    assert not done.pending_delivery
    assert done.answer_text == sent.content
    assert done.reply_text == ""


async def test_retries_during_a_slow_answer_get_success_and_make_no_second_record(
    harness: Harness, fake_wechat_api: FakeWeChatApi
) -> None:
    peer, slow = await slow_peer(harness, fake_wechat_api)
    xml = message_xml("text", content="租赁补贴怎么申请", msg_id=71000001)
    first = await peer.post(xml)
    retries = await asyncio.gather(peer.post(xml), peer.post(xml))
    assert {first.kind, *(r.kind for r in retries)} == {"success"}
    await eventually(lambda: len(fake_wechat_api.received) == 1)
    # After the late delivery a retry still gets "success": the answer is not sent twice.
    assert (await peer.post(xml)).kind == "success"
    assert len(records(peer.client)) == 1
    assert slow[0].calls == 1
    await asyncio.sleep(0.2)
    assert len(fake_wechat_api.received) == 1


async def test_outside_the_48_hour_window_the_answer_is_recorded_as_not_deliverable(
    harness: Harness, fake_wechat_api: FakeWeChatApi
) -> None:
    fake_wechat_api.fail_next_sends(45015)
    peer, _ = await slow_peer(harness, fake_wechat_api)
    assert (await peer.text("公租房申请条件是什么")).kind == "success"
    await eventually(
        lambda: bool(deliveries(peer.client)) and bool(deliveries(peer.client)[0].finished_at)
    )
    [delivery] = deliveries(peer.client)
    assert (delivery.delivered, delivery.errcode) == (False, 45015)
    assert "48" in delivery.reason
    assert fake_wechat_api.received == []
    [stored] = records(peer.client)
    assert stored.answer_text == LATE_ANSWER.text and not stored.pending_delivery


async def test_without_customer_service_credentials_the_answer_is_kept_for_staff(
    harness: Harness,
) -> None:
    peer, _ = await slow_peer(harness, None)
    assert (await peer.text("公租房申请条件是什么")).kind == "success"
    await eventually(
        lambda: bool(deliveries(peer.client)) and bool(deliveries(peer.client)[0].finished_at)
    )
    [delivery] = deliveries(peer.client)
    assert (delivery.delivered, delivery.reason) == (False, NOT_CONFIGURED)


async def test_a_fast_answer_is_not_sent_late(
    harness: Harness, fake_wechat_api: FakeWeChatApi
) -> None:
    client = await harness.start(answer_budget_seconds=BUDGET, **api_settings(fake_wechat_api))
    reply = await Peer(client, "safe", receive_id=fake_wechat_api.appid).text(
        "公租房申请条件是什么"
    )
    assert reply.kind == "text"
    await asyncio.sleep(0.2)
    assert fake_wechat_api.received == [] and deliveries(client) == []
