"""Tests for handlers.wechat.messages: inbound parsing, dedup keys, safety, reply XML."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import wechatpy
from defusedxml.ElementTree import fromstring

from handlers.wechat.messages import (
    MAX_ARTICLES_IN_EVENT_REPLY,
    MAX_ARTICLES_IN_MESSAGE_REPLY,
    MAX_BODY_BYTES,
    SUCCESS,
    Article,
    MalformedMessage,
    news_reply,
    parse_envelope,
    parse_message,
    text_reply,
)

RESIDENT = "o9AgO5Kd5ggOC-bXrbNODIiE3bGY"
ACCOUNT = "gh_97417a04a28d"


CORPID_LIKE = "ww5a1c9e3f7b2d8460"


def _push(msg_type: str, extra: str = "", create_time: int = 1714112445) -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{RESIDENT}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>"
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>{extra}</xml>"
    ).encode()


def _event(event: str, extra: str = "", create_time: int = 1714112445) -> bytes:
    return _push("event", f"<Event><![CDATA[{event}]]></Event>{extra}", create_time)


MSG_ID = "<MsgId>24536947421512345</MsgId>"

PARSE_TABLE: list[tuple[bytes, dict[str, Any]]] = [
    (
        _push("text", "<Content><![CDATA[公租房怎么申请？]]></Content>" + MSG_ID),
        {"msg_type": "text", "content": "公租房怎么申请？", "msg_id": "24536947421512345"},
    ),
    (
        _push("TEXT", "<Content><![CDATA[租赁补贴]]></Content>" + MSG_ID),
        {"msg_type": "text", "content": "租赁补贴"},
    ),
    (
        _push(
            "image",
            "<PicUrl><![CDATA[http://mmbiz.qpic.cn/a.jpg]]></PicUrl>"
            "<MediaId><![CDATA[media_1]]></MediaId>" + MSG_ID,
        ),
        {"msg_type": "image", "pic_url": "http://mmbiz.qpic.cn/a.jpg", "media_id": "media_1"},
    ),
    (
        _push(
            "voice",
            "<MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format>"
            "<Recognition><![CDATA[经济适用住房怎么退出]]></Recognition>" + MSG_ID,
        ),
        {"msg_type": "voice", "recognition": "经济适用住房怎么退出", "media_id": "m"},
    ),
    (
        _push("voice", "<MediaId><![CDATA[m]]></MediaId><Recognition><![CDATA[]]></Recognition>"),
        {"msg_type": "voice", "recognition": ""},
    ),
    (
        _push("voice", "<MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format>"),
        {"msg_type": "voice", "recognition": None, "content": None},
    ),
    (
        _push(
            "location",
            "<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y>"
            "<Scale>20</Scale><Label><![CDATA[山阴县住房和城乡建设局]]></Label>" + MSG_ID,
        ),
        {
            "location_x": "23.134521",
            "location_y": "113.358803",
            "label": "山阴县住房和城乡建设局",
        },
    ),
    (
        _push(
            "link",
            "<Title><![CDATA[公租房公告]]></Title><Description><![CDATA[第三批]]></Description>"
            "<Url><![CDATA[https://example.invalid/gzf]]></Url>" + MSG_ID,
        ),
        {"title": "公租房公告", "description": "第三批", "url": "https://example.invalid/gzf"},
    ),
    (
        _event("subscribe"),
        {"msg_type": "event", "event": "subscribe", "event_key": None, "via_qr_scene": False},
    ),
    (
        _event("subscribe", "<EventKey><![CDATA[]]></EventKey>"),
        {"event": "subscribe", "event_key": "", "via_qr_scene": False},
    ),
    (
        _event("subscribe", "<EventKey><![CDATA[qrscene_123]]></EventKey><Ticket>T</Ticket>"),
        {"event": "subscribe", "event_key": "123", "via_qr_scene": True},
    ),
    (
        _event("SCAN", "<EventKey><![CDATA[123]]></EventKey><Ticket>T</Ticket>"),
        {"event": "scan", "event_key": "123", "via_qr_scene": True},
    ),
    (
        _event("CLICK", "<EventKey><![CDATA[qrscene_is_only_special_on_subscribe]]></EventKey>"),
        {"event": "click", "event_key": "qrscene_is_only_special_on_subscribe"},
    ),
    (
        _event(
            "VIEW", "<EventKey><![CDATA[https://example.invalid/]]></EventKey><MenuId>1</MenuId>"
        ),
        {"event": "view", "event_key": "https://example.invalid/"},
    ),
    (
        _event("unsubscribe"),
        {"event": "unsubscribe", "msg_id": None},
    ),
    (
        _event("TEMPLATESENDJOBFINISH", "<MsgID>200163836</MsgID><Status>success</Status>"),
        {"event": "templatesendjobfinish", "msg_id": None},
    ),
]


@pytest.mark.parametrize(("body", "expected"), PARSE_TABLE)
def test_parse_message_fields(body: bytes, expected: dict[str, Any]) -> None:
    message = parse_message(body)
    assert (message.to_user, message.from_user, message.create_time) == (
        ACCOUNT,
        RESIDENT,
        1714112445,
    )
    for name, value in expected.items():
        assert getattr(message, name) == value, name


@pytest.mark.parametrize(("body", "expected"), PARSE_TABLE)
def test_parse_message_agrees_with_wechatpy(body: bytes, expected: dict[str, Any]) -> None:
    ours = parse_message(body)
    theirs = wechatpy.parse_message(body)
    assert (ours.from_user, ours.to_user) == (theirs.source, theirs.target)
    assert ours.msg_type == theirs.type
    if ours.msg_type == "event" and ours.event != "subscribe":
        assert ours.event == theirs.event
    if ours.via_qr_scene:
        assert ours.event_key == theirs.scene_id
    if ours.msg_type == "text":
        assert ours.content == theirs.content
    if ours.msg_id is not None:
        assert int(ours.msg_id) == theirs.id


def test_fields_hold_every_top_level_element_and_are_read_only() -> None:
    body = _event("TEMPLATESENDJOBFINISH", "<MsgID>200163836</MsgID><Status>success</Status>")
    message = parse_message(body)
    assert message.fields["MsgID"] == "200163836"
    assert message.fields["Status"] == "success"
    assert message.fields["Event"] == "TEMPLATESENDJOBFINISH"
    with pytest.raises(TypeError):
        message.fields["Status"] = "failed"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.content = "篡改"  # type: ignore[misc]
    again = parse_message(body)
    assert again == message
    assert hash(again) == hash(message)


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        # WeChat's retry of one message carries the same MsgId.
        (_push("text", "<Content>一</Content>" + MSG_ID), _push("text", MSG_ID), True),
        (
            _push("text", "<Content>一</Content><MsgId>1</MsgId>"),
            _push("text", "<Content>一</Content><MsgId>2</MsgId>"),
            False,
        ),
        # The spec's collision: subscribe then unsubscribe within the same second.
        (_event("subscribe"), _event("unsubscribe"), False),
        (_event("subscribe"), _event("subscribe"), True),
        (
            _event("CLICK", "<EventKey>MENU_GZF</EventKey>"),
            _event("CLICK", "<EventKey>MENU_BUTIE</EventKey>"),
            False,
        ),
        (_event("subscribe"), _event("subscribe", create_time=1714112446), False),
        (
            _event("subscribe", "<EventKey>qrscene_123</EventKey>"),
            _event("subscribe", "<EventKey>123</EventKey>"),
            False,
        ),
        # Messages without a MsgId fall back to a hash of every field.
        (
            _push("text", "<Content>公租房</Content>"),
            _push("text", "<Content>公租房</Content>"),
            True,
        ),
        (
            _push("text", "<Content>公租房</Content>"),
            _push("text", "<Content>廉租房</Content>"),
            False,
        ),
    ],
)
def test_dedup_key(first: bytes, second: bytes, same: bool) -> None:
    assert (parse_message(first).dedup_key == parse_message(second).dedup_key) is same


@pytest.mark.parametrize(
    ("body", "prefix"),
    [
        (_push("text", MSG_ID), "msg:24536947421512345"),
        (
            _event("CLICK", "<EventKey>MENU_GZF</EventKey>"),
            f"evt:{RESIDENT}:1714112445:click:MENU_GZF",
        ),
        (_push("text", "<Content>公租房</Content>"), "raw:"),
    ],
)
def test_dedup_key_shape(body: bytes, prefix: str) -> None:
    assert parse_message(body).dedup_key.startswith(prefix)


@pytest.mark.parametrize(
    ("content_xml", "expected"),
    [
        ("<![CDATA[公租房\x1d申请]]>", "公租房申请"),
        ("<![CDATA[\x01租赁\x08补贴\x1f]]>", "租赁补贴"),
        ("<![CDATA[第一行\n第二行\t缩进]]>", "第一行\n第二行\t缩进"),
        ("<![CDATA[a]]]]><![CDATA[>b]]>", "a]]>b"),
        ("经适房 &amp; 公租房", "经适房 & 公租房"),
    ],
)
def test_content_tolerates_control_characters(content_xml: str, expected: str) -> None:
    message = parse_message(_push("text", f"<Content>{content_xml}</Content>{MSG_ID}"))
    assert message.content == expected


def test_xml_declaration_cannot_switch_away_from_utf8() -> None:
    body = b'<?xml version="1.0" encoding="GBK"?>' + _push("text", "<Content>公租房</Content>")
    assert parse_message(body).content == "公租房"
    assert parse_message(b"\xef\xbb\xbf" + _push("text", "<Content>房</Content>")).content == "房"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
    b"<MsgType>text</MsgType><Content>&lol3;</Content></xml>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime>"
    b"<MsgType>text</MsgType><Content>&xxe;</Content></xml>"
)
UNSAFE_OR_BROKEN = [
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    b'<!DOCTYPE xml SYSTEM "http://example.invalid/x.dtd">' + _push("text"),
    b'<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://example.invalid/p">%p;]>' + _push("text"),
    b"<!DOCTYPE xml>" + _push("text"),
    _push("text", "<Content>&undefined;</Content>"),
    # Without a DTD nothing may be declared: a lower-case one is no DTD, just broken markup.
    b'<!doctype xml [<!ENTITY lol "lol">]>' + _push("text", "<Content>&lol;</Content>"),
    b'<!DOCTYPE xml [<!ENTITY lol "lol">]>' + _push("text", "<Content>&lol;</Content>"),
    b'<!DOC\x01TYPE xml [<!ENTITY lol "lol">]>' + _push("text", "<Content>&lol;</Content>"),
    _push("text", "<Content>公租房</Content>").replace("公租房".encode(), b"\xb9\xab\xd7\xe2"),
    _push("text", "<Content>\xff</Content>").replace("\xff".encode(), b"\xff"),
    _push("text", "<Content>未闭合").removesuffix(b"</xml>"),
    b"",
    b"success",
    b'{"ToUserName":"gh_97417a04a28d","MsgType":"text"}',
    b"<root><MsgType>text</MsgType></root>",
]


@pytest.mark.parametrize("body", UNSAFE_OR_BROKEN)
def test_unsafe_or_broken_bodies_are_malformed(body: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse_message(body)
    with pytest.raises(MalformedMessage):
        parse_envelope(body.replace(b"</xml>", b"<Encrypt>abc</Encrypt></xml>"))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            b"<xml><AppId>wx1</AppId><CreateTime>1</CreateTime>"
            b"<InfoType>component_verify_ticket</InfoType></xml>",
            "MsgType",
        ),
        (_push("").replace(b"<MsgType><![CDATA[]]></MsgType>", b""), "MsgType"),
        (
            _push("text").replace(
                f"<FromUserName><![CDATA[{RESIDENT}]]></FromUserName>".encode(), b""
            ),
            "FromUserName",
        ),
        (
            _push("text", create_time=0).replace(b"<CreateTime>0<", b"<CreateTime>\xe6\x98\xa8<"),
            "CreateTime",
        ),
        (
            _push("text", create_time=0).replace(
                b"<CreateTime>0<", b"<CreateTime>" + b"9" * 5000 + b"<"
            ),
            "CreateTime",
        ),
    ],
)
def test_missing_required_fields_are_malformed(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedMessage, match=reason):
        parse_message(body)


def _body_of_exact_size(size: int) -> bytes:
    skeleton = _push("text", "<Content></Content>")
    filler = b"x" * (size - len(skeleton))
    return skeleton.replace(b"<Content></Content>", b"<Content>" + filler + b"</Content>")


def test_body_size_limit() -> None:
    assert len(parse_message(_body_of_exact_size(MAX_BODY_BYTES)).content or "") > 60_000
    with pytest.raises(MalformedMessage, match="limit"):
        parse_message(_body_of_exact_size(MAX_BODY_BYTES + 1))
    with pytest.raises(MalformedMessage, match="limit"):
        parse_envelope(_body_of_exact_size(MAX_BODY_BYTES + 1))


def test_parse_envelope_safe_mode() -> None:
    envelope = parse_envelope(
        b"<xml><ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>"
        b"<Encrypt><![CDATA[abc+/=]]></Encrypt></xml>"
    )
    assert (envelope.to_user, envelope.encrypt, envelope.plain) == (ACCOUNT, "abc+/=", None)


SAFE_ENCRYPT = "kWd8mO0pT+4/ahfdtyq+0MtE0lrKW9kAYgZ5ZTlmh3ZLcuFhYsjrkfE1bNKSpTv="


@pytest.mark.parametrize(
    "body",
    [
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt></xml>",
        f"<xml>\n  <ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>\n"
        f"  <Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt>\n</xml>\n",
        f"<xml><ToUserName><![CDATA[{CORPID_LIKE}]]></ToUserName>"
        f"<Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt></xml>",
        # Shapes read by the parser, not recognised as WeChat's exact envelope.
        f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt>{SAFE_ENCRYPT}</Encrypt></xml>",
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><AgentID>1000002</AgentID>"
        f"<Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt></xml>",
        f"<xml><ToUserName><![CDATA[公众号]]></ToUserName>"
        f"<Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt></xml>",
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt><Encrypt><![CDATA[x]]></Encrypt></xml>",
        # A control character WeChat lets through: the parser strips it.
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>\x0b"
        f"<Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt></xml>",
    ],
)
def test_an_envelope_reads_the_same_with_or_without_the_parser(body: str) -> None:
    envelope = parse_envelope(body.encode())
    # An XML declaration in front sends any envelope through the parser.
    parsed = parse_envelope(b'<?xml version="1.0" encoding="utf-8"?>' + body.encode())
    assert envelope == parsed
    assert envelope.encrypt == SAFE_ENCRYPT and envelope.plain is None


@pytest.mark.parametrize(
    "body",
    [
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt></xml>trailing",
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt></xmlx>",
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<Encrypt><![CDATA[{SAFE_ENCRYPT}]]></Encrypt>",
    ],
)
def test_an_envelope_that_is_not_xml_is_refused(body: str) -> None:
    with pytest.raises(MalformedMessage):
        parse_envelope(body.encode())


def test_parse_envelope_compat_mode_carries_plaintext() -> None:
    body = _push("text", "<Content><![CDATA[公租房]]></Content><Encrypt><![CDATA[abc]]></Encrypt>")
    envelope = parse_envelope(body)
    assert envelope.encrypt == "abc"
    assert envelope.plain is not None
    assert envelope.plain.content == "公租房"


def test_parse_envelope_ignores_unusable_plaintext_copy() -> None:
    body = b"<xml><MsgType>text</MsgType><Encrypt>abc</Encrypt><AgentID>218</AgentID></xml>"
    envelope = parse_envelope(body)
    assert (envelope.to_user, envelope.encrypt, envelope.plain) == (None, "abc", None)


@pytest.mark.parametrize(
    "body",
    [
        _push("text", "<Content>公租房</Content>"),
        b"<xml><ToUserName>gh_1</ToUserName><Encrypt></Encrypt></xml>",
        b"<xml><ToUserName>gh_1</ToUserName><Encrypt><![CDATA[]]></Encrypt></xml>",
    ],
)
def test_parse_envelope_needs_encrypt(body: bytes) -> None:
    with pytest.raises(MalformedMessage, match="Encrypt"):
        parse_envelope(body)


def _reply_fields(xml: str) -> dict[str, str]:
    return {child.tag: child.text or "" for child in fromstring(xml, forbid_dtd=True)}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("公租房申请需要：\n1. 身份证\n2. 户口簿", "公租房申请需要：\n1. 身份证\n2. 户口簿"),
        ("a]]>b", "a]]>b"),
        ("]]>", "]]>"),
        ("]]]]>>", "]]]]>>"),
        ("]]>]]>租赁补贴]]>", "]]>]]>租赁补贴]]>"),
        ("结尾是]", "结尾是]"),
        ("结尾是]]", "结尾是]]"),
        ("<![CDATA[嵌套]]>", "<![CDATA[嵌套]]>"),
        ("&amp; <b>", "&amp; <b>"),
        ("模型输出\x1d\x00\x0b控制符\t保留", "模型输出控制符\t保留"),
        ("非字符\ufffe\uffff与孤立代理\ud800", "非字符与孤立代理"),
        ("", ""),
    ],
)
def test_text_reply_round_trips(content: str, expected: str) -> None:
    reply = text_reply(RESIDENT, ACCOUNT, content, 1714112446)
    fields = _reply_fields(reply)
    assert fields == {
        "ToUserName": RESIDENT,
        "FromUserName": ACCOUNT,
        "CreateTime": "1714112446",
        "MsgType": "text",
        "Content": expected,
    }
    # Lone surrogates must be gone, or the HTTP layer could not encode the body.
    assert reply.encode("utf-8")
    # xmltodict, wechatpy's parser, reads an empty element as None.
    assert (wechatpy.parse_message(reply).content or "") == expected


def test_text_reply_escapes_every_field_and_keeps_real_newlines() -> None:
    reply = text_reply("o_]]>x", "gh_]]>y", "第一行\n第二行", 1)
    fields = _reply_fields(reply)
    assert (fields["ToUserName"], fields["FromUserName"]) == ("o_]]>x", "gh_]]>y")
    assert "\\n" not in reply
    assert "第一行\n第二行" in reply


def test_news_reply_single_article() -> None:
    article = Article(
        "公租房]]>申请指南", "条件与材料", "https://example.invalid/a", "https://p/1.jpg"
    )
    reply = news_reply(RESIDENT, ACCOUNT, [article], 1714112446)
    root = fromstring(reply, forbid_dtd=True)
    assert root.findtext("MsgType") == "news"
    assert root.findtext("ArticleCount") == "1"
    items = root.findall("Articles/item")
    assert [
        (
            item.findtext("Title"),
            item.findtext("Description"),
            item.findtext("PicUrl"),
            item.findtext("Url"),
        )
        for item in items
    ] == [("公租房]]>申请指南", "条件与材料", "https://p/1.jpg", "https://example.invalid/a")]


def test_news_reply_article_limits() -> None:
    article = Article("租赁补贴", "标准", "https://example.invalid/b")
    reply = news_reply(RESIDENT, ACCOUNT, [article] * MAX_ARTICLES_IN_EVENT_REPLY, 1)
    root = fromstring(reply, forbid_dtd=True)
    assert root.findtext("ArticleCount") == "8"
    assert len(root.findall("Articles/item")) == 8
    assert root.findtext("Articles/item/PicUrl") == ""
    with pytest.raises(ValueError, match="at most 8"):
        news_reply(RESIDENT, ACCOUNT, [article] * (MAX_ARTICLES_IN_EVENT_REPLY + 1), 1)
    with pytest.raises(ValueError, match="at least one"):
        news_reply(RESIDENT, ACCOUNT, [], 1)


def test_protocol_constants() -> None:
    assert SUCCESS == "success"
    assert MAX_BODY_BYTES == 65536
    assert (MAX_ARTICLES_IN_MESSAGE_REPLY, MAX_ARTICLES_IN_EVENT_REPLY) == (1, 8)
