"""Fixtures of the webhook tests: the app on a test server and a WeChat peer built on wechatpy.

wechatpy (an implementation nobody on the project wrote) signs and encrypts every request and
decrypts and checks every reply; the app is the real one (create_app) over the database_url
fixture, so each webhook test runs against SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
import xmltodict
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.replies import deserialize_reply

from bot.answer import Answer
from handlers import keys
from handlers.app import create_app
from handlers.settings import Secret, Settings
from handlers.wechat.answering import Answering
from knowledge.record_models import Delivery, Interaction

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]

TOKEN = "anjuWebhookToken"
AES_KEY = "Zq3xW8mN2pL5vB7cR9tY1uI4oP6aS0dF3gH5jK8lQ2e"
APPID = "wx7c3ed1b8a2f40d96"
CORPID = "ww5a1c9e3f7b2d8460"
ACCOUNT = "gh_3b8c51d2e4f6"
RESIDENT = "oAbC-resident_0000000000001"
PUBLIC_URL = "https://zjj.shanyin.example.gov.cn"
MODES = ("plain", "compat", "safe")


@dataclass(frozen=True)
class PeerReply:
    """A reply as the WeChat platform reads it (decrypted and checked by wechatpy)."""

    status: int
    raw: str
    kind: str  # success, text, news or error
    content: str = ""
    articles: tuple[Mapping[str, str], ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)


def message_xml(
    kind: str = "text",
    *,
    content: str | None = None,
    msg_id: int | None = None,
    from_user: str = RESIDENT,
    to_user: str = ACCOUNT,
    create_time: int | None = None,
    event: str | None = None,
    event_key: str | None = None,
    **extra: str,
) -> str:
    """A push as WeChat sends it (CDATA text, bare numbers)."""

    def cdata(value: str) -> str:
        return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"

    parts = [
        f"<ToUserName>{cdata(to_user)}</ToUserName>",
        f"<FromUserName>{cdata(from_user)}</FromUserName>",
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>",
        f"<MsgType>{cdata(kind)}</MsgType>",
    ]
    if content is not None:
        parts.append(f"<Content>{cdata(content)}</Content>")
    if event is not None:
        parts.append(f"<Event>{cdata(event)}</Event>")
    if event_key is not None:
        parts.append(f"<EventKey>{cdata(event_key)}</EventKey>")
    parts.extend(f"<{name}>{cdata(value)}</{name}>" for name, value in extra.items())
    if kind != "event":
        parts.append(f"<MsgId>{msg_id if msg_id is not None else _next_msg_id()}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


_MSG_IDS = iter(range(6_054_768_590_064_713_728, 7_000_000_000_000_000_000, 7))


def _next_msg_id() -> int:
    return next(_MSG_IDS)


def sign(*parts: str) -> str:
    """The plain sha1 over sorted parts, as WeChat computes it (independent of our code)."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


@dataclass
class Peer:
    """Plays the WeChat platform (or WeCom) against the app, with wechatpy's crypto."""

    client: Client
    mode: str = "safe"  # plain, compat, safe or wecom
    token: str = TOKEN
    aes_key: str = AES_KEY
    receive_id: str = APPID
    nonces: int = 100_000

    @property
    def path(self) -> str:
        return "/wecom" if self.mode == "wecom" else "/wechat"

    @property
    def crypto(self) -> WeChatCrypto:
        if self.mode == "wecom":
            return WeComCrypto(self.token, self.aes_key, self.receive_id)
        return WeChatCrypto(self.token, self.aes_key, self.receive_id)

    def build(
        self, xml: str, *, timestamp: str | None = None, nonce: str | None = None
    ) -> tuple[str, bytes]:
        """The signed request WeChat would send for xml: (path with query, body)."""
        timestamp = timestamp or str(int(time.time()))
        self.nonces += 1
        nonce = nonce or str(self.nonces)
        if self.mode == "plain":
            query = {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp}
            query |= {"nonce": nonce, "openid": RESIDENT}
            return f"{self.path}?{urlencode(query)}", xml.encode("utf-8")
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, timestamp))["xml"]
        encrypt, msg_signature = envelope["Encrypt"], envelope["MsgSignature"]
        if self.mode == "wecom":
            query = {"msg_signature": msg_signature, "timestamp": timestamp, "nonce": nonce}
            body = (
                f"<xml><ToUserName><![CDATA[{self.receive_id}]]></ToUserName>"
                f"<AgentID>1000002</AgentID><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
            )
            return f"{self.path}?{urlencode(query)}", body.encode("utf-8")
        query = {"signature": sign(self.token, timestamp, nonce), "timestamp": timestamp}
        query |= {"nonce": nonce, "openid": RESIDENT, "encrypt_type": "aes"}
        query["msg_signature"] = msg_signature
        if self.mode == "compat":
            body = xml.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
        else:
            body = (
                f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
            )
        return f"{self.path}?{urlencode(query)}", body.encode("utf-8")

    async def post(self, xml: str, **build: str) -> PeerReply:
        target, body = self.build(xml, **build)
        return await self.send(target, body)

    async def send(self, target: str, body: bytes) -> PeerReply:
        response = await self.client.post(target, data=body, headers={"Content-Type": "text/xml"})
        return self.read(response.status, await response.read())

    async def text(self, content: str, **xml: Any) -> PeerReply:
        return await self.post(message_xml("text", content=content, **xml))

    def read(self, status: int, body: bytes) -> PeerReply:
        """Check the reply the way WeChat needs it (encrypted and signed when asked in cipher)."""
        raw = body.decode("utf-8")
        if status != 200:
            return PeerReply(status, raw, "error")
        if raw == "success":
            return PeerReply(status, raw, "success")
        outer = xmltodict.parse(raw)["xml"]
        if self.mode != "plain":
            assert "Encrypt" in outer, "a reply to an encrypted push must be encrypted"
            # wechatpy checks MsgSignature over the reply's own TimeStamp and Nonce, decrypts
            # and checks the AppID/CorpID.
            plain = self.crypto.decrypt_message(
                raw, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]
            )
        else:
            assert "Encrypt" not in outer
            plain = raw
        inner = xmltodict.parse(plain)["xml"]
        if inner["MsgType"] == "news":
            items = inner["Articles"]["item"]
            articles = tuple(items if isinstance(items, list) else [items])
            assert int(inner["ArticleCount"]) == len(articles) == 1
            return PeerReply(status, raw, "news", articles=articles, fields=inner)
        reply = deserialize_reply(plain)
        return PeerReply(status, raw, "text", reply.content, fields=inner)


def webhook_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings of an app with both webhooks configured (safe mode for the 公众号)."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "public_url": PUBLIC_URL,
        "wechat_token": Secret(TOKEN),
        "wechat_aes_key": Secret(AES_KEY),
        "wechat_appid": APPID,
        "wecom_token": Secret(TOKEN),
        "wecom_aes_key": Secret(AES_KEY),
        "wecom_corpid": CORPID,
        "session_secret": Secret("webhook-tests-session-secret-0123456789"),
    }
    return Settings(**(values | overrides))


@dataclass
class Harness:
    """Starts the app (optionally with a replaced bot, clock or limiter) and reads its records."""

    aiohttp_client: ClientFactory
    database_url: str

    async def start(
        self,
        *,
        answering: Callable[[web.Application], Answering] | None = None,
        clock: Callable[[], float] | None = None,
        **settings: Any,
    ) -> Client:
        app = create_app(webhook_settings(self.database_url, **settings))
        if answering is not None:
            app[keys.answering_factory_key] = answering
        if clock is not None:
            app[keys.wall_clock_key] = clock
        return await self.aiohttp_client(app)

    async def peer(self, mode: str = "safe", **settings: Any) -> Peer:
        if mode == "plain":
            settings = {"wechat_aes_key": Secret("")} | settings
        client = await self.start(**settings)
        return Peer(client, mode, receive_id=CORPID if mode == "wecom" else APPID)


def records(client: Client) -> list[Interaction]:
    """Every interaction record, oldest first."""
    engine: Engine = client.app[keys.engine_key]
    with Session(engine) as session:
        return list(session.scalars(select(Interaction).order_by(Interaction.id)))  # type: ignore[arg-type]


def deliveries(client: Client) -> list[Delivery]:
    engine: Engine = client.app[keys.engine_key]
    with Session(engine) as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))  # type: ignore[arg-type]


async def eventually(check: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait until check() holds (background work such as a late delivery)."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.05)


class SlowAnswering:
    """The real bot, made slow: answers after sleeping (in the answering thread)."""

    def __init__(self, answering: Answering, seconds: float) -> None:
        self._answering = answering
        self.seconds = seconds
        self.calls = 0

    def answer(self, text: str, user: str = "") -> Answer:
        self.calls += 1
        time.sleep(self.seconds)
        return self._answering.answer(text, user)


class FixedAnswering:
    """A bot that always says the same thing (for reply-shape tests)."""

    def __init__(self, answer: Answer) -> None:
        self._answer = answer
        self.calls = 0

    def answer(self, text: str, user: str = "") -> Answer:
        self.calls += 1
        return self._answer


@pytest.fixture
def harness(aiohttp_client: ClientFactory, database_url: str) -> Harness:
    """Starts webhook apps over this test's database (SQLite, then PostgreSQL)."""
    return Harness(aiohttp_client, database_url)
