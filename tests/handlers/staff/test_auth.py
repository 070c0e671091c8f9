"""Tests for handlers.staff.auth: who may reach which staff route, and CSRF on every POST."""

from __future__ import annotations

import re

import pytest
from aiohttp import web
from sqlalchemy import Engine

from handlers.staff.accounts import set_active, set_password
from handlers.staff.auth import allows_anonymous
from tests.handlers.staff.conftest import PASSWORD, StaffClient, add_record, upload_form


def _staff_app(staff: StaffClient) -> web.Application:
    for resource in staff.app.router.resources():
        app = getattr(resource, "_app", None)
        if isinstance(app, web.Application):
            return app
    raise AssertionError("the staff workspace is not mounted")


def _sample_path(canonical: str) -> str:
    """A concrete path for a route pattern: numbers for ids, a name for names."""
    path = re.sub(r"\{(record_id|qa_id|number)[^}]*\}", "17", canonical)
    return re.sub(r"\{name[^}]*\}", "reviewer1", path)


async def test_every_staff_route_refuses_anonymous_visitors(staff: StaffClient) -> None:
    staff_app = _staff_app(staff)
    checked = 0
    for route in staff_app.router.routes():
        if route.method == "HEAD" or allows_anonymous(route.handler):
            continue
        assert route.resource is not None
        path = _sample_path(route.resource.canonical)
        assert path.startswith("/staff/"), path
        response = await staff.client.request(route.method, path, allow_redirects=False)
        body = await response.text()
        if route.method == "GET":
            assert response.status == 303, path
            assert response.headers["Location"].startswith("/staff/login")
        else:
            assert response.status == 401, f"{route.method} {path}"
            assert "请先登录" in body
        checked += 1
    # Inbox, record, reply, status, publish (2), Q&A pages, material, users, audit, ...
    assert checked >= 20


async def test_only_the_sign_in_page_is_open(staff: StaffClient) -> None:
    open_routes = {
        (route.method, route.resource.canonical)
        for route in _staff_app(staff).router.routes()
        if route.resource is not None and allows_anonymous(route.handler)
    }
    login = "/staff/login"
    assert open_routes == {("GET", login), ("HEAD", login), ("POST", login)}


@pytest.mark.parametrize(
    "method, path, data",
    [
        ("GET", "/staff/records/{record}/publish", {}),
        ("POST", "/staff/records/{record}/publish", {"question": "问", "answer": "答复"}),
        ("GET", "/staff/qa/new", {}),
        ("POST", "/staff/qa/new", {"question": "问", "answer": "答复"}),
        ("POST", "/staff/qa/1/withdraw", {}),
        ("GET", "/staff/users", {}),
        ("GET", "/staff/audit", {}),
    ],
)
async def test_a_reviewer_cannot_publish_or_manage(
    staff: StaffClient,
    users: dict[str, str],
    staff_engine: Engine,
    method: str,
    path: str,
    data: dict[str, str],
) -> None:
    record = add_record(staff_engine, "公租房怎么申请")
    await staff.login(users["reviewer"])
    path = path.format(record=record)
    page = await (staff.get(path) if method == "GET" else staff.post(path, data))
    assert page.status == 403
    assert "您的角色是审核员" in page.text


async def test_a_reviewer_cannot_upload_material(staff: StaffClient, users: dict[str, str]) -> None:
    await staff.login(users["reviewer"])
    page = await staff.get("/staff/material/13")
    assert "上传并导入" not in page.text
    form = upload_form(staff.csrf, [("须知.txt", "公租房申请须知".encode())])
    response = await staff.client.post("/staff/material/13/upload", data=form)
    assert response.status == 403
    assert "您的角色是审核员" in await response.text()


@pytest.mark.parametrize(
    "token",
    ["", "forged-token", "0" * 43],
    ids=["missing", "forged", "wrong"],
)
async def test_a_form_without_the_session_token_is_refused(
    staff: StaffClient, users: dict[str, str], staff_engine: Engine, token: str
) -> None:
    record = add_record(staff_engine, "摇号什么时候")
    await staff.login(users["reviewer"])
    data = {"reply": "下一批摇号定于12月18日。"} | ({"csrf_token": token} if token else {})
    page = await staff.post(f"/staff/records/{record}/reply", data, csrf=False)
    assert page.status == 403
    assert "页面已过期或来源不明" in page.text
    record_page = await staff.get(f"/staff/records/{record}")
    assert "下一批摇号定于12月18日" not in record_page.text


async def test_another_sessions_token_is_refused(
    start_app: object, staff: StaffClient, users: dict[str, str], staff_engine: Engine
) -> None:
    record = add_record(staff_engine, "摇号什么时候")
    await staff.login(users["reviewer"])
    stolen = staff.csrf
    await staff.post("/staff/logout", {})
    await staff.login(users["publisher"])
    data = {"reply": "答复", "csrf_token": stolen}
    page = await staff.post(f"/staff/records/{record}/reply", data, csrf=False)
    assert page.status == 403


async def test_an_upload_without_the_token_first_is_refused(
    staff: StaffClient, users: dict[str, str]
) -> None:
    await staff.login(users["publisher"])
    form = upload_form(None, [("须知.txt", "公租房申请须知".encode())])
    response = await staff.client.post("/staff/material/13/upload", data=form)
    assert response.status == 403
    assert "页面已过期或来源不明" in await response.text()


async def test_the_session_cookie_is_http_only_and_strict(
    staff: StaffClient, users: dict[str, str]
) -> None:
    await staff.get("/staff/login")
    response = await staff.client.post(
        "/staff/login",
        data={"csrf_token": staff.csrf, "name": users["reviewer"], "password": PASSWORD},
        allow_redirects=False,
    )
    assert response.status == 303
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header
    assert "SameSite=Strict" in header
    assert "Path=/staff/" in header
    assert "Secure" not in header


@pytest.mark.parametrize("end", ["logout", "password", "disable"])
async def test_sessions_end_on_logout_password_change_and_deactivation(
    staff: StaffClient, users: dict[str, str], staff_engine: Engine, end: str
) -> None:
    name = users["reviewer"]
    await staff.login(name)
    assert (await staff.get("/staff/")).path == "/staff/"
    cookies = staff.client.session.cookie_jar.filter_cookies(staff.client.make_url("/staff/"))
    kept = {key: morsel.value for key, morsel in cookies.items()}
    if end == "logout":
        await staff.post("/staff/logout", {})
    elif end == "password":
        set_password(staff_engine, name, "another good password")
    else:
        set_active(staff_engine, name, False)
    # The old cookie, replayed as it was, no longer opens anything.
    staff.client.session.cookie_jar.update_cookies(kept, staff.client.make_url("/staff/"))
    page = await staff.get("/staff/")
    assert page.path == "/staff/login"


async def test_a_tampered_cookie_is_anonymous(staff: StaffClient, users: dict[str, str]) -> None:
    await staff.login(users["admin"])
    url = staff.client.make_url("/staff/")
    cookie = staff.client.session.cookie_jar.filter_cookies(url)["anju_staff"].value
    version, payload, signature = cookie.split(".")
    forged = f"{version}.{payload}x.{signature}"
    staff.client.session.cookie_jar.update_cookies({"anju_staff": forged}, url)
    assert (await staff.get("/staff/users")).path == "/staff/login"
