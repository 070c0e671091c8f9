"""Per-resident rate limiting: a token bucket per OpenID, behind an interface a database can back.

A resident who sends faster than the limit gets a polite "please slow down" reply instead of an
answer, so one flooding account costs the service one cheap reply per message and never slows
other residents down. The process-local limiter counts per worker; with several workers each
allows the rate on its own (a resident spread over N workers gets up to N times the rate),
which is why RateLimiter is a protocol: a shared implementation can replace it unchanged.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

#: Buckets of this many residents are kept; the least recently seen are forgotten first (a
#: forgotten resident simply starts again with a full bucket).
MAX_TRACKED_RESIDENTS = 100_000


class RateLimiter(Protocol):
    """Decides whether a resident may be answered now."""

    async def allow(self, resident: str) -> bool:
        """True if the resident is within the limit (and counts this message)."""
        ...


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBucketLimiter:
    """A bucket of ``burst`` tokens per resident, refilled at ``per_minute`` tokens a minute."""

    def __init__(
        self,
        per_minute: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_residents: int = MAX_TRACKED_RESIDENTS,
    ) -> None:
        if per_minute <= 0 or burst < 1 or max_residents < 1:
            raise ValueError("rate, burst and capacity must be positive")
        self._rate = per_minute / 60.0
        self._burst = float(burst)
        self._clock = clock
        self._max = max_residents
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    async def allow(self, resident: str) -> bool:
        return self.allow_now(resident)

    def allow_now(self, resident: str) -> bool:
        """The synchronous decision (no await: atomic under asyncio)."""
        now = self._clock()
        bucket = self._buckets.get(resident)
        if bucket is None:
            bucket = _Bucket(self._burst, now)
            self._buckets[resident] = bucket
            if len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
        else:
            elapsed = max(now - bucket.updated, 0.0)
            bucket.tokens = min(self._burst, bucket.tokens + elapsed * self._rate)
            bucket.updated = now
            self._buckets.move_to_end(resident)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return True
        return False

    def __len__(self) -> int:
        return len(self._buckets)
