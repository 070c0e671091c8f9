"""Tests for handlers.wechat.replies: fitting text into 2048 bytes, "更多", news cards."""

from __future__ import annotations

import pytest

from bot import phrases
from handlers.wechat.messages import Article
from handlers.wechat.replies import (
    CARD_DESCRIPTION_CHARS,
    MAX_TEXT_BYTES,
    PassiveReply,
    card_as_text,
    continuation,
    fit_answer,
    fit_text,
    news_card,
    page_link,
    stored_reply,
)
from knowledge.records import StoredInteraction

BASE = "https://zjj.example.gov.cn"
SOURCES = [{"title": "山阴县公共租赁住房管理实施办法", "url": "/documents/12"}]
SENTENCE = "申请公租房的家庭，应当如实申报家庭人口、收入和住房情况。"  # 28 chars, 84 bytes


def size(text: str) -> int:
    return len(text.encode("utf-8"))


@pytest.mark.parametrize(
    "text",
    ["公租房申请条件是什么", SENTENCE * 24, "a" * MAX_TEXT_BYTES],
    ids=["short", "just-under", "ascii-at-limit"],
)
def test_text_that_fits_is_sent_whole(text: str) -> None:
    assert size(text) <= MAX_TEXT_BYTES
    fitted = fit_text(text, f"{BASE}/documents/12")
    assert (fitted.reply_text, fitted.consumed) == (text, len(text))


@pytest.mark.parametrize(
    ("text", "cut_after"),
    [
        (SENTENCE * 40, "。"),
        ("\n".join(["第一条 申请条件见附件"] * 200), "件"),
        ("，".join(["家庭人均月收入低于2650元"] * 120), "，"),
        ("房" * 1000, "房"),
        ("🏠" * 600, "🏠"),
    ],
    ids=["sentences", "lines", "clauses-only", "no-boundary", "four-byte-characters"],
)
def test_long_text_is_cut_at_the_best_boundary_and_says_how_to_read_on(
    text: str, cut_after: str
) -> None:
    fitted = fit_text(text, f"{BASE}/documents/12")
    assert size(fitted.reply_text) <= MAX_TEXT_BYTES
    assert fitted.part.endswith(cut_after)
    assert text.startswith(fitted.part)
    assert fitted.reply_text == fitted.part + "\n" + phrases.MORE_HINT.format(
        link=phrases.MORE_LINK.format(url=f"{BASE}/documents/12")
    )
    assert 0 < fitted.consumed < len(text)
    assert text[: fitted.consumed].rstrip() == fitted.part


def test_without_a_page_the_hint_only_mentions_more() -> None:
    fitted = fit_text(SENTENCE * 40, None)
    assert fitted.reply_text.endswith(phrases.MORE_HINT.format(link=""))


def test_reading_on_part_by_part_loses_and_repeats_nothing() -> None:
    text = "\n".join(f"第{n}条 {SENTENCE}" for n in range(1, 80))
    parts: list[str] = []
    offset = 0
    while True:
        reply = continuation(text[offset:], SOURCES, BASE)
        if reply.answer_text == phrases.NOTHING_MORE:
            break
        assert size(reply.reply_text) <= MAX_TEXT_BYTES
        parts.append(reply.answer_text)
        offset += reply.reply_offset
    assert len(parts) >= 3
    assert "\n".join(parts) == text


def test_fit_answer_keeps_the_whole_answer_and_the_offset_sent() -> None:
    text = SENTENCE * 40
    rendered = fit_answer(text, None)
    assert rendered.answer_text == text
    assert text[: rendered.reply_offset].rstrip() in rendered.reply_text


def test_a_lone_surrogate_does_not_break_fitting() -> None:
    text = "公租房\ud800" + SENTENCE * 40
    fitted = fit_text(text, None)
    assert size(fitted.reply_text) <= MAX_TEXT_BYTES
    assert fitted.part.startswith("公租房\ufffd")


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (SOURCES, f"{BASE}/documents/12"),
        ([{"title": "无页面", "url": ""}, {"title": "问答", "url": "/qa/3"}], f"{BASE}/qa/3"),
        ([{"title": "外链", "url": "https://other.example/a"}], None),
        ([], None),
    ],
)
def test_page_link_is_the_first_cited_public_page(
    sources: list[dict[str, str]], expected: str | None
) -> None:
    assert page_link(BASE + "/", sources) == expected


def test_a_news_card_opens_the_cited_page_with_the_start_of_the_answer() -> None:
    text = SENTENCE * 10 + "\n来源：《山阴县公共租赁住房管理实施办法》（2026年1月12日）"
    card = news_card(text, SOURCES, BASE)
    assert card is not None
    assert (card.title, card.url) == ("山阴县公共租赁住房管理实施办法", f"{BASE}/documents/12")
    assert len(card.description) <= CARD_DESCRIPTION_CHARS
    assert card.description.endswith("。")
    assert "来源" not in card.description
    assert card.title in card_as_text(card)


def test_no_card_without_a_cited_page() -> None:
    assert news_card(SENTENCE, [{"title": "目录", "url": ""}], BASE) is None


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (StoredInteraction(1, "HD1", True, "答复", False), PassiveReply(text="答复")),
        (StoredInteraction(1, "HD1", False, "", True), PassiveReply()),
        (
            StoredInteraction(1, "HD1", True, "《标题》", False, {"title": "标题", "url": "/u"}),
            PassiveReply(card=Article(title="标题", description="", url="/u")),
        ),
    ],
    ids=["text", "pending-is-success", "card"],
)
def test_a_stored_record_gives_back_its_reply(
    stored: StoredInteraction, expected: PassiveReply
) -> None:
    assert stored_reply(stored) == expected
    assert expected.is_success is (expected.text == "" and expected.card is None)
