"""/staff/topics and a topic's page: rising topics, each topic's questions and the published Q&A
covering them; residents' words stay inert (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from handlers import keys
from handlers.settings import Settings
from knowledge import qa
from knowledge.database import session_scope
from knowledge.topics import assign_unassigned
from tests.handlers.staff.conftest import (
    HOSTILE_QUESTION,
    SESSION_SECRET,
    AppFactory,
    StaffClient,
    add_record,
)

_TOPIC_LINK = re.compile(r'href="/staff/topics/(\d+)">([^<]+)</a>')


@pytest.fixture
def staff_settings(database_url: str) -> Settings:
    """The staff app over this test's database (SQLite, then PostgreSQL)."""
    return Settings(
        database_url=database_url,
        load_demo="never",
        session_secret=SESSION_SECRET,
        index_poll_seconds=3600,
    )


async def signed_in(
    start_app: AppFactory, settings: Settings, engine: Engine, name: str
) -> StaffClient:
    """The app, with the records stored so far given their topics, and a clerk signed in."""
    staff = await start_app(settings)
    assigner = staff.app[keys.topic_assigner_key]
    await asyncio.to_thread(assign_unassigned, engine, assigner)
    await staff.login(name)
    return staff


async def test_topics_list_rising_ones_with_their_questions(
    start_app: AppFactory, staff_settings: Settings, staff_engine: Engine, users: dict[str, str]
) -> None:
    now = datetime.now(UTC)
    for days in (0, 1, 2):
        add_record(staff_engine, "什么时候摇号", asked_at=now - timedelta(days=days, minutes=5))
    add_record(staff_engine, "摇号什么时候开始", asked_at=now - timedelta(days=9))
    add_record(staff_engine, "公租房怎么申请", asked_at=now - timedelta(days=8))
    published_from = add_record(staff_engine, "申请公组房要啥条件")
    with session_scope(staff_engine) as session:
        qa.publish(
            session, "公租房怎么申请？", "向社区居委会申请。", "p1", interaction_id=published_from
        )
    staff = await signed_in(start_app, staff_settings, staff_engine, users["reviewer"])
    page = await staff.get("/staff/topics")
    assert page.status == 200
    listed = _TOPIC_LINK.findall(page.text)
    assert [label for _, label in listed] == ["摇号", "公租房、申请"]
    assert "↑ 2" in page.text and "公租房怎么申请？" in page.text
    topic_id = listed[1][0]
    topic = await staff.get(f"/staff/topics/{topic_id}")
    assert topic.status == 200
    assert "申请公组房要啥条件" in topic.text and "公租房怎么申请" in topic.text
    assert "由此记录公开" in topic.text and "相近问答" in topic.text
    assert f'href="/staff/records/{published_from}"' in topic.text
    assert "<svg" in topic.text


async def test_residents_words_render_inert(
    start_app: AppFactory, staff_settings: Settings, staff_engine: Engine, users: dict[str, str]
) -> None:
    add_record(staff_engine, HOSTILE_QUESTION)
    staff = await signed_in(start_app, staff_settings, staff_engine, users["reviewer"])
    listed = _TOPIC_LINK.findall((await staff.get("/staff/topics")).text)
    assert listed
    page = await staff.get(f"/staff/topics/{listed[0][0]}")
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;" in page.text


async def test_an_unknown_topic_is_not_found(
    start_app: AppFactory, staff_settings: Settings, staff_engine: Engine, users: dict[str, str]
) -> None:
    staff = await signed_in(start_app, staff_settings, staff_engine, users["reviewer"])
    assert (await staff.get("/staff/topics/424242")).status == 404
    assert "近两周还没有收到可归类的问题" in (await staff.get("/staff/topics")).text


async def test_topics_need_a_signed_in_clerk(staff: StaffClient) -> None:
    for path in ("/staff/topics", "/staff/topics/1"):
        response = await staff.client.get(path, allow_redirects=False)
        assert response.status == 303
