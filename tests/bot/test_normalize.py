"""Tests for bot/normalize.py: widths, spaces, emoji, pleasantries and Chinese numerals."""

from __future__ import annotations

import pytest

from bot.normalize import chinese_number, convert_numerals, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Full-width letters, digits and punctuation become half-width; letters lower case.
        ("ＧＺＦ还有房吗？", "gzf还有房吗?"),
        ("月收入２５００元", "月收入2500元"),
        ("尾号９１０Ｘ", "尾号910x"),
        # Runs of spaces (full-width ones too) shrink to one; the ends are trimmed.
        ("  公租房\u3000\u3000怎么申请  ", "公租房 怎么申请"),
        ("王秀英\t尾号2345", "王秀英 尾号2345"),
    ],
)
def test_widths_and_spaces_are_evened_out(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("公租房😊怎么申请👍", "公租房 怎么申请"),
        ("🙏🙏还有房吗", "还有房吗"),
        ("摇号❤️在哪", "摇号 在哪"),
    ],
)
def test_emoji_are_dropped(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("你好，公租房怎么申请", "公租房怎么申请"),
        ("请问公租房怎么申请", "公租房怎么申请"),
        ("在吗，摇号在哪", "摇号在哪"),
        ("您好!摇号在哪", "摇号在哪"),
        ("麻烦问一下，审核要多久", "审核要多久"),
        ("公租房怎么申请，谢谢", "公租房怎么申请"),
        ("摇号在哪 谢谢啦", "摇号在哪"),
        # A message that is nothing but thanks keeps its words (it is answered as thanks).
        ("谢谢", "谢谢"),
    ],
)
def test_pleasantries_around_a_question_are_dropped(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("你好，请问公租房怎么申请", "公租房怎么申请"), ("在吗？摇号在哪", "摇号在哪")],
)
def test_stacked_pleasantries_are_all_dropped(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("家里三口人", "家里3口人"),
        ("俺家五口人", "俺家5口人"),
        ("俩人住", "2人住"),
        ("月收入两千五", "月收入2500"),
        ("月工资三千二", "月工资3200"),
        ("一个月挣九千来块", "1个月挣9000来块"),
        ("存款十来万", "存款10来万"),
        ("月收入一万二", "月收入12000"),
        ("身份证后四位", "身份证后4位"),
        ("今年三十岁", "今年30岁"),
        ("七十多岁了", "70多岁了"),
        ("五十平左右", "50平左右"),
        ("社保交了六个月", "社保交了6个月"),
    ],
)
def test_counted_chinese_numerals_become_digits(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "kept",
    [
        "十五五规划建多少",  # the 15th five-year plan is a name
        "第二批什么时候摇号",  # batches stay as the material writes them
        "两室一厅还有吗",  # unit types too
        "三室一厅多少钱",
        "十二月十号摇号吗",  # dates
        "二〇二六年的公告",
        "一点都不公平",
    ],
)
def test_names_batches_unit_types_and_dates_stay_as_written(kept: str) -> None:
    assert normalize(kept) == kept


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("三", 3),
        ("十", 10),
        ("十五", 15),
        ("二十", 20),
        ("三十五", 35),
        ("两千五", 2500),
        ("三千二", 3200),
        ("九千", 9000),
        ("一万二", 12000),
        ("三万", 30000),
        ("两百", 200),
    ],
)
def test_chinese_number_reads_the_value(numeral: str, value: int) -> None:
    assert chinese_number(numeral) == value


@pytest.mark.parametrize("not_a_number", ["", "公租房", "二〇二六", "3口"])
def test_chinese_number_refuses_what_is_not_one_numeral(not_a_number: str) -> None:
    assert chinese_number(not_a_number) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三口人两千五", "3口人2500"),
        ("十五五", "十五五"),
        ("第三批", "第三批"),
    ],
)
def test_convert_numerals_alone(text: str, expected: str) -> None:
    assert convert_numerals(text) == expected


def test_normalize_is_idempotent() -> None:
    once = normalize("您好，俺家三口人，月收入两千五😊，能申请ＧＺＦ吗？谢谢")
    assert normalize(once) == once
    assert "3口人" in once
    assert "2500" in once
    assert "gzf" in once
