"""Tests for handlers/public_api.py: /healthz and POST /api/ask on the real app, in-process."""

from __future__ import annotations

import asyncio
import gc
import io
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine, text

from handlers.app import create_app
from handlers.keys import live_index_key
from handlers.public_api import MAX_QUESTION_CHARS
from handlers.settings import Settings
from knowledge.catalog import Catalog
from knowledge.database import open_engine
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
NEW_NOTICE = (
    "# 关于2026年第三批公共租赁住房摇号配租的公告\n\n发布日期：2026-12-01\n\n"
    "第三批摇号定于2026年12月28日在桑干河会议中心举行。\n"
)


@pytest.fixture
def imported(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, published_folder: Path
) -> Path:
    """The shared folder imported into the test's database (revision 1)."""
    import_folder(engine, published_folder, catalog, synonyms)
    return published_folder


async def start(aiohttp_client: ClientFactory, database_url: str, **settings: Any) -> Client:
    values: dict[str, Any] = {"database_url": database_url, "load_demo": "never"} | settings
    return await aiohttp_client(create_app(Settings(**values)))


async def ask(client: Client, payload: object) -> tuple[int, dict[str, Any]]:
    response = await client.post("/api/ask", json=payload)
    body: dict[str, Any] = await response.json()
    return response.status, body


async def test_healthz_reports_the_loaded_revision(
    aiohttp_client: ClientFactory, database_url: str, imported: Path
) -> None:
    client = await start(aiohttp_client, database_url)
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert (body["status"], body["revision"]) == ("ok", 1)
    assert body["entries"] > 0


async def test_ask_returns_the_answer_and_its_sources(
    aiohttp_client: ClientFactory, database_url: str, imported: Path
) -> None:
    client = await start(aiohttp_client, database_url)
    status, body = await ask(client, {"text": "第一批摇号在哪里举行", "user": "u1"})
    assert status == 200
    assert "县政务服务中心三楼" in body["answer"]
    assert all(s.keys() == {"title", "date", "item", "url"} for s in body["sources"])
    by_title = {s["title"]: s for s in body["sources"]}
    source = by_title["关于2026年第一批公共租赁住房摇号配租的公告"]
    assert source["date"] == "2026-03-05"
    assert source["item"] == 18
    assert source["url"].startswith("/documents/")


async def test_an_empty_database_answers_from_the_demo(
    aiohttp_client: ClientFactory, sqlite_url: str
) -> None:
    client = await start(aiohttp_client, sqlite_url, load_demo="auto")
    body = await (await client.get("/healthz")).json()
    assert body["revision"] == -1
    status, answer = await ask(client, {"text": "公租房申请需要什么材料"})
    assert status == 200 and answer["sources"]


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("不是JSON", "请求体须为 JSON"),
        (["摇号"], "缺少 text 字段"),
        ({"question": "摇号"}, "缺少 text 字段"),
        ({"text": 42}, "缺少 text 字段"),
        ({"text": "   "}, "问题不能为空"),
        ({"text": "摇" * (MAX_QUESTION_CHARS + 1)}, f"问题请控制在{MAX_QUESTION_CHARS}字以内"),
    ],
)
async def test_bad_requests_get_400_with_a_chinese_message(
    aiohttp_client: ClientFactory, sqlite_url: str, payload: object, message: str
) -> None:
    client = await start(aiohttp_client, sqlite_url)
    if isinstance(payload, str):
        response = await client.post(
            "/api/ask", data=payload.encode(), headers={"Content-Type": "application/json"}
        )
        status, body = response.status, await response.json()
    else:
        status, body = await ask(client, payload)
    assert status == 400
    assert message in body["error"]


async def test_a_request_body_over_the_limit_is_refused(
    aiohttp_client: ClientFactory, sqlite_url: str
) -> None:
    client = await start(aiohttp_client, sqlite_url)
    response = await client.post("/api/ask", data=io.BytesIO(b"x" * (2 * 1024 * 1024)))
    assert response.status == 413


async def test_the_index_follows_a_new_import_without_restart(
    aiohttp_client: ClientFactory,
    database_url: str,
    imported: Path,
    engine: Engine,
    catalog: Catalog,
    synonyms: ElementSynonyms,
) -> None:
    # A long poll interval: only the explicit refresh below can pick the import up.
    client = await start(aiohttp_client, database_url, index_poll_seconds=3600)
    live = client.app[live_index_key]
    assert await live.refresh_if_stale() is False
    (imported / "选房摇号公告" / "第三批摇号公告.md").write_text(NEW_NOTICE, encoding="utf-8")
    await asyncio.to_thread(import_folder, engine, imported, catalog, synonyms)
    assert await live.refresh_if_stale() is True
    assert live.current().revision == 2
    _, body = await ask(client, {"text": "第三批摇号在哪里举行"})
    assert "桑干河会议中心" in body["answer"]


async def test_the_poller_picks_up_a_new_import(
    aiohttp_client: ClientFactory,
    sqlite_url: str,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    published_folder: Path,
) -> None:
    # SQLite only: on PostgreSQL a poll in flight at shutdown leaks a connection (see below).
    engine = open_engine(sqlite_url)
    import_folder(engine, published_folder, catalog, synonyms)
    client = await start(aiohttp_client, sqlite_url, index_poll_seconds=0.05)
    (published_folder / "选房摇号公告" / "第三批摇号公告.md").write_text(
        NEW_NOTICE, encoding="utf-8"
    )
    await asyncio.to_thread(import_folder, engine, published_folder, catalog, synonyms)
    engine.dispose()
    revision = 1
    for _ in range(100):
        revision = (await (await client.get("/healthz")).json())["revision"]
        if revision == 2:
            break
        await asyncio.sleep(0.05)
    assert revision == 2


@pytest.mark.postgres
async def test_shutdown_waits_for_a_refresh_in_flight(
    aiohttp_client: ClientFactory, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    unraisable: list[sys.UnraisableHookArgs] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    client = await start(aiohttp_client, postgres_url, index_poll_seconds=0.01)
    blocker = open_engine(postgres_url)
    with blocker.connect() as connection:
        # The next poll blocks reading the revision until this transaction ends.
        connection.execute(text("LOCK TABLE content_revision IN ACCESS EXCLUSIVE MODE"))
        await asyncio.sleep(0.3)
        # Shutdown starts while the refresh is blocked; the lock goes away a moment later.
        closing = asyncio.create_task(client.close())
        await asyncio.sleep(0.3)
        assert not closing.done()
        connection.rollback()
        await asyncio.wait_for(closing, 10)
    blocker.dispose()
    await asyncio.sleep(0.5)
    gc.collect()
    leaks = [u for u in unraisable if u.exc_type and issubclass(u.exc_type, ResourceWarning)]
    assert leaks == []
