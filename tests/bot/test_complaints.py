"""Tests for complaints and concerns (bot/answerer.py): acknowledged, recorded for staff with a
reply deadline in working days, the supervision line for reports, a published response when
one bears on the concern."""

from __future__ import annotations

from datetime import date

import pytest

from bot import phrases
from bot.answer import AnswerKind
from bot.answerer import COMPLAINT_DAYS, ENQUIRY_DAYS, Answerer
from bot.compose import with_ticket
from bot.conversation import Conversations
from bot.intents import offers_paid_promise
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, Material
from knowledge.tokenizer import DomainTokenizer
from tests.bot.conftest import ENQUIRY_PHONE, MATERIAL, REPORT_PHONE, TODAY, Ask


@pytest.mark.parametrize(
    "complaint",
    [
        "等了半年没消息",
        "我要投诉，审核太慢了",
        "凭什么我没通过，不公平",
        "申请交上去三个月了一点信儿都没有",
        "社区推来推去不给办",
        "暖气不热没人管",
        "打了好几次电话都没人接",
    ],
)
def test_a_complaint_is_acknowledged_and_opens_a_ticket(ask: Ask, complaint: str) -> None:
    answer = ask(complaint)
    assert answer.kind == AnswerKind.COMPLAINT
    assert answer.needs_ticket
    assert answer.needs_review
    assert phrases.COMPLAINT_ACK in answer.text
    assert f"{COMPLAINT_DAYS}个工作日" in answer.text


def test_the_deadline_is_the_bureaus_own(index: SearchIndex, catalog: Catalog) -> None:
    answerer = Answerer(
        lambda: index, catalog, Conversations(), today=lambda: TODAY, complaint_days=10
    )
    assert "10个工作日" in answerer.answer("我要投诉，审核太慢了", "t").text


@pytest.mark.parametrize("report", ["有人把公租房转租了，我要举报", "有人收钱帮人插队"])
def test_a_report_gets_the_supervision_line(ask: Ask, report: str) -> None:
    answer = ask(report)
    assert answer.kind == AnswerKind.COMPLAINT
    assert REPORT_PHONE in answer.text


@pytest.mark.parametrize(
    "report", ["有人托关系插队", "邻居违规出租公租房", "有人把公租房租给别人住"]
)
def test_other_reports_of_misconduct_get_the_supervision_line(ask: Ask, report: str) -> None:
    answer = ask(report)
    assert answer.kind == AnswerKind.COMPLAINT
    assert REPORT_PHONE in answer.text


def test_a_complaint_that_is_no_report_gets_no_supervision_line(ask: Ask) -> None:
    assert REPORT_PHONE not in ask("我要投诉，审核太慢了").text


def test_a_related_published_response_comes_with_the_acknowledgement(ask: Ask) -> None:
    answer = ask("惠民家园电梯坏了一直没人修")
    assert answer.kind == AnswerKind.COMPLAINT
    assert "关于惠民家园电梯故障问题的回应" in [s.title for s in answer.sources]
    assert "0349-0000174" in answer.text
    assert answer.text.index(phrases.COMPLAINT_ACK) < answer.text.index("0349-0000174")


def test_a_rule_that_bears_on_the_concern_comes_along(ask: Ask) -> None:
    answer = ask("凭什么我没通过，不公平")
    assert "复核" in answer.text
    assert "15日内" in answer.text


def test_a_residents_phone_number_is_never_repeated(ask: Ask) -> None:
    answer = ask("我电话13812345678，等了半年还没消息")
    assert answer.kind == AnswerKind.COMPLAINT
    assert "13812345678" not in answer.text


def test_the_ticket_number_and_deadline_go_into_the_reply(ask: Ask) -> None:
    answer = ask("等了半年没消息")
    ticketed = with_ticket(answer, "Q20261201-0001", COMPLAINT_DAYS, date(2026, 12, 22))
    assert "Q20261201-0001" in ticketed.text
    assert "2026年12月22日" in ticketed.text
    assert phrases.TICKET_PENDING.format(days=COMPLAINT_DAYS) not in ticketed.text


@pytest.mark.parametrize("message", ["人工", "转人工", "客服"])
def test_a_handoff_is_flagged_for_staff_with_its_deadline(ask: Ask, message: str) -> None:
    answer = ask(message)
    assert answer.kind == AnswerKind.HANDOFF
    assert answer.needs_review
    assert f"{ENQUIRY_DAYS}个工作日" in answer.text


@pytest.mark.parametrize("question", ["公租房可以养狗吗", "小区有停车位吗"])
def test_an_unanswered_question_is_flagged_for_staff_but_is_no_complaint(
    ask: Ask, question: str
) -> None:
    answer = ask(question)
    assert answer.needs_review
    assert not answer.needs_ticket
    assert answer.kind != AnswerKind.COMPLAINT


@pytest.mark.parametrize("question", ["什么时候摇号", "惠民家园还有房吗", "今天天气怎么样"])
def test_an_answered_question_is_not_flagged(ask: Ask, question: str) -> None:
    answer = ask(question)
    assert not answer.needs_review
    assert not answer.needs_ticket


def _lottery_notice() -> Material:
    """The bureau's material with a lottery notice that says how the lottery is supervised."""
    heading = "七、注意事项"
    info = DocumentInfo(
        99, 99, "关于2026年第三批公共租赁住房摇号配租的公告", date(2026, 11, 25), 18, "text", "a.md"
    )
    passages = (
        ("三、摇号程序", "摇号全程由县公证处现场公证，纪检监察人员现场监督，摇号结果当场公布。"),
        (heading, "（一）8:50以后未签到的，视为放弃本次选房；"),
        (heading, "（二）摇号配租不收取任何费用，托关系收费的均属诈骗，请拨打监督举报电话举报。"),
    )
    return Material(1, (*MATERIAL.documents, LoadedDocument(info, passages)))


@pytest.mark.parametrize(
    "question", ["摇号是不是早就内定好了，年年都是关系户", "摇号有没有黑幕，是不是走后门"]
)
def test_a_fairness_concern_is_answered_with_how_the_lottery_is_supervised(
    tokenizer: DomainTokenizer, catalog: Catalog, question: str
) -> None:
    index = SearchIndex.build(_lottery_notice(), tokenizer)
    answerer = Answerer(lambda: index, catalog, Conversations(), today=lambda: TODAY)
    answer = answerer.answer(question)
    assert answer.kind == AnswerKind.COMPLAINT
    assert "公证" in answer.text, answer.text


def test_a_complaint_that_is_no_report_gets_the_enquiry_line(ask: Ask) -> None:
    # Spec: acknowledgement, deadline, and the bureau's published phone.
    assert ENQUIRY_PHONE in ask("我要投诉，审核太慢了").text


@pytest.mark.parametrize(
    "message", ["邻居讲塞给他两万块钱肯定能摇上，真的吗", "听说给中间人好处费包过审核"]
)
def test_money_for_a_promised_flat_is_answered_with_the_no_fee_rule(ask: Ask, message: str) -> None:
    answer = ask(message)
    assert answer.kind == AnswerKind.COMPLAINT
    assert "诈骗" in answer.text, answer.text
    assert REPORT_PHONE in answer.text


def test_a_deposit_is_no_promise_bought() -> None:
    assert not offers_paid_promise("签合同时保证金要交多少钱")


@pytest.mark.parametrize(
    "message", ["说好一周内答复，10天了也没回音", "报修以后等了3个月了还没见人"]
)
def test_time_gone_by_and_still_nothing_is_a_complaint(ask: Ask, message: str) -> None:
    answer = ask(message)
    assert answer.kind == AnswerKind.COMPLAINT
    assert answer.needs_ticket


def _response_with_a_long_list() -> Material:
    """A published response listing six grounds, the one asked about last but one."""
    heading = "一、有下列情形之一的，收回住房："
    info = DocumentInfo(
        98, 98, "关于公租房住户违规使用住房的回应", date(2026, 10, 8), 41, "text", "r.md"
    )
    grounds = (
        "（一）转借他人居住的；",
        "（二）改作经营场所的；",
        "（三）擅自改建房屋结构的；",
        "（四）饲养家禽扰邻的；",
        "（五）无正当理由连续6个月以上闲置的；",
        "（六）拖欠租金满6个月的。",
    )
    passages = tuple((heading, ground) for ground in grounds)
    return Material(1, (*MATERIAL.documents, LoadedDocument(info, passages)))


def test_a_long_published_list_shows_the_ground_the_concern_is_about(
    tokenizer: DomainTokenizer, catalog: Catalog
) -> None:
    index = SearchIndex.build(_response_with_a_long_list(), tokenizer)
    answerer = Answerer(lambda: index, catalog, Conversations(), today=lambda: TODAY)
    answer = answerer.answer("隔壁那户房子一年到头锁着没人住，太浪费了")
    assert answer.kind == AnswerKind.COMPLAINT
    assert "连续6个月以上闲置" in answer.text, answer.text
