"""Result look-ups (审核, 补贴, 经适房资格, 分配, 年审) under the privacy rules.

Spec (answering.md): a person's published row is shown only when the resident gives the name
AND the last four characters of the identity number, and then with the ID masked. A name alone
gets a request for the four characters and reveals nothing, not even how many people share the
name; a wrong tail gets "not found" without a hint; a full ID typed is never resolved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from knowledge import elements as el
from knowledge.index import IndexedTable, SearchIndex
from knowledge.masking import MASK

# Columns that only number the rows of a list; not worth showing.
_HIDDEN_COLUMNS = frozenset({"序号"})
# Words that say the resident asks about an allocation (which flat) rather than a review.
ALLOCATION_WORDS = ("分到", "分配", "哪套", "房号", "分房", "分没分")
ALLOCATION_ITEMS = frozenset({19})
_IDENTITY_HEADER_WORDS = ("身份证", "证件号")


@dataclass(frozen=True)
class PersonMatch:
    """A published row of the person asked about."""

    table: IndexedTable
    row: int

    @property
    def values(self) -> dict[str, str]:
        """The row's cells by column."""
        return self.table.row_values(self.row)


def id_tail_matches(masked_id: str, tail: str) -> bool:
    """True when a (masked) published ID ends with the four characters the resident gave."""
    value = masked_id.strip().upper()
    return len(value) >= 4 and MASK not in value[-4:] and value[-4:] == tail.upper()


def find_person(index: SearchIndex, name: str, tail: str) -> list[PersonMatch]:
    """Rows with exactly this name whose ID ends with tail; newest document first.

    A row without an ID column cannot be checked against the tail and is never returned.
    """
    matches = []
    for table, row in index.people_named(name):
        id_column = identity_column(table)
        if id_column < 0:
            continue
        if id_tail_matches(table.rows[row][id_column], tail):
            matches.append(PersonMatch(table, row))
    matches.sort(
        key=lambda m: (m.table.doc.published_on is not None, m.table.doc.published_on),
        reverse=True,
    )
    return matches


def identity_column(table: IndexedTable) -> int:
    """The column of identity numbers: the canonical element, else a column named like one."""
    position = table.column(el.IDENTITY_NUMBER)
    if position >= 0:
        return position
    for position, column in enumerate(table.columns):
        if any(word in column for word in _IDENTITY_HEADER_WORDS):
            return position
    return -1


def describe_row(match: PersonMatch) -> str:
    """'《title》：姓名 李静，身份证号 140621********0741，是否审核通过 是' for one row."""
    parts = []
    for column, value in match.values.items():
        label = column.removeprefix("extra:")
        if label in _HIDDEN_COLUMNS or not value:
            continue
        parts.append(f"{label}：{value}")
    return f"《{match.table.doc.title}》：" + "；".join(parts)


def is_allocation_question(text: str) -> bool:
    """True when the resident asks which flat they got (分到房了吗, 分到哪套)."""
    return any(word in text for word in ALLOCATION_WORDS)


def allocation_missing(matches: Sequence[PersonMatch]) -> bool:
    """True when none of the person's rows is an allocation result."""
    return not any(m.table.doc.item_number in ALLOCATION_ITEMS for m in matches)
