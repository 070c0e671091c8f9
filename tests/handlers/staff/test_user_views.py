"""Tests for handlers.staff.user_views: admins add users, change roles, disable, reset."""

from __future__ import annotations

from sqlalchemy import Engine

from handlers.staff.accounts import Role, list_users, sign_in
from tests.handlers.staff.conftest import PASSWORD, StaffClient


def _roles(engine: Engine) -> dict[str, tuple[str, bool]]:
    return {user.name: (user.role.value, user.active) for user in list_users(engine)}


async def test_an_admin_manages_users(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    await staff.login(users["admin"])
    await staff.get("/staff/users")
    page = await staff.post(
        "/staff/users", {"name": "王芳", "role": "publisher", "password": "王芳的初始密码123"}
    )
    assert "用户已添加" in page.text and "王芳" in page.text
    await staff.post("/staff/users/王芳", {"action": "role", "value": "reviewer"})
    await staff.post("/staff/users/王芳", {"action": "disable"})
    assert _roles(staff_engine)["王芳"] == ("reviewer", False)
    await staff.post("/staff/users/王芳", {"action": "enable"})
    await staff.post("/staff/users/王芳", {"action": "password", "value": "重置后的新密码456"})
    assert sign_in(staff_engine, "王芳", "重置后的新密码456", "127.0.0.1").account is not None


async def test_bad_input_is_refused_and_the_form_keeps_the_name(
    staff: StaffClient, users: dict[str, str]
) -> None:
    await staff.login(users["admin"])
    await staff.get("/staff/users")
    page = await staff.post("/staff/users", {"name": "李静", "role": "publisher", "password": "短"})
    assert (
        page.status == 400 and "密码至少需要10个字符" in page.text and 'value="李静"' in page.text
    )
    page = await staff.post(
        "/staff/users", {"name": "reviewer1", "role": "publisher", "password": PASSWORD}
    )
    assert page.status == 400 and "已存在" in page.text
    page = await staff.post("/staff/users", {"name": "李静", "role": "boss", "password": PASSWORD})
    assert page.status == 400 and "请选择角色" in page.text


async def test_an_admin_cannot_lock_themselves_out(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    await staff.login(users["admin"])
    await staff.get("/staff/users")
    page = await staff.post("/staff/users/admin1", {"action": "disable"})
    assert page.status == 400 and "不能停用自己" in page.text
    page = await staff.post("/staff/users/admin1", {"action": "role", "value": "reviewer"})
    assert page.status == 400
    assert _roles(staff_engine)["admin1"] == (Role.ADMIN.value, True)


async def test_a_publisher_cannot_manage_users(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    await staff.login(users["publisher"])
    page = await staff.post("/staff/users/reviewer1", {"action": "disable"})
    assert page.status == 403
    assert _roles(staff_engine)["reviewer1"] == ("reviewer", True)
