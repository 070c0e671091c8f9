"""Tests for handlers.wechat.token_store: access_tokens shared through the database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import Engine

from handlers.wechat.access_token import AccessTokens, CachedToken, OfficialAccountTarget
from handlers.wechat.token_store import DatabaseTokenStore
from tests.fakes.wechat_api import FakeWeChatApi


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def test_get_put_and_overwrite(engine: Engine) -> None:
    store = DatabaseTokenStore(engine)
    assert await store.get("wechat:wx1") is None
    await store.put("wechat:wx1", CachedToken("first", 1000.0))
    await store.put("wechat:wx1", CachedToken("second", 2000.0))
    await store.put("wecom:ww1:2", CachedToken("other", 3000.0))
    assert await store.get("wechat:wx1") == CachedToken("second", 2000.0)
    assert await store.get("wecom:ww1:2") == CachedToken("other", 3000.0)


async def test_invalidate_only_drops_the_token_it_names(engine: Engine) -> None:
    store = DatabaseTokenStore(engine)
    await store.put("wechat:wx1", CachedToken("fresh", 1000.0))
    await store.invalidate("wechat:wx1", "stale")
    assert await store.get("wechat:wx1") == CachedToken("fresh", 1000.0)
    await store.invalidate("wechat:wx1", "fresh")
    assert await store.get("wechat:wx1") is None


async def test_two_workers_share_one_fetched_token(
    engine: Engine, session: aiohttp.ClientSession, fake_wechat_api: FakeWeChatApi
) -> None:
    target = OfficialAccountTarget(
        fake_wechat_api.appid, fake_wechat_api.secret, fake_wechat_api.base_url
    )
    # Two workers: separate AccessTokens (and stores), one database.
    first = AccessTokens(session, target, DatabaseTokenStore(engine))
    second = AccessTokens(session, target, DatabaseTokenStore(engine))
    token = await first.get()
    assert await second.get() == token
    assert fake_wechat_api.token_fetch_count == 1
    # A token one worker saw rejected is gone for the other as well.
    await second.invalidate(token)
    fake_wechat_api.invalidate_current_token()
    assert await first.get() != token
    assert fake_wechat_api.token_fetch_count == 2
