"""房源 answers from the published listing tables, filtered by what the resident asked.

Per project: type, address, units to allocate, unit types and areas, rent or price, allocation
date (spec: answering.md), filtered by project, housing type, 套型, area and price, newest
listing first. Notes of the listing that name the project (定向配租 …) come with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.listing_catalog import ListingCatalog, ListingFacts, ListingRow, listing_catalog
from bot.slots import Slots
from knowledge import elements as el
from knowledge.index import SearchIndex
from knowledge.values import format_number, parse_number

# "60平左右" accepts flats within this many square metres.
_AREA_TOLERANCE = 5.0
_HOUSING_TYPE_WORDS = {
    "公租房": ("公共租赁", "公租", "廉租"),
    "经适房": ("经济适用", "经适"),
}
_MAX_ROWS = 12
# Asked for the cheapest or the largest, the few best rows answer.
_EXTREME_ROWS = 3


def _type_matches(facts: ListingFacts, housing_type: str) -> bool:
    words = _HOUSING_TYPE_WORDS.get(housing_type)
    return not words or any(word in facts.type_text for word in words)


def _project_matches(name: str, projects: Sequence[str]) -> bool:
    return bool(name) and any(p == name or p in name or name in p for p in projects)


def _area_matches(facts: ListingFacts, area: float | None, qualifier: str) -> bool:
    if area is None:
        return True
    if facts.area is None:
        return False
    if qualifier in ("以上", "多"):
        return facts.area >= area
    if qualifier == "以下":
        return facts.area <= area
    return abs(facts.area - area) <= _AREA_TOLERANCE


def _candidates(
    catalog: ListingCatalog, slots: Slots, projects: Sequence[str]
) -> Sequence[ListingFacts]:
    """The rows to filter, already in the order the answer lists them."""
    if projects:
        named = [name for name in catalog.by_project if _project_matches(name, projects)]
        found = catalog.of_projects(named)
        if slots.ordering == "cheapest":
            found.sort(key=lambda f: float("inf") if f.price is None else f.price)
        elif slots.ordering == "largest":
            found.sort(key=lambda f: 0.0 if f.area is None else f.area, reverse=True)
        elif slots.ordering == "smallest":
            found.sort(key=lambda f: float("inf") if f.area is None else f.area)
        return found
    if slots.ordering == "cheapest":
        return catalog.by_price
    if slots.ordering == "largest":
        return catalog.by_area_descending
    if slots.ordering == "smallest":
        return catalog.by_area_ascending
    return catalog.rows


def find_listing_rows(
    index: SearchIndex, slots: Slots, projects: Sequence[str]
) -> list[ListingRow]:
    """Listing rows matching the slots; for each project only its newest listing's rows."""
    limit = _EXTREME_ROWS if slots.ordering in ("cheapest", "largest", "smallest") else _MAX_ROWS
    rows: list[ListingRow] = []
    for facts in _candidates(listing_catalog(index), slots, projects):
        if not _type_matches(facts, slots.housing_type):
            continue
        if slots.unit_type and facts.unit_type != slots.unit_type:
            continue
        if not _area_matches(facts, slots.area, slots.area_qualifier):
            continue
        rows.append(facts.row)
        if len(rows) == limit:
            break
    return rows


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
        # A price published with its unit ("4.2元/㎡·月") is shown as published.
        unit = "" if "元" in price else _price_unit(row)
        details.append(f"{_price_label(row)}{price}{unit}")
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
