"""A question naming a project is answered from that project's rows, not from a passage about
another project that merely shares the other words (竣工, 套).

A small material of its own: a yearly building plan (a table), a response that tells when an
older project was completed, and a five-year outline that names the new project.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.answerer import Answerer
from bot.conversation import Conversations
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, LoadedTable, Material
from knowledge.tokenizer import DomainTokenizer

_PLAN = "某县2026年保障性住房建设年度计划"
_COLUMNS = ("项目名称", "建设地点", "计划开工时间", "计划竣工时间", "开工套数")
_RESPONSE = "关于经济适用住房上市交易有关问题的回应"
_OUTLINE = "某县保障性住房发展规划（2026—2030年）摘要"
MATERIAL = Material(
    1,
    (
        LoadedDocument(
            DocumentInfo(1, 1, _PLAN, date(2026, 3, 1), 7, "table", f"{_PLAN}.xlsx"),
            (),
            LoadedTable(
                _COLUMNS,
                len(_COLUMNS),
                (
                    ("青松苑公共租赁住房", "城关镇青松路8号", "2026年4月", "2027年9月", "90"),
                    ("翠湖湾配售型保障性住房", "城关镇湖滨路2号", "2026年6月", "2028年5月", "150"),
                ),
                (),
                _PLAN,
            ),
        ),
        LoadedDocument(
            DocumentInfo(2, 2, _RESPONSE, date(2026, 5, 1), 41, "text", f"{_RESPONSE}.md"),
            (
                (
                    "",
                    "三、金桂小区由县安居公司投资盖的，于2024年8月完工交付，共120套，业主购房均未满5年。",
                ),
            ),
        ),
        LoadedDocument(
            DocumentInfo(3, 3, _OUTLINE, date(2026, 2, 1), 6, "text", f"{_OUTLINE}.md"),
            (
                (
                    "二、空间布局",
                    "新增公共租赁住房主要布局在城关镇，2026年开工建设青松苑公共租赁住房90套。",
                ),
            ),
        ),
    ),
)


@pytest.fixture(scope="module")
def answerer(tokenizer: DomainTokenizer, catalog: Catalog) -> Answerer:
    index = SearchIndex.build(MATERIAL, tokenizer)
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: date(2026, 6, 1))


def test_the_named_projects_row_answers_when_it_is_completed(answerer: Answerer) -> None:
    text = answerer.answer("青松苑盖多少套 啥时候完工", "t").text
    assert "2027年9月" in text, text
    assert "金桂小区" not in text, text
