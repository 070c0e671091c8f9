"""Tests for handlers.staff.record_views: the record page, replying on each channel (within and
outside WeChat's 48-hour window, against the fake WeChat API), closing and reopening."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.settings import Secret, Settings
from knowledge.record_models import AuditEntry, Delivery, Interaction
from knowledge.workdays import WorkingCalendar
from tests.fakes.wechat_api import FakeWeChatApi
from tests.handlers.staff.conftest import (
    HOSTILE_QUESTION,
    AppFactory,
    StaffClient,
    add_record,
)

REPLY = "第二批公租房摇号定于12月18日上午9时在县政务服务中心举行。"


def _wechat_settings(settings: Settings, fake: FakeWeChatApi) -> Settings:
    return dataclasses.replace(
        settings,
        wechat_token=Secret("webhook-token"),
        wechat_appid=fake.appid,
        wechat_secret=Secret(fake.secret),
        wechat_api_base=fake.base_url,
    )


def _deliveries(engine: Engine, record_id: int) -> list[tuple[bool, int, str]]:
    with Session(engine) as session:
        rows = session.exec(
            select(Delivery).where(Delivery.interaction_id == record_id).order_by(col(Delivery.id))
        ).all()
        return [(row.delivered, row.errcode, row.reason) for row in rows]


def _record(engine: Engine, record_id: int) -> Interaction:
    with Session(engine) as session:
        record = session.get(Interaction, record_id)
        assert record is not None
        return record


async def test_the_record_page_shows_what_a_clerk_needs(
    start_app: AppFactory,
    staff_settings: Settings,
    staff_engine: Engine,
    users: dict[str, str],
) -> None:
    earlier = add_record(
        staff_engine,
        "公租房申请条件是什么",
        resident="oResident0001",
        asked_at=datetime.now(UTC) - timedelta(hours=3),
        kind="answered",
        needs_review=False,
    )
    record = add_record(
        staff_engine,
        "第二批什么时候摇号",
        resident="oResident0001",
        score=0.31,
        sources=[
            {"title": "关于第二批摇号配租的公告", "date": "2026-11-20", "url": "/documents/7"},
            {"title": "问答：摇号在哪里", "qa_id": 3},
        ],
    )
    add_record(staff_engine, "别人的问题", resident="oSomeoneElse")
    staff = await start_app(dataclasses.replace(staff_settings, load_demo="always"))
    await staff.login(users["reviewer"])
    page = await staff.get(f"/staff/records/{record}")
    assert page.status == 200
    text = page.text
    assert "第二批什么时候摇号" in text and "31%" in text
    assert 'href="/documents/7"' in text and 'href="/qa/3"' in text
    # The conversation: this resident's earlier question, nobody else's.
    assert f'href="/staff/records/{earlier}"' in text and "公租房申请条件是什么" in text
    assert "别人的问题" not in text
    # The resident key shows shortened only.
    assert "oRes…" in text and "oResident0001" not in text
    # A suggestion drawn from the (demo) material, with its sources.
    assert "建议答复" in text and "来源：" in text
    assert "工作日依据：国务院节假日安排（程序内置数据）" in text


async def test_a_web_reply_is_stored_for_the_web_chat(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, "摇号什么时候", channel="web", resident="web-user-7")
    await staff.login(users["reviewer"])
    await staff.get(f"/staff/records/{record}")
    page = await staff.post(f"/staff/records/{record}/reply", {"reply": REPLY})
    assert page.path == f"/staff/records/{record}"
    assert "答复已保存并送达" in page.text and REPLY in page.text
    assert _record(staff_engine, record).status == "answered"
    assert _deliveries(staff_engine, record) == [
        (True, 0, "已保存，居民在网页咨询中可以看到这条答复")
    ]
    replies = await (await staff.client.get("/api/replies?user=web-user-7")).json()
    assert [reply["reply"] for reply in replies["replies"]] == [REPLY]


async def test_a_wechat_reply_within_48_hours_reaches_the_resident(
    start_app: AppFactory,
    staff_settings: Settings,
    staff_engine: Engine,
    users: dict[str, str],
    fake_wechat_api: FakeWeChatApi,
) -> None:
    record = add_record(
        staff_engine,
        "摇号什么时候",
        resident="oWeChatResident01",
        asked_at=datetime.now(UTC) - timedelta(hours=47),
    )
    staff = await start_app(_wechat_settings(staff_settings, fake_wechat_api))
    await staff.login(users["reviewer"])
    page = await staff.get(f"/staff/records/{record}")
    assert "无法通过微信送达" not in page.text and "发送答复" in page.text
    page = await staff.post(f"/staff/records/{record}/reply", {"reply": REPLY})
    assert "答复已保存并送达" in page.text
    assert [(m.touser, m.content) for m in fake_wechat_api.received] == [
        ("oWeChatResident01", REPLY)
    ]
    assert _deliveries(staff_engine, record) == [(True, 0, "已送达")]


async def test_outside_48_hours_the_page_says_why_and_nothing_is_sent(
    start_app: AppFactory,
    staff_settings: Settings,
    staff_engine: Engine,
    users: dict[str, str],
    fake_wechat_api: FakeWeChatApi,
) -> None:
    record = add_record(
        staff_engine,
        "摇号什么时候",
        resident="oWeChatResident02",
        asked_at=datetime.now(UTC) - timedelta(hours=49),
    )
    staff = await start_app(_wechat_settings(staff_settings, fake_wechat_api))
    await staff.login(users["reviewer"])
    page = await staff.get(f"/staff/records/{record}")
    assert "无法通过微信送达" in page.text and "已超过微信允许的48小时回复时限" in page.text
    assert "仅保存答复（无法送达）" in page.text
    page = await staff.post(f"/staff/records/{record}/reply", {"reply": REPLY})
    assert "答复已保存，但没有送达居民" in page.text
    assert fake_wechat_api.send_requests == 0
    [(delivered, errcode, reason)] = _deliveries(staff_engine, record)
    assert (delivered, errcode) == (False, 45015) and "48小时" in reason
    inbox = await staff.get("/staff/?status=answered")
    assert "答复未送达" in inbox.text


async def test_wechats_own_45015_refusal_is_reported(
    start_app: AppFactory,
    staff_settings: Settings,
    staff_engine: Engine,
    users: dict[str, str],
    fake_wechat_api: FakeWeChatApi,
) -> None:
    record = add_record(staff_engine, "摇号什么时候", resident="oWeChatResident03")
    fake_wechat_api.fail_next_sends(45015)
    staff = await start_app(_wechat_settings(staff_settings, fake_wechat_api))
    await staff.login(users["reviewer"])
    await staff.get(f"/staff/records/{record}")
    page = await staff.post(f"/staff/records/{record}/reply", {"reply": REPLY})
    assert "超出48小时回复时限，无法通过微信送达（45015）" in page.text
    assert _deliveries(staff_engine, record) == [
        (False, 45015, "超出48小时回复时限，无法通过微信送达（45015）")
    ]


async def test_without_wechat_credentials_the_reply_is_kept_and_not_sent(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, "摇号什么时候", resident="oWeChatResident04")
    await staff.login(users["reviewer"])
    await staff.get(f"/staff/records/{record}")
    page = await staff.post(f"/staff/records/{record}/reply", {"reply": REPLY})
    assert "未配置微信公众号接口" in page.text
    assert _record(staff_engine, record).staff_reply == REPLY


async def test_an_empty_reply_is_refused_and_nothing_is_lost(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, "摇号什么时候")
    await staff.login(users["reviewer"])
    await staff.get(f"/staff/records/{record}")
    page = await staff.post(f"/staff/records/{record}/reply", {"reply": "  "})
    assert page.status == 400 and "答复内容不能为空" in page.text
    long = "长" * 2001
    page = await staff.post(f"/staff/records/{record}/reply", {"reply": long})
    assert page.status == 400 and long in page.text
    assert _record(staff_engine, record).status == "needs_review"


async def test_closing_and_reopening_are_audited(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, "摇号什么时候")
    await staff.login(users["reviewer"])
    await staff.get(f"/staff/records/{record}")
    page = await staff.post(f"/staff/records/{record}/status", {"action": "close"})
    assert "记录已关闭" in page.text and _record(staff_engine, record).status == "closed"
    page = await staff.post(f"/staff/records/{record}/status", {"action": "reopen"})
    assert "记录已重新打开" in page.text
    assert _record(staff_engine, record).status == "needs_review"
    number = _record(staff_engine, record).number
    with Session(staff_engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.target == number)).all()
    assert [(e.staff_name, e.action) for e in entries] == [
        ("reviewer1", "close"),
        ("reviewer1", "reopen"),
    ]


async def test_a_missing_record_is_404(staff: StaffClient, users: dict[str, str]) -> None:
    await staff.login(users["reviewer"])
    assert (await staff.get("/staff/records/424242")).status == 404


@pytest.mark.parametrize(
    "asked, days, shown, calendar_text",
    [
        (datetime(2025, 9, 26, 2), 5, "2025年10月10日", "国务院节假日安排（程序内置数据）"),
        (datetime(2026, 9, 30, 2), 5, "2026年10月13日", "国务院节假日安排（程序内置数据）"),
        (datetime(2026, 2, 12, 2), 15, "2026年3月11日", "国务院节假日安排（程序内置数据）"),
        (datetime(2026, 12, 25, 2), 5, "2027年1月1日", "仅按周末计算（该年节假日安排尚未录入）"),
    ],
    ids=["国庆2025", "国庆2026", "春节2026", "past-the-package"],
)
async def test_deadlines_on_the_record_page(
    staff: StaffClient,
    staff_engine: Engine,
    users: dict[str, str],
    asked: datetime,
    days: int,
    shown: str,
    calendar_text: str,
) -> None:
    record = add_record(
        staff_engine, "等了半年没消息", asked_at=asked.replace(tzinfo=UTC), days=days
    )
    await staff.login(users["reviewer"])
    page = await staff.get(f"/staff/records/{record}")
    assert f'<p class="deadline-big">{shown}</p>' in page.text
    assert f"自提问起 {days} 个工作日" in page.text
    assert calendar_text in page.text
    weekends_warning = "期限仅按周末计算，法定节假日可能被算作工作日" in page.text
    assert weekends_warning == ("仅按周末" in calendar_text)


async def test_a_deadline_counted_with_the_bureaus_holiday_file(
    start_app: AppFactory,
    staff_settings: Settings,
    staff_engine: Engine,
    users: dict[str, str],
    tmp_path: Path,
) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_text("[2027]\nholidays = [2027-01-01]\nworkdays = []\n", encoding="utf-8")
    record = add_record(
        staff_engine,
        "等了半年没消息",
        asked_at=datetime(2026, 12, 25, 2, tzinfo=UTC),
        calendar=WorkingCalendar(holidays),
    )
    settings = dataclasses.replace(staff_settings, holidays_file=str(holidays))
    staff = await start_app(settings)
    await staff.login(users["reviewer"])
    page = await staff.get(f"/staff/records/{record}")
    assert '<p class="deadline-big">2027年1月4日</p>' in page.text
    assert "国务院节假日安排（局里维护的节假日文件）" in page.text
    assert "请确认文件已按国务院通知更新" in page.text


async def test_hostile_text_renders_inert_on_the_record_page(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, HOSTILE_QUESTION, answer_text=HOSTILE_QUESTION)
    await staff.login(users["reviewer"])
    page = await staff.get(f"/staff/records/{record}")
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text
