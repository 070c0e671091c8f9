"""Tests for bot/document_answers.py (through the answerer): answers quoted from documents.

Materials, conditions of the category asked, lottery and signing notices (the newest), the
adopted decision over its draft, the FAQ, "not found" instead of a guess, out-of-scope replies,
and a source with its title and date on every answer that used material.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from bot import phrases
from bot.answer import Answer, AnswerKind
from bot.compose import format_date
from tests.bot.conftest import ENQUIRY_PHONE, Ask


def assert_answered(answer: Answer, present: Sequence[str], absent: Sequence[str] = ()) -> None:
    assert answer.kind == AnswerKind.ANSWERED, answer.text
    for fact in present:
        assert fact in answer.text, (fact, answer.text)
    for fact in absent:
        assert fact not in answer.text, (fact, answer.text)


APPLICATION_MATERIALS = (
    "申请表",
    "户口簿",
    "婚姻状况证明",
    "收入证明",
    "房屋租赁合同",
    "家庭经济状况核对授权书",
)


@pytest.mark.parametrize("question", ["申请公租房要交什么材料", "申请需要哪些材料"])
def test_the_materials_list_is_shown_whole(ask: Ask, question: str) -> None:
    assert_answered(ask(question), APPLICATION_MATERIALS)


@pytest.mark.parametrize("question", ["要准备哪些材料", "申请要带啥"])
def test_the_materials_list_in_other_words(ask: Ask, question: str) -> None:
    assert_answered(ask(question), APPLICATION_MATERIALS)


@pytest.mark.parametrize(
    ("question", "present", "absent"),
    [
        ("低保户能申请公租房吗", ["低保证", "1300"], ["4500", "居住证", "36000"]),
        (
            "刚毕业的大学生申请公租房有什么条件",
            ["毕业未满5年", "社会保险满6个月", "4500"],
            ["1300", "36000"],
        ),
        ("外地人能申请公租房吗", ["居住证"], ["1300", "36000"]),
        ("经适房申请条件", ["36000", "28周岁"], ["1300", "居住证"]),
    ],
)
def test_the_conditions_of_the_category_asked(
    ask: Ask, question: str, present: list[str], absent: list[str]
) -> None:
    assert_answered(ask(question), present, absent)


def test_without_a_category_each_tier_is_given(ask: Ask) -> None:
    assert_answered(ask("公租房申请条件是什么"), ["1300", "2600", "4500", "居住证"])


@pytest.mark.parametrize(
    ("question", "present", "absent"),
    [
        ("什么时候摇号", ["2026年12月10日", "9:30"], ["6月3日"]),
        ("摇号在哪", ["县文化馆"], ["三楼会议室"]),
        ("摇号要带什么", ["摇号通知书", "授权委托书"], ["受理回执"]),
        ("要号时间地点", ["12月10日", "县文化馆"], ["6月3日", "三楼会议室"]),  # 要号: a slip
    ],
)
def test_lottery_questions_are_answered_from_the_newest_notice(
    ask: Ask, question: str, present: list[str], absent: list[str]
) -> None:
    answer = ask(question)
    assert_answered(answer, present, absent)
    assert [s.title for s in answer.sources] == ["关于2026年第二批公共租赁住房摇号配租的公告"]


def test_an_older_batch_asked_by_name_is_still_found(ask: Ask) -> None:
    assert_answered(ask("第一批摇号在哪"), ["三楼会议室"], ["县文化馆"])


def test_lottery_follow_ups_stay_with_the_notice(ask: Ask) -> None:
    assert_answered(ask("第二批什么时候摇号"), ["12月10日"])
    assert_answered(ask("在哪摇"), ["县文化馆"])
    assert_answered(ask("需要带什么?"), ["摇号通知书"], ["婚姻状况证明"])


@pytest.mark.parametrize(
    ("question", "present"),
    [
        ("什么时候签合同", ["7月6日"]),
        ("签约地点在哪", ["惠民家园物业服务中心"]),
        ("签合同要带什么", ["户口簿", "选房确认书"]),
        ("签合同逾期了怎么办", ["视为放弃"]),
    ],
)
def test_signing_notice(ask: Ask, question: str, present: list[str]) -> None:
    assert_answered(ask(question), present)


@pytest.mark.parametrize("question", ["公租房租金标准是多少", "租金又涨了？", "租金标准"])
def test_the_adopted_decision_wins_over_its_draft(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert_answered(answer, ["4.2", "3.6"], ["4.8", "拟"])
    assert 5 in [s.item_number for s in answer.sources]
    assert 3 not in [s.item_number for s in answer.sources]


def test_asked_whether_rents_changed_the_decision_answers(ask: Ask) -> None:
    assert_answered(ask("公租房租金标准调整了吗"), ["4.2"], ["4.8", "拟", "4.0"])


@pytest.mark.parametrize(
    ("question", "present"),
    [
        ("申请公租房要交钱吗", ["免费"]),
        ("审核通过后多久能住进去", ["轮候期一般不超过3年"]),
        ("能在网上交申请吗", ["网上预审"]),
        ("已经在领租赁补贴，还能申请公租房吗", ["停发租赁补贴"]),
        ("公租房合同到期了怎么续租", ["合同期满前3个月"]),  # a published staff answer
    ],
)
def test_published_questions_and_answers(ask: Ask, question: str, present: list[str]) -> None:
    answer = ask(question)
    assert_answered(answer, present)
    assert 41 in [s.item_number for s in answer.sources]


def test_a_repeated_faq_question_gets_the_faq_answer(ask: Ask) -> None:
    assert_answered(ask("我一个人，没结婚，能申请吗？"), ["1人家庭"], ["28周岁"])


@pytest.mark.parametrize(
    ("question", "present"),
    [
        ("审核要多长时间", ["7个工作日", "10个工作日", "公示期5个工作日"]),
        ("审核没通过怎么申请复核", ["15日内"]),
        ("办公时间", ["8:30", "14:30"]),
        ("住建局在哪", ["人民北路56号"]),
        ("住建局电话", [ENQUIRY_PHONE]),
        ("廉租房怎么申请", ["并轨"]),  # the merger is explained
    ],
)
def test_procedure_time_limits_place_and_hours(ask: Ask, question: str, present: list[str]) -> None:
    assert_answered(ask(question), present)


@pytest.mark.parametrize("question", ["怎么申请公租房", "去哪申请"])
def test_how_and_where_to_apply(ask: Ask, question: str) -> None:
    assert_answered(ask(question), ["社区居委会"])


def assert_not_found(answer: Answer) -> None:
    assert answer.kind == AnswerKind.NOT_FOUND, answer.text
    assert answer.needs_review
    assert ENQUIRY_PHONE in answer.text
    assert not answer.sources
    assert not re.search(r"\d+(?:\.\d+)?元", answer.text), "a not-found reply guesses no figure"


@pytest.mark.parametrize(
    "question", ["公租房可以养狗吗", "小区有停车位吗", "公租房能装空调吗", "摇号能带孩子去吗"]
)
def test_facts_absent_from_the_material_are_not_guessed(ask: Ask, question: str) -> None:
    assert_not_found(ask(question))


@pytest.mark.parametrize("question", ["公租房物业费多少钱", "惠民家园物业费一个月多少钱"])
def test_property_fees_absent_from_the_material_are_not_guessed(ask: Ask, question: str) -> None:
    assert_not_found(ask(question))


@pytest.mark.parametrize(
    "question", ["今天天气怎么样", "户口迁移怎么办", "明天下雨吗", "医院挂号怎么挂"]
)
def test_out_of_scope_gets_the_polite_sentence_and_the_phone(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert answer.kind == AnswerKind.OUT_OF_SCOPE
    assert phrases.OUT_OF_SCOPE in answer.text
    assert ENQUIRY_PHONE in answer.text
    assert not answer.sources


def test_social_insurance_payments_are_out_of_scope(ask: Ask) -> None:
    assert ask("社保缴费怎么交").kind == AnswerKind.OUT_OF_SCOPE


def test_latest_notices_newest_first_with_title_and_date(ask: Ask) -> None:
    lines = ask("最近有什么公告").text.splitlines()
    listed = [line for line in lines if "《" in line]
    assert listed[0] == "2026年11月20日《关于2026年第二批公共租赁住房摇号配租的公告》"
    days = [re.match(r"(\d+)年(\d+)月(\d+)日", line) for line in listed]
    assert all(days)
    numbers = [tuple(int(g) for g in d.groups()) for d in days if d]
    assert numbers == sorted(numbers, reverse=True)


@pytest.mark.parametrize(
    "question",
    [
        "申请公租房要交什么材料",
        "低保户能申请公租房吗",
        "什么时候摇号",
        "签合同要带什么",
        "租金又涨了？",
        "申请公租房要交钱吗",
        "公租房合同到期了怎么续租",
        "审核要多长时间",
        "办公时间",
        "廉租房怎么申请",
    ],
)
def test_every_answer_from_material_names_its_source_with_title_and_date(
    ask: Ask, question: str
) -> None:
    answer = ask(question)
    assert answer.kind == AnswerKind.ANSWERED
    assert answer.sources
    source_line = answer.text.splitlines()[-1]
    assert source_line.startswith(phrases.SOURCE_PREFIX)
    for source in answer.sources:
        assert source.published_on is not None
        assert f"《{source.title}》（{format_date(source.published_on)}）" in source_line


@pytest.mark.parametrize(
    "question", ["公租房租金是不是涨了？涨到多少，从啥时候开始", "租金调了？现在多少，啥时候开始的"]
)
def test_a_rent_change_is_answered_from_the_decision_with_its_date(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert_answered(answer, ["4.2", "3.6", "6月1日"], ["4.8", "拟"])
    assert [s.item_number for s in answer.sources] == [5]
