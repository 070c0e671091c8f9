"""Inbound WeChat message XML (parsed defensively) and outbound passive-reply XML."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from xml.etree.ElementTree import Element, ParseError
from xml.etree.ElementTree import fromstring as _c_fromstring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

#: Second line of defence; the HTTP layer enforces its own (smaller or equal) limit first.
MAX_BODY_BYTES = 64 * 1024
#: The passive answer that means "no reply": WeChat then shows nothing and does not retry.
#: It is sent as is, never encrypted.
SUCCESS = "success"
#: Since 2018-10-12 a news reply to a user *message* (text, image, voice, video, location, …)
#: may hold only one article; WeChat drops longer ones. Replies to events may hold up to 8.
MAX_ARTICLES_IN_MESSAGE_REPLY = 1
MAX_ARTICLES_IN_EVENT_REPLY = 8

# Control characters users manage to send (WeRoBot #420: \x1d) that make WeChat's own body
# ill-formed XML. Only stripped on a retry after a parse error, so well-formed bodies stay exact.
_INBOUND_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Everything XML 1.0 forbids (keeping TAB, LF, CR), plus lone surrogates, which cannot be
# encoded as UTF-8 at all.
_XML_ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_QR_SCENE_PREFIX = "qrscene_"
# XML is case-sensitive: a DTD can only begin with exactly this.
_DOCTYPE = "<!DOCTYPE"
# A safe-mode push exactly as WeChat sends it: ASCII only, no markup inside the CDATA sections,
# so it is well-formed and these are all its fields.
_SAFE_MODE_ENVELOPE = re.compile(
    rb"<xml>[ \t\r\n]*<ToUserName><!\[CDATA\[([A-Za-z0-9_@.\-]{1,128})\]\]></ToUserName>"
    rb"[ \t\r\n]*<Encrypt><!\[CDATA\[([A-Za-z0-9+/=]+)\]\]></Encrypt>[ \t\r\n]*</xml>[ \t\r\n]*"
)


class MalformedMessage(ValueError):
    """The body is not a WeChat push we can read; answer ``success`` and keep the raw body."""


@dataclass(frozen=True)
class IncomingMessage:
    """One message or event push, plaintext or already decrypted.

    Optional fields are None when the element is absent and keep their exact text (possibly
    empty) otherwise; a voice message may carry an empty ``recognition``. ``event_key`` of a
    subscribe through a parametric QR code has its ``qrscene_`` prefix removed;
    ``via_qr_scene`` is True for such a subscribe and for a ``scan`` event, whose
    ``event_key`` is then the scene. ``fields`` holds the text of every top-level element.
    """

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    msg_id: str | None
    content: str | None
    event: str | None
    event_key: str | None
    via_qr_scene: bool
    recognition: str | None
    media_id: str | None
    pic_url: str | None
    location_x: str | None
    location_y: str | None
    label: str | None
    title: str | None
    description: str | None
    url: str | None
    fields: Mapping[str, str] = field(hash=False, repr=False)

    @property
    def dedup_key(self) -> str:
        """Identify this push across WeChat's retries (same MsgId / CreateTime each time).

        Events carry no MsgId, and FromUserName + CreateTime alone collides when one user
        sends two events in the same second (subscribe then unsubscribe), so the event and
        its raw EventKey are part of the key.
        """
        if self.msg_id is not None:
            return f"msg:{self.msg_id}"
        if self.msg_type == "event":
            raw_event_key = self.fields.get("EventKey", "")
            return f"evt:{self.from_user}:{self.create_time}:{self.event or ''}:{raw_event_key}"
        canonical = json.dumps(sorted(self.fields.items()), ensure_ascii=False)
        return "raw:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Envelope:
    """The outer body of an encrypted push (safe or compatible mode, or WeCom).

    ``plain`` is the readable copy a compatible-mode body also carries; it is None in safe
    mode and when those plaintext fields do not form a message. Only the decrypted
    ``encrypt`` is authoritative.
    """

    to_user: str | None
    encrypt: str
    plain: IncomingMessage | None


@dataclass(frozen=True)
class Article:
    """One item of a news (图文) reply."""

    title: str
    description: str
    url: str
    pic_url: str = ""


def parse_message(body: bytes) -> IncomingMessage:
    """Parse a plaintext (or decrypted) push body; raise ``MalformedMessage`` if unreadable."""
    return _message_from_fields(_top_level_fields(_parse_root(body)))


def parse_envelope(body: bytes) -> Envelope:
    """Parse an encrypted push body; raise ``MalformedMessage`` without a usable ``Encrypt``."""
    # The body of every safe-mode push, read without a parser (any other goes through one).
    safe = _SAFE_MODE_ENVELOPE.fullmatch(body) if len(body) <= MAX_BODY_BYTES else None
    if safe is not None:
        return Envelope(safe[1].decode("ascii"), safe[2].decode("ascii"), None)
    fields = _top_level_fields(_parse_root(body))
    encrypt = fields.get("Encrypt", "")
    if not encrypt:
        raise MalformedMessage("encrypted push has no Encrypt element")
    plain: IncomingMessage | None = None
    if "MsgType" in fields:
        try:
            plain = _message_from_fields(fields)
        except MalformedMessage:
            plain = None
    return Envelope(to_user=fields.get("ToUserName"), encrypt=encrypt, plain=plain)


def text_reply(to_user: str, from_user: str, content: str, create_time: int) -> str:
    """Build a passive text reply. ``to_user`` is the sender's OpenID, ``from_user`` our gh_ id.

    Newlines in ``content`` must be real ones; WeChat shows them as line breaks. The caller
    keeps ``content`` within about 2048 UTF-8 bytes.
    """
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time:d}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_content_cdata(content)}</Content></xml>"
    )


def news_reply(to_user: str, from_user: str, articles: Sequence[Article], create_time: int) -> str:
    """Build a passive news (图文) reply with 1 to 8 articles.

    Only ``MAX_ARTICLES_IN_MESSAGE_REPLY`` (1) article is allowed when replying to a user
    message; up to ``MAX_ARTICLES_IN_EVENT_REPLY`` (8) when replying to an event. This
    function cannot tell which case applies and only enforces the outer limit.
    """
    if not articles:
        raise ValueError("a news reply needs at least one article")
    if len(articles) > MAX_ARTICLES_IN_EVENT_REPLY:
        raise ValueError(
            f"a news reply holds at most {MAX_ARTICLES_IN_EVENT_REPLY} articles, "
            f"got {len(articles)}"
        )
    items = "".join(
        f"<item><Title>{_cdata(article.title)}</Title>"
        f"<Description>{_cdata(article.description)}</Description>"
        f"<PicUrl>{_cdata(article.pic_url)}</PicUrl>"
        f"<Url>{_cdata(article.url)}</Url></item>"
        for article in articles
    )
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time:d}</CreateTime>"
        f"<MsgType><![CDATA[news]]></MsgType>"
        f"<ArticleCount>{len(articles)}</ArticleCount>"
        f"<Articles>{items}</Articles></xml>"
    )


def _cdata(text: str) -> str:
    """Wrap text in CDATA so that any content survives, ``]]>`` and control characters included."""
    cleaned = _XML_ILLEGAL_CHARACTERS.sub("", text)
    return "<![CDATA[" + cleaned.replace("]]>", "]]]]><![CDATA[>") + "]]>"


# The same few answers go out over and over: their escaped form is kept.
_content_cdata = functools.lru_cache(maxsize=1024)(_cdata)


def _parse_root(body: bytes) -> Element:
    if len(body) > MAX_BODY_BYTES:
        raise MalformedMessage(f"body is {len(body)} bytes, over the {MAX_BODY_BYTES} limit")
    try:
        # Decoding here (not in expat) makes UTF-8 binding: an encoding="GBK" declaration in
        # the body is ignored instead of silently re-decoding the bytes.
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MalformedMessage(f"body is not valid UTF-8: {error}") from None
    try:
        root = _parse_text(text)
    except ParseError as first_error:
        stripped = _INBOUND_CONTROL_CHARACTERS.sub("", text)
        if stripped == text:
            raise MalformedMessage(f"body is not well-formed XML: {first_error}") from None
        try:
            root = _parse_text(stripped)
        except ParseError as error:
            raise MalformedMessage(f"body is not well-formed XML: {error}") from None
    if root.tag != "xml":
        raise MalformedMessage(f"root element is <{root.tag}>, not <xml>")
    return root


def _parse_text(text: str) -> Element:
    if _DOCTYPE not in text:
        # Without a document type declaration nothing can be declared: no entity to expand
        # (expat refuses undefined ones), no external reference. Such a body, every body
        # WeChat sends, is safe for the C parser, several times faster than defusedxml's
        # pure-Python one. A body that might declare something goes through defusedxml.
        return _c_fromstring(text)
    try:
        root: Element = fromstring(text, forbid_dtd=True)
    except DefusedXmlException as error:
        raise MalformedMessage(
            f"body uses a DTD, entity or external reference: {error!r}"
        ) from None
    return root


def _top_level_fields(root: Element) -> dict[str, str]:
    fields: dict[str, str] = {}
    for child in root:
        # A repeated element keeps its first value, the one every WeChat SDK reads.
        fields.setdefault(child.tag, child.text or "")
    return fields


def _message_from_fields(fields: dict[str, str]) -> IncomingMessage:
    msg_type = fields.get("MsgType", "").strip().lower()
    if not msg_type:
        raise MalformedMessage("body has no MsgType: not a message or event push")
    to_user = fields.get("ToUserName")
    from_user = fields.get("FromUserName")
    if to_user is None or from_user is None:
        raise MalformedMessage("message lacks ToUserName or FromUserName")
    create_time = fields.get("CreateTime", "").strip()
    # The length bound keeps int() clear of Python's limit on huge digit strings.
    if not (create_time.isascii() and create_time.isdigit() and len(create_time) <= 20):
        # Quoted short: the error is logged, and the field is the sender's to fill.
        raise MalformedMessage(f"CreateTime {create_time[:24]!r} is not a whole number of seconds")

    raw_event = fields.get("Event")
    event = raw_event.strip().lower() if raw_event is not None else None
    event_key = fields.get("EventKey")
    via_qr_scene = event == "scan"
    if event == "subscribe" and event_key is not None and event_key.startswith(_QR_SCENE_PREFIX):
        event_key = event_key.removeprefix(_QR_SCENE_PREFIX)
        via_qr_scene = True

    return IncomingMessage(
        to_user=to_user,
        from_user=from_user,
        create_time=int(create_time),
        msg_type=msg_type,
        msg_id=fields.get("MsgId", "").strip() or None,
        content=fields.get("Content"),
        event=event,
        event_key=event_key,
        via_qr_scene=via_qr_scene,
        recognition=fields.get("Recognition"),
        media_id=fields.get("MediaId"),
        pic_url=fields.get("PicUrl"),
        location_x=fields.get("Location_X"),
        location_y=fields.get("Location_Y"),
        label=fields.get("Label"),
        title=fields.get("Title"),
        description=fields.get("Description"),
        url=fields.get("Url"),
        fields=MappingProxyType(dict(fields)),
    )
