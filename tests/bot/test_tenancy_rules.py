"""Questions of sitting tenants answered from a rule and the bureau's advice beside it.

A small material of its own: the rules for taking a flat back (a list) and an 主动回应 that
tells tenants what to do before a long absence. A resident leaving to work elsewhere needs both.
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

_TAKE_BACK = "第七章 使用与退出 › 第三十一条 承租人有下列行为之一的，收回公租房："


def _document(
    document_id: int, title: str, item: int, passages: list[tuple[str, str]]
) -> LoadedDocument:
    info = DocumentInfo(
        document_id, document_id, title, date(2026, 1, 8), item, "text", f"{title}.md"
    )
    return LoadedDocument(info, tuple(passages))


MATERIAL = Material(
    1,
    (
        _document(
            1,
            "某县保障性住房管理实施细则",
            2,
            [
                (_TAKE_BACK, "（一）转借、转租或者擅自调换所承租公租房的；"),
                (_TAKE_BACK, "（二）改变所承租公租房用途的；"),
                (_TAKE_BACK, "（三）无正当理由连续6个月以上闲置公租房的；"),
                (_TAKE_BACK, "（四）累计6个月以上拖欠租金的。"),
                ("第七章 使用与退出", "第三十条 公租房实行年度资格审核，每年9月申报家庭变化情况。"),
            ],
        ),
        _document(
            2,
            "关于公租房承租人应当退回住房情形的回应",
            41,
            [
                ("一、退回情形", "承租人另行取得住房的，应当退回公租房。"),
                (
                    "二、温馨提示",
                    "因外出务工、住院治疗等原因确需较长时间离开的，请提前向小区物业服务中心"
                    "书面报备并按时缴纳租金，避免被认定为无正当理由闲置。",
                ),
            ],
        ),
        _document(
            3,
            "【主动回应】关于公租房变更承租人有关问题的回应",
            41,
            [
                (
                    "",
                    "近来，有承租户留言询问“老伴去世了，合同上是他的名字，房子还能接着住吗”。"
                    "现回应如下：",
                ),
                (
                    "一、承租人去世怎么办",
                    "承租人死亡的，共同居住的家庭成员符合保障条件的，可以自情况发生之日起30日内"
                    "申请变更承租人，重新签订租赁合同。",
                ),
                ("二、不能私下换房", "承租人之间私自调换、转借公租房的，解除租赁合同。"),
            ],
        ),
    ),
)


@pytest.fixture(scope="module")
def answerer(tokenizer: DomainTokenizer, catalog: Catalog) -> Answerer:
    index = SearchIndex.build(MATERIAL, tokenizer)
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: date(2026, 12, 1))


@pytest.mark.parametrize(
    "question", ["要是出去打工房子空着半年呢", "如果外出务工半年，房子闲置了怎么办"]
)
def test_leaving_to_work_elsewhere_gets_the_rule_and_the_advice(
    answerer: Answerer, question: str
) -> None:
    text = answerer.answer(question).text
    assert "6个月" in text, text
    assert "报备" in text, text


def test_a_response_that_restates_the_question_answers_with_what_follows(
    answerer: Answerer,
) -> None:
    text = answerer.answer("老伴没了，合同上是他名字，这房子俺还能住不").text
    assert "30日" in text and "变更承租人" in text, text
    assert "留言询问" not in text, text
