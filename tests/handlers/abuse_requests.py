"""The requests of the abuse proof: good signed messages and every kind of hostile request.

A Probe is one request and the statuses that count as the right answer to it; ProbeMix makes
a reproducible mix (one good message in five) and send_probe sends one, through aiohttp or, for
requests that are not valid HTTP, through a bare socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp

from tests.handlers.serve_processes import TOKEN, reply_content, sign, text_push

QUESTIONS = (
    "公租房申请条件是什么",
    "申请公租房需要什么材料",
    "什么时候摇号",
    "锦绣家园还有房吗",
    "租金标准是多少",
    "租赁补贴怎么申请",
    "住建局电话多少",
    "家里3口人月收入5000能申请吗",
)
#: Bigger than ANJU_MAX_BODY_BYTES (64 KiB), refused with 413 before it is read.
OVERSIZED_BYTES = 70 * 1024
#: Bigger than the application's 1 MiB limit on any request body.
OVERSIZED_API_BYTES = 1024 * 1024 + 1
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]><xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName>"
    "<CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content>"
    "<MsgId>1</MsgId></xml>"
)
_XXE = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "{target}">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>"
)
_PARAMETER_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY % remote SYSTEM "{target}"> %remote;]>'
    "<xml><MsgType>text</MsgType></xml>"
)
MALFORMED = (
    b"<xml><ToUserName><![CDATA[gh]]></ToUserName><Content>",
    b"\x00\x01\x02\xff\xfe",
    "<xml><Content>未闭合的标签</xml>".encode(),
    b"<<<>>>" * 100,
    b"",
)


@dataclass(frozen=True)
class Probe:
    """One request, the statuses that are right for it, and the record it may leave."""

    kind: str
    expect: frozenset[int]
    method: str = "POST"
    target: str = "/wechat"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False
    raw: bytes = b""  # sent as is on a socket (not valid HTTP)
    dedup_key: str = ""  # the record it must leave ('' for none)


def _signed(resident: str, nonce: str, timestamp: int | None = None, token: str = TOKEN) -> str:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    query = {"signature": sign(token, stamp, nonce), "timestamp": stamp, "nonce": nonce}
    return "/wechat?" + urlencode(query | {"openid": resident})


class ProbeMix:
    """A reproducible mix of probes: every fifth is a good message, the rest hostile."""

    def __init__(self, rng: random.Random, xxe_port: int) -> None:
        self._rng = rng
        self._xxe = f"http://127.0.0.1:{xxe_port}/xxe"
        self._next_id = 8_000_000_000
        self._kinds: dict[str, Callable[[], Probe]] = {
            "wrong_signature": self._wrong_signature,
            "no_signature": lambda: Probe("no_signature", _FORBIDDEN, body=self._text()),
            "stale": self._stale,
            "malformed_unsigned": self._malformed_unsigned,
            "entities_unsigned": self._entities_unsigned,
            "entities_signed": self._entities_signed,
            "oversized": self._oversized,
            "oversized_chunked": self._oversized_chunked,
            "api_oversized": self._api_oversized,
            "api_bad_json": self._api_bad_json,
            "wrong_method": self._wrong_method,
            "wrong_path": self._wrong_path,
            "wecom_unconfigured": lambda: Probe("wecom_unconfigured", _NOT_FOUND, target="/wecom"),
            "verify_wrong": self._verify_wrong,
            "bad_http": self._bad_http,
        }

    def probes(self, count: int) -> list[Probe]:
        """count probes, a good one first and every fifth."""
        kinds = sorted(self._kinds)
        return [
            self._good() if n % 5 == 0 else self._kinds[self._rng.choice(kinds)]()
            for n in range(count)
        ]

    def _msg_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _text(self, resident: str = "oAbuser") -> bytes:
        return text_push(resident, self._rng.choice(QUESTIONS), self._msg_id())

    def _good(self) -> Probe:
        msg_id = self._msg_id()
        # Residents of their own (a few messages each): the rate limit never answers instead.
        resident = f"oGood{msg_id // 3}"
        body = text_push(resident, self._rng.choice(QUESTIONS), msg_id)
        target = _signed(resident, f"g{msg_id}")
        return Probe("good", _OK, target=target, body=body, dedup_key=f"msg:{msg_id}")

    def _wrong_signature(self) -> Probe:
        target = _signed("oAbuser", str(self._msg_id()), token="notTheToken")
        return Probe("wrong_signature", _FORBIDDEN, target=target, body=self._text())

    def _stale(self) -> Probe:
        target = _signed("oAbuser", str(self._msg_id()), timestamp=int(time.time()) - 3600)
        return Probe("stale", _FORBIDDEN, target=target, body=self._text())

    def _malformed_unsigned(self) -> Probe:
        return Probe("malformed_unsigned", _FORBIDDEN, body=self._rng.choice(MALFORMED))

    def _hostile_xml(self) -> bytes:
        choices = (
            BILLION_LAUGHS,
            _XXE.format(target=self._xxe),
            _XXE.format(target="file:///etc/passwd"),
        )
        return self._rng.choice((*choices, _PARAMETER_ENTITY.format(target=self._xxe))).encode()

    def _entities_unsigned(self) -> Probe:
        target = _signed("oAbuser", str(self._msg_id()), token="notTheToken")
        return Probe("entities_unsigned", _FORBIDDEN, target=target, body=self._hostile_xml())

    def _entities_signed(self) -> Probe:
        body = self._hostile_xml()
        key = "raw:" + hashlib.sha256(body).hexdigest()
        target = _signed("oInsider", str(self._msg_id()))
        return Probe("entities_signed", _OK, target=target, body=body, dedup_key=key)

    def _oversized(self) -> Probe:
        target = _signed("oAbuser", str(self._msg_id()))
        return Probe("oversized", _TOO_LARGE, target=target, body=b"<xml>" + b"a" * OVERSIZED_BYTES)

    def _oversized_chunked(self) -> Probe:
        target = _signed("oAbuser", str(self._msg_id()))
        body = b"<xml>" + b"b" * OVERSIZED_BYTES
        return Probe("oversized_chunked", _TOO_LARGE, target=target, body=body, chunked=True)

    def _api_oversized(self) -> Probe:
        body = b'{"text": "' + b"c" * OVERSIZED_API_BYTES + b'"}'
        headers = {"Content-Type": "application/json"}
        return Probe("api_oversized", _TOO_LARGE, target="/api/ask", body=body, headers=headers)

    def _api_bad_json(self) -> Probe:
        body = self._rng.choice(('{"text": ', "不是JSON", '{"text": ""}', '["text"]', "{}"))
        headers = {"Content-Type": "application/json"}
        return Probe("api_bad_json", _BAD, target="/api/ask", body=body.encode(), headers=headers)

    def _wrong_method(self) -> Probe:
        method = self._rng.choice(("PUT", "DELETE", "PATCH"))
        return Probe("wrong_method", _NOT_ALLOWED, method=method, body=self._text())

    def _wrong_path(self) -> Probe:
        target = self._rng.choice(("/wechat/extra", "/cgi-bin/token", "/.env", "/wp-login.php"))
        return Probe("wrong_path", _NOT_FOUND | _NOT_ALLOWED, target=target, body=self._text())

    def _verify_wrong(self) -> Probe:
        query = urlencode({"signature": "0" * 40, "timestamp": int(time.time()), "nonce": "1"})
        return Probe("verify_wrong", _FORBIDDEN, method="GET", target=f"/wechat?{query}&echostr=x")

    def _bad_http(self) -> Probe:
        raw = self._rng.choice(
            (
                b"HELLO THERE\r\n\r\n",
                b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,
                b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 10_000 + b"\r\n\r\n",
                b"GET /static/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n"
                b"Connection: close\r\n\r\n",
                b"POST /wechat HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                b"POST /wechat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Length: 5\r\n\r\n0\r\n\r\n",
            )
        )
        return Probe("bad_http", _BAD | _NOT_FOUND | _FORBIDDEN | {431}, raw=raw)


_OK = frozenset({200})
_BAD = frozenset({400})
_FORBIDDEN = frozenset({403})
_NOT_FOUND = frozenset({404})
_NOT_ALLOWED = frozenset({405})
_TOO_LARGE = frozenset({413})


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 16 * 1024):
        yield body[start : start + 16 * 1024]


async def _send_raw(port: int, raw: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(raw)
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout=30)
    except (TimeoutError, OSError):
        return 0
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    parts = line.split()
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


async def send_probe(session: aiohttp.ClientSession, port: int, probe: Probe) -> tuple[int, str]:
    """Send one probe: (its HTTP status, 0 for no reply; the text reply's content)."""
    if probe.raw:
        return await _send_raw(port, probe.raw), ""
    data: bytes | io.BytesIO | AsyncIterator[bytes] = probe.body
    if probe.chunked:
        data = _chunks(probe.body)
    elif len(probe.body) > OVERSIZED_BYTES * 2:
        # aiohttp's client warns about (and blocks on) big bytes bodies: a file object streams.
        data = io.BytesIO(probe.body)
    headers = {"Content-Type": "text/xml", **probe.headers}
    try:
        async with session.request(
            probe.method, f"http://127.0.0.1:{port}{probe.target}", data=data, headers=headers
        ) as response:
            body = await response.read()
            return response.status, reply_content(body)
    except aiohttp.ClientError:
        return 0, ""
