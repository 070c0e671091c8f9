"""Tests for handlers/worker_state_setup.py: memory for one worker, the database for several."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, insert

from bot import phrases
from bot.conversation import Conversations
from handlers import keys
from handlers.app import create_app
from handlers.conversation_store import DatabaseConversations
from handlers.wechat.rate_limit import TokenBucketLimiter
from handlers.wechat.shared_rate_limit import DatabaseRateLimiter
from handlers.worker_state_setup import StatePurge
from knowledge.worker_state import BUCKET_TABLE, CONVERSATION_TABLE, count_rows
from tests.handlers.wechat.conftest import (
    ClientFactory,
    Harness,
    Peer,
    message_xml,
    webhook_settings,
)

NOW = 1_790_000_000.0


@pytest.mark.parametrize(
    ("settings", "conversations", "limiter"),
    [
        ({}, Conversations, TokenBucketLimiter),
        ({"state_store": "memory"}, Conversations, TokenBucketLimiter),
        ({"state_store": "database"}, DatabaseConversations, DatabaseRateLimiter),
        ({"workers": 2}, DatabaseConversations, DatabaseRateLimiter),
    ],
)
async def test_the_settings_choose_where_residents_state_lives(
    aiohttp_client: ClientFactory,
    database_url: str,
    settings: dict[str, Any],
    conversations: type,
    limiter: type,
) -> None:
    client = await Harness(aiohttp_client, database_url).start(load_demo="never", **settings)
    assert type(client.app[keys.answerer_key].conversations) is conversations
    chosen = client.app.get(keys.rate_limiter_key)
    # Without a limiter of its own the webhook makes the process-local one.
    assert type(chosen) is limiter if chosen is not None else limiter is TokenBucketLimiter


async def test_a_limiter_set_before_startup_is_kept(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    own = TokenBucketLimiter(per_minute=1, burst=1)
    app = create_app(webhook_settings(database_url, state_store="database", load_demo="never"))
    app[keys.rate_limiter_key] = own
    client = await aiohttp_client(app)
    assert client.app[keys.rate_limiter_key] is own


async def test_two_apps_on_one_database_limit_a_resident_together(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    harness = Harness(aiohttp_client, database_url)
    workers = [
        Peer(await harness.start(state_store="database", rate_limit_burst=3), "safe")
        for _ in range(2)
    ]
    replies = [
        await workers[n % 2].post(message_xml("text", content="公租房租金多少", msg_id=7100 + n))
        for n in range(4)
    ]
    limited = [r.content == phrases.RATE_LIMITED for r in replies]
    # Each worker alone saw at most two messages: only a shared bucket stops the fourth.
    assert limited == [False, False, False, True]


def test_the_purge_deletes_expired_contexts_and_full_buckets(engine: Engine) -> None:
    conversations = DatabaseConversations(engine, ttl_seconds=1800)
    limiter = DatabaseRateLimiter(engine, per_minute=20, burst=10)
    with engine.begin() as connection:
        connection.execute(
            insert(CONVERSATION_TABLE),
            [
                {"key": "wechat:o新", "context": "{}", "updated_at": NOW - 60},
                {"key": "wechat:o旧", "context": "{}", "updated_at": NOW - 1801},
            ],
        )
        connection.execute(
            insert(BUCKET_TABLE),
            [
                {"key": "wechat:o新", "tokens": 0.0, "updated_at": NOW - 29},
                {"key": "wechat:o旧", "tokens": 0.0, "updated_at": NOW - 31},
            ],
        )
    assert StatePurge(engine, conversations, limiter, clock=lambda: NOW).run_once() == 2
    assert (count_rows(engine, CONVERSATION_TABLE), count_rows(engine, BUCKET_TABLE)) == (1, 1)
