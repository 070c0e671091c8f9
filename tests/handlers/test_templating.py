"""Tests for handlers.templating: filters, autoescaping, and the headers every page carries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from aiohttp.test_utils import TestClient, TestServer

from handlers.app import create_app
from handlers.settings import Settings
from handlers.templating import cn_date, cn_datetime, make_environment, page_url, short_key


@pytest.mark.parametrize(
    "value, shown",
    [
        (date(2026, 3, 5), "2026年3月5日"),
        (datetime(2026, 11, 26, 16, 30), "2026年11月27日"),
        (None, "—"),
    ],
)
def test_dates_in_chinese(value: date | None, shown: str) -> None:
    assert cn_date(value) == shown


def test_times_on_chinas_clock() -> None:
    assert cn_datetime(datetime(2026, 11, 26, 1, 5, tzinfo=UTC)) == "2026-11-26 09:05"
    assert cn_datetime(datetime(2026, 11, 26, 1, 5, 7), seconds=True) == "2026-11-26 09:05:07"
    assert cn_datetime(None) == "—"


@pytest.mark.parametrize("key, shown", [("oAbCdEfGh123", "oAbC…"), ("web", "web…"), ("", "—")])
def test_resident_keys_are_shortened(key: str, shown: str) -> None:
    assert short_key(key) == shown


def test_page_links_keep_the_query_and_drop_empty_values() -> None:
    assert page_url("/qa", {"q": "租金", "page": 1}, page=2) == "/qa?q=%E7%A7%9F%E9%87%91&page=2"
    assert page_url("/staff/", {"q": ""}) == "/staff/"


def test_every_template_escapes() -> None:
    environment = make_environment(Settings())
    template = environment.from_string("<p>{{ text }}</p>")
    assert template.render(text="<script>x</script>") == "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    assert environment.autoescape is True


async def test_pages_and_static_files_carry_the_security_headers(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, load_demo="never")
    async with TestClient(TestServer(create_app(settings))) as client:
        page = await client.get("/qa")
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "same-origin"
        css = await client.get("/static/anju.css")
        assert css.status == 200 and css.headers["X-Content-Type-Options"] == "nosniff"
        health = await client.get("/healthz")
        assert "Content-Security-Policy" not in health.headers
