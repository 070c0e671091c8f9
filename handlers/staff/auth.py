"""Who is asking, and may they: the session middleware, CSRF checks and role requirements.

Every route of the staff workspace requires a signed-in, active user unless it is marked with
@anonymous (the sign-in page); every POST must carry the session's CSRF token, either as the
form field csrf_token or in the X-CSRF-Token header. An upload reads its own token from the
multipart stream (@checks_own_csrf) so that the file need not be buffered first.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.typedefs import Handler

from handlers import keys
from handlers.staff.accounts import Role, StaffAccount, session_account
from handlers.staff.rendering import render_error
from handlers.staff.sessions import (
    COOKIE_NAME,
    SessionData,
    csrf_matches,
    decode_session,
    new_session,
    secret_key,
    session_key,
    set_session_cookie,
    staff_key,
)

_ANONYMOUS = "_anju_allows_anonymous"
_OWN_CSRF = "_anju_checks_own_csrf"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSRF_REFUSED = "页面已过期或来源不明，操作未执行。请返回上一页，刷新后重试。"
SIGN_IN_REQUIRED = "请先登录。"

View = Callable[[web.Request], Awaitable[web.StreamResponse]]


def anonymous(view: View) -> View:
    """Mark a view that anyone may reach (the sign-in page)."""
    setattr(view, _ANONYMOUS, True)
    return view


def checks_own_csrf(view: View) -> View:
    """Mark a POST view that reads and checks the CSRF token itself (multipart uploads)."""
    setattr(view, _OWN_CSRF, True)
    return view


def allows_anonymous(view: object) -> bool:
    """True for views marked @anonymous."""
    return bool(getattr(view, _ANONYMOUS, False))


def requires(role: Role) -> Callable[[View], View]:
    """Refuse the view (403, with a page saying why) to users below role."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        async def checked(request: web.Request) -> web.StreamResponse:
            account = request[staff_key]
            if not account.role.allows(role):
                message = f"此操作需要{role.label}或更高权限，您的角色是{account.role.label}。"
                return await render_error(request, message, status=403)
            return await view(request)

        return checked

    return decorate


def current_account(request: web.Request) -> StaffAccount:
    """The signed-in user (the middleware guarantees one outside @anonymous views)."""
    return request[staff_key]


def request_csrf_ok(request: web.Request, presented: str) -> bool:
    """True when presented is the CSRF token of this request's session."""
    return bool(presented) and csrf_matches(
        request.app[secret_key], request[session_key], presented
    )


async def _session_of(request: web.Request) -> tuple[SessionData, StaffAccount | None, bool]:
    secret = request.app[secret_key]
    raw = request.cookies.get(COOKIE_NAME, "")
    session = decode_session(secret, raw) if raw else None
    if session is None:
        return new_session(), None, True
    if not session.signed_in:
        return session, None, False
    engine = request.config_dict[keys.engine_key]
    account = await asyncio.to_thread(session_account, engine, session.user_id, session.epoch)
    if account is None:
        # Signed out elsewhere, password changed, or deactivated: start over, anonymous.
        return new_session(), None, True
    return session, account, False


@web.middleware
async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the session and user; refuse anonymous users and POSTs without a CSRF token."""
    session, account, fresh = await _session_of(request)
    request[session_key] = session
    if account is not None:
        request[staff_key] = account
    view = request.match_info.handler
    response: web.StreamResponse
    if account is None and not allows_anonymous(view):
        response = await _refuse_anonymous(request)
    elif request.method not in _SAFE_METHODS and not getattr(view, _OWN_CSRF, False):
        presented = request.headers.get(CSRF_HEADER, "")
        if not presented and request.content_type == "application/x-www-form-urlencoded":
            form = await request.post()
            value = form.get(CSRF_FIELD, "")
            presented = value if isinstance(value, str) else ""
        if request_csrf_ok(request, presented):
            response = await handler(request)
        else:
            response = await render_error(request, CSRF_REFUSED, status=403)
    else:
        response = await handler(request)
    if fresh and COOKIE_NAME not in response.cookies:
        settings = request.config_dict[keys.settings_key]
        set_session_cookie(response, request.app[secret_key], session, settings)
    return response


async def _refuse_anonymous(request: web.Request) -> web.StreamResponse:
    if request.method in _SAFE_METHODS:
        # Returned, not raised, so that the middleware can still attach the session cookie.
        return web.Response(status=303, headers={"Location": login_url(request.path_qs)})
    return await render_error(request, SIGN_IN_REQUIRED, status=401)


def login_location(next_path: str) -> str:
    """Where to go after signing in: next when it is a staff page, else the inbox."""
    if next_path.startswith("/staff/") and not next_path.startswith("//"):
        return next_path
    return "/staff/"


def login_url(next_path: str = "") -> str:
    """The sign-in page, remembering where to return (staff pages only)."""
    if next_path in ("", "/staff/") or login_location(next_path) != next_path:
        return "/staff/login"
    return f"/staff/login?{urlencode({'next': next_path})}"
