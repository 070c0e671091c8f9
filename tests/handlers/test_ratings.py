"""满意 / 不满意 on both channels: the WeChat webhook and the web chat recognise a rating with the
same function, store it on the resident's last answer, say so, and 不满意 reopens the record for
review with a deadline in working days (the real app, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine

from bot import phrases
from handlers.answer_records import ReplyDeadlines
from handlers.app import create_app
from handlers.ratings import feedback_record
from handlers.settings import Settings
from knowledge.catalog import Catalog
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.workdays import WorkingCalendar
from tests.handlers.wechat.conftest import Harness, records

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
DEADLINES = ReplyDeadlines(WorkingCalendar(), enquiry_days=5, complaint_days=15)


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("满意", "satisfied"),
        ("不满意！", "dissatisfied"),
        ("1", "satisfied"),
        ("2", "dissatisfied"),
    ],
)
def test_a_rating_message_becomes_a_rating_record(text: str, rating: str) -> None:
    new = feedback_record(
        channel="wechat",
        resident="oResident",
        asked_at=datetime(2026, 11, 26, 2, tzinfo=UTC),
        question=text,
        deadlines=DEADLINES,
    )
    assert new is not None
    assert (new.answer_kind, new.intent, new.question) == ("satisfaction", rating, text)
    assert new.act_on_records is not None


@pytest.mark.parametrize("text", ["公租房怎么申请", "满意度在哪看", "3", "不满意审核结果"])
def test_anything_else_goes_to_the_bot(text: str) -> None:
    asked_at = datetime(2026, 11, 26, 2, tzinfo=UTC)
    new = feedback_record(
        channel="web", resident="u1", asked_at=asked_at, question=text, deadlines=DEADLINES
    )
    assert new is None


async def test_dissatisfied_on_wechat_reopens_the_last_answer(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    peer = await Harness(aiohttp_client, database_url).peer()
    answered = await peer.text("公租房申请条件是什么")
    assert answered.kind == "text"
    reply = await peer.text("不满意")
    stored = records(peer.client)
    question, rating = stored
    assert (question.satisfaction, question.status) == ("dissatisfied", "needs_review")
    assert question.deadline is not None and question.deadline_days == 5
    # The rating is not answered as a question: it is acknowledged, with the record number.
    assert rating.answer_kind == "satisfaction" and rating.topic_id is None
    assert reply.content.startswith(phrases.DISSATISFIED_ACK)
    assert question.number in reply.content
    assert reply.content == rating.reply_text


async def test_satisfied_on_wechat_keeps_the_answer_as_it_is(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    peer = await Harness(aiohttp_client, database_url).peer()
    await peer.text("什么时候摇号")
    reply = await peer.text("1")
    question = records(peer.client)[0]
    assert (question.satisfaction, question.status) == ("satisfied", "auto_answered")
    assert reply.content == phrases.SATISFIED_THANKS


async def test_a_rating_with_nothing_to_rate_says_so(
    aiohttp_client: ClientFactory, database_url: str
) -> None:
    peer = await Harness(aiohttp_client, database_url).peer()
    reply = await peer.text("满意")
    assert reply.content == phrases.NOTHING_TO_RATE
    assert [r.answer_kind for r in records(peer.client)] == ["satisfaction"]


@pytest.fixture
def imported(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, published_folder: Path
) -> Path:
    import_folder(engine, published_folder, catalog, synonyms)
    return published_folder


async def ask(client: Client, text: str) -> dict[str, Any]:
    response = await client.post("/api/ask", json={"text": text})
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    return body


async def test_the_web_chat_recognises_a_typed_rating_too(
    aiohttp_client: ClientFactory, database_url: str, imported: Path, engine: Engine
) -> None:
    settings = Settings(database_url=database_url, load_demo="never")
    client = await aiohttp_client(create_app(settings))
    answer = await ask(client, "公租房申请条件是什么")
    rated = await ask(client, "不满意")
    assert rated["kind"] == "satisfaction"
    assert answer["record"] in rated["answer"]
    assert rated["sources"] == []
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT answer_kind, satisfaction, status FROM interaction ORDER BY id"
        ).all()
    assert [tuple(row) for row in rows] == [
        ("answered", "dissatisfied", "needs_review"),
        ("satisfaction", "", "auto_answered"),
    ]
