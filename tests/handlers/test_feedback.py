"""POST /api/feedback: the web chat's buttons rate the answer /api/ask gave, only for the
browser that asked; 不满意 reopens the record (the real app, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from bot import phrases
from handlers.app import create_app
from handlers.feedback import record_id_of
from handlers.settings import Settings
from knowledge.catalog import Catalog
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.record_models import Interaction

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory,
    database_url: str,
    engine: Engine,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    published_folder: Path,
) -> Client:
    import_folder(engine, published_folder, catalog, synonyms)
    return await aiohttp_client(create_app(Settings(database_url=database_url, load_demo="never")))


async def asked(client: Client, text: str = "公租房申请条件是什么") -> dict[str, Any]:
    response = await client.post("/api/ask", json={"text": text})
    body: dict[str, Any] = await response.json()
    assert response.status == 200 and body["record"]
    return body


def stored(engine: Engine, number: str) -> Interaction:
    record_id = record_id_of(number)
    assert record_id is not None
    with Session(engine) as session:
        found = session.get(Interaction, record_id)
        assert found is not None
        return found


async def test_dissatisfied_reopens_the_answer_it_names(client: Client, engine: Engine) -> None:
    first = await asked(client)
    second = await asked(client, "什么时候摇号")
    response = await client.post(
        "/api/feedback", json={"record": first["record"], "rating": "dissatisfied"}
    )
    body = await response.json()
    assert response.status == 200, body
    assert body["reopened"] is True and body["rating"] == "dissatisfied"
    assert (
        body["message"].startswith(phrases.DISSATISFIED_ACK) and first["record"] in body["message"]
    )
    record = stored(engine, first["record"])
    assert (record.satisfaction, record.status, record.deadline_days) == (
        "dissatisfied",
        "needs_review",
        5,
    )
    assert stored(engine, second["record"]).satisfaction == ""


async def test_satisfied_is_thanked(client: Client, engine: Engine) -> None:
    answer = await asked(client)
    response = await client.post(
        "/api/feedback", json={"record": answer["record"], "rating": "satisfied"}
    )
    assert (await response.json())["message"] == phrases.SATISFIED_THANKS
    assert stored(engine, answer["record"]).status == "auto_answered"


async def test_another_browser_cannot_rate_the_answer(client: Client, engine: Engine) -> None:
    answer = await asked(client)
    client.session.cookie_jar.clear()
    response = await client.post(
        "/api/feedback",
        json={"record": answer["record"], "rating": "dissatisfied", "user": "someone-else"},
    )
    assert response.status == 404
    assert stored(engine, answer["record"]).satisfaction == ""


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"record": "HD20261126000001", "rating": "great"}, 400),
        ({"record": "20261126", "rating": "satisfied"}, 400),
        ({"rating": "satisfied"}, 400),
        (["satisfied"], 400),
    ],
)
async def test_bad_requests_are_refused(client: Client, body: object, status: int) -> None:
    await asked(client)
    response = await client.post("/api/feedback", json=body)
    assert response.status == status
    assert "error" in await response.json()


async def test_only_json_is_accepted(client: Client) -> None:
    answer = await asked(client)
    response = await client.post(
        "/api/feedback", data={"record": answer["record"], "rating": "dissatisfied"}
    )
    assert response.status == 415


@pytest.mark.parametrize(
    ("number", "record_id"),
    [("HD20261126000123", 123), ("HD202611261234567", 1234567), ("HD2026112612", None)],
)
def test_record_id_of(number: str, record_id: int | None) -> None:
    assert record_id_of(number) == record_id
