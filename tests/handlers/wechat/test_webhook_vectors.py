"""The published test vectors (spec section 11), end to end through /wechat and /wecom.

The vectors carry 2014 and 2024 timestamps: each app here runs on a clock fixed at the vector's
time (the replay window is real, so the clock is what lets them through). Vector D (an
encrypted reply with a fixed random prefix) has no HTTP form and is checked in test_crypto.py.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.replies import deserialize_reply

from handlers.settings import Secret
from tests.handlers.wechat.conftest import Harness, records
from tests.handlers.wechat.test_crypto import (
    C_ENCRYPT,
    E_COMPAT_BODY,
    F_ENCRYPT,
    H_ECHOSTR,
    H_ENCRYPT,
    H_KEY,
    I_ECHOSTR,
    I_ENCRYPT,
    I_KEY,
    OFFICIAL_APPID,
    OFFICIAL_KEY,
    SAMPLE_KEY,
)

H_CORPID = "wx49f0ab532d5d035a"
I_CORPID = "wx5823bf96d3bd56c7"


def flip(signature: str) -> str:
    """The signature with its last hex digit changed (must be refused)."""
    return signature[:-1] + ("0" if signature[-1] != "0" else "1")


@pytest.mark.parametrize("good", [True, False])
async def test_vector_a_url_verification_echoes_echostr_byte_exact(
    harness: Harness, good: bool
) -> None:
    client = await harness.start(
        wechat_token=Secret("AAAAA"), wechat_aes_key=Secret(""), clock=lambda: 1714036504.0
    )
    signature = "f464b24fc39322e44b38aa78f5edd27bd1441696"
    query = {
        "signature": signature if good else flip(signature),
        "timestamp": "1714036504",
        "nonce": "1514711492",
        "echostr": "4375120948345356249",
    }
    response = await client.get(f"/wechat?{urlencode(query)}")
    body = await response.read()
    if good:
        assert (response.status, body) == (200, b"4375120948345356249")
    else:
        assert response.status == 403
        assert b"4375120948345356249" not in body


@pytest.mark.parametrize(
    ("token", "timestamp", "nonce", "signature"),
    [
        # B: the official plaintext POST.
        ("AAAAA", "1714037059", "486452656", "899cf89e464efb63f54ddac96b0a0a235f53aa78"),
        # G: wechatpy's tests/test_utils.py.
        ("test", "1410685589", "test", "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"),
    ],
)
@pytest.mark.parametrize("good", [True, False])
async def test_vectors_b_and_g_plaintext_signatures(
    harness: Harness, token: str, timestamp: str, nonce: str, signature: str, good: bool
) -> None:
    client = await harness.start(
        wechat_token=Secret(token), wechat_aes_key=Secret(""), clock=lambda: float(timestamp)
    )
    body = (
        "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
        "<FromUserName><![CDATA[o9AgO5Kd5ggOC-bXrbNODIiE3bGY]]></FromUserName>"
        f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[公租房申请条件是什么]]></Content><MsgId>24536947421512345</MsgId></xml>"
    )
    query = {
        "signature": signature if good else flip(signature),
        "timestamp": timestamp,
        "nonce": nonce,
    }
    response = await client.post(f"/wechat?{urlencode(query)}", data=body.encode())
    if not good:
        assert response.status == 403
        assert records(client) == []
        return
    assert response.status == 200
    reply = deserialize_reply(await response.text())
    assert (reply.target, reply.source) == ("o9AgO5Kd5ggOC-bXrbNODIiE3bGY", "gh_97417a04a28d")
    [stored] = records(client)
    assert (stored.question, stored.reply_text) == ("公租房申请条件是什么", reply.content)
    assert stored.answer_kind == "answered"


@pytest.mark.parametrize(("appid", "status"), [(OFFICIAL_APPID, 200), ("wxba5fad812f8e6fb0", 403)])
async def test_vector_c_official_safe_mode_push(harness: Harness, appid: str, status: int) -> None:
    """C decrypts to a JSON debug event: authentic but not a message, so kept and "success"."""
    client = await harness.start(
        wechat_token=Secret("AAAAA"),
        wechat_aes_key=Secret(OFFICIAL_KEY),
        wechat_appid=appid,
        clock=lambda: 1714112445.0,
    )
    query = {
        "signature": "6c5c811b55cc85e0e1b54100749188c20beb3f5d",
        "timestamp": "1714112445",
        "nonce": "415670741",
        "openid": "o9AgO5Kd5ggOC-bXrbNODIiE3bGY",
        "encrypt_type": "aes",
        "msg_signature": "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3",
    }
    body = (
        "<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
        f"<Encrypt><![CDATA[{C_ENCRYPT}]]></Encrypt></xml>"
    )
    response = await client.post(f"/wechat?{urlencode(query)}", data=body.encode())
    assert response.status == status
    stored = records(client)
    if status == 403:
        assert stored == []
        return
    assert await response.text() == "success"
    assert [(r.message_type, r.resident_key) for r in stored] == [
        ("unreadable", "o9AgO5Kd5ggOC-bXrbNODIiE3bGY")
    ]
    assert '"debug_str":"hello world"' in stored[0].question


async def test_vector_e_tencent_compatible_mode_push_gets_an_encrypted_answer(
    harness: Harness,
) -> None:
    client = await harness.start(
        wechat_token=Secret("spamtest"),
        wechat_aes_key=Secret(SAMPLE_KEY),
        wechat_appid="wx2c2769f8efd9abc2",
        clock=lambda: 1409735669.0,
    )
    query = {
        "signature": "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a",
        "timestamp": "1409735669",
        "nonce": "1320562132",
        "encrypt_type": "aes",
        "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    }
    response = await client.post(f"/wechat?{urlencode(query)}", data=E_COMPAT_BODY)
    assert response.status == 200
    raw = await response.text()
    outer = xmltodict.parse(raw)["xml"]
    assert (outer["TimeStamp"], outer["Nonce"]) == ("1409735669", "1320562132")
    crypto = WeChatCrypto("spamtest", SAMPLE_KEY, "wx2c2769f8efd9abc2")
    reply = deserialize_reply(
        crypto.decrypt_message(raw, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
    )
    assert (reply.target, reply.source) == ("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_10f6c3c3ac5a")
    assert reply.content
    assert [(r.question, r.dedup_key) for r in records(client)] == [
        ("abcdteT", "msg:6054768590064713728")
    ]


async def test_vector_f_utf8_length_decrypts_chinese_exactly(harness: Harness) -> None:
    """F's message is 我是中文abcd123 (msg_len counts UTF-8 bytes): kept as is, answered success."""
    client = await harness.start(
        wechat_token=Secret("pamtest"),
        wechat_aes_key=Secret(SAMPLE_KEY),
        wechat_appid="wxb11529c136998cb6",
        clock=lambda: 1409304348.0,
    )
    query = {
        "timestamp": "1409304348",
        "nonce": "xxxxxx",
        "encrypt_type": "aes",
        "msg_signature": "82c962d39941aa48552f90ef55aa323dc620cc10",
    }
    body = (
        "<xml><ToUserName><![CDATA[gh_x]]></ToUserName>"
        f"<Encrypt><![CDATA[{F_ENCRYPT}]]></Encrypt></xml>"
    )
    response = await client.post(f"/wechat?{urlencode(query)}", data=body.encode())
    assert (response.status, await response.text()) == (200, "success")
    assert [(r.message_type, r.question) for r in records(client)] == [
        ("unreadable", "我是中文abcd123")
    ]


@pytest.mark.parametrize(
    ("token", "key", "corpid", "signature", "timestamp", "nonce", "echostr", "expected"),
    [
        (
            "123456",
            H_KEY,
            H_CORPID,
            "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
            "1411443780",
            "437374425",
            H_ECHOSTR,
            "5927782489442352469",
        ),
        (
            "QDG6eK",
            I_KEY,
            I_CORPID,
            "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
            "1409659589",
            "263014780",
            I_ECHOSTR,
            "1616140317555161061",
        ),
    ],
)
@pytest.mark.parametrize("good", [True, False])
async def test_vectors_h_and_i_wecom_url_verification(
    harness: Harness,
    token: str,
    key: str,
    corpid: str,
    signature: str,
    timestamp: str,
    nonce: str,
    echostr: str,
    expected: str,
    good: bool,
) -> None:
    client = await harness.start(
        wecom_token=Secret(token),
        wecom_aes_key=Secret(key),
        wecom_corpid=corpid,
        clock=lambda: float(timestamp),
    )
    # H's negative is the nonce one lower (the spec's own negative); the signature then fails.
    query = {
        "msg_signature": signature,
        "timestamp": timestamp,
        "nonce": nonce if good else str(int(nonce) - 1),
        "echostr": echostr,
    }
    response = await client.get(f"/wecom?{urlencode(query)}")
    if good:
        assert (response.status, await response.text()) == (200, expected)
    else:
        assert response.status == 403


@pytest.mark.parametrize(
    ("token", "key", "corpid", "signature", "timestamp", "nonce", "encrypt", "sender"),
    [
        (
            "123456",
            H_KEY,
            H_CORPID,
            "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
            "1411525903",
            "461056294",
            H_ENCRYPT,
            "messense",
        ),
        (
            "QDG6eK",
            I_KEY,
            I_CORPID,
            "477715d11cdb4164915debcba66cb864d751f3e6",
            "1409659813",
            "1372623149",
            I_ENCRYPT,
            "mycreate",
        ),
    ],
)
async def test_vectors_h_and_i_wecom_pushes_get_encrypted_answers(
    harness: Harness,
    token: str,
    key: str,
    corpid: str,
    signature: str,
    timestamp: str,
    nonce: str,
    encrypt: str,
    sender: str,
) -> None:
    client = await harness.start(
        wecom_token=Secret(token),
        wecom_aes_key=Secret(key),
        wecom_corpid=corpid,
        clock=lambda: float(timestamp),
    )
    query = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
    body = (
        f"<xml><ToUserName><![CDATA[{corpid}]]></ToUserName><AgentID><![CDATA[1]]></AgentID>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )
    response = await client.post(f"/wecom?{urlencode(query)}", data=body.encode())
    assert response.status == 200
    raw = await response.text()
    outer = xmltodict.parse(raw)["xml"]
    plain = WeComCrypto(token, key, corpid).decrypt_message(
        raw, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"]
    )
    reply = deserialize_reply(plain)
    assert (reply.target, reply.source) == (sender, corpid)
    assert reply.content
    assert [(r.channel, r.resident_key) for r in records(client)] == [("wecom", sender)]
