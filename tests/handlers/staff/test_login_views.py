"""Tests for handlers.staff.login_views: signing in (throttled), out, and changing passwords."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.settings import Settings
from handlers.staff.accounts import NAME_FAILURE_LIMIT, sign_in
from knowledge.record_models import AuditEntry, LoginAttempt
from tests.handlers.staff.conftest import PASSWORD, AppFactory, StaffClient


def _audit(engine: Engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
        return [(entry.staff_name, entry.action) for entry in entries]


async def test_signing_in_opens_the_inbox_and_is_audited(
    staff: StaffClient, users: dict[str, str], staff_engine: Engine
) -> None:
    page = await staff.login(users["reviewer"])
    assert page.status == 200 and page.path == "/staff/"
    assert "收件箱" in page.text and "reviewer1" in page.text
    assert _audit(staff_engine) == [("reviewer1", "login")]


async def test_a_wrong_password_is_refused_politely_keeping_the_name(
    staff: StaffClient, users: dict[str, str], staff_engine: Engine
) -> None:
    page = await staff.login(users["reviewer"], "not the password")
    assert page.status == 401
    assert "用户名或密码不正确" in page.text
    assert 'value="reviewer1"' in page.text
    assert _audit(staff_engine) == [("reviewer1", "login_failed")]


async def test_repeated_failures_lock_the_name_with_a_polite_message(
    staff: StaffClient, users: dict[str, str], staff_engine: Engine
) -> None:
    for _ in range(NAME_FAILURE_LIMIT):
        assert (await staff.login(users["reviewer"], "not the password")).status == 401
    page = await staff.login(users["reviewer"])
    assert page.status == 429
    assert "登录失败次数过多" in page.text and "15分钟" in page.text
    assert "请联系系统管理员" in page.text
    assert (await staff.get("/staff/")).path == "/staff/login"


async def test_the_lock_holds_across_workers(
    start_app: AppFactory, staff_settings: Settings, users: dict[str, str], staff_engine: Engine
) -> None:
    first, second = await start_app(staff_settings), await start_app(staff_settings)
    for _ in range(NAME_FAILURE_LIMIT):
        await first.login(users["reviewer"], "not the password")
    assert (await second.login(users["reviewer"])).status == 429


async def test_behind_a_proxy_the_forwarded_address_is_counted(
    start_app: AppFactory, staff_settings: Settings, users: dict[str, str], staff_engine: Engine
) -> None:
    staff = await start_app(dataclasses.replace(staff_settings, behind_proxy=True))
    await staff.get("/staff/login")
    headers = {"X-Forwarded-For": "198.51.100.7, 203.0.113.20"}
    await staff.client.post(
        "/staff/login",
        data={"csrf_token": staff.csrf, "name": "reviewer1", "password": "wrong one!"},
        headers=headers,
    )
    with Session(staff_engine) as session:
        addresses = session.exec(select(LoginAttempt.address)).all()
    assert addresses == ["203.0.113.20"]


@pytest.mark.parametrize(
    "next_path, lands",
    [
        ("/staff/qa", "/staff/qa"),
        ("https://evil.example/", "/staff/"),
        ("//evil.example/staff/", "/staff/"),
        ("/qa", "/staff/"),
    ],
)
async def test_after_signing_in_only_staff_pages_are_returned_to(
    staff: StaffClient, users: dict[str, str], next_path: str, lands: str
) -> None:
    await staff.get("/staff/login")
    data = {"name": users["publisher"], "password": PASSWORD, "next": next_path}
    assert (await staff.post("/staff/login", data)).path == lands


async def test_an_anonymous_visit_returns_to_the_page_after_signing_in(
    staff: StaffClient, users: dict[str, str]
) -> None:
    page = await staff.get("/staff/qa?q=摇号")
    assert page.path == "/staff/login"
    assert 'name="next" value="/staff/qa?q=' in page.text
    data = {"name": users["publisher"], "password": PASSWORD, "next": "/staff/qa?q=摇号"}
    assert (await staff.post("/staff/login", data)).path == "/staff/qa"


async def test_signing_out_is_audited_and_ends_the_session(
    staff: StaffClient, users: dict[str, str], staff_engine: Engine
) -> None:
    await staff.login(users["admin"])
    page = await staff.post("/staff/logout", {})
    assert page.path == "/staff/login" and "您已退出登录" in page.text
    assert (await staff.get("/staff/users")).path == "/staff/login"
    assert _audit(staff_engine) == [("admin1", "login"), ("admin1", "logout")]


async def test_changing_ones_password(
    staff: StaffClient, users: dict[str, str], staff_engine: Engine
) -> None:
    await staff.login(users["reviewer"])
    await staff.get("/staff/password")
    wrong = await staff.post(
        "/staff/password",
        {
            "current": "not it at all",
            "new": "新的密码足够长了吧对吧",
            "confirm": "新的密码足够长了吧对吧",
        },
    )
    assert wrong.status == 400 and "当前密码不正确" in wrong.text
    mismatch = await staff.post(
        "/staff/password",
        {"current": PASSWORD, "new": "新的密码足够长了吧对吧", "confirm": "另一个"},
    )
    assert mismatch.status == 400 and "两次输入的新密码不一致" in mismatch.text
    done = await staff.post(
        "/staff/password",
        {"current": PASSWORD, "new": "新的密码足够长了吧对吧", "confirm": "新的密码足够长了吧对吧"},
    )
    assert done.path == "/staff/login" and "请用新密码重新登录" in done.text
    assert (
        sign_in(staff_engine, "reviewer1", "新的密码足够长了吧对吧", "127.0.0.1").account
        is not None
    )
    assert ("reviewer1", "password_changed") in _audit(staff_engine)
