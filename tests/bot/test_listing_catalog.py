"""Tests for bot/listing_catalog.py and the row filters of bot/listings.py, on plain tables."""

from __future__ import annotations

from datetime import date

import pytest

from bot.listing_catalog import listing_catalog
from bot.listings import describe, find_listing_rows
from bot.slots import Slots
from knowledge.index import SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, Material, table_from_rows
from knowledge.tokenizer import DomainTokenizer

COLUMNS = ("项目名称", "套型", "面积", "待分配套数", "配租配售价格")


def listing(document_id: int, day: int, rows: list[tuple[str, ...]]) -> LoadedDocument:
    table = table_from_rows(
        [({c: v for c, v in zip(COLUMNS, row, strict=True) if v}, {}) for row in rows],
        {"columns": [{"header": c, "elements": [c], "how": "exact"} for c in COLUMNS]},
    )
    title = f"2026年第{document_id}批公共租赁住房房源信息表"
    info = DocumentInfo(document_id, document_id, title, date(2026, 3, day), 17, "table", "x.csv")
    return LoadedDocument(info, (), table)


OLDER = listing(1, 1, [("青松苑", "一室一厅", "40", "9", "4.0")])
NEWER = listing(
    2,
    20,
    [
        ("青松苑", "一室一厅", "41.5平方米", "2", "4.2元/㎡·月"),
        ("翠柏园", "两室一厅", "", "5", "3.8"),
        ("翠柏园", "三室一厅", "88.6", "1", ""),
        ("", "一室一厅", "38", "4", "3.5"),
    ],
)


@pytest.fixture(scope="module")
def index(tokenizer: DomainTokenizer) -> SearchIndex:
    return SearchIndex.build(Material(1, (OLDER, NEWER)), tokenizer)


def lines(index: SearchIndex, slots: Slots, projects: tuple[str, ...] = ()) -> list[str]:
    rows = find_listing_rows(index, slots, projects)
    return [describe(r, with_address=False, with_completion=False) for r in rows]


def test_a_figure_published_with_its_unit_shows_the_unit_once(index: SearchIndex) -> None:
    [line] = lines(index, Slots(), ("青松苑",))
    assert "41.5㎡" in line and "平方米" not in line
    assert line.count("元/㎡·月") == 1 and "4.2元/㎡·月" in line


def test_only_the_newest_listing_of_a_project_counts(index: SearchIndex) -> None:
    found = lines(index, Slots(), ("青松苑",))
    assert len(found) == 1 and "待分配2套" in found[0]


def test_a_row_without_a_project_is_not_offered_for_a_named_project(index: SearchIndex) -> None:
    assert all("38㎡" not in line for line in lines(index, Slots(), ("翠柏园",)))


@pytest.mark.parametrize(
    ("ordering", "first", "last"),
    [
        ("cheapest", "38㎡", "三室一厅"),  # no published rent: last, not first
        ("largest", "88.6㎡", "两室一厅"),  # no published area: last
        ("smallest", "38㎡", "两室一厅"),  # no published area: last, not the smallest
    ],
)
def test_extremes_rank_rows_without_the_figure_last(
    index: SearchIndex, ordering: str, first: str, last: str
) -> None:
    found = lines(index, Slots(ordering=ordering), ())
    assert len(found) == 3
    assert first in found[0]
    assert all(last not in line for line in found)


def test_the_same_extremes_within_named_projects(index: SearchIndex) -> None:
    found = lines(index, Slots(ordering="cheapest"), ("翠柏园",))
    assert [("两室一厅" in line) for line in found] == [True, False]


def test_filters_apply_before_the_row_limit(index: SearchIndex) -> None:
    found = lines(index, Slots(unit_type="三室一厅"), ())
    assert len(found) == 1 and "88.6㎡" in found[0]


def test_the_catalog_is_built_once_per_snapshot(
    index: SearchIndex, tokenizer: DomainTokenizer
) -> None:
    assert listing_catalog(index) is listing_catalog(index)
    other = SearchIndex.build(Material(2, (NEWER,)), tokenizer)
    assert listing_catalog(other) is not listing_catalog(index)
    assert len(listing_catalog(other).rows) == 4
