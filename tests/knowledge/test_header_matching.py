"""Tests for knowledge/header_matching.py: normalising headers and matching them to elements."""

from __future__ import annotations

import pytest

from knowledge.header_matching import HeaderMatch, HeaderMatcher, normalise_header

ELEMENTS = ["保障对象姓名", "身份证号", "房号", "面积", "套型", "是否审核通过", "审核未通过原因"]
SYNONYMS = {
    "保障对象姓名": ["姓名", "申请人", "申请人姓名", "申请对象姓名"],
    "身份证号": ["证件号码"],
}
COMPOSITES = {"房号面积套型": ["房号", "面积", "套型"]}


@pytest.fixture
def matcher() -> HeaderMatcher:
    return HeaderMatcher(ELEMENTS, SYNONYMS, COMPOSITES)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("面积（㎡）", "面积"),
        ("租金标准（元/㎡·月）", "租金标准"),
        ("证件号码（隐藏部分号码）", "证件号码"),
        ("身份证号(隐藏部分号码)", "身份证号"),
        (" 姓 名 ", "姓名"),
        ("姓\n名", "姓名"),
        ("金额【元】", "金额"),
        ("面积：", "面积"),
        ("（备注）", "备注"),
        ("No.", "no."),
    ],
)
def test_normalise_header(header: str, expected: str) -> None:
    assert normalise_header(header) == expected


@pytest.mark.parametrize(
    ("header", "elements", "how"),
    [
        ("保障对象姓名", ("保障对象姓名",), "exact"),
        ("面积（㎡）", ("面积",), "exact"),
        ("申请人", ("保障对象姓名",), "synonym"),
        ("证件号码（隐藏部分号码）", ("身份证号",), "synonym"),
        ("身份证号码", ("身份证号",), "fuzzy"),
        ("是否通过", ("是否审核通过",), "fuzzy"),
        ("未通过原因", ("审核未通过原因",), "fuzzy"),
        ("房号面积套型", ("房号", "面积", "套型"), "composite"),
        ("序号", (), "serial"),
        ("家庭人口", (), "extra"),
        ("备注", (), "extra"),
        ("", (), "extra"),
        ("2026", (), "extra"),
        ("山阴县2026年第一批公共租赁住房分配结果公示及监督举报方式说明", (), "extra"),
    ],
)
def test_match_one_header(
    matcher: HeaderMatcher, header: str, elements: tuple[str, ...], how: str
) -> None:
    match = matcher.match(header)
    assert (match.elements, match.how) == (elements, how)


def test_short_names_inside_longer_ones_are_not_fuzzy_matches() -> None:
    # partial_ratio would find 面积 inside 住宅面积; two-character names need a synonym.
    matcher = HeaderMatcher(["总建筑面积", "住宅面积"], {}, {})
    assert matcher.match("面积").how == "extra"


def test_two_columns_never_share_an_element_the_better_score_wins(
    matcher: HeaderMatcher,
) -> None:
    # 是否通过 scores 80 against 是否审核通过, 审核通过 95: the second column gets it.
    matches = matcher.match_row(["是否通过", "审核通过"])
    assert [(match.elements, match.how) for match in matches] == [
        ((), "extra"),
        (("是否审核通过",), "fuzzy"),
    ]


def test_exact_beats_synonym_and_the_first_exact_wins(matcher: HeaderMatcher) -> None:
    matches = matcher.match_row(["姓名", "保障对象姓名", "保障对象姓名"])
    assert [match.how for match in matches] == ["extra", "exact", "extra"]


def test_a_composite_leaves_elements_claimed_by_their_own_columns(
    matcher: HeaderMatcher,
) -> None:
    matches = matcher.match_row(["房号", "房号面积套型"])
    assert matches[1] == HeaderMatch(
        "房号面积套型", ("面积", "套型"), 100.0, "composite", ("房号", "面积", "套型")
    )


def test_synonyms_of_elements_outside_the_table_are_ignored() -> None:
    matcher = HeaderMatcher(["项目名称"], {"保障对象姓名": ["姓名"]}, {})
    assert matcher.match("姓名").how == "extra"
    assert not matcher.names_element("姓名")
