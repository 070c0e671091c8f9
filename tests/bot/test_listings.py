"""Tests for bot/listings.py (through the answerer): 房源 filtered by what the resident asked.

The material lists 惠民家园 and 安康小区 (公租房, second batch, 2026-11-18) and 福泰苑 (经适房);
an older first-batch list still shows 惠民家园 with other counts.
"""

from __future__ import annotations

import pytest

from bot.answer import Answer, AnswerKind
from bot.compose import format_date
from tests.bot.conftest import Ask

SECOND_BATCH = "山阴县2026年第二批公共租赁住房房源信息表"
AFFORDABLE = "福泰苑经济适用住房房源信息"


def assert_listing(answer: Answer, present: list[str], absent: list[str]) -> None:
    assert answer.kind == AnswerKind.ANSWERED, answer.text
    for fact in present:
        assert fact in answer.text, (fact, answer.text)
    for fact in absent:
        assert fact not in answer.text, (fact, answer.text)


def body(answer: Answer) -> list[str]:
    """The reply's lines without the source line."""
    return [line for line in answer.text.splitlines() if not line.startswith("来源：")]


@pytest.mark.parametrize(
    ("question", "present", "absent"),
    [
        (
            "惠民家园还有房吗",
            ["惠民家园", "一室一厅", "待分配10套", "两室一厅", "待分配6套", "4.2"],
            ["安康小区", "福泰苑"],
        ),
        ("惠民家圆还有房吗", ["惠民家园", "待分配10套"], ["安康小区", "福泰苑"]),  # a typo
        ("安康还有几套", ["安康小区", "待分配3套", "待分配2套"], ["惠民家园", "福泰苑"]),
        ("福泰苑还有房吗", ["福泰苑", "两室一厅", "三室一厅", "2900"], ["惠民家园", "安康小区"]),
    ],
)
def test_by_project(ask: Ask, question: str, present: list[str], absent: list[str]) -> None:
    assert_listing(ask(question), present, absent)


@pytest.mark.parametrize(
    ("question", "present", "absent"),
    [
        ("公租房还有两居室吗", ["58.3", "62.4"], ["40.5", "45㎡", "福泰苑"]),
        ("二室一厅的公租房有吗", ["58.3", "62.4"], ["40.5", "45㎡", "福泰苑"]),
        ("公租房一居室多少钱", ["40.5", "45㎡"], ["两室一厅", "福泰苑"]),
        ("经适房三居室还有吗", ["88.6"], ["70.2", "惠民家园", "安康小区"]),
    ],
)
def test_by_unit_type(ask: Ask, question: str, present: list[str], absent: list[str]) -> None:
    assert_listing(ask(question), present, absent)


@pytest.mark.parametrize(
    ("question", "present", "absent"),
    [
        ("60平左右的公租房有吗", ["58.3", "62.4"], ["40.5", "45㎡", "70.2"]),
        ("40平上下的有吗", ["40.5", "45㎡"], ["58.3", "62.4", "88.6"]),
        ("80平以上的有吗", ["88.6"], ["70.2", "62.4", "58.3"]),
    ],
)
def test_by_area(ask: Ask, question: str, present: list[str], absent: list[str]) -> None:
    assert_listing(ask(question), present, absent)


@pytest.mark.parametrize(
    ("question", "first", "absent"),
    [
        ("公租房租金最便宜的是哪个", "安康小区", ["2900", "福泰苑"]),
        ("公租房最大的有多大", "62.4", ["88.6", "70.2", "福泰苑"]),
        ("公租房最小的多大", "40.5", ["福泰苑"]),
        ("经适房最大的多大", "88.6", ["惠民家园", "安康小区"]),
    ],
)
def test_ordered_by_price_or_area(ask: Ask, question: str, first: str, absent: list[str]) -> None:
    answer = ask(question)
    assert_listing(answer, [first], absent)
    assert first in body(answer)[0]


@pytest.mark.parametrize(
    "question",
    ["公租房有哪些房源", "gzf还有房吗", "公租房还有房吗", "廉租房还有房吗"],
)
def test_affordable_housing_is_never_offered_for_a_public_rental_question(
    ask: Ask, question: str
) -> None:
    assert_listing(ask(question), ["惠民家园", "安康小区"], ["福泰苑", "2900", AFFORDABLE])


@pytest.mark.parametrize("question", ["经适房还有房吗", "经济适用房多少钱一平"])
def test_public_rentals_are_never_offered_for_an_affordable_housing_question(
    ask: Ask, question: str
) -> None:
    assert_listing(ask(question), ["福泰苑", "售价2900"], ["惠民家园", "安康小区", SECOND_BATCH])


def test_the_old_tier_asks_for_public_rental_listings(ask: Ask) -> None:
    assert_listing(ask("廉租房还有吗"), ["惠民家园", "安康小区", "并轨"], ["福泰苑"])


def test_a_note_naming_the_project_comes_along(ask: Ask) -> None:
    assert_listing(ask("安康小区还有房吗"), ["定向配租"], [])
    assert_listing(ask("惠民家园还有房吗", user="other"), [], ["定向配租"])


def test_only_the_newest_listing_of_a_project_is_shown(ask: Ask) -> None:
    answer = ask("惠民家园还有几套")
    assert_listing(answer, ["待分配10套", "待分配6套"], ["待分配30套", "待分配15套", "第一批"])
    assert [source.title for source in answer.sources] == [SECOND_BATCH]


@pytest.mark.parametrize(
    ("question", "present"),
    [
        ("安康小区在哪", ["岱岳镇建设北路18号"]),
        ("惠民家园地址在哪里", ["岱岳镇迎宾南路200号"]),
        ("惠民家园一居室每月大概多少租金", ["参考月租金170.1元"]),  # an extra column
        ("福泰苑两居室总价多少", ["参考总价203580元"]),
    ],
)
def test_project_details(ask: Ask, question: str, present: list[str]) -> None:
    assert_listing(ask(question), present, [])


@pytest.mark.parametrize("question", ["安康小区什么时候分配", "惠民家园什么时候能分房"])
def test_when_a_project_is_allocated(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert "2026-12-10" in answer.text or "12月10日" in answer.text
    assert "租金标准" not in answer.text


@pytest.mark.parametrize(
    ("opening", "follow_up", "present", "absent"),
    [
        ("惠民家园还有房吗", "那租金呢?", ["惠民家园", "4.2"], ["安康小区", "3.6"]),
        ("安康小区还有几套", "那租金呢？", ["安康小区", "3.6"], ["惠民家园", "4.2"]),
        ("惠民家园还有房吗", "两居室还有吗?", ["惠民家园", "58.3"], ["安康小区", "40.5"]),
        ("安康小区在哪", "两居室还有吗?", ["安康小区", "62.4"], ["惠民家园", "45㎡"]),
    ],
)
def test_follow_ups_resolve_against_the_last_project(
    ask: Ask, opening: str, follow_up: str, present: list[str], absent: list[str]
) -> None:
    ask(opening)
    assert_listing(ask(follow_up), present, absent)


def test_a_follow_up_of_another_resident_is_not_resolved_against_my_project(ask: Ask) -> None:
    ask("安康小区还有几套", user="first")
    answer = ask("那租金呢?", user="second")
    assert "惠民家园" in answer.text  # every listing, not only the other resident's project


@pytest.mark.parametrize(
    "question",
    ["惠民家园还有房吗", "公租房还有两居室吗", "经适房还有房吗", "60平左右的公租房有吗"],
)
def test_listing_answers_cite_the_list_with_its_date(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert answer.sources
    source_line = answer.text.splitlines()[-1]
    assert source_line.startswith("来源：")
    for source in answer.sources:
        assert source.item_number == 17
        assert f"《{source.title}》（{format_date(source.published_on)}）" in source_line
