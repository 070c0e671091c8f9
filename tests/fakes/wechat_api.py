"""A fake WeChat / WeCom server API (tokens and text sends) on loopback, programmable per test."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web

#: Limit the fake enforces on text content, like WeChat (45002 "content size out of limit").
MAX_CONTENT_BYTES = 2048
#: After a plain /cgi-bin/token fetch the previous token keeps working this long.
TOKEN_OVERLAP_SECONDS = 300


@dataclass(frozen=True)
class ReceivedMessage:
    """One text message the fake accepted (a send that was answered with errcode 0)."""

    touser: str
    content: str
    agentid: int | None
    access_token: str
    received_at: float
    body: bytes


@dataclass
class _Token:
    value: str
    owner: str
    expires_at: float
    rejection: int | None = None


@dataclass(frozen=True)
class _Scripted:
    errcode: int | None = None
    http_status: int | None = None
    delay_seconds: float = 0.0


class FakeWeChatApi:
    """Implements the token endpoints and both text-send endpoints, with knobs for failures.

    Every send request first has its token checked, then takes the next scripted behaviour
    (if any) from a queue filled by ``fail_next_sends``, ``http_error_next_sends`` and
    ``delay_next_sends``. Accepted messages land in ``received``.
    """

    def __init__(
        self,
        *,
        appid: str = "wx_fake_appid",
        secret: str = "fake-app-secret",
        corpid: str = "ww_fake_corp",
        corpsecret: str = "fake-corp-secret",
        agentid: int = 1000002,
        token_lifetime_seconds: int = 7200,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.appid = appid
        self.secret = secret
        self.corpid = corpid
        self.corpsecret = corpsecret
        self.agentid = agentid
        self.token_lifetime_seconds = token_lifetime_seconds
        self.received: list[ReceivedMessage] = []
        self.send_requests = 0
        self.token_fetches: dict[str, int] = {}
        self.unreachable_users: set[str] = set()
        self._clock = clock
        self._tokens: dict[str, _Token] = {}
        self._current: dict[str, _Token] = {}
        self._script: deque[_Scripted] = deque()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("the fake WeChat API is not running")
        return f"http://127.0.0.1:{self._port}"

    @property
    def token_fetch_count(self) -> int:
        return sum(self.token_fetches.values())

    @property
    def issued_tokens(self) -> list[str]:
        return list(self._tokens)

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self._stable_token)
        app.router.add_get("/cgi-bin/token", self._plain_token)
        app.router.add_get("/cgi-bin/gettoken", self._wecom_token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/message/send", self._wecom_send)
        # No access log: it would print the access_token query of every request.
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        self._runner = runner
        self._port = runner.addresses[0][1]

    async def close(self) -> None:
        self._closing.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def invalidate_current_token(self, errcode: int = 40001) -> None:
        """Make the live tokens fail with ``errcode`` (40001, 40014 or 42001) from now on."""
        for token in self._current.values():
            token.rejection = errcode
        self._current.clear()

    def accept_next_sends(self, count: int = 1) -> None:
        """Queue normal answers, to place a scripted failure behind them."""
        self._script.extend(_Scripted() for _ in range(count))

    def fail_next_sends(self, errcode: int, count: int = 1) -> None:
        self._script.extend(_Scripted(errcode=errcode) for _ in range(count))

    def http_error_next_sends(self, status: int = 500, count: int = 1) -> None:
        self._script.extend(_Scripted(http_status=status) for _ in range(count))

    def delay_next_sends(self, seconds: float, count: int = 1) -> None:
        """Accept the next sends at once but answer only after ``seconds``."""
        self._script.extend(_Scripted(delay_seconds=seconds) for _ in range(count))

    def _issue(self, owner: str) -> _Token:
        token = _Token(
            value=f"FAKE_{owner.upper()}_{secrets.token_urlsafe(24)}",
            owner=owner,
            expires_at=self._clock() + self.token_lifetime_seconds,
        )
        self._tokens[token.value] = token
        self._current[owner] = token
        return token

    def _current_or_new(self, owner: str) -> _Token:
        token = self._current.get(owner)
        if token is None or token.rejection is not None or token.expires_at <= self._clock():
            return self._issue(owner)
        return token

    def _granted(self, token: _Token) -> dict[str, Any]:
        remaining = max(1, int(token.expires_at - self._clock()))
        return {"access_token": token.value, "expires_in": remaining}

    def _count_fetch(self, request: web.Request) -> None:
        self.token_fetches[request.path] = self.token_fetches.get(request.path, 0) + 1

    async def _stable_token(self, request: web.Request) -> web.Response:
        self._count_fetch(request)
        body = await _json_body(request)
        if body is None or body.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        if body.get("appid") != self.appid:
            return _error(40013, "invalid appid")
        if body.get("secret") != self.secret:
            return _error(40125, "invalid appsecret")
        if body.get("force_refresh") is True:
            self.invalidate_current_token(40001)
        return web.json_response(self._granted(self._current_or_new("wechat")))

    async def _plain_token(self, request: web.Request) -> web.Response:
        self._count_fetch(request)
        query = request.query
        if query.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        if query.get("appid") != self.appid:
            return _error(40013, "invalid appid")
        if query.get("secret") != self.secret:
            return _error(40125, "invalid appsecret")
        # Every plain fetch supersedes the previous token, which survives only a short overlap.
        previous = self._current.get("wechat")
        if previous is not None:
            overlap_end = self._clock() + TOKEN_OVERLAP_SECONDS
            previous.expires_at = min(previous.expires_at, overlap_end)
        return web.json_response(self._granted(self._issue("wechat")))

    async def _wecom_token(self, request: web.Request) -> web.Response:
        self._count_fetch(request)
        if request.query.get("corpid") != self.corpid:
            return _error(40013, "invalid corpid")
        if request.query.get("corpsecret") != self.corpsecret:
            return _error(40001, "invalid credential")
        granted = self._granted(self._current_or_new("wecom"))
        return web.json_response({"errcode": 0, "errmsg": "ok", **granted})

    async def _custom_send(self, request: web.Request) -> web.StreamResponse:
        return await self._send(request, owner="wechat")

    async def _wecom_send(self, request: web.Request) -> web.StreamResponse:
        return await self._send(request, owner="wecom")

    async def _send(self, request: web.Request, owner: str) -> web.StreamResponse:
        self.send_requests += 1
        raw = await request.read()
        refusal = self._check_token(request.query.get("access_token"), owner)
        if refusal is not None:
            return refusal
        body = _parse_object(raw)
        if body is None:
            return _error(47001, "data format error")
        text = body.get("text")
        content = text.get("content") if isinstance(text, dict) else None
        touser = body.get("touser")
        if body.get("msgtype") != "text" or not isinstance(content, str) or not touser:
            return _error(44004, "empty content or bad message")
        if len(content.encode("utf-8")) > MAX_CONTENT_BYTES:
            return _error(45002, "content size out of limit")
        agentid = body.get("agentid")
        if owner == "wecom":
            if agentid != self.agentid:
                return _error(40056, "invalid agentid")
            if touser in self.unreachable_users:
                return _error(81013, "user & party & tag all invalid")
        scripted = self._script.popleft() if self._script else _Scripted()
        if scripted.http_status is not None:
            return web.Response(status=scripted.http_status, text="Internal Server Error")
        if scripted.errcode is not None:
            return _error(scripted.errcode, f"scripted error {scripted.errcode}")
        self.received.append(
            ReceivedMessage(
                touser=str(touser),
                content=content,
                agentid=agentid if isinstance(agentid, int) else None,
                access_token=request.query["access_token"],
                received_at=self._clock(),
                body=raw,
            )
        )
        if scripted.delay_seconds:
            await self._pause(scripted.delay_seconds)
        return _error(0, "ok")

    def _check_token(self, value: str | None, owner: str) -> web.Response | None:
        if not value:
            return _error(41001, "access_token missing")
        token = self._tokens.get(value)
        if token is None or token.owner != owner:
            return _error(40014, "invalid access_token")
        if token.rejection is not None:
            return _error(token.rejection, "invalid credential, access_token is not latest")
        if token.expires_at <= self._clock():
            return _error(42001, "access_token expired")
        return None

    async def _pause(self, seconds: float) -> None:
        # Cut short when the fake shuts down, so a test's cleanup never waits for a delay.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)


def _error(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})


async def _json_body(request: web.Request) -> dict[str, Any] | None:
    return _parse_object(await request.read())


def _parse_object(raw: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(raw)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


@pytest.fixture
async def fake_wechat_api() -> AsyncIterator[FakeWeChatApi]:
    """A running FakeWeChatApi on 127.0.0.1 with an ephemeral port; see ``.base_url``."""
    fake = FakeWeChatApi()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()
