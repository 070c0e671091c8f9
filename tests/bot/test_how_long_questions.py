""" "How long until …" is answered by the passage stating a span of time (15日内, 满1年后),
not by one that merely holds the word 期限 or names the same step.

A small material of its own: a hand-over notice whose steps mention a warranty 期限 and the
keys, and whose next section sets the time to move in.
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


def _document(
    document_id: int, title: str, item: int, passages: list[tuple[str, str]]
) -> LoadedDocument:
    info = DocumentInfo(
        document_id, document_id, title, date(2026, 9, 1), item, "text", f"{title}.md"
    )
    return LoadedDocument(info, tuple(passages))


MATERIAL = Material(
    1,
    (
        _document(
            1,
            "关于桃源小区公共租赁住房交付使用的公告",
            20,
            [
                ("", "桃源小区公共租赁住房已竣工验收，现将交付有关事项公告如下："),
                (
                    "一、交付流程",
                    "核对身份—验收房屋—签订《房屋交接确认书》（保修期限2年）—领取钥匙—进场装修。",
                ),
                ("二、装修要求", "自领取钥匙之日起60日内完成简单装修，不得改动承重结构。"),
                ("三、咨询电话", "0349-0000188"),
            ],
        ),
    ),
)


@pytest.fixture(scope="module")
def answerer(tokenizer: DomainTokenizer, catalog: Catalog) -> Answerer:
    index = SearchIndex.build(MATERIAL, tokenizer)
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: date(2026, 9, 10))


@pytest.mark.parametrize("question", ["拿到钥匙多长时间内得装修完", "领了钥匙多久得装修好"])
def test_a_stated_span_of_time_answers_how_long(answerer: Answerer, question: str) -> None:
    text = answerer.answer(question, "t").text
    assert text.startswith("装修要求：自领取钥匙之日起60日内"), text
    assert "保修期限" not in text, text
