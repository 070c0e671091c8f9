"""An eligibility question about a particular case gets the rule on that case, not the overview
of every tier: "以前买过集资房 还能申请吗" is answered by who may not apply.

A small material of its own: rules with three tiers and a section on who may not apply.
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

_CONDITIONS = "一、申请条件"
_LOW = f"{_CONDITIONS} › （一）低保、低收入住房困难家庭"
_MIDDLE = f"{_CONDITIONS} › （二）中等偏下收入住房困难家庭"
_GRADUATES = f"{_CONDITIONS} › （三）新就业无房职工"
_EXCLUDED = f"{_CONDITIONS} › （四）不得申请的情形"
_TITLE = "某县公共租赁住房申请须知"
MATERIAL = Material(
    1,
    (
        LoadedDocument(
            DocumentInfo(1, 1, _TITLE, date(2026, 2, 1), 13, "text", f"{_TITLE}.md"),
            (
                (_LOW, "- 本县城镇户籍满3年；"),
                (_LOW, "- 家庭人均月收入低于1200元；"),
                (_MIDDLE, "- 本县城镇户籍满3年；"),
                (_MIDDLE, "- 家庭人均月收入低于2500元；"),
                (_GRADUATES, "- 毕业未满5年；"),
                (_GRADUATES, "- 在本县连续缴纳社会保险满6个月。"),
                (_EXCLUDED, "- 已购买经济适用住房或者集资建房的；"),
                (_EXCLUDED, "- 正在领取租赁补贴的。"),
                ("二、配租", "配租套型按家庭人口确定：单人家庭配租单间，2至3人家庭配租一室一厅。"),
            ),
        ),
    ),
)


@pytest.fixture(scope="module")
def answerer(tokenizer: DomainTokenizer, catalog: Catalog) -> Answerer:
    index = SearchIndex.build(MATERIAL, tokenizer)
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: date(2026, 3, 1))


def test_a_particular_case_gets_its_rule(answerer: Answerer) -> None:
    text = answerer.answer("前些年买过单位的集资建房 还能申请公租房吗", "a").text
    assert "不得申请的情形" in text and "集资建房" in text, text
    assert "2500" not in text, text


def test_a_general_question_still_gets_every_tier(answerer: Answerer) -> None:
    text = answerer.answer("公租房申请条件是什么", "b").text
    assert "1200" in text and "2500" in text and "毕业未满5年" in text, text


@pytest.mark.parametrize("question", ["两口人能分啥样的房", "公租房一个人给多大的房"])
def test_the_household_size_decides_the_flat(answerer: Answerer, question: str) -> None:
    text = answerer.answer(question, "c").text
    assert "配租套型按家庭人口确定" in text, text
