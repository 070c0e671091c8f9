"""Fixtures of the staff workspace tests: the app over a SQLite file, users, records, a client
that keeps its cookies and reads the CSRF token from each page like a browser would."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import ClientResponse, FormData, web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from handlers.app import create_app
from handlers.settings import Secret, Settings
from handlers.staff.accounts import Role, create_user
from knowledge.database import open_engine
from knowledge.records import NewInteraction, deadline_for, record_batch
from knowledge.workdays import WorkingCalendar

PASSWORD = "correct horse battery"
SESSION_SECRET = Secret("test-session-secret-0123456789abcdef")
HOSTILE_QUESTION = '<script>alert("x")</script>"><img src=x onerror=alert(1)> 等了半年没消息'
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = _CSRF.search(html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Page:
    """A fetched page: status, final URL path and text."""

    status: int
    path: str
    text: str


class StaffClient:
    """A test client used like a browser: cookies kept, CSRF token taken from the last page."""

    def __init__(self, client: TestClient[web.Request, web.Application]) -> None:
        self.client = client
        self.csrf = ""

    @property
    def app(self) -> web.Application:
        return self.client.app

    async def _page(self, response: ClientResponse) -> Page:
        text = await response.text()
        found = _CSRF.search(text)
        if found is not None:
            self.csrf = found.group(1)
        return Page(response.status, response.url.path, text)

    async def get(self, path: str, **kwargs: Any) -> Page:
        return await self._page(await self.client.get(path, **kwargs))

    async def post(self, path: str, data: dict[str, str], *, csrf: bool = True) -> Page:
        form = {"csrf_token": self.csrf, **data} if csrf else dict(data)
        return await self._page(await self.client.post(path, data=form))

    async def login(self, name: str, password: str = PASSWORD) -> Page:
        await self.get("/staff/login")
        return await self.post("/staff/login", {"name": name, "password": password})


def upload_form(csrf: str | None, files: list[tuple[str, bytes]]) -> FormData:
    """A multipart upload as the material page's form sends it (the token first)."""
    form = FormData(default_to_multipart=True)
    if csrf is not None:
        form.add_field("csrf_token", csrf)
    for name, data in files:
        form.add_field("files", io.BytesIO(data), filename=name)
    return form


@pytest.fixture
def staff_settings(sqlite_url: str) -> Settings:
    """Settings of an app over its own database (no demo: quick to start), a fixed secret."""
    return Settings(
        database_url=sqlite_url,
        load_demo="never",
        session_secret=SESSION_SECRET,
        index_poll_seconds=3600,
    )


@pytest.fixture
def staff_engine(staff_settings: Settings) -> Iterator[Engine]:
    """The app's database, opened by the test to seed it and to check what was stored."""
    engine = open_engine(staff_settings.database_url)
    yield engine
    engine.dispose()


AppFactory = Callable[[Settings], Awaitable[StaffClient]]


@pytest.fixture
async def start_app() -> AsyncIterator[AppFactory]:
    """Start create_app(settings) on loopback; returns a StaffClient for it."""
    clients: list[TestClient[web.Request, web.Application]] = []

    async def start(settings: Settings) -> StaffClient:
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        clients.append(client)
        return StaffClient(client)

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def staff(
    start_app: AppFactory, staff_settings: Settings, staff_engine: Engine
) -> StaffClient:
    """A client of the app, not signed in."""
    return await start_app(staff_settings)


@pytest.fixture
def users(staff_engine: Engine) -> dict[str, str]:
    """One user of each role, named after it: reviewer1, publisher1, admin1."""
    names = {}
    for role in Role:
        name = f"{role.value}1"
        create_user(staff_engine, name, role, PASSWORD)
        names[role.value] = name
    return names


def add_record(
    engine: Engine,
    question: str,
    *,
    channel: str = "wechat",
    resident: str = "oResidentAbcdef123456",
    asked_at: datetime | None = None,
    kind: str = "not_found",
    needs_review: bool = True,
    days: int = 5,
    answer_text: str = "抱歉，已公开的材料里没有找到这个问题的答案。",
    score: float = 0.2,
    sources: list[dict[str, Any]] | None = None,
    calendar: WorkingCalendar | None = None,
    category: str = "",
) -> int:
    """Store a record the way the webhook's writer does; returns its id."""
    asked = asked_at or datetime.now(UTC) - timedelta(minutes=5)
    deadline, source = None, ""
    if needs_review:
        deadline, source = deadline_for(calendar or WorkingCalendar(), asked, days)
    stored = record_batch(
        engine,
        [
            NewInteraction(
                channel=channel,
                resident_key=resident,
                asked_at=asked,
                question=question,
                answer_text=answer_text,
                reply_text=answer_text,
                answer_kind=kind,
                score=score,
                sources=sources or [],
                needs_review=needs_review,
                deadline=deadline,
                deadline_days=days if needs_review else None,
                calendar_source=source,
                category=category,
            )
        ],
    )
    return stored[0].id
