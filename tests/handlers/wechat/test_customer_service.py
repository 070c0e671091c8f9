"""Tests for handlers.wechat.customer_service, over loopback HTTP against the fake WeChat API."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest

from handlers.wechat.access_token import (
    AccessTokens,
    CachedToken,
    MemoryTokenStore,
    OfficialAccountTarget,
    Target,
    WeComTarget,
)
from handlers.wechat.customer_service import (
    DELIVERED,
    OUTCOME_UNKNOWN,
    RATE_LIMITED,
    TOKEN_REJECTED,
    TRANSPORT_FAILURE,
    UNAVAILABLE,
    CustomerServiceClient,
    DeliverySettings,
    split_text,
)
from tests.fakes import wechat_api
from tests.fakes.wechat_api import FakeWeChatApi

fake_wechat_api = wechat_api.fake_wechat_api

RESIDENT = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY"
ANSWER = "您好，公租房申请材料清单已在县住建局网站公开。"


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1_000_000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def sender(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi, fake_time: FakeTime
) -> CustomerServiceClient:
    return client(session, official(fake_wechat_api), fake_time)


def official(fake: FakeWeChatApi, secret: str | None = None) -> OfficialAccountTarget:
    return OfficialAccountTarget(fake.appid, secret or fake.secret, fake.base_url)


def client(
    session: aiohttp.ClientSession,
    target: Target,
    fake_time: FakeTime,
    store: MemoryTokenStore | None = None,
    settings: DeliverySettings | None = None,
) -> CustomerServiceClient:
    tokens = AccessTokens(session, target, store or MemoryTokenStore())
    return CustomerServiceClient(
        session,
        tokens,
        settings=settings,
        clock=fake_time.clock,
        sleep=fake_time.sleep,
        jitter=lambda: 1.0,
    )


@pytest.mark.parametrize("content", [ANSWER, "租赁补贴按季度发放。\n详情请致电：0575-1234。"])
async def test_send_is_delivered_with_the_documented_json(
    sender: CustomerServiceClient, fake_wechat_api: FakeWeChatApi, content: str
) -> None:
    result = await sender.send_text(RESIDENT, content)

    assert (result.delivered, result.attempts, result.reason) == (True, 1, DELIVERED)
    [message] = fake_wechat_api.received
    assert json.loads(message.body) == {
        "touser": RESIDENT,
        "msgtype": "text",
        "text": {"content": content},
    }
    assert json.dumps(content, ensure_ascii=False).encode("utf-8") in message.body  # no \u
    assert message.access_token == fake_wechat_api.issued_tokens[0]
    assert fake_wechat_api.token_fetches == {"/cgi-bin/stable_token": 1}


async def test_one_token_fetch_serves_twenty_concurrent_sends(
    sender: CustomerServiceClient, fake_wechat_api: FakeWeChatApi
) -> None:
    openids = [f"oResident{number:02d}" for number in range(20)]

    results = await asyncio.gather(*(sender.send_text(openid, ANSWER) for openid in openids))

    assert all(result.delivered for result in results)
    assert fake_wechat_api.token_fetch_count == 1
    assert sorted(message.touser for message in fake_wechat_api.received) == openids
    assert {message.access_token for message in fake_wechat_api.received} == {
        fake_wechat_api.issued_tokens[0]
    }


@pytest.mark.parametrize("errcode", [40001, 40014, 42001])
async def test_a_rejected_token_is_replaced_and_the_send_retried_once(
    sender: CustomerServiceClient, fake_wechat_api: FakeWeChatApi, fake_time: FakeTime, errcode: int
) -> None:
    assert (await sender.send_text(RESIDENT, "第一条答复。")).delivered
    fake_wechat_api.invalidate_current_token(errcode)

    result = await sender.send_text(RESIDENT, "第二条答复。")

    assert (result.delivered, result.attempts) == (True, 2)
    assert fake_wechat_api.token_fetch_count == 2
    first, second = fake_wechat_api.received
    assert first.access_token != second.access_token
    assert fake_time.sleeps == []


async def test_a_token_rejected_twice_is_not_retried_a_third_time(
    sender: CustomerServiceClient, fake_wechat_api: FakeWeChatApi
) -> None:
    fake_wechat_api.fail_next_sends(40001, count=3)

    result = await sender.send_text(RESIDENT, ANSWER)

    assert (result.delivered, result.attempts, result.errcode) == (False, 2, 40001)
    assert (result.retryable, result.reason) == (True, TOKEN_REJECTED)
    assert fake_wechat_api.send_requests == 2


BUSY = "微信系统繁忙，稍后重试"
HTTP_404 = "微信接口返回异常（HTTP 404）"


@pytest.mark.parametrize(
    ("errcode", "http_status", "failures", "delivered", "attempts", "retryable", "reason"),
    [
        # Refusals are final: one attempt, no sleep.
        (45015, None, 3, False, 1, False, "超出48小时回复时限，无法通过微信送达（45015）"),
        (45047, None, 3, False, 1, False, "已达客服消息条数上限，须等居民再次留言（45047）"),
        (43004, None, 3, False, 1, False, "用户已取消关注（43004）"),
        (43019, None, 3, False, 1, False, "该用户在公众号黑名单中（43019）"),
        (48001, None, 3, False, 1, False, "公众号没有客服消息接口权限（48001）"),
        (40003, None, 3, False, 1, False, "居民的 openid 无效（40003）"),
        (47003, None, 3, False, 1, False, "微信拒绝发送（错误码 47003）"),
        (None, 404, 3, False, 1, False, HTTP_404),
        # A gateway timeout may hide an executed send.
        (None, 504, 3, False, 1, False, OUTCOME_UNKNOWN),
        # "Not executed, try again" answers are retried with backoff.
        (45009, None, 2, True, 3, False, DELIVERED),
        (-1, None, 1, True, 2, False, DELIVERED),
        (None, 500, 3, True, 4, False, DELIVERED),
        (45011, None, 9, False, 4, True, RATE_LIMITED),
        (-1, None, 9, False, 4, True, BUSY),
        (None, 503, 9, False, 4, True, UNAVAILABLE),
    ],
)
async def test_each_answer_is_final_or_retried_with_exponential_backoff(
    sender: CustomerServiceClient,
    fake_wechat_api: FakeWeChatApi,
    fake_time: FakeTime,
    errcode: int | None,
    http_status: int | None,
    failures: int,
    delivered: bool,
    attempts: int,
    retryable: bool,
    reason: str,
) -> None:
    if errcode is not None:
        fake_wechat_api.fail_next_sends(errcode, count=failures)
    if http_status is not None:
        fake_wechat_api.http_error_next_sends(http_status, count=failures)

    result = await sender.send_text(RESIDENT, ANSWER)

    assert (result.delivered, result.attempts, result.reason) == (delivered, attempts, reason)
    assert result.retryable is retryable
    assert result.errcode == (0 if delivered else errcode or TRANSPORT_FAILURE)
    assert fake_time.sleeps == [0.5, 1.0, 2.0][: attempts - 1]
    assert fake_wechat_api.send_requests == attempts
    assert len(fake_wechat_api.received) == int(delivered)


async def test_retries_stop_at_the_deadline(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi, fake_time: FakeTime
) -> None:
    fake_wechat_api.fail_next_sends(45009, count=20)
    settings = DeliverySettings(max_attempts=10, deadline_seconds=3.0, backoff_base_seconds=1.0)
    sender = client(session, official(fake_wechat_api), fake_time, settings=settings)

    result = await sender.send_text(RESIDENT, ANSWER)

    assert (result.delivered, result.attempts, result.retryable) == (False, 3, True)
    assert fake_time.sleeps == [1.0, 2.0]


async def test_a_read_timeout_after_sending_is_reported_unknown_and_not_retried(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi, fake_time: FakeTime
) -> None:
    fake_wechat_api.delay_next_sends(5.0)
    settings = DeliverySettings(read_timeout_seconds=0.2)
    sender = client(session, official(fake_wechat_api), fake_time, settings=settings)

    result = await sender.send_text(RESIDENT, ANSWER)

    assert (result.delivered, result.attempts, result.retryable) == (False, 1, False)
    assert result.reason.startswith("结果未知")
    # WeChat did execute it: a retry would have sent the resident the answer twice.
    assert [message.content for message in fake_wechat_api.received] == [ANSWER]
    assert fake_wechat_api.send_requests == 1


async def test_connect_errors_are_retried_until_attempts_run_out(
    session: aiohttp.ClientSession, fake_time: FakeTime, unused_tcp_port: int
) -> None:
    target = OfficialAccountTarget("wx_fake_appid", "s", f"http://127.0.0.1:{unused_tcp_port}")
    store = MemoryTokenStore()
    await store.put(target.cache_key, CachedToken("cached-token", expires_at=4e9))

    result = await client(session, target, fake_time, store).send_text(RESIDENT, ANSWER)

    assert (result.delivered, result.attempts, result.retryable) == (False, 4, True)
    assert (result.errcode, result.reason) == (TRANSPORT_FAILURE, UNAVAILABLE)
    assert fake_time.sleeps == [0.5, 1.0, 2.0]


async def test_a_server_that_comes_up_between_retries_gets_the_message(
    session: aiohttp.ClientSession, fake_time: FakeTime, unused_tcp_port: int
) -> None:
    fake = FakeWeChatApi()
    target = OfficialAccountTarget(fake.appid, fake.secret, f"http://127.0.0.1:{unused_tcp_port}")

    async def start_server_then_sleep(seconds: float) -> None:
        if fake.token_fetch_count == 0 and not fake_time.sleeps:
            await fake.start(unused_tcp_port)
        await fake_time.sleep(seconds)

    tokens = AccessTokens(session, target, MemoryTokenStore())
    sender = CustomerServiceClient(
        session, tokens, clock=fake_time.clock, sleep=start_server_then_sleep
    )
    try:
        result = await sender.send_text(RESIDENT, ANSWER)
    finally:
        await fake.close()

    assert (result.delivered, result.attempts) == (True, 2)
    assert [message.content for message in fake.received] == [ANSWER]


@pytest.mark.parametrize(
    ("content", "max_bytes", "expected"),
    [
        (
            "公租房申请条件如下。申请人须具有本县户籍！家庭人均收入低于标准？",
            66,
            ["公租房申请条件如下。申请人须具有本县户籍！", "家庭人均收入低于标准？"],
        ),
        (
            "申请人须提交身份证、户口簿、收入证明，以及住房情况说明，经审核后公示",
            30,
            ["申请人须提交身份证、", "户口簿、收入证明，", "以及住房情况说明，", "经审核后公示"],
        ),
        ("他说：“请于三月前提交。”随后离开。", 30, ["他说：", "“请于三月前提交。”", "随后离开。"]),
        ("第一行\n第二行很长很长很长很长很长很长\n\n第三行。", 24, None),
        ("短句。", 2048, ["短句。"]),
    ],
)
def test_split_text_cuts_at_sentence_ends_within_the_byte_cap(
    content: str, max_bytes: int, expected: list[str] | None
) -> None:
    parts = split_text(content, max_bytes)

    if expected is not None:
        assert parts == expected
    assert all(len(part.encode("utf-8")) <= max_bytes for part in parts)
    assert "".join(parts) == "".join(content.split())


async def test_long_content_arrives_as_ordered_messages_under_the_limit(
    sender: CustomerServiceClient, fake_wechat_api: FakeWeChatApi
) -> None:
    content = "".join(f"第{number}条：保障性住房申请须如实填报家庭收入。" for number in range(120))

    result = await sender.send_text(RESIDENT, content)

    received = [message.content for message in fake_wechat_api.received]
    assert (result.delivered, result.parts_total, len(received)) == (True, 4, 4)
    assert "".join(received) == content
    assert all(part.endswith("。") for part in received)
    assert all(len(part.encode("utf-8")) <= 2048 for part in received)


async def test_a_failure_midway_reports_the_parts_already_delivered(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi, fake_time: FakeTime
) -> None:
    fake_wechat_api.accept_next_sends(1)
    fake_wechat_api.fail_next_sends(45015)
    settings = DeliverySettings(max_text_bytes=33)
    sender = client(session, official(fake_wechat_api), fake_time, settings=settings)

    result = await sender.send_text(RESIDENT, "公租房申请条件如下。申请人须具有本县户籍！第三句。")

    assert (result.delivered, result.parts_delivered, result.parts_total) == (False, 1, 3)
    assert result.reason.startswith("已送达前1段（共3段），其余未送达：超出48小时回复时限")
    assert [message.content for message in fake_wechat_api.received] == ["公租房申请条件如下。"]


async def test_wecom_sends_through_the_app_with_its_agentid(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi, fake_time: FakeTime
) -> None:
    fake = fake_wechat_api
    target = WeComTarget(fake.corpid, fake.corpsecret, fake.agentid, fake.base_url)
    fake.unreachable_users.add("LiSi")
    sender = client(session, target, fake_time)

    delivered = await sender.send_text("ZhangSan", "您的租赁补贴申请已受理。")
    unreachable = await sender.send_text("LiSi", "您的租赁补贴申请已受理。")

    assert delivered.delivered
    assert json.loads(fake.received[0].body) == {
        "touser": "ZhangSan",
        "msgtype": "text",
        "agentid": fake.agentid,
        "text": {"content": "您的租赁补贴申请已受理。"},
    }
    assert (unreachable.errcode, unreachable.retryable) == (81013, False)
    assert fake.token_fetches == {"/cgi-bin/gettoken": 1}


@pytest.mark.parametrize("wecom", [False, True])
async def test_a_wrong_secret_is_final_and_fetched_once(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi, fake_time: FakeTime, wecom: bool
) -> None:
    fake = fake_wechat_api
    target: Target = official(fake, secret="wrong")
    expected_errcode = 40125
    if wecom:
        target = WeComTarget(fake.corpid, "wrong", fake.agentid, fake.base_url)
        expected_errcode = 40001

    result = await client(session, target, fake_time).send_text(RESIDENT, ANSWER)

    assert (result.delivered, result.attempts, result.retryable) == (False, 1, False)
    assert result.reason == f"无法获取微信访问凭证（{expected_errcode}）"
    assert fake.token_fetch_count == 1


async def test_logs_carry_neither_content_nor_token_nor_full_openid(
    sender: CustomerServiceClient, fake_wechat_api: FakeWeChatApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_text = "家庭住址：山阴县解放路18号3单元"
    fake_wechat_api.fail_next_sends(45009)
    await sender.send_text(RESIDENT, secret_text)
    fake_wechat_api.invalidate_current_token(42001)
    fake_wechat_api.fail_next_sends(45015)
    await sender.send_text(RESIDENT, secret_text)

    logged = [record.getMessage() for record in caplog.records]
    assert any(RESIDENT[:6] in line for line in logged)
    for forbidden in [secret_text, RESIDENT, *fake_wechat_api.issued_tokens]:
        assert not any(forbidden in line for line in logged)


@pytest.mark.parametrize(("openid", "content"), [("", "您好。"), (RESIDENT, " \n　")])
async def test_empty_recipient_or_content_is_refused_before_sending(
    sender: CustomerServiceClient, fake_wechat_api: FakeWeChatApi, openid: str, content: str
) -> None:
    with pytest.raises(ValueError, match="empty"):
        await sender.send_text(openid, content)
    assert fake_wechat_api.send_requests == 0
