"""DatabaseRateLimiter: the per-resident token bucket in the database, one for every worker.

The process-local TokenBucketLimiter counts per worker, so a resident whose messages are spread
over N workers would get N times the rate. Here the bucket is a row of rate_bucket
(knowledge/worker_state.py) and each decision is one statement:

    INSERT a full bucket less one token
    ON CONFLICT (key) DO UPDATE SET tokens = refilled - 1, updated_at = now
        WHERE refilled >= 1
    RETURNING tokens

where refilled = min(burst, tokens + elapsed * rate). A row comes back when the message is
allowed; none when the bucket is empty (then nothing is written, so the refill keeps counting
from the last allowed message). The database locks the row for the update, so of several
workers deciding at once each sees the others' tokens taken: the same bucket semantics as
TokenBucketLimiter, across processes. Works on PostgreSQL and SQLite.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from sqlalchemy import Engine, case, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from knowledge.database import is_sqlite
from knowledge.worker_state import BUCKET_TABLE

log = logging.getLogger(__name__)


class DatabaseRateLimiter:
    """A RateLimiter whose buckets live in the database (shared by every worker)."""

    def __init__(
        self,
        engine: Engine,
        per_minute: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if per_minute <= 0 or burst < 1:
            raise ValueError("rate and burst must be positive")
        self._engine = engine
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        # Wall-clock time: buckets are compared by every worker with its own clock.
        self._clock = clock
        self._insert = (sqlite if is_sqlite(engine) else postgresql).insert

    @property
    def full_after_seconds(self) -> float:
        """How long an empty bucket takes to fill up (a bucket this old can be forgotten)."""
        return self._burst / self._rate

    async def allow(self, resident: str) -> bool:
        """True if the resident is within the limit (and counts this message)."""
        return await asyncio.to_thread(self.allow_now, resident)

    def allow_now(self, resident: str) -> bool:
        """The decision, as one statement (blocking: call it from a thread)."""
        now = self._clock()
        table = BUCKET_TABLE
        refilled = _at_most(
            table.c.tokens + _elapsed(table.c.updated_at, now) * self._rate, self._burst
        )
        statement = (
            self._insert(table)
            .values(key=resident, tokens=self._burst - 1.0, updated_at=now)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={"tokens": refilled - 1.0, "updated_at": _at_least(table.c.updated_at, now)},
                where=refilled >= 1.0,
            )
            .returning(table.c.tokens)
        )
        try:
            with self._engine.begin() as connection:
                allowed = connection.execute(statement).first()
        except SQLAlchemyError:
            # The limit protects the service; failing the resident for our database would not.
            log.warning("the rate limit could not be read: this message is let through")
            return True
        return allowed is not None


def _elapsed(updated_at: ColumnElement[float], now: float) -> ColumnElement[float]:
    # A clock behind the row's (another machine's) counts as no time passed, never negative.
    return case((updated_at < now, literal(now) - updated_at), else_=literal(0.0))


def _at_most(value: ColumnElement[float], limit: float) -> ColumnElement[float]:
    return case((value > limit, literal(limit)), else_=value)


def _at_least(value: ColumnElement[float], floor: float) -> ColumnElement[float]:
    return case((value < floor, literal(floor)), else_=value)
