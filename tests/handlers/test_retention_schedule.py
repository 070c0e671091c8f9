"""Tests for handlers/retention_schedule.py: the service removes old text at start, once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine, text

from handlers.app import create_app
from handlers.retention_schedule import worker_name
from handlers.settings import Settings
from knowledge.maintenance import last_run
from knowledge.records import NewInteraction, record_batch
from knowledge.retention import REMOVED_TEXT, RETENTION_JOB
from tests.handlers.wechat.conftest import eventually

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
REMOVED_LOG = "retention removed the text"


def ask(engine: Engine, question: str, days_ago: int) -> None:
    asked = datetime.now(UTC) - timedelta(days=days_ago)
    record_batch(engine, [NewInteraction("web", "u1", asked, question, dedup_key=question)])


def questions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT question FROM interaction ORDER BY id"))
        return [str(q) for q in rows.scalars()]


async def start(aiohttp_client: ClientFactory, database_url: str, days: int) -> Client:
    settings = Settings(database_url=database_url, load_demo="never", retention_days=days)
    return await aiohttp_client(create_app(settings))


async def test_workers_starting_together_remove_old_text_once(
    engine: Engine,
    aiohttp_client: ClientFactory,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="handlers.retention_schedule")
    ask(engine, "租金怎么交", 40)
    ask(engine, "公租房怎么申请", 3)
    await start(aiohttp_client, database_url, 30)
    await start(aiohttp_client, database_url, 30)
    await eventually(lambda: questions(engine)[0] == REMOVED_TEXT)
    await eventually(
        lambda: (run := last_run(engine, RETENTION_JOB)) is not None and bool(run.finished_at)
    )
    run = last_run(engine, RETENTION_JOB)
    assert run is not None and run.started_at is not None
    assert (run.worker, run.changed) == (worker_name(), 1)
    assert questions(engine) == [REMOVED_TEXT, "公租房怎么申请"]
    cutoff = (run.started_at - timedelta(days=30)).isoformat(timespec="seconds")
    logged = [r.getMessage() for r in caplog.records if REMOVED_LOG in r.getMessage()]
    assert logged == [f"{REMOVED_LOG} of 1 records asked before {cutoff}"]


async def test_nothing_runs_while_retention_is_off(
    engine: Engine, aiohttp_client: ClientFactory, database_url: str
) -> None:
    ask(engine, "租金怎么交", 4000)
    client = await start(aiohttp_client, database_url, 0)
    assert (await client.get("/healthz")).status == 200
    assert last_run(engine, RETENTION_JOB) is None
    assert questions(engine) == ["租金怎么交"]
