"""Tests for bot/intents.py: what a message asks, from typical phrasings, and follow-ups."""

from __future__ import annotations

import pytest

from bot.conversation import Context
from bot.intents import Intent, Reading
from bot.understanding import understand
from bot.vocabulary import Vocabulary, load_vocabulary
from knowledge.index import SearchIndex


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


def read(
    text: str, index: SearchIndex, vocabulary: Vocabulary, context: Context | None = None
) -> Reading:
    return understand(text, index, context or Context(), vocabulary).reading


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("哈喽", Intent.GREETING),
        ("早上好", Intent.GREETING),
        ("谢谢", Intent.THANKS),
        ("多谢了", Intent.THANKS),
        ("收到", Intent.THANKS),
        ("帮助", Intent.MENU),
        ("菜单", Intent.MENU),
        ("能问什么", Intent.MENU),
        ("人工", Intent.HANDOFF),
        ("转人工", Intent.HANDOFF),
        ("客服", Intent.HANDOFF),
    ],
)
def test_greetings_thanks_menu_and_handoff(
    text: str, intent: Intent, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert read(text, index, vocabulary).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("你好", Intent.GREETING),
        ("在吗", Intent.GREETING),
        ("你好啊", Intent.GREETING),
        ("谢谢你", Intent.THANKS),
        ("谢谢啦", Intent.THANKS),
        ("好的谢谢", Intent.THANKS),
    ],
)
def test_every_common_greeting_and_thanks(
    text: str, intent: Intent, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert read(text, index, vocabulary).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("公租房申请条件是什么", Intent.ELIGIBILITY),
        ("俺这情况能申请公租房不", Intent.ELIGIBILITY),
        ("外地人有资格申请吗", Intent.ELIGIBILITY),
        ("三口人月收入6000够不够条件", Intent.ELIGIBILITY),
        ("要交哪些材料", Intent.MATERIALS),
        ("申请要带什么", Intent.MATERIALS),
        ("需要准备啥证明", Intent.MATERIALS),
        ("怎么申请公租房", Intent.PROCEDURE),
        ("公组房咋申请", Intent.PROCEDURE),
        ("去哪申请", Intent.PROCEDURE),
        ("审核要多久", Intent.PROCEDURE),
        ("审核没通过怎么申请复核", Intent.PROCEDURE),
        ("什么时候摇号", Intent.LOTTERY),
        ("要号什么时候", Intent.LOTTERY),  # 要号 for 摇号
        ("选房在哪", Intent.LOTTERY),
        ("什么时候签合同", Intent.SIGNING),
        ("签约要带什么", Intent.SIGNING),
        ("还有房源吗", Intent.LISTING),
        ("两居室租金多少", Intent.LISTING),
        ("60平左右的有吗", Intent.LISTING),
        # Working out a price is not eligibility; working out one's own area is.
        ("一平米租金咋算", Intent.LISTING),
        ("住房面积咋算", Intent.ELIGIBILITY),
        ("租金按什么标准，我这条件能申请不", Intent.ELIGIBILITY),
        # A sitting tenant asking to keep the flat is not applying for one.
        ("合同上是他名字，这房子俺还能住不", Intent.PROCEDURE),
        ("俺这情况能住公租房不", Intent.ELIGIBILITY),
        # A landlord's contract is a private rental's, not a 公租房 signing.
        ("租的房子房东不给签合同，材料咋弄", Intent.MATERIALS),
        ("签合同要带什么材料", Intent.SIGNING),
        # A step of the bureau's process keeps a message in scope whatever else it names.
        ("签合同那几天我在医院住院呢，去不了咋办", Intent.SIGNING),
        ("惠民家园现在还有空房不", Intent.LISTING),
        ("经适房还有剩的没", Intent.LISTING),
        # An owner selling is not a flat on offer; the bureau's stock for sale is.
        ("经适房满5年卖的话要交多少钱", Intent.PROCEDURE),
        ("经适房现在卖甚价，还剩几套", Intent.LISTING),
        ("安康小区在哪", Intent.LISTING),
        ("最近有什么公告", Intent.NOTICES),
        ("最新通知", Intent.NOTICES),
        ("审核结果在哪公示", Intent.CATALOG),
        ("房源信息多久之内公开", Intent.CATALOG),
        ("等了半年没消息", Intent.COMPLAINT),
        ("我要投诉", Intent.COMPLAINT),
        ("有人把公租房转租了，我要举报", Intent.COMPLAINT),
    ],
)
def test_information_intents_from_typical_phrasings(
    text: str, intent: Intent, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert read(text, index, vocabulary).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("王秀英审核过了吗", Intent.RESULT),
        ("我叫王秀英", Intent.RESULT),
        ("我叫张三丰，审核过了吗", Intent.RESULT),
        ("王秀英 后四位2345", Intent.RESULT),
        ("帮我查下李静 尾号910x", Intent.RESULT),
        ("孙桂兰 5566 年审过了吗", Intent.RESULT),
        # A typed full ID: with a name it is a look-up by the name and its last four…
        ("王秀英 140621199001012345", Intent.RESULT),
        # …without one it is refused.
        ("140621199001012345", Intent.PRIVACY),
        ("140621199001012345 查一下审核结果", Intent.PRIVACY),
        ("审核结果名单发我一份", Intent.PRIVACY),
        ("把审核通过的名单都给我", Intent.PRIVACY),
        ("张伟的身份证号是多少", Intent.PRIVACY),
    ],
)
def test_result_look_ups_and_privacy_requests(
    text: str, intent: Intent, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert read(text, index, vocabulary).intent == intent


@pytest.mark.parametrize(
    "text",
    [
        "今天天气怎么样",
        "明天下雨吗",
        "社保卡怎么补办",
        "户口迁移怎么办",
        "医院挂号怎么挂",
        "商品房房价多少",
        "商品房贷款利率现在多少",
        "低保怎么申请",
    ],
)
def test_out_of_scope(text: str, index: SearchIndex, vocabulary: Vocabulary) -> None:
    assert read(text, index, vocabulary).intent == Intent.OUT_OF_SCOPE


@pytest.mark.parametrize("text", ["社保缴费怎么交", "公积金贷款利率多少"])
def test_more_out_of_scope_topics(text: str, index: SearchIndex, vocabulary: Vocabulary) -> None:
    assert read(text, index, vocabulary).intent == Intent.OUT_OF_SCOPE


@pytest.mark.parametrize("text", ["哪里能办老年证", "暂住证去哪办", "领结婚证要带啥"])
def test_getting_another_offices_certificate_is_out_of_scope(
    text: str, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert read(text, index, vocabulary).intent == Intent.OUT_OF_SCOPE


@pytest.mark.parametrize("text", ["申请公租房要办残疾证吗", "签约带身份证去哪办", "收入证明去哪开"])
def test_a_certificate_needed_for_housing_stays_in_scope(
    text: str, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert read(text, index, vocabulary).intent != Intent.OUT_OF_SCOPE


@pytest.mark.parametrize(
    "text",
    [
        "公租房住户户口能迁过去吗",  # names housing: in scope
        "刚毕业，社保交了4个月，能申请公租房吗",
        "低保户能申请公租房吗",
        "租赁补贴什么时候发",
        "公租房天气冷了暖气不热",
    ],
)
def test_housing_words_keep_a_question_in_scope(
    text: str, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert read(text, index, vocabulary).intent != Intent.OUT_OF_SCOPE


@pytest.mark.parametrize(
    ("text", "context", "intent"),
    [
        ("那租金呢?", Context(intent="listing", project="惠民家园"), Intent.LISTING),
        ("两居室还有吗?", Context(intent="listing", project="惠民家园"), Intent.LISTING),
        ("需要带什么?", Context(intent="lottery", document_id=3), Intent.LOTTERY),
        ("在哪摇", Context(intent="lottery", document_id=3), Intent.LOTTERY),
        ("那天得带啥", Context(intent="signing", document_id=4), Intent.SIGNING),
        # A tail alone completes a look-up whose name came first.
        ("2345", Context(intent="result", pending_name="王秀英"), Intent.RESULT),
        ("后四位6789", Context(intent="result", pending_name="王秀英"), Intent.RESULT),
    ],
)
def test_follow_ups_lean_on_the_last_turn(
    text: str, context: Context, intent: Intent, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    reading = read(text, index, vocabulary, context)
    assert reading.intent == intent
    assert reading.follow_up


@pytest.mark.parametrize("text", ["那租金呢?", "需要带什么?", "2345"])
def test_without_a_conversation_nothing_is_a_follow_up(
    text: str, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    reading = read(text, index, vocabulary)
    assert not reading.follow_up
    assert reading.intent != Intent.RESULT


def test_a_tail_alone_without_a_pending_name_is_no_look_up(
    index: SearchIndex, vocabulary: Vocabulary
) -> None:
    after_listing = Context(intent="listing", project="惠民家园")
    assert read("2345", index, vocabulary, after_listing).intent != Intent.RESULT


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("公租房申请条件是什么", Intent.ELIGIBILITY),  # a new topic, however short
        ("我要投诉", Intent.COMPLAINT),
        ("房源信息在哪公开", Intent.CATALOG),
    ],
)
def test_a_new_topic_leaves_the_lottery_conversation(
    text: str, intent: Intent, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    after_lottery = Context(intent="lottery", document_id=3)
    assert read(text, index, vocabulary, after_lottery).intent == intent


@pytest.mark.parametrize("text", ["合同在哪签", "分到惠民家园了，合同啥时候签"])
def test_signing_is_read_with_its_words_the_other_way_round(
    text: str, index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert read(text, index, vocabulary).intent == Intent.SIGNING


def test_a_private_landlords_contract_is_no_signing(
    index: SearchIndex, vocabulary: Vocabulary
) -> None:
    assert read("房东的合同我还没签", index, vocabulary).intent != Intent.SIGNING
