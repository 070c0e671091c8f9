"""Tests for bot/eligibility.py, eligibility_answers.py and subsidy.py: the pre-check of a
resident's figures against the limits the published rules state, and the subsidy estimate.

The rules (tests/bot/conftest.py) state: 第一档 人均月收入低于1300元; 第二档 人均月收入低于2600元,
人均住房建筑面积低于15平方米, 机动车购置价合计不超过10万元; 新就业 毕业未满5年, 社会保险满6个月,
本人月工资收入不高于4500元; 经适房 人均年收入低于36000元, 单身年满28周岁; 补贴 8/6/4元 ×
(15－人均面积) × 人口, 每户最多50平方米.
"""

from __future__ import annotations

import pytest

from bot import phrases
from bot.answer import Answer, AnswerKind
from bot.eligibility import Limit, find_limits
from bot.subsidy import SubsidyRule, estimate_subsidy, read_subsidy_rule
from knowledge.index import SearchIndex
from tests.bot.conftest import Ask

RULES_TITLE = "山阴县公共租赁住房和经济适用住房申请须知"


def limit_of(index: SearchIndex, kind: str, value: float) -> Limit:
    return next(lim for lim in find_limits(index) if lim.kind == kind and lim.value == value)


def verdict(answer: Answer, limit_text: str) -> str:
    """'符合' or '不符合' on the reply's line quoting limit_text ('' when no line does)."""
    for line in answer.text.splitlines():
        if limit_text in line and "——" in line:
            return line.rsplit("——", 1)[1]
    return ""


def test_the_limits_are_read_from_the_rules(index: SearchIndex) -> None:
    found = {(lim.kind, lim.value) for lim in find_limits(index)}
    assert found >= {
        ("monthly_income_per_person", 1300),
        ("monthly_income_per_person", 2600),
        ("monthly_wage", 4500),
        ("yearly_income_per_person", 36000),
        ("area_per_person", 15),
        ("vehicle_price", 100000),
        ("age", 28),
        ("insurance_months", 6),
        ("years_since_graduation", 5),
    }
    assert all(lim.entry.doc is not None for lim in find_limits(index))


@pytest.mark.parametrize(
    ("kind", "value", "figure", "admitted"),
    [
        # 低于 excludes the figure itself, 不超过/不高于 include it (the rules' drafting rule).
        ("monthly_income_per_person", 2600, 2599, True),
        ("monthly_income_per_person", 2600, 2600, False),
        ("monthly_wage", 4500, 4500, True),
        ("monthly_wage", 4500, 4501, False),
        ("vehicle_price", 100000, 100000, True),
        ("vehicle_price", 100000, 120000, False),
        ("area_per_person", 15, 14.9, True),
        ("area_per_person", 15, 15, False),
        ("insurance_months", 6, 6, True),
        ("insurance_months", 6, 5, False),
        ("age", 28, 28, True),
        ("age", 28, 27, False),
        ("years_since_graduation", 5, 4, True),
        ("years_since_graduation", 5, 5, False),
    ],
)
def test_limits_admit_figures_by_their_wording(
    index: SearchIndex, kind: str, value: float, figure: float, admitted: bool
) -> None:
    assert limit_of(index, kind, value).admits(figure) is admitted


@pytest.mark.parametrize(
    ("question", "per_person", "tier_one", "tier_two"),
    [
        ("两口人，每月收入加起来4000，能申请公租房吗", "2000", "不符合", "符合"),
        ("我家三口人，月收入6000，能申请公租房吗", "2000", "不符合", "符合"),
        ("三口人，一个月总共挣九千来块，能申请公租房吗", "3000", "不符合", "不符合"),
        ("一个人过，月收入1200，能申请公租房吗", "1200", "符合", "符合"),
        ("4口人，人均月收入2000，能申请吗", "2000", "不符合", "符合"),
    ],
)
def test_income_against_the_income_lines_of_each_group(
    ask: Ask, question: str, per_person: str, tier_one: str, tier_two: str
) -> None:
    answer = ask(question)
    assert answer.kind == AnswerKind.ANSWERED
    assert f"约{per_person}元" in answer.text
    assert verdict(answer, "1300元") == tier_one
    assert verdict(answer, "2600元") == tier_two
    lines = answer.text.splitlines()
    # Each limit is quoted with the group it applies to.
    assert "低保" in next(line for line in lines if "1300元" in line and "——" in line)
    assert "中等偏下" in next(line for line in lines if "2600元" in line and "——" in line)


@pytest.mark.parametrize(
    "question",
    ["家里3口人，月收入一共6000，能申请公租房吗", "老两口，退休金一个月4000，能申请公租房吗"],
)
def test_income_after_the_household_size(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert "约2000元" in answer.text
    assert verdict(answer, "2600元") == "符合"
    assert verdict(answer, "1300元") == "不符合"


@pytest.mark.parametrize(
    ("question", "limit", "expected"),
    [
        ("家里有辆车，12万买的，能申请公租房吗", "10万元", "不符合"),
        ("家里有辆车，8万买的，能申请公租房吗", "10万元", "符合"),
        ("人均住房面积12平，能申请公租房吗", "15平方米", "符合"),
        ("人均住房面积20平，能申请公租房吗", "15平方米", "不符合"),
        ("我今年25岁，单身，想买经适房", "28周岁", "不符合"),
        ("我今年30岁，单身，想买经适房", "28周岁", "符合"),
        ("刚毕业，社保交了4个月，能申请公租房吗", "6个月", "不符合"),
        ("刚毕业，社保交了8个月，能申请公租房吗", "6个月", "符合"),
        ("毕业第3年了，能申请公租房吗", "未满5年", "符合"),
        ("大学毕业7年了，能申请公租房吗", "未满5年", "不符合"),
        ("刚毕业，月工资4000，能申请公租房吗", "4500元", "符合"),
        ("刚毕业，月工资5000，能申请公租房吗", "4500元", "不符合"),
    ],
)
def test_other_figures_against_their_limits(
    ask: Ask, question: str, limit: str, expected: str
) -> None:
    answer = ask(question)
    assert verdict(answer, limit) == expected
    assert phrases.ELIGIBILITY_DISCLAIMER in answer.text  # the review office decides
    assert RULES_TITLE in [source.title for source in answer.sources]


def test_a_vehicle_price_is_not_an_income(ask: Ask) -> None:
    answer = ask("家里的车是12万买的，能申请公租房吗")
    assert verdict(answer, "10万元") == "不符合"
    assert verdict(answer, "2600元") == ""


def test_affordable_housing_limits_stay_out_of_a_public_rental_check(ask: Ask) -> None:
    answer = ask("两口人，每月收入加起来4000，能申请公租房吗")
    assert "36000" not in answer.text
    assert "28周岁" not in answer.text


def test_where_no_limit_is_published_the_reply_says_so(ask: Ask) -> None:
    answer = ask("我是外地来打工的，月收入3000，能申请公租房吗")
    assert phrases.ELIGIBILITY_UNKNOWN_LIMIT.format(what="家庭人均月收入") in answer.text
    assert verdict(answer, "2600元") == ""


def test_an_age_without_a_published_limit_is_said_so(ask: Ask) -> None:
    assert "没有写明年龄" in ask("我今年25岁，能申请公租房吗").text


def test_the_affordable_housing_limit_is_quoted_with_its_group(ask: Ask) -> None:
    answer = ask("我今年25岁，单身，想买经适房")
    line = next(line for line in answer.text.splitlines() if "28周岁" in line and "——" in line)
    assert "经济适用住房" in line


def test_the_subsidy_rule_is_read_from_the_published_formula(index: SearchIndex) -> None:
    rule = read_subsidy_rule(index)
    assert rule is not None
    assert rule.standards == {"低保": 8.0, "低收入": 6.0, "中等偏下收入": 4.0}
    assert rule.area_standard == 15.0
    assert rule.area_cap == 50.0
    assert rule.entry.doc is not None and rule.entry.doc.title == RULES_TITLE


@pytest.mark.parametrize(
    ("category", "size", "area", "amount"),
    [
        ("低保", 3, None, 360.0),  # 8 × 15 × 3, the rules' own example
        ("低收入", 2, 10.0, 60.0),  # 6 × (15 - 10) × 2
        ("中等偏下收入", 3, 12.0, 36.0),
        ("中等偏下收入", 5, None, 200.0),  # 75 ㎡ capped at 50: 4 × 50
        ("低保", 4, 20.0, 0.0),  # already above the standard
    ],
)
def test_the_subsidy_estimate_follows_the_formula_and_its_cap(
    index: SearchIndex, category: str, size: int, area: float | None, amount: float
) -> None:
    rule = read_subsidy_rule(index)
    assert isinstance(rule, SubsidyRule)
    estimate = estimate_subsidy(rule, category, size, area)
    assert estimate is not None
    assert estimate[1] == amount


def test_no_estimate_for_a_group_without_a_standard(index: SearchIndex) -> None:
    rule = read_subsidy_rule(index)
    assert rule is not None
    assert estimate_subsidy(rule, "新就业无房职工", 1, None) is None


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        ("低保户，3口人，没房，租赁补贴能领多少", "＝360元"),
        ("中等偏下收入家庭，5口人，没房，补贴能拿多少", "＝200元"),
    ],
)
def test_the_subsidy_estimate_in_a_reply(ask: Ask, question: str, amount: str) -> None:
    answer = ask(question)
    estimate = [line for line in answer.text.splitlines() if line.startswith("按公开的计算公式")]
    assert len(estimate) == 1
    assert amount in estimate[0]
    assert phrases.ELIGIBILITY_DISCLAIMER in answer.text


def test_the_subsidy_estimate_with_a_current_area(ask: Ask) -> None:
    answer = ask("低收入家庭，2口人，人均住房面积10平，补贴能领多少")
    assert "＝60元" in answer.text
