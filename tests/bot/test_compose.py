"""Tests for bot/compose.py: dates, citations, the contact sentence, phone masking, tickets."""

from __future__ import annotations

from datetime import date

import pytest

from bot import phrases
from bot.answer import AnswerKind, Source
from bot.compose import (
    contact_sentence,
    finish,
    format_date,
    source_of,
    sources_line,
    sources_of,
    with_ticket,
)
from knowledge.index import SearchIndex
from knowledge.material import LoadedDocument, Material
from knowledge.tokenizer import DomainTokenizer
from tests.bot.conftest import ENQUIRY_PHONE, GUIDE, REPORT_PHONE, RULES


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2026, 11, 20), "2026年11月20日"),
        (date(2026, 1, 6), "2026年1月6日"),  # no leading zeros
        (None, phrases.UNDATED),
    ],
)
def test_format_date(value: date | None, text: str) -> None:
    assert format_date(value) == text


def test_a_document_is_cited_by_title_date_item_and_page() -> None:
    source = source_of(RULES.info)
    assert source == Source(
        title="山阴县公共租赁住房和经济适用住房申请须知",
        published_on=date(2026, 3, 2),
        item_number=13,
        document_id=1,
        page_path="/documents/1",
    )


def test_entries_are_cited_once_each_and_answers_as_item_41(index: SearchIndex) -> None:
    rules = index.document_passages(RULES.info.document_id)
    answer = next(e for e in index.entries if e.qa is not None)
    cited = sources_of([*rules[:3], answer, rules[5]])
    assert [s.title for s in cited] == [RULES.info.title, "问答：公租房合同到期了怎么续租"]
    assert cited[1].item_number == 41
    assert cited[1].qa_id == 1
    assert cited[1].page_path == "/qa/1"


def test_the_source_line_names_titles_and_dates() -> None:
    line = sources_line([source_of(RULES.info), source_of(GUIDE.info)])
    assert line == (
        "来源：《山阴县公共租赁住房和经济适用住房申请须知》（2026年3月2日）；"
        "《山阴县住房保障办事指南》（2026年1月6日）"
    )
    assert sources_line([]) == ""


def test_the_source_line_is_kept_short() -> None:
    many = [Source(f"公告{n}", date(2026, 1, n), 18, n, f"/documents/{n}") for n in range(1, 6)]
    assert sources_line(many).count("《") == 3


def test_the_contact_sentence_gives_the_published_enquiry_line(index: SearchIndex) -> None:
    assert ENQUIRY_PHONE in contact_sentence(index)


def test_without_a_published_number_none_is_made_up(tokenizer: DomainTokenizer) -> None:
    undated_guide = LoadedDocument(GUIDE.info, (("一、办公地点", "县住建局办公楼三层312室。"),))
    bare = SearchIndex.build(Material(revision=1, documents=(undated_guide,)), tokenizer)
    assert contact_sentence(bare) == phrases.CONTACT_UNKNOWN


@pytest.mark.parametrize(
    ("line", "shown", "hidden"),
    [
        ("请回电13812345678", "138****5678", "13812345678"),
        ("我的电话 138 1234 5678", "138****5678", "1234"),
        ("家里座机0349-7654321", "034****4321", "7654321"),
    ],
)
def test_a_residents_phone_number_is_masked(
    index: SearchIndex, line: str, shown: str, hidden: str
) -> None:
    text = finish(index, [line], kind=AnswerKind.ANSWERED).text
    assert shown in text
    assert hidden not in text


@pytest.mark.parametrize("number", [ENQUIRY_PHONE, REPORT_PHONE, "0349-0000174"])
def test_the_bureaus_published_numbers_are_kept(index: SearchIndex, number: str) -> None:
    assert number in finish(index, [f"请拨打{number}"], kind=AnswerKind.ANSWERED).text


def test_finish_puts_the_source_last_and_keeps_the_flags(index: SearchIndex) -> None:
    answer = finish(
        index,
        ["  第一行 ", "", "第二行"],
        kind=AnswerKind.NOT_FOUND,
        sources=[source_of(RULES.info)],
        score=0.12345,
        intent="general",
        needs_review=True,
    )
    lines = answer.text.splitlines()
    assert lines[:2] == ["第一行", "第二行"]
    assert lines[-1].startswith(phrases.SOURCE_PREFIX)
    assert (answer.kind, answer.intent, answer.needs_review, answer.needs_ticket) == (
        AnswerKind.NOT_FOUND,
        "general",
        True,
        False,
    )
    assert answer.score == pytest.approx(0.123)
    assert answer.sources == (source_of(RULES.info),)


def test_with_ticket_replaces_the_pending_sentence(index: SearchIndex) -> None:
    pending = phrases.TICKET_PENDING.format(days=15)
    answer = finish(index, [phrases.COMPLAINT_ACK, pending], kind=AnswerKind.COMPLAINT)
    ticketed = with_ticket(answer, "Q20261201-0007", 15, date(2026, 12, 22))
    assert pending not in ticketed.text
    assert "Q20261201-0007" in ticketed.text
    assert "15个工作日" in ticketed.text
    assert "2026年12月22日" in ticketed.text
    assert ticketed.kind == AnswerKind.COMPLAINT
    assert ticketed.text.startswith(phrases.COMPLAINT_ACK)


def test_with_ticket_appends_when_nothing_is_pending(index: SearchIndex) -> None:
    answer = finish(index, [phrases.HANDOFF.format(days=5)], kind=AnswerKind.HANDOFF)
    ticketed = with_ticket(answer, "Q20261201-0008", 5, date(2026, 12, 8))
    assert ticketed.text.startswith(answer.text)
    assert "Q20261201-0008" in ticketed.text.splitlines()[-1]
