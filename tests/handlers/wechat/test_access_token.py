"""Tests for handlers.wechat.access_token: fetching, single flight, expiry and invalidation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from handlers.wechat.access_token import (
    AccessTokens,
    CachedToken,
    MemoryTokenStore,
    OfficialAccountTarget,
    Target,
    TokenUnavailable,
    WeComTarget,
)
from tests.fakes import wechat_api
from tests.fakes.wechat_api import FakeWeChatApi

fake_wechat_api = wechat_api.fake_wechat_api


class ManualClock:
    """Wall-clock stand-in that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def official(fake: FakeWeChatApi, secret: str | None = None) -> OfficialAccountTarget:
    return OfficialAccountTarget(fake.appid, secret or fake.secret, fake.base_url)


def wecom(fake: FakeWeChatApi) -> WeComTarget:
    return WeComTarget(fake.corpid, fake.corpsecret, fake.agentid, fake.base_url)


@pytest.mark.parametrize(
    ("use_wecom", "endpoint"), [(False, "/cgi-bin/stable_token"), (True, "/cgi-bin/gettoken")]
)
async def test_concurrent_callers_share_one_fetch_and_later_ones_reuse_it(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi, use_wecom: bool, endpoint: str
) -> None:
    target: Target = wecom(fake_wechat_api) if use_wecom else official(fake_wechat_api)
    tokens = AccessTokens(session, target, MemoryTokenStore())

    values = await asyncio.gather(*(tokens.get() for _ in range(20)))
    again = await tokens.get()

    assert set(values) == {again} == set(fake_wechat_api.issued_tokens)
    assert fake_wechat_api.token_fetches == {endpoint: 1}


@pytest.mark.parametrize(
    ("appid", "secret", "errcode"),
    [("wx_someone_else", None, 40013), (None, "wrong-secret", 40125)],
)
async def test_refused_credentials_raise_a_final_error(
    session: aiohttp.ClientSession,
    fake_wechat_api: FakeWeChatApi,
    appid: str | None,
    secret: str | None,
    errcode: int,
) -> None:
    fake = fake_wechat_api
    target = OfficialAccountTarget(appid or fake.appid, secret or fake.secret, fake.base_url)

    with pytest.raises(TokenUnavailable) as raised:
        await AccessTokens(session, target, MemoryTokenStore()).get()

    assert (raised.value.errcode, raised.value.retryable) == (errcode, False)
    assert "wrong-secret" not in str(raised.value)


async def test_concurrent_callers_share_one_failing_fetch(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi
) -> None:
    tokens = AccessTokens(session, official(fake_wechat_api, "wrong"), MemoryTokenStore())

    outcomes = await asyncio.gather(*(tokens.get() for _ in range(5)), return_exceptions=True)

    assert [getattr(outcome, "errcode", None) for outcome in outcomes] == [40125] * 5
    assert fake_wechat_api.token_fetch_count == 1


async def test_tokens_are_refreshed_ahead_of_expiry(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi
) -> None:
    clock = ManualClock()
    fake_wechat_api.token_lifetime_seconds = 200
    tokens = AccessTokens(
        session,
        official(fake_wechat_api),
        MemoryTokenStore(),
        refresh_margin_seconds=180,
        clock=clock,
    )
    await tokens.get()
    clock.now += 15
    await tokens.get()
    assert fake_wechat_api.token_fetch_count == 1

    clock.now += 10
    await tokens.get()
    assert fake_wechat_api.token_fetch_count == 2


async def test_memory_store_invalidation_is_compare_and_delete() -> None:
    store = MemoryTokenStore()
    await store.invalidate("wechat:wx1", "never-stored")
    await store.put("wechat:wx1", CachedToken("newer", expires_at=2e9))

    await store.invalidate("wechat:wx1", "older")
    assert await store.get("wechat:wx1") == CachedToken("newer", expires_at=2e9)

    await store.invalidate("wechat:wx1", "newer")
    assert await store.get("wechat:wx1") is None


async def test_a_stale_invalidation_keeps_the_token_another_worker_fetched(
    session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi
) -> None:
    shared = MemoryTokenStore()
    worker_a = AccessTokens(session, official(fake_wechat_api), shared)
    worker_b = AccessTokens(session, official(fake_wechat_api), shared)
    old = await worker_a.get()
    fake_wechat_api.invalidate_current_token(40001)

    await worker_b.invalidate(old)
    new = await worker_b.get()
    await worker_a.invalidate(old)

    assert new != old
    assert await worker_a.get() == new
    assert fake_wechat_api.token_fetch_count == 2


async def test_an_unreachable_token_endpoint_is_a_retryable_error(
    session: aiohttp.ClientSession, unused_tcp_port: int
) -> None:
    target = OfficialAccountTarget("wx_fake_appid", "s", f"http://127.0.0.1:{unused_tcp_port}")

    with pytest.raises(TokenUnavailable) as raised:
        await AccessTokens(session, target, MemoryTokenStore()).get()

    assert raised.value.retryable
