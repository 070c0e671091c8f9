"""Abuse proof: 10,000 hostile requests with good ones interleaved, against `anju serve`:
one worker on SQLite, then two workers on PostgreSQL.

One good signed message in five; the others are wrongly signed, unsigned, stale, malformed,
oversized (declared and chunked), entity-laden (billion laughs, external entities pointing at a
listener of the test), malformed HTTP, wrong methods and wrong paths. Afterwards:

- every good message got its answer, every bad request a 4xx (never a 5xx, never a hang);
- the server is alive, logged no error, and its RSS grew by less than RSS_GROWTH_LIMIT_MB
  after the warm-up (bounded caches fill in the first minutes; bench/load.py --abuse sends
  many more and shows where RSS levels off);
- the database holds the good messages and nothing from a bad request;
- no external entity was fetched.

Signed hostile bodies (what only WeChat, or someone holding the token, can send) are a
category of their own: by design the webhook keeps a signed body it cannot read for staff and
answers "success" (handlers/wechat/views.py), so each distinct one is kept once, unexpanded.

About 10 s for the 10,000 requests on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession, TCPConnector
from sqlalchemy import create_engine, text

from knowledge.database import normalize_database_url
from tests.handlers.abuse_requests import Probe, ProbeMix, send_probe
from tests.handlers.serve_processes import Service, rss_kib, start_service

REQUESTS = 10_000
CONCURRENCY = 16
RSS_EVERY = 1000
#: The first probes fill what the server caches (answers, the last 120 s of pushes, contexts):
#: growth is measured from here on.
WARM_UP = 2000
RSS_GROWTH_LIMIT_MB = 40


@pytest.fixture
def xxe_listener() -> Iterator[socket.socket]:
    """A port external entities point at: nothing may ever connect to it."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    yield listener
    listener.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """One worker on a SQLite file (a county's setup); two on PostgreSQL (a province's)."""
    if request.param == "sqlite":
        url, workers = f"sqlite:///{tmp_path / 'anju.sqlite3'}", 1
    else:
        url, workers = request.getfixturevalue("postgres_url"), 2
    running = start_service(tmp_path, url, workers)
    try:
        yield running
    finally:
        if running.process.poll() is None:
            running.kill()


async def run_probes(
    port: int, probes: list[Probe], workers: list[int]
) -> tuple[list[tuple[int, str]], dict[int, list[int]]]:
    """Send every probe, CONCURRENCY at a time: (status, reply) of each, and each worker's RSS
    (KiB) after every RSS_EVERY probes."""
    results: list[tuple[int, str]] = [(0, "")] * len(probes)
    rss: dict[int, list[int]] = {pid: [] for pid in workers}
    queue = iter(range(len(probes)))

    def sample() -> None:
        for pid, series in rss.items():
            series.append(rss_kib(pid))

    async def worker(session: ClientSession) -> None:
        for index in queue:
            results[index] = await send_probe(session, port, probes[index])
            if index % RSS_EVERY == RSS_EVERY - 1:
                sample()

    async with ClientSession(connector=TCPConnector(limit=CONCURRENCY)) as session:
        await asyncio.gather(*(worker(session) for _ in range(CONCURRENCY)))
    sample()
    return results, rss


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def application_errors(log: str) -> list[str]:
    """The errors logged, but for aiohttp's report of each request that is not valid HTTP
    (it answers those 400 itself and logs them at ERROR level, with the parser's exception)."""
    found = []
    for line in log.splitlines():
        entry = json.loads(line)
        if entry["level"] not in ("ERROR", "CRITICAL"):
            continue
        if entry["logger"] == "aiohttp.server" and "aiohttp.http_exceptions." in entry.get(
            "exception", ""
        ):
            continue
        found.append(line)
    return found


def stored_keys(database_url: str) -> Counter[str]:
    engine = create_engine(normalize_database_url(database_url))
    try:
        with engine.connect() as connection:
            keys = connection.execute(text("SELECT dedup_key FROM interaction")).scalars().all()
    finally:
        engine.dispose()
    return Counter(str(key) for key in keys)


async def test_hostile_requests_are_refused_and_good_ones_answered(
    service: Service, xxe_listener: socket.socket
) -> None:
    mix = ProbeMix(random.Random(20261126), xxe_port=xxe_listener.getsockname()[1])
    probes = mix.probes(REQUESTS)
    results, rss = await run_probes(service.port, probes, service.workers())

    wrong = Counter(
        (probe.kind, status)
        for probe, (status, _) in zip(probes, results, strict=True)
        if status not in probe.expect
    )
    assert wrong == Counter(), f"unexpected statuses by kind: {dict(wrong)}"
    good = [
        reply for probe, (_, reply) in zip(probes, results, strict=True) if probe.kind == "good"
    ]
    assert len(good) == REQUESTS // 5
    assert all(good), "a good message got no answer"

    assert service.process.poll() is None, "the server died"
    assert all(alive(pid) for pid in rss), "a worker died"
    for series in rss.values():
        growth_mb = (max(series) - series[WARM_UP // RSS_EVERY - 1]) / 1024
        assert growth_mb < RSS_GROWTH_LIMIT_MB, f"RSS grew {growth_mb:.1f} MB (KiB: {rss})"
    with pytest.raises(BlockingIOError):
        xxe_listener.accept()

    assert service.stop() == 0
    assert application_errors(service.log_text()) == []
    stored = stored_keys(service.database_url)
    expected = Counter(p.dedup_key for p in probes if p.dedup_key)
    assert stored == Counter(dict.fromkeys(expected, 1))
