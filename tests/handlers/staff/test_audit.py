"""Tests for handlers.staff.audit: every staff action is logged with who, when and on what,
and only admins read the log."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from aiohttp import FormData
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.record_models import AuditEntry, Interaction
from tests.handlers.staff.conftest import StaffClient, add_record


def _entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


async def test_each_action_is_logged_with_who_when_and_what(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    record = add_record(staff_engine, "外地人能申请公租房吗", channel="web", resident="w-9")
    with Session(staff_engine) as session:
        stored = session.get(Interaction, record)
        assert stored is not None
        number = stored.number
    await staff.login(users["reviewer"])
    await staff.get(f"/staff/records/{record}")
    await staff.post(f"/staff/records/{record}/reply", {"reply": "可以申请。"})
    await staff.post(f"/staff/records/{record}/status", {"action": "close"})
    await staff.post("/staff/logout", {})
    await staff.login(users["publisher"])
    await staff.get(f"/staff/records/{record}/publish")
    page = await staff.post(
        f"/staff/records/{record}/publish",
        {"question": "外地户籍可以申请公租房吗？", "answer": "持居住证满1年可以申请。"},
    )
    qa_id = int(re.findall(r"/staff/qa/(\d+)/edit", page.path)[0])
    await staff.post(
        f"/staff/qa/{qa_id}/edit",
        {"question": "外地户籍可以申请公租房吗？", "answer": "持居住证满1年的可以申请。"},
    )
    await staff.post(f"/staff/qa/{qa_id}/withdraw", {"confirm": "1"})
    await staff.get("/staff/material/13")
    form = FormData(default_to_multipart=True)
    form.add_field("csrf_token", staff.csrf)
    form.add_field("files", io.BytesIO("须知\n办理地点：政务大厅".encode()), filename="须知.txt")
    await staff.client.post("/staff/material/13/upload", data=form)
    await staff.post("/staff/logout", {})
    await staff.login(users["admin"])
    await staff.get("/staff/users")
    await staff.post(
        "/staff/users", {"name": "王芳", "role": "reviewer", "password": "王芳的初始密码123"}
    )
    await staff.post("/staff/users/王芳", {"action": "role", "value": "publisher"})
    await staff.post("/staff/users/王芳", {"action": "disable"})
    await staff.post("/staff/users/王芳", {"action": "password", "value": "重置后的新密码456"})

    entries = _entries(staff_engine)
    logged = [(e.staff_name, e.action, e.target) for e in entries]
    assert logged == [
        ("reviewer1", "login", ""),
        ("reviewer1", "reply", number),
        ("reviewer1", "close", number),
        ("reviewer1", "logout", ""),
        ("publisher1", "login", ""),
        ("publisher1", "publish_qa", f"问答{qa_id}"),
        ("publisher1", "edit_qa", f"问答{qa_id}"),
        ("publisher1", "withdraw_qa", f"问答{qa_id}"),
        ("publisher1", "upload", "13 保障性住房申请受理"),
        ("publisher1", "logout", ""),
        ("admin1", "login", ""),
        ("admin1", "user_added", "王芳"),
        ("admin1", "role_changed", "王芳"),
        ("admin1", "user_disabled", "王芳"),
        ("admin1", "password_reset", "王芳"),
    ]
    finished = datetime.now(UTC) + timedelta(seconds=1)
    times = [e.at.replace(tzinfo=UTC) if e.at.tzinfo is None else e.at for e in entries]
    assert all(started <= at <= finished for at in times)
    assert times == sorted(times)
    # The log never holds a password.
    assert not any("密码123" in e.detail or "密码456" in e.detail for e in entries)


async def test_the_log_page_is_for_admins_and_filters(
    staff: StaffClient, users: dict[str, str]
) -> None:
    await staff.login(users["reviewer"])
    assert (await staff.get("/staff/audit")).status == 403
    await staff.post("/staff/logout", {})
    await staff.login(users["admin"])
    page = await staff.get("/staff/audit")
    assert page.status == 200
    assert "reviewer1" in page.text and "退出登录" in page.text
    only_admin = await staff.get("/staff/audit?staff=admin1")
    assert "reviewer1" not in only_admin.text.split("<tbody>")[1]
    logins = await staff.get("/staff/audit?action=logout")
    assert "共 1 条" in logins.text
