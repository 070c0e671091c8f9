"""Tests for handlers.wechat.rate_limit: the per-resident token bucket."""

from __future__ import annotations

import pytest

from handlers.wechat.rate_limit import RateLimiter, TokenBucketLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_allowed_then_the_resident_must_wait() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(per_minute=6, burst=3, clock=clock)
    assert [limiter.allow_now("o_a") for _ in range(4)] == [True, True, True, False]
    clock.now += 5  # half a token back
    assert limiter.allow_now("o_a") is False
    clock.now += 5  # one token (6 a minute = one every 10 s)
    assert limiter.allow_now("o_a") is True
    assert limiter.allow_now("o_a") is False


def test_residents_do_not_share_a_bucket() -> None:
    limiter = TokenBucketLimiter(per_minute=1, burst=1, clock=Clock())
    assert limiter.allow_now("o_a") is True
    assert limiter.allow_now("o_a") is False
    assert limiter.allow_now("o_b") is True


def test_a_long_pause_refills_only_up_to_the_burst() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(per_minute=60, burst=2, clock=clock)
    limiter.allow_now("o_a")
    clock.now += 3600
    assert [limiter.allow_now("o_a") for _ in range(3)] == [True, True, False]


def test_a_clock_going_backwards_gives_nothing_back() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(per_minute=60, burst=1, clock=clock)
    limiter.allow_now("o_a")
    clock.now -= 100
    assert limiter.allow_now("o_a") is False


def test_memory_is_bounded_by_forgetting_the_least_recent_residents() -> None:
    limiter = TokenBucketLimiter(per_minute=1, burst=1, clock=Clock(), max_residents=2)
    for resident in ("o_a", "o_b", "o_c"):
        limiter.allow_now(resident)
    assert len(limiter) == 2
    # o_a was forgotten: a full bucket again.
    assert limiter.allow_now("o_a") is True


async def test_the_async_interface_counts_the_same() -> None:
    limiter: RateLimiter = TokenBucketLimiter(per_minute=1, burst=1, clock=Clock())
    assert await limiter.allow("o_a") is True
    assert await limiter.allow("o_a") is False


@pytest.mark.parametrize(
    ("per_minute", "burst", "max_residents"), [(0, 1, 1), (1, 0, 1), (1, 1, 0)]
)
def test_nonsense_limits_are_refused(per_minute: float, burst: int, max_residents: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucketLimiter(per_minute, burst, max_residents=max_residents)
