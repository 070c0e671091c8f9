"""A follow-up stays with the last answer's document only while that document answers about as
well as the best elsewhere, weighed on one scale.

A small material of its own: a regulation whose article says in general words where incomers
apply, and an acceptance notice that names the very window. Asked the conditions first (the
regulation answers), then where to hand in the application, the notice's window is the answer.
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

_INCOMERS = "第二章 保障对象 › 第八条 外来务工人员申请公租房，应当同时符合下列条件："


def _document(
    document_id: int, title: str, item: int, published_on: date, passages: list[tuple[str, str]]
) -> LoadedDocument:
    info = DocumentInfo(document_id, document_id, title, published_on, item, "text", f"{title}.md")
    return LoadedDocument(info, tuple(passages))


MATERIAL = Material(
    1,
    (
        _document(
            1,
            "某县保障性住房管理办法",
            2,
            date(2026, 1, 5),
            [
                (_INCOMERS, "（一）持有本县居住证；"),
                (_INCOMERS, "（二）在本县连续缴纳社会保险满12个月；"),
                (_INCOMERS, "（三）本人及家庭成员在本县无住房。"),
                (
                    "第三章 申请与审核",
                    "第十一条 公租房实行分批受理，受理时间、地点由县住建局提前公告。城镇户籍家庭"
                    "向社区居委会提出申请；外来务工人员向县政务服务中心提出申请。",
                ),
            ],
        ),
        _document(
            2,
            "关于受理2026年第三批公共租赁住房申请的公告",
            13,
            date(2026, 10, 10),
            [
                ("一、受理时间", "2026年10月20日至11月20日（法定工作日）。"),
                (
                    "二、受理地点",
                    "（一）城镇户籍家庭，向户籍所在社区居委会申请；",
                ),
                (
                    "二、受理地点",
                    "（二）外来务工人员，向县政务服务中心二楼住建窗口（8号窗口）申请。",
                ),
            ],
        ),
    ),
)


@pytest.fixture(scope="module")
def answerer(tokenizer: DomainTokenizer, catalog: Catalog) -> Answerer:
    index = SearchIndex.build(MATERIAL, tokenizer)
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: date(2026, 10, 25))


def test_a_follow_up_goes_where_the_answer_is_plainer(answerer: Answerer) -> None:
    first = answerer.answer("外地来打工的 社保交了半年 能申请公租房不", "r")
    assert "12个月" in first.text, first.text
    second = answerer.answer("够了以后去哪交申请", "r")
    assert "8号窗口" in second.text, second.text
