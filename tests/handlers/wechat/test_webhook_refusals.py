"""Bad pushes: each is refused (403/413/400) or answered safely, and the service stays healthy.

Refused requests leave no record; a signed body that cannot be read is kept for staff (it came
from WeChat and may hold a resident's words) and answered "success", never an error.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

import pytest

from bot import phrases
from handlers.settings import Secret
from tests.handlers.wechat.conftest import (
    ACCOUNT,
    RESIDENT,
    TOKEN,
    Client,
    Harness,
    Peer,
    message_xml,
    records,
    sign,
)

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{RESIDENT}</FromUserName>"
    "<CreateTime>1714112445</CreateTime><MsgType>text</MsgType><Content>&lol3;</Content>"
    "<MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
    f"<xml><ToUserName>{ACCOUNT}</ToUserName><FromUserName>{RESIDENT}</FromUserName>"
    "<CreateTime>1714112445</CreateTime><MsgType>text</MsgType><Content>&secret;</Content>"
    "<MsgId>2</MsgId></xml>"
)


async def still_healthy(peer: Peer) -> None:
    """The service answers a normal question after the bad request."""
    health = await peer.client.get("/healthz")
    assert health.status == 200
    reply = await peer.text("公租房申请条件是什么")
    assert reply.kind == "text"
    assert reply.content == records(peer.client)[-1].reply_text != ""


def tamper(target: str, name: str, value: str) -> str:
    path, query = target.split("?", 1)
    pairs = dict(pair.split("=", 1) for pair in query.split("&"))
    pairs[name] = value
    return f"{path}?{'&'.join(f'{k}={v}' for k, v in pairs.items())}"


def flip(value: str) -> str:
    return value[:-1] + ("0" if value[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("mode", "parameter"),
    [
        ("plain", "signature"),
        ("safe", "msg_signature"),
        ("compat", "msg_signature"),
        ("wecom", "msg_signature"),
    ],
)
async def test_a_wrong_signature_is_refused(harness: Harness, mode: str, parameter: str) -> None:
    peer = await harness.peer(mode)
    target, body = peer.build(message_xml("text", content="公租房申请条件是什么"))
    value = dict(pair.split("=", 1) for pair in target.split("?", 1)[1].split("&"))[parameter]
    reply = await peer.send(tamper(target, parameter, flip(value)), body)
    assert reply.status == 403
    assert records(peer.client) == []
    await still_healthy(peer)


async def test_safe_mode_trusts_msg_signature_not_signature(harness: Harness) -> None:
    """The URL signature covers no part of the body: a right one cannot carry a forged body."""
    peer = await harness.peer("safe")
    target, body = peer.build(message_xml("text", content="公租房申请条件是什么"))
    forged = body.replace(b"<Encrypt><![CDATA[", b"<Encrypt><![CDATA[AAAA")
    assert (await peer.send(target, forged)).status == 403
    assert records(peer.client) == []


@pytest.mark.parametrize("mode", ["safe", "compat", "wecom"])
async def test_a_message_encrypted_for_another_appid_is_refused(
    harness: Harness, mode: str
) -> None:
    peer = await harness.peer(mode)
    stranger = Peer(peer.client, mode, receive_id="wx0000000000000000")
    reply = await stranger.text("公租房申请条件是什么")
    assert reply.status == 403
    assert records(peer.client) == []
    await still_healthy(peer)


@pytest.mark.parametrize("mode", ["plain", "safe", "wecom"])
@pytest.mark.parametrize("age", [-400, 400, None])
async def test_a_stale_or_missing_timestamp_is_refused(
    harness: Harness, mode: str, age: int | None
) -> None:
    peer = await harness.peer(mode)
    timestamp = "" if age is None else str(int(time.time()) - age)
    target, body = peer.build(message_xml("text", content="公租房申请条件是什么"))
    if age is not None:
        target, body = peer.build(
            message_xml("text", content="公租房申请条件是什么"), timestamp=timestamp
        )
    else:
        target = tamper(target, "timestamp", "")
    assert (await peer.send(target, body)).status == 403
    assert records(peer.client) == []
    await still_healthy(peer)


async def test_a_timestamp_within_the_window_is_accepted(harness: Harness) -> None:
    peer = await harness.peer("safe")
    old = str(int(time.time()) - 200)
    reply = await peer.post(message_xml("text", content="公租房申请条件是什么"), timestamp=old)
    assert reply.kind == "text"


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("<xml><ToUserName>gh_x</ToUserName><MsgType>text</MsgType>", "<xml><ToUserName>gh_x"),
        (BILLION_LAUGHS, "<!ENTITY lol3"),
        (EXTERNAL_ENTITY, 'SYSTEM "file:///etc/hostname"'),
        ('{"ToUserName": "gh_x", "MsgType": "text"}', '"MsgType": "text"'),
    ],
    ids=["truncated", "billion-laughs", "external-entity", "json"],
)
async def test_signed_unreadable_bodies_are_kept_and_answered_success(
    harness: Harness, mode: str, body: str, kept: str
) -> None:
    peer = await harness.peer(mode)
    reply = await peer.post(body)
    assert (reply.status, reply.kind) == (200, "success")
    [stored] = records(peer.client)
    assert stored.message_type == "unreadable"
    assert kept in stored.question
    # Nothing was expanded or fetched.
    assert "lollol" not in stored.question
    await still_healthy(peer)


async def test_invalid_utf8_is_kept_and_answered_success(harness: Harness) -> None:
    peer = await harness.peer("plain")
    body = message_xml("text", content="公租房").encode("utf-8").replace("公".encode(), b"\xff\xfe")
    timestamp, nonce = str(int(time.time())), "4242"
    query = urlencode(
        {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    )
    reply = await peer.send(f"/wechat?{query}", body)
    assert (reply.status, reply.kind) == (200, "success")
    assert [r.message_type for r in records(peer.client)] == ["unreadable"]
    await still_healthy(peer)


async def test_a_broken_envelope_is_refused_as_not_wechat(harness: Harness) -> None:
    peer = await harness.peer("safe")
    target, _ = peer.build(message_xml("text", content="公租房申请条件是什么"))
    assert (await peer.send(target, b"<xml><Encrypt>")).status == 400
    assert records(peer.client) == []
    await still_healthy(peer)


@pytest.mark.parametrize("mode", ["plain", "safe"])
@pytest.mark.parametrize("chunked", [False, True])
async def test_an_oversized_body_is_refused(harness: Harness, mode: str, chunked: bool) -> None:
    peer = await harness.peer(mode, max_body_bytes=4096)
    xml = message_xml("text", content="房" * 3000)
    target, body = peer.build(xml)
    if chunked:

        async def chunks() -> object:
            for start in range(0, len(body), 1000):
                yield body[start : start + 1000]

        response = await peer.client.post(target, data=chunks())
        status = response.status
    else:
        status = (await peer.send(target, body)).status
    assert status == 413
    assert records(peer.client) == []
    await still_healthy(peer)


@pytest.mark.parametrize("content", ["", "   ", "\n"])
async def test_an_empty_message_asks_for_a_question(harness: Harness, content: str) -> None:
    peer = await harness.peer("safe")
    reply = await peer.text(content)
    assert (reply.kind, reply.content) == ("text", phrases.EMPTY_MESSAGE)
    [stored] = records(peer.client)
    assert stored.status == "auto_answered"


@pytest.mark.parametrize(
    ("settings", "mode"),
    [
        ({"wechat_aes_key": Secret("")}, "safe"),
        ({}, "plain"),
    ],
    ids=["encrypted-push-without-key", "plaintext-push-with-key"],
)
async def test_a_push_in_the_other_mode_is_refused(
    harness: Harness, settings: dict[str, Any], mode: str
) -> None:
    client = await harness.start(**settings)
    peer = Peer(client, mode)
    assert (await peer.text("公租房申请条件是什么")).status == 403
    assert records(client) == []


@pytest.mark.parametrize("path", ["/wechat", "/wecom"])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_an_unconfigured_webhook_is_not_found(
    harness: Harness, path: str, method: str
) -> None:
    client: Client = await harness.start(wechat_token=Secret(""), wecom_token=Secret(""))
    timestamp, nonce = str(int(time.time())), "1"
    query = urlencode(
        {"signature": sign("", timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    )
    response = await client.request(method, f"{path}?{query}", data=b"<xml></xml>")
    assert response.status == 404
    assert records(client) == []
