"""Signing in and out, and changing one's own password.

A sign-in issues a new session (a new nonce, so a new CSRF token: no session fixation). Signing
out and changing the password move the user's session epoch on, which ends the user's sessions
on every device and every worker.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from handlers import keys
from handlers.staff.accounts import (
    AccountError,
    end_sessions,
    set_password,
    sign_in,
)
from handlers.staff.audit import log_action
from handlers.staff.auth import anonymous, current_account, login_location
from handlers.staff.passwords import MIN_PASSWORD_CHARS, PasswordError
from handlers.staff.rendering import render, see_other
from handlers.staff.sessions import new_session, secret_key, set_session_cookie

routes = web.RouteTableDef()

WRONG_PASSWORD = "用户名或密码不正确。"
LOCKED = "登录失败次数过多，为保护账号安全，暂停登录{minutes}分钟。如忘记密码，请联系系统管理员。"


def client_address(request: web.Request) -> str:
    """The client's address; behind a trusted proxy, the one it appended to X-Forwarded-For."""
    settings = request.config_dict[keys.settings_key]
    if settings.behind_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.remote or "unknown"


def _login_page(
    request: web.Request, *, error: str = "", name: str = "", status: int = 200
) -> web.Response:
    next_path = request.query.get("next", "")
    return render(
        request,
        "staff/login.html",
        {"error": error, "name": name, "next": login_location(next_path)},
        status=status,
    )


@routes.get("/login", name="login")
@anonymous
async def login_form(request: web.Request) -> web.Response:
    """The sign-in page."""
    return _login_page(request)


@routes.post("/login")
@anonymous
async def login_submit(request: web.Request) -> web.StreamResponse:
    """Check the name and password (throttled) and start a session."""
    form = await request.post()
    name = str(form.get("name", "")).strip()
    password = str(form.get("password", ""))
    engine = request.config_dict[keys.engine_key]
    outcome = await asyncio.to_thread(sign_in, engine, name, password, client_address(request))
    if outcome.locked_minutes:
        message = LOCKED.format(minutes=outcome.locked_minutes)
        return _login_page(request, error=message, name=name, status=429)
    if outcome.account is None:
        detail = f"来自 {client_address(request)}"
        await asyncio.to_thread(log_action, engine, name or "（空）", "login_failed", "", detail)
        return _login_page(request, error=WRONG_PASSWORD, name=name, status=401)
    account = outcome.account
    await asyncio.to_thread(log_action, engine, account.name, "login", "", account.role.label)
    response = see_other(login_location(str(form.get("next", ""))))
    session = new_session(account.id, account.session_epoch)
    settings = request.config_dict[keys.settings_key]
    set_session_cookie(response, request.app[secret_key], session, settings)
    return response


@routes.post("/logout", name="logout")
async def logout(request: web.Request) -> web.StreamResponse:
    """End the user's sessions and return to the sign-in page."""
    account = current_account(request)
    engine = request.config_dict[keys.engine_key]
    await asyncio.to_thread(end_sessions, engine, account.id)
    await asyncio.to_thread(log_action, engine, account.name, "logout")
    response = see_other("/staff/login", "signed_out")
    settings = request.config_dict[keys.settings_key]
    set_session_cookie(response, request.app[secret_key], new_session(), settings)
    return response


@routes.get("/password", name="password")
async def password_form(request: web.Request) -> web.Response:
    """The page to change one's own password."""
    return render(request, "staff/password.html", {"error": "", "min_chars": MIN_PASSWORD_CHARS})


@routes.post("/password")
async def password_submit(request: web.Request) -> web.StreamResponse:
    """Change one's own password after checking the current one; sessions end."""
    account = current_account(request)
    form = await request.post()
    current = str(form.get("current", ""))
    new = str(form.get("new", ""))
    engine = request.config_dict[keys.engine_key]
    error = ""
    if new != str(form.get("confirm", "")):
        error = "两次输入的新密码不一致。"
    else:
        check = await asyncio.to_thread(
            sign_in, engine, account.name, current, f"password:{account.id}"
        )
        if check.locked_minutes:
            error = LOCKED.format(minutes=check.locked_minutes)
        elif check.account is None:
            error = "当前密码不正确。"
    if not error:
        try:
            await asyncio.to_thread(set_password, engine, account.name, new)
        except (PasswordError, AccountError) as problem:
            error = str(problem)
    if error:
        context = {"error": error, "min_chars": MIN_PASSWORD_CHARS}
        return render(request, "staff/password.html", context, status=400)
    await asyncio.to_thread(log_action, engine, account.name, "password_changed")
    response = see_other("/staff/login", "password_changed")
    settings = request.config_dict[keys.settings_key]
    set_session_cookie(response, request.app[secret_key], new_session(), settings)
    return response
