"""Cleanup context choosing where per-resident state lives: this process, or the database.

One worker keeps conversation contexts and rate-limit buckets in memory (microseconds, and
nothing to purge). Several workers must share them (ANJU_STATE_STORE=database, which
`anju serve --workers N` implies): then the conversation store and the rate limiter are the
database-backed ones, and a task purges their stale rows every PURGE_SECONDS (whichever worker
runs it: a purge is idempotent).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from sqlalchemy import Engine, create_engine

from bot.conversation import Conversations
from handlers import keys
from handlers.conversation_store import DatabaseConversations
from handlers.wechat.shared_rate_limit import DatabaseRateLimiter
from knowledge.database import is_sqlite
from knowledge.worker_state import purge_buckets, purge_conversations

log = logging.getLogger(__name__)

#: How often stale contexts and full buckets are deleted.
PURGE_SECONDS = 60.0
#: Connections of the state engine kept open, and opened beyond them at peaks.
STATE_POOL_SIZE = 10
STATE_POOL_OVERFLOW = 20


class StatePurge:
    """Deletes expired conversation contexts and refilled rate buckets."""

    def __init__(
        self,
        engine: Engine,
        conversations: DatabaseConversations,
        limiter: DatabaseRateLimiter | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._conversations = conversations
        self._limiter = limiter
        self._clock = clock

    def run_once(self) -> int:
        """One purge of both tables; returns the rows deleted (blocking)."""
        now = self._clock()
        removed = purge_conversations(
            self._engine, now=now, ttl_seconds=self._conversations.ttl_seconds
        )
        if self._limiter is not None:
            removed += purge_buckets(
                self._engine, now=now, full_after_seconds=self._limiter.full_after_seconds
            )
        return removed

    async def every(self, seconds: float) -> None:
        """Purge every `seconds`, forever (cancel to stop); a failed purge is tried next time."""
        while True:
            await asyncio.sleep(seconds)
            try:
                removed = await asyncio.to_thread(self.run_once)
            except Exception:
                log.exception("purging stale conversation contexts and rate buckets failed")
            else:
                log.debug("purged %d stale conversation contexts and rate buckets", removed)


@contextlib.asynccontextmanager
async def worker_state(app: web.Application) -> AsyncIterator[None]:
    """Set the conversation store (and, unless set already, the rate limiter) for the app."""
    settings = app[keys.settings_key]
    if not settings.state_in_database:
        app[keys.conversation_store_key] = Conversations()
        yield
        return
    engine = state_engine(app[keys.engine_key])
    conversations = DatabaseConversations(engine)
    app[keys.conversation_store_key] = conversations
    limiter: DatabaseRateLimiter | None = None
    if keys.rate_limiter_key not in app:
        limiter = DatabaseRateLimiter(
            engine, settings.rate_limit_per_minute, settings.rate_limit_burst
        )
        app[keys.rate_limiter_key] = limiter
    purge = asyncio.create_task(StatePurge(engine, conversations, limiter).every(PURGE_SECONDS))
    yield
    purge.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await purge
    if engine is not app[keys.engine_key]:
        engine.dispose()


def state_engine(engine: Engine) -> Engine:
    """The engine residents' state is read and written with, twice or more per message.

    On PostgreSQL a pool of its own: without the main pool's ping before each use (a round
    trip as long as the statement) and large enough for the event loop's threads, so that
    connections are not opened and closed under load. A connection the server dropped fails
    one statement, which the store and the limiter survive (they fail open), and the pool then
    replaces its connections. SQLite keeps the one engine (its writes are serialised anyway).
    """
    if is_sqlite(engine):
        return engine
    return create_engine(
        engine.url, pool_size=STATE_POOL_SIZE, max_overflow=STATE_POOL_OVERFLOW, pool_pre_ping=False
    )
