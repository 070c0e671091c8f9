"""Tests for handlers.staff.material_views: uploading into a catalog item with the importer's
report on the page, and each item's documents with versions and ages."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from handlers import keys
from handlers.settings import Settings
from handlers.staff.material_views import MAX_UPLOAD_BYTES, safe_file_name
from knowledge.record_models import AuditEntry
from tests.handlers.staff.conftest import AppFactory, StaffClient, upload_form

NOTICE = "关于公租房申请的通知\n发布日期：2026-11-02\n申请材料：身份证、户口簿。\n".encode()


async def _upload(staff: StaffClient, number: int, files: list[tuple[str, bytes]]) -> str:
    await staff.get(f"/staff/material/{number}")
    response = await staff.client.post(
        f"/staff/material/{number}/upload", data=upload_form(staff.csrf, files)
    )
    text = await response.text()
    assert response.status in (200, 400), text
    return text


async def test_an_upload_is_imported_reported_and_indexed(
    start_app: AppFactory, staff_settings: Settings, staff_engine: Engine, users: dict[str, str]
) -> None:
    staff = await start_app(dataclasses.replace(staff_settings, load_demo="auto"))
    await staff.login(users["publisher"])
    revision = staff.app[keys.live_index_key].current().revision
    text = await _upload(
        staff,
        13,
        [("申请通知.txt", NOTICE), ("坏文件.pdf", b"%PDF-1.4"), ("../../etc/passwd.txt", b"x")],
    )
    assert "导入结果" in text
    assert "新增 2，更新 0，未变 0，失败 1" in text
    assert "关于公租房申请的通知" in text and "坏文件.pdf" in text
    assert "etc/passwd" not in text and "passwd.txt" in text
    # The new material is what the bot answers from now (the demo gave way to it).
    index = staff.app[keys.live_index_key].current()
    assert index.revision != revision
    assert any("身份证、户口簿" in entry.text for entry in index.entries)
    with Session(staff_engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "upload")).all()
    assert [(e.staff_name, e.target) for e in entries] == [("publisher1", "13 保障性住房申请受理")]
    assert "申请通知.txt" in entries[0].detail and "失败1" in entries[0].detail


async def test_the_item_page_lists_documents_with_versions_and_ages(
    staff: StaffClient, users: dict[str, str]
) -> None:
    await staff.login(users["publisher"])
    await _upload(staff, 13, [("申请通知.txt", NOTICE)])
    changed = NOTICE.replace("户口簿".encode(), "户口簿、收入证明".encode())
    text = await _upload(staff, 13, [("申请通知.txt", changed)])
    assert "新增 0，更新 1" in text
    page = await staff.get("/staff/material/13")
    assert "第2版" in page.text and "历史版本（1）" in page.text
    assert "个工作日" in page.text and "公开用时" in page.text
    index = await staff.get("/staff/material")
    assert "/staff/material/13" in index.text


@pytest.mark.parametrize(
    "files, message",
    [
        ([], "请选择要上传的文件"),
        ([("大文件.txt", b"x" * (MAX_UPLOAD_BYTES + 1))], "合计不能超过"),
    ],
    ids=["nothing", "too-big"],
)
async def test_uploads_that_cannot_be_taken_say_why(
    staff: StaffClient, users: dict[str, str], files: list[tuple[str, bytes]], message: str
) -> None:
    await staff.login(users["publisher"])
    text = await _upload(staff, 13, files)
    assert message in text


async def test_an_unknown_item_is_404(staff: StaffClient, users: dict[str, str]) -> None:
    await staff.login(users["publisher"])
    assert (await staff.get("/staff/material/999")).status == 404


@pytest.mark.parametrize(
    "sent, kept",
    [
        ("通知.docx", "通知.docx"),
        ("C:\\Users\\王芳\\通知.docx", "通知.docx"),
        ("a/b/../c.csv", "c.csv"),
        ("%E9%80%9A%E7%9F%A5.txt", "通知.txt"),
        ("..%2F..%2Fetc%2Fpasswd", "passwd"),
    ],
)
def test_file_names_lose_their_folders(sent: str, kept: str) -> None:
    assert safe_file_name(sent) == kept
