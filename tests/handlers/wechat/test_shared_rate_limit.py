"""Tests for handlers/wechat/shared_rate_limit.py: one token bucket per resident for all workers."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from handlers.wechat.rate_limit import TokenBucketLimiter
from handlers.wechat.shared_rate_limit import DatabaseRateLimiter
from knowledge.database import open_engine

NOW = 1_790_000_000.0


class Clock:
    """A wall clock the test moves."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def second_engine(database_url: str, engine: Engine) -> Iterator[Engine]:
    """Another engine on the same database: what a second worker opens."""
    opened = open_engine(database_url)
    yield opened
    opened.dispose()


# Steps: (seconds to wait before the message, allowed?) at 6 a minute (one per 10 s), burst 2.
@pytest.mark.parametrize(
    "steps",
    [
        [(0, True), (0, True), (0, False), (0, False)],
        [(0, True), (0, True), (9, False), (1, True), (0, False)],
        [(0, True), (0, True), (0, False), (60, True), (0, True), (0, False)],
        [(0, True), (25, True), (0, True), (0, False)],
    ],
)
def test_the_database_bucket_decides_like_the_process_local_one(
    engine: Engine, steps: list[tuple[float, bool]]
) -> None:
    clock = Clock()
    shared = DatabaseRateLimiter(engine, per_minute=6, burst=2, clock=clock)
    local = TokenBucketLimiter(per_minute=6, burst=2, clock=clock)
    decisions = []
    for wait, _ in steps:
        clock.now += wait
        decisions.append((shared.allow_now("wechat:oFast"), local.allow_now("wechat:oFast")))
    assert decisions == [(allowed, allowed) for _, allowed in steps]


async def test_residents_have_buckets_of_their_own(engine: Engine) -> None:
    limiter = DatabaseRateLimiter(engine, per_minute=6, burst=1, clock=Clock())
    assert [await limiter.allow(r) for r in ("wechat:o甲", "wechat:o甲", "wechat:o乙")] == [
        True,
        False,
        True,
    ]


def test_two_workers_share_one_bucket(engine: Engine, second_engine: Engine) -> None:
    clock = Clock()
    first = DatabaseRateLimiter(engine, per_minute=6, burst=3, clock=clock)
    second = DatabaseRateLimiter(second_engine, per_minute=6, burst=3, clock=clock)
    decisions = [w.allow_now("wechat:o1") for w in (first, second, first, second, first)]
    assert decisions == [True, True, True, False, False]


def test_at_once_from_many_threads_of_two_workers_exactly_the_burst_is_allowed(
    engine: Engine, second_engine: Engine
) -> None:
    burst, tries = 5, 24
    clock = Clock()
    workers = [
        DatabaseRateLimiter(e, per_minute=0.001, burst=burst, clock=clock)
        for e in (engine, second_engine)
    ]
    start = threading.Barrier(tries)
    allowed: list[bool] = []

    def send(index: int) -> None:
        start.wait()
        allowed.append(workers[index % 2].allow_now("wechat:oFlood"))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == burst


def test_a_clock_behind_the_stored_one_never_adds_tokens(engine: Engine) -> None:
    clock = Clock()
    limiter = DatabaseRateLimiter(engine, per_minute=6, burst=1, clock=clock)
    assert limiter.allow_now("wechat:o1")
    clock.now -= 3600
    assert not limiter.allow_now("wechat:o1")


@pytest.mark.parametrize(("per_minute", "burst"), [(0, 1), (-1, 1), (6, 0)])
def test_a_limit_must_be_positive(engine: Engine, per_minute: float, burst: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        DatabaseRateLimiter(engine, per_minute, burst)


def test_a_bucket_is_full_again_after_burst_over_rate(engine: Engine) -> None:
    assert DatabaseRateLimiter(engine, per_minute=20, burst=10).full_after_seconds == 30.0


def test_a_database_that_fails_lets_the_message_through(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = DatabaseRateLimiter(engine, per_minute=6, burst=1, clock=Clock())
    assert limiter.allow_now("o_a")
    assert not limiter.allow_now("o_a")
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE rate_bucket"))
    assert limiter.allow_now("o_a")
    assert "let through" in caplog.text
