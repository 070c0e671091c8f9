"""The listing rows a resident can be offered, read once per index snapshot.

A county's listings run to tens of thousands of rows across many files, and a project
reappears in each new listing. Answering "一室一厅还有房子吗" must not scan them all: the rows
that count (each project's newest listing) are gathered once, with the figures filters need
already parsed, and kept sorted by price and by area for "cheapest" and "largest".
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from knowledge import elements as el
from knowledge.index import IndexedTable, SearchIndex
from knowledge.values import parse_number

LISTING_ITEMS = frozenset({17})


@dataclass(frozen=True, slots=True)
class ListingRow:
    """One row of a listing table."""

    table: IndexedTable
    row: int

    def value(self, names: tuple[str, ...] | str) -> str:
        """A cell by canonical element name(s)."""
        return self.table.cell(self.row, names)

    def extras(self) -> dict[str, str]:
        """The extra columns of the row, by header."""
        return {
            k.removeprefix("extra:"): v
            for k, v in self.table.row_values(self.row).items()
            if k.startswith("extra:")
        }


@dataclass(frozen=True, slots=True)
class ListingFacts:
    """A listing row with what the filters compare, parsed once."""

    ordinal: int
    row: ListingRow
    project: str
    unit_type: str
    type_text: str  # the 类型 cell and the table's title: 公租房 or 经适房 is named in either
    area: float | None
    price: float | None


class ListingCatalog:
    """Each project's rows from its newest listing, in listing order and sorted for extremes."""

    def __init__(self, tables: list[IndexedTable]) -> None:
        newest_table_of: dict[str, int] = {}
        rows: list[ListingFacts] = []
        for position, table in enumerate(tables):
            for row_number in range(len(table.rows)):
                project = table.cell(row_number, el.PROJECT_NAME)
                if newest_table_of.setdefault(project, position) != position:
                    continue
                rows.append(
                    ListingFacts(
                        ordinal=len(rows),
                        row=ListingRow(table, row_number),
                        project=project,
                        unit_type=table.cell(row_number, el.UNIT_TYPE),
                        type_text=table.cell(row_number, el.HOUSING_TYPE) + table.doc.title,
                        area=parse_number(table.cell(row_number, el.AREA)),
                        price=parse_number(table.cell(row_number, el.PRICE)),
                    )
                )
        self.rows = tuple(rows)
        by_project: dict[str, list[ListingFacts]] = {}
        for facts in rows:
            by_project.setdefault(facts.project, []).append(facts)
        self.by_project = {name: tuple(found) for name, found in by_project.items()}
        inf = float("inf")
        self.by_price = tuple(sorted(rows, key=lambda f: inf if f.price is None else f.price))
        self.by_area_descending = tuple(
            sorted(rows, key=lambda f: 0.0 if f.area is None else f.area, reverse=True)
        )
        self.by_area_ascending = tuple(
            sorted(rows, key=lambda f: inf if f.area is None else f.area)
        )

    def of_projects(self, matches: list[str]) -> list[ListingFacts]:
        """The rows of the named projects, in listing order."""
        found = [f for name in matches for f in self.by_project[name]]
        found.sort(key=lambda f: f.ordinal)
        return found


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


_catalogs: weakref.WeakKeyDictionary[SearchIndex, ListingCatalog] = weakref.WeakKeyDictionary()
_catalogs_lock = threading.Lock()


def listing_catalog(index: SearchIndex) -> ListingCatalog:
    """The catalog of a snapshot, built on first use and kept while the snapshot lives."""
    with _catalogs_lock:
        catalog = _catalogs.get(index)
    if catalog is None:
        # Built outside the lock: two threads may both build it once, never block each other.
        catalog = ListingCatalog(listing_tables(index))
        with _catalogs_lock:
            catalog = _catalogs.setdefault(index, catalog)
    return catalog
