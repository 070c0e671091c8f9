"""Tests for handlers.public_answers: the public Q&A list with search, a page per answer with
its public history (withdrawn answers gone from the list, their page 410), and the staff
replies the web chat fetches."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from handlers.app import create_app
from handlers.settings import Settings
from knowledge import qa
from knowledge.database import open_engine, session_scope
from knowledge.record_review import save_staff_reply
from knowledge.records import NewInteraction, record_batch

HOSTILE = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def site(sqlite_url: str) -> AsyncIterator[tuple[Client, Engine]]:
    engine = open_engine(sqlite_url)
    client: Client = TestClient(TestServer(create_app(Settings(database_url=sqlite_url))))
    await client.start_server()
    yield client, engine
    await client.close()
    engine.dispose()


def _publish(engine: Engine, question: str, answer: str) -> int:
    with session_scope(engine) as session:
        return qa.publish(session, question, answer, "王芳").id


async def test_the_list_shows_published_answers_with_search(
    site: tuple[Client, Engine],
) -> None:
    client, engine = site
    _publish(engine, "外地户籍可以申请公租房吗？", "持居住证满1年可以申请。")
    _publish(engine, "公租房租金多少？", "每月每平方米4.5元。")
    page = await client.get("/qa")
    text = await page.text()
    assert page.status == 200
    assert "外地户籍可以申请公租房吗？" in text and "每月每平方米4.5元。" in text
    assert 'aria-current="page">问答' in text
    for section in ("首页", "公开目录", "统计"):
        assert section in text
    found = await (await client.get("/qa?q=租金")).text()
    assert "公租房租金多少？" in found and "外地户籍" not in found
    assert "共找到 1 条问答" in found
    nothing = await (await client.get("/qa?q=天气")).text()
    assert "没有找到相关问答" in nothing


async def test_an_answers_page_shows_its_history(site: tuple[Client, Engine]) -> None:
    client, engine = site
    qa_id = _publish(engine, "公租房租金多少？", "每月每平方米4.5元。")
    with session_scope(engine) as session:
        qa.edit(session, qa_id, "公租房租金多少？", "每月每平方米4.6元。", "李静")
    text = await (await client.get(f"/qa/{qa_id}")).text()
    assert "每月每平方米4.6元。" in text and "第 2 版" in text
    assert "修改记录" in text and "每月每平方米4.5元。" in text
    assert "李静" not in text and "王芳" not in text


async def test_a_withdrawn_answer_is_gone(site: tuple[Client, Engine]) -> None:
    client, engine = site
    qa_id = _publish(engine, "公租房租金多少？", "每月每平方米4.5元。")
    with session_scope(engine) as session:
        qa.withdraw(session, qa_id, "王芳")
    assert "公租房租金多少" not in await (await client.get("/qa")).text()
    page = await client.get(f"/qa/{qa_id}")
    text = await page.text()
    assert page.status == 410
    assert "该问答已撤回" in text and "每月每平方米4.5元" not in text


async def test_an_unknown_answer_is_404(site: tuple[Client, Engine]) -> None:
    client, _ = site
    assert (await client.get("/qa/999")).status == 404


async def test_published_text_renders_inert(site: tuple[Client, Engine]) -> None:
    client, engine = site
    qa_id = _publish(engine, f"问题{HOSTILE}", f"答复{HOSTILE}")
    for path in ("/qa", f"/qa/{qa_id}", "/qa?q=script"):
        text = await (await client.get(path)).text()
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in text


def _answered(engine: Engine, user: str, reply: str, at: datetime) -> None:
    stored = record_batch(
        engine,
        [
            NewInteraction(
                channel="web",
                resident_key=user,
                asked_at=at,
                question="摇号什么时候？",
                needs_review=True,
            )
        ],
    )
    with session_scope(engine) as session:
        save_staff_reply(session, stored[0].id, reply, "李静", now=at)


async def test_a_user_gets_their_replies(site: tuple[Client, Engine]) -> None:
    client, engine = site
    _answered(engine, "web-user-1", "12月18日摇号。", datetime(2026, 11, 20, 2, tzinfo=UTC))
    _answered(engine, "web-user-2", "别人的答复", datetime(2026, 11, 20, 3, tzinfo=UTC))
    response = await client.get("/api/replies?user=web-user-1")
    body = await response.json()
    assert response.headers["Cache-Control"] == "no-store"
    assert [(r["question"], r["reply"]) for r in body["replies"]] == [
        ("摇号什么时候？", "12月18日摇号。")
    ]
    assert body["replies"][0]["record"].startswith("HD20261120")
    assert body["replies"][0]["replied_at"] == "2026-11-20T02:00:00+00:00"


async def test_since_returns_only_newer_replies(site: tuple[Client, Engine]) -> None:
    client, engine = site
    _answered(engine, "web-user-1", "第一条", datetime(2026, 11, 20, 2, tzinfo=UTC))
    _answered(engine, "web-user-1", "第二条", datetime(2026, 11, 21, 2, tzinfo=UTC))
    since = "2026-11-20T02:00:00+00:00"
    body = await (
        await client.get("/api/replies", params={"user": "web-user-1", "since": since})
    ).json()
    assert [r["reply"] for r in body["replies"]] == ["第二条"]


async def test_the_web_chat_cookie_names_the_user(site: tuple[Client, Engine]) -> None:
    client, engine = site
    _answered(engine, "cookie-user", "凭cookie取到", datetime(2026, 11, 20, 2, tzinfo=UTC))
    client.session.cookie_jar.update_cookies({"anju_user": "cookie-user"})
    body = await (await client.get("/api/replies")).json()
    assert [r["reply"] for r in body["replies"]] == ["凭cookie取到"]


@pytest.mark.parametrize(
    "query, message",
    [
        ("", "缺少 user 参数"),
        ("?user=" + "x" * 200, "缺少 user 参数"),
        ("?user=u&since=昨天", "ISO 8601"),
    ],
)
async def test_bad_requests_say_why(site: tuple[Client, Engine], query: str, message: str) -> None:
    client, _ = site
    response = await client.get("/api/replies" + query)
    assert response.status == 400
    assert message in (await response.json())["error"]
