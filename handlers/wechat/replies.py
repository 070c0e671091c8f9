"""Fitting answers into WeChat passive replies: 2048 bytes of text, "更多", or one news card.

Text or news card:
- A typed question (and a menu button asking a question) is answered with text: the answer
  belongs in the chat, where the resident reads it at once and can ask a follow-up; a card
  shows only its title and two lines and makes the resident leave the chat to read on.
- A menu button marked ``reply = "news"`` in menu.toml (摇号公告) is answered with one card that
  opens the cited notice's public page: a notice is read whole (time, place, what to bring, the
  list of households), its page shows it in full with tables, and the button says "show me
  the notice", not "answer a question". Without a cited page, the answer falls back to text.
  Only one article is allowed when replying to a message (WeChat, since 2018-10-12).

Length: WeChat drops text replies over about 2048 UTF-8 bytes. A longer answer is cut at the
last sentence end that fits (else a clause mark, else a character) and ends with how to read
on: 回复"更多" (served from the stored record by whichever worker gets it) and the public page
of the first cited document.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import phrases
from handlers.wechat.messages import Article, news_reply, text_reply
from knowledge.records import RenderedReply, StoredInteraction

#: Developers measured 2048 bytes of UTF-8 as the longest text WeChat delivers (spec section 6).
MAX_TEXT_BYTES = 2048
#: A card's description shows two or three lines; more is cut off by the client.
CARD_DESCRIPTION_CHARS = 120

_SENTENCE_END = re.compile(r"[。！？!?；;]+[”\u2019」』）)\]\"']*|\n")
_CLAUSE_END = re.compile(r"[，,、：:]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SOURCE_LINE = re.compile(r"\n?" + re.escape(phrases.SOURCE_PREFIX) + r".*$", re.DOTALL)


@dataclass(frozen=True)
class PassiveReply:
    """The body of the HTTP answer: "success" (nothing), a text, or one news card."""

    text: str = ""
    card: Article | None = None

    @property
    def is_success(self) -> bool:
        return not self.text and self.card is None


SUCCESS_REPLY = PassiveReply()


@dataclass(frozen=True)
class FittedText:
    """A text cut to fit: the part sent, the reply (part plus how to read on), chars consumed."""

    part: str
    reply_text: str
    consumed: int


def page_link(base_url: str, sources: Sequence[Mapping[str, Any]]) -> str | None:
    """The public page of the first cited source that has one."""
    for source in sources:
        path = source.get("url")
        if isinstance(path, str) and path.startswith("/"):
            return base_url.rstrip("/") + path
    return None


def fit_text(text: str, link: str | None, max_bytes: int = MAX_TEXT_BYTES) -> FittedText:
    """Cut text to max_bytes of UTF-8, ending with how to read the rest when anything is left."""
    # A lone surrogate cannot be encoded at all; it becomes U+FFFD (same length in characters).
    text = _SURROGATE.sub("\ufffd", text)
    body = text.lstrip()
    lead = len(text) - len(body)
    if _size(body) <= max_bytes:
        return FittedText(body.rstrip(), body.rstrip(), len(text))
    hint = "\n" + phrases.MORE_HINT.format(link=phrases.MORE_LINK.format(url=link) if link else "")
    if _size(hint) > max_bytes // 2:
        hint = "\n" + phrases.MORE_HINT.format(link="")
    cut = _cut(body, max_bytes - _size(hint))
    part = body[:cut].rstrip()
    return FittedText(part, part + hint, lead + cut)


def fit_answer(text: str, link: str | None, max_bytes: int = MAX_TEXT_BYTES) -> RenderedReply:
    """The record texts of an answer: all of it, the reply sent, and how much of it that was."""
    fitted = fit_text(text, link, max_bytes)
    return RenderedReply(text, fitted.reply_text, fitted.consumed)


def continuation(
    remaining: str, sources: Sequence[Mapping[str, Any]], base_url: str
) -> RenderedReply:
    """The reply to "更多": the next part of the rest of the last answer, or "nothing more"."""
    if not remaining.strip():
        return RenderedReply(phrases.NOTHING_MORE, phrases.NOTHING_MORE, len(remaining))
    fitted = fit_text(remaining, page_link(base_url, sources))
    return RenderedReply(fitted.part, fitted.reply_text, fitted.consumed)


def news_card(text: str, sources: Sequence[Mapping[str, Any]], base_url: str) -> Article | None:
    """One card opening the first cited page: its title, the start of the answer as description."""
    link = page_link(base_url, sources)
    if link is None:
        return None
    source = next(s for s in sources if base_url.rstrip("/") + str(s.get("url")) == link)
    title = str(source.get("title") or "").strip()
    if not title:
        return None
    return Article(title=title, description=_description(text), url=link)


def card_as_text(card: Article) -> str:
    """How a card reads in the record staff see."""
    return f"《{card.title}》\n{card.description}\n{card.url}"


def stored_reply(stored: StoredInteraction) -> PassiveReply:
    """The reply a stored record was (and a retry of its message is) answered with."""
    if stored.reply_card:
        card = stored.reply_card
        return PassiveReply(
            card=Article(
                title=card.get("title", ""),
                description=card.get("description", ""),
                url=card.get("url", ""),
                pic_url=card.get("pic_url", ""),
            )
        )
    return PassiveReply(text=stored.reply_text)


def render_reply(reply: PassiveReply, resident: str, account: str, create_time: int) -> str:
    """The reply XML (not for success, which is sent as the bare word)."""
    if reply.card is not None:
        return news_reply(resident, account, [reply.card], create_time)
    return text_reply(resident, account, reply.text, create_time)


def _description(text: str) -> str:
    body = _SOURCE_LINE.sub("", text).strip()
    if len(body) <= CARD_DESCRIPTION_CHARS:
        return body
    window = body[:CARD_DESCRIPTION_CHARS]
    ends = [match.end() for match in _SENTENCE_END.finditer(window)]
    return window[: ends[-1]].strip() if ends else window.rstrip() + "…"


def _cut(text: str, room: int) -> int:
    """The best position to cut text so that text[:position] fits in room bytes."""
    limit = _fitting_chars(text, room)
    for pattern in (_SENTENCE_END, _CLAUSE_END):
        ends = [match.end() for match in pattern.finditer(text, 0, limit) if match.end() <= limit]
        if ends and ends[-1] > 0:
            return ends[-1]
    return max(limit, 1)


def _fitting_chars(text: str, room: int) -> int:
    """How many leading characters of text fit in room bytes of UTF-8."""
    encoded = text.encode("utf-8")[: max(room, 0)]
    # Dropping a trailing partial character leaves exactly the characters that fit.
    return len(encoded.decode("utf-8", "ignore"))


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
