"""User management for admins: add users, change roles, disable and enable, reset passwords.

Disabling a user or resetting their password ends their sessions at once (session epoch). An
admin cannot disable or demote themselves, so the bureau never locks itself out by accident.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from handlers import keys
from handlers.staff.accounts import (
    AccountError,
    Role,
    StaffAccount,
    create_user,
    list_users,
    set_active,
    set_password,
    set_role,
)
from handlers.staff.audit import log_action
from handlers.staff.auth import current_account, requires
from handlers.staff.passwords import MIN_PASSWORD_CHARS, PasswordError
from handlers.staff.rendering import render, see_other

routes = web.RouteTableDef()


async def _users_page(
    request: web.Request, *, error: str = "", name: str = "", status: int = 200
) -> web.Response:
    engine = request.config_dict[keys.engine_key]
    users = await asyncio.to_thread(list_users, engine)
    return render(
        request,
        "staff/users.html",
        {
            "users": users,
            "roles": tuple(Role),
            "error": error,
            "name": name,
            "min_chars": MIN_PASSWORD_CHARS,
        },
        status=status,
    )


@routes.get("/users", name="users")
@requires(Role.ADMIN)
async def users(request: web.Request) -> web.Response:
    """The list of users and the form to add one."""
    return await _users_page(request)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise AccountError("请选择角色") from None


@routes.post("/users")
@requires(Role.ADMIN)
async def add_user(request: web.Request) -> web.StreamResponse:
    """Add a user with an initial password."""
    form = await request.post()
    name = str(form.get("name", "")).strip()
    password = str(form.get("password", ""))
    admin = current_account(request)
    engine = request.config_dict[keys.engine_key]
    try:
        role = _role(str(form.get("role", "")))
        account = await asyncio.to_thread(create_user, engine, name, role, password)
    except (AccountError, PasswordError) as problem:
        return await _users_page(request, error=str(problem), name=name, status=400)
    await asyncio.to_thread(
        log_action, engine, admin.name, "user_added", account.name, account.role.label
    )
    return see_other("/staff/users", "user_added")


def _change(
    form_action: str, admin: StaffAccount, name: str, value: str
) -> tuple[str, Callable[..., StaffAccount], tuple[object, ...], str]:
    """(audit action, function, arguments, audit detail) for one change to a user."""
    if name == admin.name and form_action in ("disable", "role"):
        raise AccountError("不能停用自己或变更自己的角色，请让另一位管理员操作")
    if form_action == "disable":
        return "user_disabled", set_active, (name, False), ""
    if form_action == "enable":
        return "user_enabled", set_active, (name, True), ""
    if form_action == "role":
        role = _role(value)
        return "role_changed", set_role, (name, role), role.label
    if form_action == "password":
        return "password_reset", set_password, (name, value), ""
    raise AccountError("未知的操作")


@routes.post(r"/users/{name}", name="user_change")
@requires(Role.ADMIN)
async def change_user(request: web.Request) -> web.StreamResponse:
    """Disable, enable, change the role of, or reset the password of one user."""
    name = request.match_info["name"]
    form = await request.post()
    admin = current_account(request)
    engine = request.config_dict[keys.engine_key]
    try:
        action, function, arguments, detail = _change(
            str(form.get("action", "")), admin, name, str(form.get("value", ""))
        )
        await asyncio.to_thread(function, engine, *arguments)
    except (AccountError, PasswordError) as problem:
        return await _users_page(request, error=f"{name}：{problem}", status=400)
    await asyncio.to_thread(log_action, engine, admin.name, action, name, detail)
    return see_other("/staff/users", "user_changed")
