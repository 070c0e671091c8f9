"""Tests for handlers.staff.inbox_views: the inbox's tabs, filters, search, paging, deadlines,
and residents' text rendered inert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import col

from knowledge.record_models import Interaction
from knowledge.workdays import WorkingCalendar
from tests.handlers.staff.conftest import HOSTILE_QUESTION, StaffClient, add_record


def _rows(text: str) -> str:
    return text[text.find("<tbody>") : text.find("</tbody>")]


async def test_overdue_and_due_soon_records_stand_out_first(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    now = datetime.now(UTC)
    calendar = WorkingCalendar()
    add_record(staff_engine, "刚问的问题", asked_at=now - timedelta(minutes=3), days=15)
    add_record(staff_engine, "快到期的问题", asked_at=now - timedelta(minutes=2), days=1)
    add_record(staff_engine, "逾期的问题", asked_at=now - timedelta(days=30), calendar=calendar)
    add_record(staff_engine, "机器人答了", kind="answered", needs_review=False)
    await staff.login(users["reviewer"])
    page = await staff.get("/staff/")
    rows = _rows(page.text)
    assert rows.index("逾期的问题") < rows.index("快到期的问题") < rows.index("刚问的问题")
    assert "机器人答了" not in rows
    assert rows.count('class="row-overdue"') == 1 and rows.count('class="row-due-soon"') == 1
    assert "已逾期" in rows and "居民 oRes…" in rows and "oResidentAbcdef123456" not in page.text
    assert "<strong>1</strong><span>已逾期</span>" in page.text


@pytest.mark.parametrize(
    "query, shown, hidden",
    [
        ("?overdue=1", ["逾期的问题"], ["网页上的问题", "企业微信的问题"]),
        ("?channel=web", ["网页上的问题"], ["逾期的问题", "企业微信的问题"]),
        ("?kind=handoff", ["企业微信的问题"], ["逾期的问题", "网页上的问题"]),
        ("?q=网页", ["网页上的问题"], ["逾期的问题", "企业微信的问题"]),
        ("?status=all&q=机器人", ["机器人答了"], ["逾期的问题"]),
        ("?category=投诉", ["网页上的问题"], ["逾期的问题"]),
        ("?status=nonsense&channel=fax", ["逾期的问题", "网页上的问题"], ["机器人答了"]),
    ],
    ids=["overdue", "channel", "kind", "search", "all", "category", "unknown-values"],
)
async def test_filters_and_search(
    staff: StaffClient,
    staff_engine: Engine,
    users: dict[str, str],
    query: str,
    shown: list[str],
    hidden: list[str],
) -> None:
    add_record(staff_engine, "逾期的问题", asked_at=datetime.now(UTC) - timedelta(days=30))
    add_record(staff_engine, "网页上的问题", channel="web", category="投诉")
    add_record(staff_engine, "企业微信的问题", channel="wecom", kind="handoff")
    add_record(staff_engine, "机器人答了", kind="answered", needs_review=False)
    await staff.login(users["reviewer"])
    rows = _rows((await staff.get("/staff/" + query)).text)
    for text in shown:
        assert text in rows
    for text in hidden:
        assert text not in rows


async def test_paging_keeps_the_filter(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    for number in range(32):
        add_record(staff_engine, f"网页问题{number:02d}", channel="web")
    await staff.login(users["reviewer"])
    first = await staff.get("/staff/?channel=web")
    assert "共 32 条记录" in first.text and "第 1 / 2 页" in first.text
    assert 'href="/staff/?channel=web&amp;page=2"' in first.text
    second = await staff.get("/staff/?channel=web&page=2")
    assert _rows(second.text).count("网页问题") == 2


async def test_hostile_text_renders_inert_in_the_inbox(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    add_record(staff_engine, HOSTILE_QUESTION, category='"><b>分类</b>')
    await staff.login(users["reviewer"])
    for path in ("/staff/", "/staff/?status=all&q=半年"):
        page = await staff.get(path)
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
        assert "<b>分类</b>" not in page.text


async def test_pages_carry_the_security_headers(staff: StaffClient, users: dict[str, str]) -> None:
    await staff.login(users["reviewer"])
    response = await staff.client.get("/staff/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


async def test_a_record_the_resident_rated_says_so_in_the_inbox_and_on_its_page(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    rated = add_record(staff_engine, "答复没解决我的问题")
    add_record(staff_engine, "还没评价的问题")
    with staff_engine.begin() as connection:
        connection.execute(
            update(Interaction)
            .where(col(Interaction.id) == rated)
            .values(satisfaction="dissatisfied")
        )
    await staff.login(users["reviewer"])
    rows = _rows((await staff.get("/staff/")).text).split("</tr>")
    [marked] = [row for row in rows if "居民不满意" in row]
    assert "答复没解决我的问题" in marked
    page = await staff.get(f"/staff/records/{rated}")
    assert "居民评价" in page.text and "居民不满意" in page.text
