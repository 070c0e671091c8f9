"""A conversation about the rental subsidy: how it is worked out, then when it is paid.

The follow-up names nothing of the previous turn; the category it carried (低收入) must not pull
the answer back to the subsidy standard that names it.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.answerer import Answerer
from bot.conversation import Conversations
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, Material
from knowledge.tokenizer import DomainTokenizer
from tests.bot.conftest import MATERIAL, TODAY

_PLAN = LoadedDocument(
    DocumentInfo(
        50, 50, "某县2026年度城镇住房保障家庭租赁补贴发放计划", date(2026, 1, 16), 7, "text", "p.md"
    ),
    (
        (
            "一、保障范围和户数",
            "经审核确认、选择租赁补贴方式保障的城镇低保、低收入和中等偏下收入住房困难家庭。"
            "2026年计划保障410户，其中低收入家庭160户。",
        ),
        (
            "二、补贴标准",
            "补贴标准：低保家庭每月每平方米8元，低收入家庭每月每平方米6元，"
            "中等偏下收入家庭每月每平方米4元。",
        ),
        (
            "五、有关说明",
            "自2026年3月1日起，补贴面积标准由原来的人均15平方米提高到人均16平方米。",
        ),
        ("三、发放方式", "补贴通过惠民惠农财政补贴资金“一卡通”发放至本人账户。"),
        ("四、发放时间", "按季度发放，每季度第一个月20日前发放当季补贴："),
        ("四、发放时间", "第一季度：1月20日前"),
        ("四、发放时间", "第四季度：10月20日前"),
        (
            "六、动态管理",
            "领取租赁补贴的家庭，家庭人口、收入、住房发生变化不再符合条件的，自次季度起停发。",
        ),
    ),
)


# A rent decision that also speaks of areas, old standards and changes.
_RENT_DECISION = LoadedDocument(
    DocumentInfo(
        51, 51, "关于公布公共租赁住房租金标准的通知", date(2026, 5, 28), 5, "text", "d.html"
    ),
    (
        ("一、租金标准（按建筑面积计算）", "（一）惠民家园：每月每平方米4.2元（原标准3.8元）；"),
        ("五、调整周期", "本次公布的标准原则上执行3年，期满后根据同地段市场租金变化重新核定。"),
    ),
)


@pytest.fixture(scope="module")
def answerer(tokenizer: DomainTokenizer, catalog: Catalog) -> Answerer:
    index = SearchIndex.build(Material(1, (*MATERIAL.documents, _PLAN, _RENT_DECISION)), tokenizer)
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: TODAY)


@pytest.mark.parametrize("follow_up", ["啥时候发钱", "钱啥时候到账"])
def test_when_it_is_paid_after_how_much_it_is(answerer: Answerer, follow_up: str) -> None:
    resident = f"resident-{follow_up}"
    answerer.answer("租赁补帖咋算的", resident)
    answerer.answer("那俺家两口人，低收入家庭，人均十平米，一个月能补多少", resident)
    text = answerer.answer(follow_up, resident).text
    assert "20日前" in text, text


@pytest.mark.parametrize("question", ["租赁补贴的面积标准是不是变了", "补贴标准改了吗"])
def test_a_change_to_the_subsidy_comes_from_its_plan_not_a_rent_decision(
    answerer: Answerer, question: str
) -> None:
    text = answerer.answer(question).text
    assert "16平方米" in text and "3月1日" in text, text
    assert "惠民家园" not in text, text
