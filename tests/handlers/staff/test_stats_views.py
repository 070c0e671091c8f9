"""/staff/stats and its Excel export: the page counts the records, the workbook opens with
openpyxl and its totals match the page, every export is audited (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.settings import Settings
from handlers.staff.stats_export import RATES, SUMMARY
from knowledge.record_dates import china_today
from knowledge.record_models import AuditEntry
from tests.handlers.staff.conftest import SESSION_SECRET, AppFactory, StaffClient, add_record

_FIGURE = re.compile(r'<dd data-figure="(\w+)">([^<]*)</dd>')


@pytest.fixture
def staff_settings(database_url: str) -> Settings:
    """The staff app over this test's database (SQLite, then PostgreSQL)."""
    return Settings(
        database_url=database_url,
        load_demo="never",
        session_secret=SESSION_SECRET,
        index_poll_seconds=3600,
    )


@pytest.fixture
def records(staff_engine: Engine) -> list[int]:
    """Questions of the last days: answered, waiting, overdue, rated, and one not counted."""
    now = datetime.now(UTC)
    ids = [
        add_record(staff_engine, "公租房怎么申请", kind="answered", needs_review=False),
        add_record(staff_engine, "申请公组房要啥条件", kind="answered", needs_review=False),
        add_record(staff_engine, "什么时候摇号", channel="web", resident="web-user-1"),
        add_record(staff_engine, "等了半年没消息", asked_at=now - timedelta(days=20)),
        add_record(staff_engine, "满意", kind="satisfaction", needs_review=False),
    ]
    with staff_engine.begin() as connection:
        connection.exec_driver_sql(
            f"UPDATE interaction SET satisfaction = 'satisfied' WHERE id = {ids[0]}"
        )
        connection.exec_driver_sql(
            f"UPDATE interaction SET satisfaction = 'dissatisfied' WHERE id = {ids[1]}"
        )
    return ids


def figures(html: str) -> dict[str, str]:
    return dict(_FIGURE.findall(html))


def shown(key: str, value: Any) -> str:
    """A workbook value as the page writes it (a rate of 0 or 1 reads back as a whole number)."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if key in RATES else str(value)


async def test_the_page_counts_the_records(
    start_app: AppFactory, staff_settings: Settings, users: dict[str, str], records: list[int]
) -> None:
    staff = await start_app(staff_settings)
    await staff.login(users["reviewer"])
    page = await staff.get("/staff/stats")
    assert page.status == 200
    found = figures(page.text)
    assert found["received"] == "4"
    assert (found["by_bot"], found["waiting"], found["not_found"]) == ("2", "2", "2")
    assert (found["sent_to_staff"], found["overdue"]) == ("2", "1")
    assert (found["satisfied"], found["dissatisfied"], found["satisfaction_rate"]) == (
        "1",
        "1",
        "50.0%",
    )
    assert "<svg" in page.text and "每周收到的咨询" in page.text
    web = figures((await staff.get("/staff/stats?channel=web")).text)
    assert web["received"] == "1"


async def test_the_workbook_opens_and_its_totals_match_the_page(
    start_app: AppFactory,
    staff_settings: Settings,
    staff_engine: Engine,
    users: dict[str, str],
    records: list[int],
) -> None:
    staff = await start_app(staff_settings)
    await staff.login(users["publisher"])
    start = (china_today() - timedelta(days=30)).isoformat()
    query = f"?from={start}&to={china_today().isoformat()}"
    page = figures((await staff.get("/staff/stats" + query)).text)
    response = await staff.client.get("/staff/stats/export.xlsx" + query)
    assert response.status == 200
    assert response.content_type.endswith("spreadsheetml.sheet")
    workbook = openpyxl.load_workbook(io.BytesIO(await response.read()))
    assert workbook.sheetnames == ["汇总", "按周", "按主题", "按渠道", "记录"]
    summary = {row[0]: row[1] for row in workbook["汇总"].iter_rows(min_row=6, values_only=True)}
    assert {key: shown(key, summary[label]) for key, label, _ in SUMMARY} == page
    # Every grouping adds up to the same totals, and the records sheet lists each question.
    for name in ("按周", "按主题", "按渠道"):
        rows = list(workbook[name].iter_rows(values_only=True))
        assert rows[-1][0] == "合计"
        assert rows[-1][1] == int(page["received"])
        assert sum(row[1] for row in rows[1:-1]) == int(page["received"])
    listed = list(workbook["记录"].iter_rows(min_row=2, values_only=True))
    assert len(listed) == int(page["received"])
    assert {row[4] for row in listed} >= {"公租房怎么申请", "等了半年没消息"}
    assert "满意" not in {row[4] for row in listed}
    with Session(staff_engine) as session:
        audit = session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "export_stats")
        ).all()
    assert [(entry.staff_name, entry.detail) for entry in audit] == [
        (users["publisher"], "全部渠道")
    ]


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("?from=2026-13-01", "日期格式"),
        ("?from=2026-11-20&to=2026-11-01", "已对调"),
        ("?from=2020-01-01&to=2026-11-01", "最长"),
    ],
)
async def test_a_bad_period_is_corrected_and_said(
    start_app: AppFactory, staff_settings: Settings, users: dict[str, str], query: str, notice: str
) -> None:
    staff = await start_app(staff_settings)
    await staff.login(users["reviewer"])
    page = await staff.get("/staff/stats" + query)
    assert page.status == 200 and notice in page.text


async def test_statistics_need_a_signed_in_clerk(staff: StaffClient) -> None:
    for path in ("/staff/stats", "/staff/stats/export.xlsx"):
        response = await staff.client.get(path, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"].startswith("/staff/login")


def test_the_summary_has_the_figures_the_issue_asks_for() -> None:
    keys = [key for key, _, _ in SUMMARY]
    for wanted in ("received", "by_bot", "by_staff", "on_time", "overdue", "not_found_rate"):
        assert wanted in keys
    assert "satisfaction_rate" in keys
