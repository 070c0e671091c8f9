"""What to do with each kind of WeChat push: ask the bot, say a fixed sentence, or nothing.

Typed text and recognised voice are questions: stored, answered by the bot, and (only they)
may open a staff review. Menu clicks are answered like questions but never opened for review
(a button press is not a resident's own words). Other messages get a short helpful sentence;
subscribe and QR scans the welcome; unsubscribe, menu links (VIEW), location reports and
WeChat's own notifications nothing at all ("success"). Every message a resident sent is
recorded; events without a reply are not (LOCATION may come every 5 seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import phrases
from handlers.wechat.menu import Menu
from handlers.wechat.messages import IncomingMessage

#: The bot reads at most this much of one message (the whole message is still stored).
MAX_QUESTION_CHARS = 500

# Labels of the stored "question" for messages that carry no text (staff read them).
_MEDIA_LABELS = {
    "image": "[图片]",
    "video": "[视频]",
    "shortvideo": "[小视频]",
    "voice": "[语音]",
    "file": "[文件]",
}
_SUBSCRIBE_LABEL = "[关注]"
_SCAN_LABEL = "[扫码]"
_SCENE_LABEL = " 场景：{scene}"
_LOCATION_LABEL = "[位置] {label}"
_LINK_LABEL = "[链接] {title} {url}"
_CLICK_LABEL = "[菜单] {name}"
_OTHER_LABEL = "[{kind}]"


@dataclass(frozen=True)
class Plan:
    """How to answer one push.

    ``ask`` is the text for the bot; otherwise ``fixed`` is the reply ('' means "success").
    """

    record: bool
    message_type: str = ""
    question: str = ""
    ask: str = ""
    fixed: str = ""
    reviewable: bool = False
    rate_limited: bool = True
    more: bool = False
    news: bool = False


NOTHING = Plan(record=False)


def welcome_text(menu: Menu) -> str:
    """What the bot can do, the questions to try and the menu buttons (sent on subscribe)."""
    buttons = "、".join(entry.name for entry in menu.entries())
    lines = [phrases.GREETING, phrases.MENU_TITLE, *phrases.MENU_LINES]
    lines.append(phrases.MENU_BUTTONS.format(buttons=buttons))
    return "\n".join(lines)


def help_text() -> str:
    """The list of things to ask (for a menu key no longer in the menu)."""
    return "\n".join([phrases.MENU_TITLE, *phrases.MENU_LINES])


def plan_for(message: IncomingMessage, menu: Menu) -> Plan:
    """Decide how to answer message."""
    kind = message.msg_type
    if kind == "text":
        return _text(message.content or "", menu)
    if kind == "voice":
        recognised = (message.recognition or "").strip()
        if recognised:
            return _question("voice", recognised)
        return Plan(True, "voice", _MEDIA_LABELS["voice"], fixed=phrases.VOICE_UNRECOGNISED)
    if kind in _MEDIA_LABELS:
        return Plan(True, kind, _MEDIA_LABELS[kind], fixed=phrases.MEDIA_REPLY)
    if kind == "location":
        label = _LOCATION_LABEL.format(label=message.label or "").strip()
        return Plan(True, kind, label, fixed=phrases.LOCATION_REPLY)
    if kind == "link":
        label = _LINK_LABEL.format(title=message.title or "", url=message.url or "").strip()
        return Plan(True, kind, label, fixed=phrases.LINK_REPLY)
    if kind == "event":
        return _event(message, menu)
    # A message type this service does not know (yet): kept for staff, answered with nothing.
    return Plan(True, kind, _OTHER_LABEL.format(kind=kind))


def _text(content: str, menu: Menu) -> Plan:
    if not content.strip():
        return Plan(True, "text", content, fixed=phrases.EMPTY_MESSAGE)
    if menu.is_more(content):
        return Plan(True, "text", content, more=True)
    return _question("text", content)


def _question(message_type: str, text: str) -> Plan:
    return Plan(True, message_type, text, ask=text[:MAX_QUESTION_CHARS], reviewable=True)


def _event(message: IncomingMessage, menu: Menu) -> Plan:
    event = message.event or ""
    message_type = f"event:{event}"
    if event in ("subscribe", "scan"):
        label = _SUBSCRIBE_LABEL if event == "subscribe" else _SCAN_LABEL
        if message.via_qr_scene and message.event_key:
            label += _SCENE_LABEL.format(scene=message.event_key)
        return Plan(True, message_type, label, fixed=welcome_text(menu), rate_limited=False)
    if event == "click":
        entry = menu.entry_for(message.event_key)
        if entry is None:
            label = _CLICK_LABEL.format(name=message.event_key or "")
            return Plan(True, message_type, label, fixed=help_text())
        label = _CLICK_LABEL.format(name=entry.name)
        if entry.phrase:
            return Plan(True, message_type, label, fixed=entry.fixed_text())
        return Plan(True, message_type, label, ask=entry.question, news=entry.reply == "news")
    # unsubscribe, VIEW (the resident left for a page), LOCATION reports, scan-code and photo
    # menu events, mass/template send results: nothing to say.
    return NOTHING
