"""房源 answers from the published listing tables, filtered by what the resident asked.

Per project: type, address, units to allocate, unit types and areas, rent or price, allocation
date (spec: answering.md), filtered by project, housing type, 套型, area and price, newest
listing first. Notes of the listing that name the project (定向配租 …) come with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.slots import Slots
from knowledge import elements as el
from knowledge.index import IndexedTable, SearchIndex
from knowledge.values import format_number, parse_number

LISTING_ITEMS = frozenset({17})
# "60平左右" accepts flats within this many square metres.
_AREA_TOLERANCE = 5.0
_HOUSING_TYPE_WORDS = {
    "公租房": ("公共租赁", "公租", "廉租"),
    "经适房": ("经济适用", "经适"),
}
_MAX_ROWS = 12
# Asked for the cheapest or the largest, the few best rows answer.
_EXTREME_ROWS = 3


@dataclass(frozen=True)
class ListingRow:
    """One row of a listing table."""

    table: IndexedTable
    row: int

    def value(self, names: tuple[str, ...] | str) -> str:
        """A cell by canonical element name(s)."""
        return el.first_present(self.table.row_values(self.row), names)

    def extras(self) -> dict[str, str]:
        """The extra columns of the row, by header."""
        return {
            k.removeprefix("extra:"): v
            for k, v in self.table.row_values(self.row).items()
            if k.startswith("extra:")
        }


def listing_tables(index: SearchIndex) -> list[IndexedTable]:
    """Tables that list housing units (item 17, or any table with 套型 and units columns)."""
    found = []
    for table in index.tables:
        if table.about_people:
            continue
        is_listing = table.doc.item_number in LISTING_ITEMS or (
            el.UNIT_TYPE in table.columns and el.UNITS_AVAILABLE in table.columns
        )
        if is_listing:
            found.append(table)
    found.sort(key=lambda t: (t.doc.published_on is not None, t.doc.published_on), reverse=True)
    return found


def _type_matches(row: ListingRow, housing_type: str) -> bool:
    words = _HOUSING_TYPE_WORDS.get(housing_type)
    if not words:
        return True
    text = row.value(el.HOUSING_TYPE) + row.table.doc.title
    return any(word in text for word in words)


def _project_matches(row: ListingRow, projects: Sequence[str]) -> bool:
    if not projects:
        return True
    name = row.value(el.PROJECT_NAME)
    return any(p == name or p in name or name in p for p in projects)


def _area_matches(row: ListingRow, area: float | None, qualifier: str) -> bool:
    if area is None:
        return True
    value = parse_number(row.value(el.AREA))
    if value is None:
        return False
    if qualifier in ("以上", "多"):
        return value >= area
    if qualifier == "以下":
        return value <= area
    return abs(value - area) <= _AREA_TOLERANCE


def find_listing_rows(
    index: SearchIndex, slots: Slots, projects: Sequence[str]
) -> list[ListingRow]:
    """Listing rows matching the slots; for each project only its newest listing's rows."""
    newest_table_of: dict[str, int] = {}
    rows: list[ListingRow] = []
    for position, table in enumerate(listing_tables(index)):
        for row_number in range(len(table.rows)):
            row = ListingRow(table, row_number)
            project = row.value(el.PROJECT_NAME)
            owner = newest_table_of.setdefault(project, position)
            if owner != position:
                continue
            if not _project_matches(row, projects) or not _type_matches(row, slots.housing_type):
                continue
            if slots.unit_type and row.value(el.UNIT_TYPE) != slots.unit_type:
                continue
            if not _area_matches(row, slots.area, slots.area_qualifier):
                continue
            rows.append(row)
    if slots.ordering == "cheapest":
        rows.sort(key=lambda r: parse_number(r.value(el.PRICE)) or float("inf"))
        return rows[:_EXTREME_ROWS]
    if slots.ordering in ("largest", "smallest"):
        rows.sort(
            key=lambda r: parse_number(r.value(el.AREA)) or 0.0,
            reverse=slots.ordering == "largest",
        )
        return rows[:_EXTREME_ROWS]
    return rows[:_MAX_ROWS]


def describe(row: ListingRow, *, with_address: bool, with_completion: bool) -> str:
    """'幸福里（一期）一室一厅 42.6㎡：待分配12套，租金4.5元/㎡·月，参考月租金191.7元'."""
    project = row.value(el.PROJECT_NAME)
    head = " ".join(p for p in (project, row.value(el.UNIT_TYPE)) if p)
    area = parse_number(row.value(el.AREA))
    if area is not None:
        head += f" {format_number(area)}㎡"
    details = []
    kind = row.value(el.HOUSING_TYPE)
    if kind:
        details.append(kind)
    available = row.value(el.UNITS_AVAILABLE)
    if available:
        details.append(f"待分配{available}套")
    price = row.value(el.PRICE)
    if price:
        details.append(f"{_price_label(row)}{price}{_price_unit(row)}")
    for header, value in row.extras().items():
        if any(word in header for word in ("月租金", "总价", "参考")):
            details.append(f"{_strip_unit(header)}{value}{_unit_of(header)}")
    if with_address and row.value(el.ADDRESS):
        details.append(f"地址：{row.value(el.ADDRESS)}")
    if with_completion and row.value(el.COMPLETION_DATE):
        details.append(f"竣工日期：{row.value(el.COMPLETION_DATE)}")
    allocation = row.value(el.ALLOCATION_DATE)
    if allocation:
        details.append(f"分配日期：{allocation}")
    return f"{head}：" + "，".join(details)


def _price_label(row: ListingRow) -> str:
    text = row.value(el.HOUSING_TYPE) + row.table.doc.title
    return "售价" if any(w in text for w in _HOUSING_TYPE_WORDS["经适房"]) else "租金"


def _price_unit(row: ListingRow) -> str:
    return "元/㎡" if _price_label(row) == "售价" else "元/㎡·月"


def _strip_unit(header: str) -> str:
    return header.split("（")[0].split("(")[0]


def _unit_of(header: str) -> str:
    for opening, closing in (("（", "）"), ("(", ")")):
        if opening in header and header.endswith(closing):
            return header[header.index(opening) + 1 : -1]
    return ""


def relevant_notes(rows: Sequence[ListingRow], projects: Sequence[str]) -> list[str]:
    """Notes of the tables shown that name a project asked about, or all when none named."""
    notes: list[str] = []
    for table in {id(r.table): r.table for r in rows}.values():
        for note in table.notes:
            named = not projects or any(p in note for p in projects)
            if (named or _mentions_short(note, projects)) and note not in notes:
                notes.append(note)
    return notes


def _mentions_short(note: str, projects: Sequence[str]) -> bool:
    return any(p.removesuffix("小区") in note for p in projects if len(p) > 3)
