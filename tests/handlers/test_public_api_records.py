"""POST /api/ask stores every question (channel web) through the record writer, before replying."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select
from sqlmodel import Session

from handlers import keys
from handlers.app import create_app
from handlers.public_api import RESIDENT_COOKIE
from handlers.settings import Secret, Settings
from knowledge.record_models import Interaction

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]


async def start(aiohttp_client: ClientFactory, database_url: str) -> Client:
    settings = Settings(
        database_url=database_url, session_secret=Secret("public-api-records-secret-0123456789")
    )
    return await aiohttp_client(create_app(settings))


def records(client: Client) -> list[Interaction]:
    with Session(client.app[keys.engine_key]) as session:
        return list(session.scalars(select(Interaction).order_by(Interaction.id)))  # type: ignore[arg-type]


async def ask(client: Client, payload: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/api/ask", json=payload)
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    return body


async def test_web_questions_are_recorded_with_the_users_key(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await start(aiohttp_client, database_url)
    body = await ask(client, {"text": "公租房申请条件是什么，我电话13812345678", "user": "web-u1"})
    [stored] = records(client)
    assert (stored.channel, stored.resident_key, stored.dedup_key) == ("web", "web-u1", None)
    assert "13812345678" not in stored.question
    assert body["record"] == stored.number and body["user"] == "web-u1"
    assert body["answer"] == stored.reply_text == stored.answer_text
    # The same words again are a new question (the web has no retries to fold).
    await ask(client, {"text": "公租房申请条件是什么，我电话13812345678", "user": "web-u1"})
    assert len(records(client)) == 2


async def test_a_browser_without_a_user_id_gets_one_in_a_cookie(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await start(aiohttp_client, database_url)
    first = await client.post("/api/ask", json={"text": "租金标准是多少"})
    given = first.cookies[RESIDENT_COOKIE].value
    assert given and (await first.json())["user"] == given
    # The test client keeps the cookie: the second question is the same resident's.
    await ask(client, {"text": "两居室还有吗"})
    assert [r.resident_key for r in records(client)] == [given, given]


async def test_a_complaint_on_the_web_quotes_its_record_number(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    client = await start(aiohttp_client, database_url)
    body = await ask(client, {"text": "我要投诉，交了材料半年没人理", "user": "web-u2"})
    [stored] = records(client)
    assert stored.number in body["answer"]
    assert stored.status == "needs_review" and stored.deadline is not None
