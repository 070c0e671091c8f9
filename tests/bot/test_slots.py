"""Tests for bot/slots.py: housing type, project, 套型, area, ordering, batch, name, ID tail and
the household figures, read from residents' own words (through understanding, as the bot does).
"""

from __future__ import annotations

import pytest

from bot.conversation import Context
from bot.normalize import normalize
from bot.slots import (
    Figures,
    Slots,
    extract_area,
    extract_batch,
    extract_figures,
    extract_name,
    extract_ordering,
    extract_tail,
    full_id_tail,
    has_full_id,
)
from bot.understanding import understand
from bot.vocabulary import Vocabulary, load_vocabulary
from knowledge.index import SearchIndex

LISTED = frozenset({"王秀英", "张伟", "张玮", "李静", "赵小燕"})


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


def slots_of(text: str, index: SearchIndex, vocabulary: Vocabulary) -> Slots:
    return understand(text, index, Context(), vocabulary).slots


def figures_of(text: str) -> Figures:
    return extract_figures(normalize(text))


@pytest.mark.parametrize(
    ("text", "housing_type"),
    [
        ("公租房怎么申请", "公租房"),
        ("公共租赁住房怎么申请", "公租房"),
        ("公组房怎么申请", "公租房"),  # a typing slip
        ("gzf还有房吗", "公租房"),  # pinyin initials
        ("廉租房还有吗", "公租房"),  # merged into 公租房 since 2014
        ("廉租方还有吗", "公租房"),
        ("lzf还有吗", "公租房"),
        ("经适房多少钱一平", "经适房"),
        ("经济适用房怎么买", "经适房"),
        ("租房补贴怎么领", "租赁补贴"),
        ("审核要多久", ""),
    ],
)
def test_housing_type_synonyms_typos_and_the_merger(
    text: str, housing_type: str, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert slots_of(text, index, vocabulary).housing_type == housing_type


@pytest.mark.parametrize(
    ("text", "merged"),
    [("廉租房还有吗", True), ("廉租方怎么申请", True), ("公租房还有吗", False)],
)
def test_the_old_tier_is_noted_so_the_merger_can_be_explained(
    text: str, merged: bool, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert slots_of(text, index, vocabulary).merged_tier is merged


@pytest.mark.parametrize(
    ("text", "projects"),
    [
        ("惠民家园还有房吗", ["惠民家园"]),
        ("惠民家圆还有房吗", ["惠民家园"]),  # a typo of the estate's name
        ("安康还有房吗", ["安康小区"]),  # 小区 left out
        ("安康小区在哪", ["安康小区"]),
        ("福泰苑多少钱一平", ["福泰苑"]),
        ("惠民家园和安康小区哪个便宜", ["惠民家园", "安康小区"]),
        ("两居室还有吗", []),
    ],
)
def test_projects_are_found_by_name_alias_or_typo(
    text: str, projects: list[str], index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert [p.name for p in slots_of(text, index, vocabulary).projects] == projects


@pytest.mark.parametrize(
    ("text", "housing_type"),
    [("福泰苑还有房吗", "经适房"), ("安康小区还有房吗", "公租房")],
)
def test_a_project_tells_its_housing_type(
    text: str, housing_type: str, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert slots_of(text, index, vocabulary).housing_type == housing_type


@pytest.mark.parametrize(
    ("text", "unit_type"),
    [
        ("两居室还有吗", "两室一厅"),
        ("二室的有吗", "两室一厅"),
        ("两室一厅租金多少", "两室一厅"),
        ("一居室多少钱", "一室一厅"),
        ("单间有没有", "一室一厅"),
        ("三居室有吗", "三室一厅"),
        ("还有房吗", ""),
    ],
)
def test_unit_types(text: str, unit_type: str, index: SearchIndex, vocabulary: Vocabulary) -> None:
    assert slots_of(text, index, vocabulary).unit_type == unit_type


@pytest.mark.parametrize(
    ("text", "area", "qualifier"),
    [
        ("60平左右的有吗", 60.0, "左右"),
        ("五十平米上下的房子", 50.0, "上下"),
        ("80平以上的有吗", 80.0, "以上"),
        ("45平方米的一室一厅", 45.0, ""),
        ("多少钱一平", None, ""),  # a price per square metre, not a flat of 1 ㎡
        ("人均住房面积12平", None, ""),  # the household's area, not the flat asked for
    ],
)
def test_area_asked_for(text: str, area: float | None, qualifier: str) -> None:
    assert extract_area(normalize(text)) == (area, qualifier)


def test_an_area_written_with_the_square_metre_sign() -> None:
    assert extract_area(normalize("60㎡左右的有吗")) == (60.0, "左右")


@pytest.mark.parametrize(
    ("text", "ordering"),
    [
        ("租金最便宜的是哪个", "cheapest"),
        ("想要便宜点的", "cheapest"),
        ("最大的有多大", "largest"),
        ("想要大点的", "largest"),
        ("最小的多大", "smallest"),
        ("还有房吗", ""),
        # A tenant asking to swap for a bigger or smaller flat orders no listing.
        ("孩子大了 想换个大点的", ""),
        ("老人走了 能换套小一点的吗", ""),
    ],
)
def test_ordering(text: str, ordering: str) -> None:
    assert extract_ordering(normalize(text)) == ordering


@pytest.mark.parametrize(
    ("text", "batch"),
    [("第二批什么时候摇号", "第二批"), ("第 2 批审核结果", "第2批"), ("什么时候摇号", "")],
)
def test_batch(text: str, batch: str) -> None:
    assert extract_batch(normalize(text)) == batch


@pytest.mark.parametrize(
    ("text", "name", "listed"),
    [
        ("王秀英 后四位2345", "王秀英", True),  # a published name, anywhere in the message
        ("帮我查下张玮审核过了没", "张玮", True),
        ("我叫张三丰，审核过了吗", "张三丰", False),  # after 我叫, with a common surname
        ("我是刘德华", "刘德华", False),
        ("欧阳娜娜的身份证后四位1234", "欧阳娜娜", False),  # a two-character surname
        ("我叫李静后四位910x", "李静", True),
        ("我是岱岳镇东关的，审核过了吗", "", False),  # a place is not a name
        ("我是外地来打工的", "", False),
        ("我是低保户", "", False),
        ("公租房怎么申请", "", False),
    ],
)
def test_person_names_need_a_published_name_or_a_pattern_and_a_surname(
    text: str, name: str, listed: bool, vocabulary: Vocabulary
) -> None:
    assert extract_name(normalize(text), vocabulary, LISTED.__contains__) == (name, listed)


@pytest.mark.parametrize(
    ("text", "name", "tail"),
    [
        ("王秀英 后四位0741", "王秀英", "0741"),
        ("身份证后4位是0741", "", "0741"),
        ("尾号910x", "", "910X"),  # a lower-case check character is read as X
        ("末四位：910X", "", "910X"),
        ("0741", "", "0741"),  # the whole message: a follow-up giving the tail
        ("王秀英 0741", "王秀英", "0741"),  # right after the name
        ("王秀英，0741", "王秀英", "0741"),
        ("王秀英 2026年审核过了吗", "王秀英", ""),  # a year is never a tail
        ("2026年第二批审核结果", "", ""),
        ("王秀英 月收入2500元", "王秀英", ""),
        ("惠民家园还有1234套吗", "", ""),
    ],
)
def test_id_tail_forms(text: str, name: str, tail: str) -> None:
    assert extract_tail(normalize(text), name) == tail


@pytest.mark.parametrize(
    ("text", "full", "tail"),
    [
        ("王秀英 140621199001012345", True, "2345"),
        ("我的身份证号是14062119900101091x", True, "091X"),
        ("140621900101074", True, ""),  # a legacy 15-digit number: detected, no tail read
        ("140621********2345", False, "2345"),  # already masked: not typed in full
        ("电话13812345678", False, ""),
        ("后四位2345", False, ""),
    ],
)
def test_a_typed_full_id_is_detected(text: str, full: bool, tail: str) -> None:
    normalized = normalize(text)
    assert has_full_id(normalized) is full
    assert full_id_tail(normalized) == tail


def test_understanding_masks_a_typed_id_before_anything_reads_it(
    index: SearchIndex, vocabulary: Vocabulary
) -> None:
    understood = understand("王秀英 140621199001012345", index, Context(), vocabulary)
    assert understood.slots.full_id_given
    assert understood.slots.id_tail == "2345"
    assert "19900101" not in understood.text
    assert "19900101" not in understood.normalized


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("家里三口人", 3),
        ("俺家五口人", 5),
        ("3口之家", 3),
        ("家里有4个人", 4),
        ("一个人过", 1),
        ("单身，能申请吗", 1),
        ("老两口", 2),
        ("我和老伴", 2),
        ("公租房怎么申请", None),
    ],
)
def test_household_size(text: str, size: int | None) -> None:
    assert figures_of(text).household_size == size


@pytest.mark.parametrize("text", ["我一个人，月收入1200", "就我一个人", "我一个人住"])
def test_a_single_person_household_in_the_first_person(text: str) -> None:
    assert figures_of(text).household_size == 1


@pytest.mark.parametrize(
    ("text", "income", "scope", "yearly"),
    [
        ("人均月收入2000", 2000.0, "person", False),
        ("家庭月收入6000", 6000.0, "household", False),
        ("两口人，每月收入加起来4000", 4000.0, "household", False),
        ("三口人，一个月总共挣九千来块", 9000.0, "household", False),
        ("1个人过，月收入1200", 1200.0, "person", False),
        ("月工资两千五", 2500.0, "unknown", False),
        ("年收入5万", 50000.0, "unknown", True),
        ("一年挣3万", 30000.0, "unknown", True),
        # No income word: a month's amount a few words later is the family's.
        ("三口人，俩人一个月加起来也就六千块左右", 6000.0, "household", False),
    ],
)
def test_income_with_its_scope(text: str, income: float, scope: str, yearly: bool) -> None:
    figures = figures_of(text)
    assert (figures.income, figures.income_scope, figures.income_yearly) == (income, scope, yearly)


@pytest.mark.parametrize(
    ("text", "income"),
    [
        ("家里3口人，月收入一共6000", 6000.0),
        ("家里4口人，全家月收入12000", 12000.0),
        ("老两口，退休金一个月3000", 3000.0),
        ("低保户，家里3口人，没房", None),
        ("家里的车是12万买的", None),
        ("一个月交500块房租", None),
        ("一个月补贴能有300块吗", None),
    ],
)
def test_income_is_not_taken_from_other_figures(text: str, income: float | None) -> None:
    assert figures_of(text).income == income


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("家里有辆车，12万买的", "vehicle_price", 120000.0),
        ("车10万", "vehicle_price", 100000.0),
        ("我今年25岁", "age", 25),
        ("今年三十岁了", "age", 30),
        ("社保交了4个月", "insurance_months", 4),
        ("社会保险缴了8个月", "insurance_months", 8),
        ("毕业第2年", "years_since_graduation", 2),
        ("大学毕业7年了", "years_since_graduation", 7),
        ("人均住房面积12平", "per_capita_area", 12.0),
        ("农村户口", "hukou", "rural"),
        ("本县户口", "hukou", "local-urban"),
    ],
)
def test_other_household_figures(text: str, field: str, value: object) -> None:
    assert getattr(figures_of(text), field) == value


@pytest.mark.parametrize(
    ("text", "given"),
    [
        ("家里3口人，没房", True),
        ("月收入2500", True),
        ("我今年25岁", True),
        ("俺家三口人", False),  # a size alone is nothing to check
        ("公租房怎么申请", False),
    ],
)
def test_figures_worth_checking(text: str, given: bool) -> None:
    assert figures_of(text).given is given
