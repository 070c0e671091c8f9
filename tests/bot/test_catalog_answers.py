"""Tests for bot/catalog_answers.py: where, when and by whom an item is published, and what it
holds, read from the real disclosure catalog (knowledge.catalog.load_catalog)."""

from __future__ import annotations

import pytest

from bot.answer import AnswerKind
from bot.catalog_answers import CATALOG_TITLE, catalog_reply, find_item
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from tests.bot.conftest import Ask


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("房源信息在哪公开", 17),
        ("审核结果在哪里能看到", 14),
        ("摇号公告公开些什么内容", 18),
        ("分配结果由哪个部门公布", 19),
        ("年审结果在哪看", 21),
        ("补贴审批结果在哪公布", 15),
        ("征求意见稿在哪看", 3),
        ("常见问题在哪看", 41),
    ],
)
def test_the_item_a_question_is_about(catalog: Catalog, question: str, number: int) -> None:
    item = find_item(catalog, question)
    assert item is not None
    assert item.number == number


@pytest.mark.parametrize(
    ("question", "number"),
    [("经适房资格审核结果在哪看", 16), ("公开时限是多久", None)],
)
def test_the_item_of_harder_questions(catalog: Catalog, question: str, number: int | None) -> None:
    item = find_item(catalog, question)
    assert (item.number if item else None) == number


def test_no_item_for_a_question_outside_the_catalog(catalog: Catalog) -> None:
    assert find_item(catalog, "今天天气怎么样") is None


def test_where_an_item_is_published(catalog: Catalog, index: SearchIndex) -> None:
    reply = catalog_reply(catalog, index, "房源信息在哪公开")
    text = "\n".join(reply.lines)
    assert reply.item is not None and reply.item.number == 17
    for channel in catalog.item(17).channels:
        assert channel in text
    # The item's published documents, newest first.
    assert text.index("第二批公共租赁住房房源信息表") < text.index("第一批公共租赁住房房源信息表")


@pytest.mark.parametrize(
    ("question", "number"),
    [("房源信息多久之内公开", 17), ("分配结果多长时间内公布", 19), ("年审结果几天内公开", 21)],
)
def test_how_soon_an_item_is_published(
    catalog: Catalog, index: SearchIndex, question: str, number: int
) -> None:
    text = "\n".join(catalog_reply(catalog, index, question).lines)
    deadline = catalog.item(number).deadline
    assert deadline in text
    assert "20个工作日" in text


@pytest.mark.parametrize(
    ("question", "number"),
    [("分配结果由哪个部门公布", 19), ("房源信息谁负责公开", 17)],
)
def test_who_publishes_an_item(
    catalog: Catalog, index: SearchIndex, question: str, number: int
) -> None:
    text = "\n".join(catalog_reply(catalog, index, question).lines)
    assert catalog.item(number).responsible_body in text


@pytest.mark.parametrize(
    ("question", "number"),
    [("摇号公告公开些什么内容", 18), ("房源信息都公开哪些信息", 17)],
)
def test_what_an_item_holds(
    catalog: Catalog, index: SearchIndex, question: str, number: int
) -> None:
    text = "\n".join(catalog_reply(catalog, index, question).lines)
    for element in catalog.item(number).elements:
        assert element.name in text


def test_a_batch_asked_about_comes_first(catalog: Catalog, index: SearchIndex) -> None:
    text = "\n".join(catalog_reply(catalog, index, "第一批摇号公告在哪公开").lines)
    assert text.index("第一批公共租赁住房摇号配租") < text.index("第二批公共租赁住房摇号配租")


@pytest.mark.parametrize(
    "question",
    ["房源信息在哪公开", "审核结果在哪里能看到", "分配结果由哪个部门公布", "年审结果在哪看"],
)
def test_catalog_answers_cite_the_catalog(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert answer.kind == AnswerKind.ANSWERED
    assert answer.intent == "catalog"
    assert CATALOG_TITLE in [source.title for source in answer.sources]
    assert f"《{CATALOG_TITLE}》" in answer.text.splitlines()[-1]


def test_a_general_question_gets_the_common_deadline(ask: Ask) -> None:
    answer = ask("保障房信息多久之内公开")
    assert "20个工作日" in answer.text
