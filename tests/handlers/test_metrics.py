"""Tests for handlers/metrics.py: /metrics on the real app, per-process and database figures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine

from handlers.app import create_app
from handlers.metrics import CachedCounts
from handlers.settings import Secret, Settings
from knowledge.database import open_engine

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
TOKEN = "prometheus-scrape-token-0123456789"


async def start(aiohttp_client: ClientFactory, database_url: str, **settings: Any) -> Client:
    values: dict[str, Any] = {"database_url": database_url, "load_demo": "never"} | settings
    return await aiohttp_client(create_app(Settings(**values)))


def parse(text: str) -> dict[str, float]:
    """Sample lines as {'name{labels}': value} (comments left out)."""
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def from_database(samples: dict[str, float]) -> dict[str, float]:
    """The samples read from the database (not this process's own)."""
    return {k: v for k, v in samples.items() if not k.startswith(("anju_http", "anju_process"))}


async def scrape(client: Client, **headers: str) -> dict[str, float]:
    response = await client.get("/metrics", headers=headers)
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return parse(await response.text())


async def test_requests_are_counted_by_route_template_and_status(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await start(aiohttp_client, database_url)
    for path in ("/healthz", "/healthz", "/documents/123456", "/没有这一页"):
        await client.get(path)
    await client.post("/api/ask", data=b"not json")
    samples = await scrape(client)
    assert samples['anju_http_requests_total{route="/healthz",status="200"}'] == 2
    assert samples['anju_http_requests_total{route="/api/ask",status="400"}'] == 1
    assert samples['anju_http_requests_total{route="unmatched",status="404"}'] == 1
    # The path a client sent never becomes a label: the template does.
    assert not [name for name in samples if "123456" in name or "没有" in name]
    assert samples['anju_http_request_duration_seconds_count{route="/healthz"}'] == 2
    assert samples['anju_http_request_duration_seconds_bucket{route="/healthz",le="+Inf"}'] == 2
    assert samples['anju_http_request_duration_seconds_sum{route="/healthz"}'] > 0


async def test_the_database_figures_are_the_same_from_every_worker(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    first = await start(aiohttp_client, database_url)
    second = await start(aiohttp_client, database_url)
    for text in ("公租房怎么申请", "物业费多少", "你好"):
        response = await first.post("/api/ask", json={"text": text, "user": "u1"})
        assert response.status == 200
    seen_by_second = await scrape(second)
    seen_by_first = await scrape(first)
    assert from_database(seen_by_second) == from_database(seen_by_first)
    assert seen_by_second["anju_database_up"] == 1
    answers = {k: v for k, v in seen_by_second.items() if k.startswith("anju_answers_24h")}
    assert sum(answers.values()) == 3
    assert all('channel="web"' in name for name in answers)
    assert seen_by_second["anju_questions_24h"] == 2
    # Nothing was imported: both questions went unanswered.
    assert seen_by_second["anju_not_found_ratio_24h"] == 1
    assert seen_by_second["anju_records_open"] == 2
    assert seen_by_second["anju_records_overdue"] == 0


async def test_a_token_is_required_when_set(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await start(aiohttp_client, database_url, metrics_token=Secret(TOKEN))
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        response = await client.get("/metrics", headers=headers)
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "anju_" not in await response.text()
    samples = await scrape(client, Authorization=f"Bearer {TOKEN}")
    assert samples['anju_http_requests_total{route="/metrics",status="401"}'] == 3


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_figures_are_read_again_only_after_the_cache_expires(
    engine: Engine, aiohttp_client: ClientFactory, database_url: str
) -> None:
    clock = Clock()
    cached = CachedCounts(engine, seconds=10, clock=clock)
    first = await cached.get()
    client = await start(aiohttp_client, database_url)
    await client.post("/api/ask", json={"text": "公租房怎么申请", "user": "u1"})
    clock.now = 9.9
    assert await cached.get() is first
    clock.now = 10.0
    later = await cached.get()
    assert first is not None and later is not None
    assert (first.open_records, later.open_records) == (0, 1)


async def test_an_unreadable_database_reports_database_up_0(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'missing' / 'anju.sqlite3'}", create=False)
    assert await CachedCounts(engine).get() is None
    engine.dispose()


async def test_metrics_counts_its_own_scrapes(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await start(aiohttp_client, database_url)
    await scrape(client)
    samples = await scrape(client)
    assert samples['anju_http_requests_total{route="/metrics",status="200"}'] == 1
