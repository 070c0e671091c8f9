""" "打到哪个卡上" asks how money is paid out: the card meant is the account the rules name
(一卡通, 社会保障卡, 银行卡), a word the resident never says.

A small material of its own: a subsidy plan with its standard, its payment days and its way of
payment.
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

_TITLE = "某县2026年度租赁补贴发放计划"
MATERIAL = Material(
    1,
    (
        LoadedDocument(
            DocumentInfo(1, 1, _TITLE, date(2026, 2, 1), 13, "text", f"{_TITLE}.md"),
            (
                ("一、补贴标准", "低保家庭每月每平方米10元，低收入家庭每月每平方米7元。"),
                ("二、发放时间", "每季度第一个月15日前发放当季租赁补贴。"),
                ("三、发放方式", "租赁补贴通过申请人本人社会保障卡金融账户发放。"),
            ),
        ),
    ),
)


@pytest.fixture(scope="module")
def answerer(tokenizer: DomainTokenizer, catalog: Catalog) -> Answerer:
    index = SearchIndex.build(MATERIAL, tokenizer)
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: date(2026, 3, 1))


@pytest.mark.parametrize("question", ["租赁补贴打到哪个卡上", "租赁补贴给打到哪张卡了"])
def test_the_card_money_is_paid_into(answerer: Answerer, question: str) -> None:
    text = answerer.answer(question, "t").text
    assert "社会保障卡金融账户" in text, text
