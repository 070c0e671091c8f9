"""Round trips against wechatpy in plaintext, compatible and safe mode, and WeCom.

wechatpy builds and signs (and encrypts) each push; wechatpy decrypts our reply, checks its
MsgSignature and AppID/CorpID, and reads it. Replies must swap the addresses and stay within
2048 bytes; ]]> and control characters must survive in both directions.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
import xmltodict

from bot.answer import Answer, AnswerKind
from handlers.settings import Secret
from tests.handlers.wechat.conftest import (
    ACCOUNT,
    APPID,
    CORPID,
    MODES,
    RESIDENT,
    TOKEN,
    FixedAnswering,
    Harness,
    Peer,
    message_xml,
    records,
    sign,
)


@pytest.mark.parametrize("mode", [*MODES, "wecom"])
async def test_a_question_is_answered_and_recorded_in_every_mode(
    harness: Harness, mode: str
) -> None:
    peer = await harness.peer(mode)
    reply = await peer.text("公租房申请条件是什么", msg_id=24536947421512001)
    assert reply.kind == "text"
    assert (reply.fields["ToUserName"], reply.fields["FromUserName"]) == (RESIDENT, ACCOUNT)
    assert int(reply.fields["CreateTime"]) > 0
    assert len(reply.content.encode("utf-8")) <= 2048
    [stored] = records(peer.client)
    channel = "wecom" if mode == "wecom" else "wechat"
    assert (stored.channel, stored.dedup_key, stored.resident_key) == (
        channel,
        "msg:24536947421512001",
        RESIDENT,
    )
    assert (stored.question, stored.answer_kind) == ("公租房申请条件是什么", "answered")
    assert stored.reply_text == reply.content


@pytest.mark.parametrize("mode", MODES)
async def test_verification_get_is_the_same_in_every_mode(harness: Harness, mode: str) -> None:
    peer = await harness.peer(mode, clock=lambda: 1714036504.0)
    query = {
        "signature": sign(TOKEN, "1714036504", "99"),
        "timestamp": "1714036504",
        "nonce": "99",
        "echostr": "7419387212",
    }
    response = await peer.client.get(f"/wechat?{urlencode(query)}")
    assert (response.status, await response.text()) == (200, "7419387212")


async def test_wecom_verification_answers_the_decrypted_echostr(harness: Harness) -> None:
    peer = await harness.peer("wecom", clock=lambda: 1714036504.0)
    timestamp, nonce = "1714036504", "12345"
    # An echostr whose base64 holds a '+', the character a careless URL encoding loses.
    fields: dict[str, str] = {"Encrypt": ""}
    while "+" not in fields["Encrypt"]:
        envelope = peer.crypto.encrypt_message("8833221100", nonce, timestamp)
        fields = xmltodict.parse(envelope)["xml"]
    query = urlencode(
        {"msg_signature": fields["MsgSignature"], "timestamp": timestamp, "nonce": nonce}
    )
    encoded = fields["Encrypt"].replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    response = await peer.client.get(f"/wecom?{query}&echostr={encoded}")
    assert (response.status, await response.text()) == (200, "8833221100")
    # Sent without URL-encoding, the '+' arrives as a space.
    unencoded = fields["Encrypt"].replace("=", "%3D")
    response = await peer.client.get(f"/wecom?{query}&echostr={unencoded}")
    assert (response.status, await response.text()) == (200, "8833221100")


@pytest.mark.parametrize("mode", [*MODES, "wecom"])
async def test_cdata_end_and_control_characters_survive_both_ways(
    harness: Harness, mode: str
) -> None:
    answer = Answer(text="答复里有]]>也有\x1d控制字符，仍是合法XML。", kind=AnswerKind.ANSWERED)
    settings: dict[str, Any] = {"wechat_aes_key": Secret("")} if mode == "plain" else {}
    client = await harness.start(answering=lambda app: FixedAnswering(answer), **settings)
    peer = Peer(client, mode, receive_id=CORPID if mode == "wecom" else APPID)
    # WeRoBot #420: WeChat itself sends \x1d, which XML forbids.
    reply = await peer.text("问题]]>带\x1d字符")
    assert reply.kind == "text"
    assert reply.content == "答复里有]]>也有控制字符，仍是合法XML。"
    assert records(client)[0].question == "问题]]>带字符"


async def test_safe_mode_reply_echoes_the_request_nonce_and_signs_its_own_timestamp(
    harness: Harness,
) -> None:
    peer = await harness.peer("safe")
    reply = await peer.post(message_xml("text", content="你好"), nonce="1320562132")
    assert reply.kind == "text"
    outer = xmltodict.parse(reply.raw)["xml"]
    assert outer["Nonce"] == "1320562132"
    assert outer["TimeStamp"].isdigit()
