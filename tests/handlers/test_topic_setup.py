"""Hot topics in the running service: every question the record writer stores gets its topic in
the same transaction, and questions stored before start are caught up (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine

from handlers import keys
from handlers.app import create_app
from handlers.settings import Settings
from knowledge.catalog import Catalog
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.records import NewInteraction, record_batch

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]


def topics(engine: Engine) -> list[tuple[str, int | None]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT question, topic_id FROM interaction ORDER BY id"
        ).all()
    return [(str(question), topic) for question, topic in rows]


async def test_questions_asked_get_their_topic_as_they_are_recorded(
    aiohttp_client: ClientFactory,
    database_url: str,
    engine: Engine,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    published_folder: Path,
) -> None:
    import_folder(engine, published_folder, catalog, synonyms)
    client = await aiohttp_client(
        create_app(Settings(database_url=database_url, load_demo="never"))
    )
    for question in ("公租房怎么申请", "申请公组房要啥条件", "什么时候摇号", "你好"):
        response = await client.post("/api/ask", json={"text": question, "user": "u-topics"})
        assert response.status == 200
    # The answer is returned once the record (and its topic) is committed.
    (_, applying), (_, conditions), (_, lottery), (_, hello) = topics(engine)
    assert applying == conditions and applying is not None
    assert lottery not in (None, applying)
    assert hello is None  # a greeting is no question
    assert client.app[keys.topic_assigner_key].topic_count == 2


async def test_questions_recorded_before_start_are_caught_up(
    aiohttp_client: ClientFactory, database_url: str, engine: Engine
) -> None:
    asked_at = datetime(2026, 11, 20, 2, tzinfo=UTC)
    record_batch(
        engine,
        [
            NewInteraction(
                channel="wechat",
                resident_key=f"oEarlier{n}",
                asked_at=asked_at,
                question=question,
                answer_kind="answered",
            )
            for n, question in enumerate(("公租房怎么申请", "gzf怎么申请", "租金多少"))
        ],
    )
    await aiohttp_client(create_app(Settings(database_url=database_url, load_demo="never")))
    deadline = time.monotonic() + 10
    while any(topic is None for _, topic in topics(engine)):
        assert time.monotonic() < deadline, topics(engine)
        await asyncio.sleep(0.05)
    (_, first), (_, second), (_, rent) = topics(engine)
    assert first == second != rent
