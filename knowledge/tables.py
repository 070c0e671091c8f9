"""A published cell grid to a table: title rows, header → elements, data rows, notes, totals.

Spec (published-material.md): the header row is the first row in which at least two cells
name known elements; rows before it are the table's title, rows after the data that are not
data are its notes. Every identity number is masked before anything else happens to a cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from knowledge.dates import excel_serial_to_date, find_publication_date, parse_date
from knowledge.errors import NoHeaderRow
from knowledge.header_matching import HeaderMatch, HeaderMatcher, MatchHow
from knowledge.masking import mask_identity_numbers
from knowledge.readers.source import CellValue, Grid
from knowledge.values import format_number

# An element or header naming one of these holds dates: its Excel serials become dates.
DATE_ELEMENT_HINTS = ("日期", "时间")
# The header row sits near the top; looking further only costs time on header-less files.
HEADER_SEARCH_ROWS = 30
_MIN_NAMED_HEADERS = 2

_TOTAL_LABELS = ("合计", "总计", "小计", "共计")
_NOTE_PREFIX = re.compile(
    r"^(?:(?:注|说明|备注)\s*[:：\d]|公示期|公示时间|监督电话|监督举报电话|举报电话|咨询电话|联系电话"
    r"|发布单位|发布日期|发布时间|制表|填报|审核人|数据来源|资料来源|附件)"
)
# The issuing body's signature under a table, alone or followed by its date.
_ISSUING_BODY = re.compile(r"^\D*(?:局|委员会|政府|办公室|中心)(?:\s+\S*\d\S*)?$")
_SIGNATURE_MAX_CELLS = 2
# 15 digits: the shortest (legacy) identity number.
_SMALLEST_IDENTITY_NUMBER = 10**14
_WHITESPACE = re.compile(r"\s+")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# A composite cell: "3-2-501 / 60.5㎡ / 两室一厅".
# Full-width \uff0f and \uff5c as typed by Chinese input methods, too.
_COMPOSITE_SEPARATOR = re.compile(r"\s*[/\uff0f|\uff5c]\s*")


@dataclass(frozen=True)
class ColumnMapping:
    """One column: its header as published and the elements it holds (none for extras)."""

    header: str
    elements: tuple[str, ...]
    score: float
    how: MatchHow


@dataclass(frozen=True)
class _Column:
    index: int
    mapping: ColumnMapping
    # A composite column's cell layout (房号 / 面积 / 套型); mapping.elements are the parts
    # it fills once other columns have claimed theirs.
    parts: tuple[str, ...]


@dataclass(frozen=True)
class ParsedRow:
    """One row's non-empty values by canonical element, and its extra columns by header."""

    values: Mapping[str, str]
    extras: Mapping[str, str]


@dataclass(frozen=True)
class ParsedTable:
    """A table as understood: every cell text already masked."""

    title: str | None
    title_rows: tuple[str, ...]
    columns: tuple[ColumnMapping, ...]
    rows: tuple[ParsedRow, ...]
    notes: tuple[str, ...]
    totals: tuple[ParsedRow, ...]
    identity_numbers_masked: int
    published_on: date | None


def is_date_column(header: str, elements: Sequence[str]) -> bool:
    """True when the header or one of its elements names a date (竣工日期, 开工时间)."""
    return any(hint in name for hint in DATE_ELEMENT_HINTS for name in (header, *elements))


def parse_table(
    grid: Grid,
    elements: Sequence[str],
    synonyms: Mapping[str, Sequence[str]],
    composites: Mapping[str, Sequence[str]],
    file_name: str,
) -> ParsedTable:
    """Find the header row, map its columns to elements and split the rest of the grid.

    Raises NoHeaderRow naming the file when no row names two known elements.
    """
    cells, masked = _masked_cells(grid)
    texts = [[cell_text(cell) for cell in row] for row in cells]
    filled = [index for index, row in enumerate(texts) if any(row)]
    matcher = HeaderMatcher(elements, synonyms, composites)
    header_index = _header_row(texts, filled, matcher)
    if header_index is None:
        reason = f"no row names two known elements in the first {HEADER_SEARCH_ROWS} rows"
        raise NoHeaderRow(file_name, reason)

    title_rows = [_row_text(texts[index]) for index in filled if index < header_index]
    title = next(
        (
            _row_text(texts[index])
            for index in filled
            if index < header_index and _count_filled(texts[index]) == 1
        ),
        None,
    )
    below = [index for index in filled if index > header_index]
    data, notes, totals = _split_rows(texts, below)
    columns = _columns(texts[header_index], [texts[index] for index in data], matcher)

    def parsed(index: int) -> ParsedRow:
        return _parsed_row(cells[index], texts[index], columns)

    rows = [row for row in (parsed(index) for index in data) if row.values or row.extras]
    note_texts = [_row_text(texts[index]) for index in notes]
    found = find_publication_date([*title_rows, *note_texts])
    return ParsedTable(
        title=title,
        title_rows=tuple(title_rows),
        columns=tuple(column.mapping for column in columns),
        rows=tuple(rows),
        notes=tuple(note_texts),
        totals=tuple(parsed(index) for index in totals),
        identity_numbers_masked=masked,
        published_on=found.date if found else None,
    )


def cell_text(cell: CellValue) -> str:
    """A cell as text without interpretation: numbers as format_number, dates as ISO."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        if (cell.hour, cell.minute, cell.second) == (0, 0, 0):
            return cell.date().isoformat()
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, int | float):
        return format_number(cell)
    return _WHITESPACE.sub(" ", cell).strip()


def cell_value(cell: CellValue, text: str, date_column: bool) -> str:
    """A data cell's stored text: dates as ISO, Excel serials as dates in date columns only."""
    if isinstance(cell, int | float) and date_column:
        serial_date = excel_serial_to_date(cell)
        return serial_date.isoformat() if serial_date else text
    if isinstance(cell, str):
        parsed = parse_date(text)
        if parsed:
            return parsed.isoformat()
        if date_column and _PLAIN_NUMBER.fullmatch(text):
            serial_date = excel_serial_to_date(float(text))
            return serial_date.isoformat() if serial_date else text
    return text


def _masked_cells(grid: Grid) -> tuple[list[list[CellValue]], int]:
    """Spec: identity numbers are masked before anything is stored, indexed or logged."""
    total = 0
    rows: list[list[CellValue]] = []
    for row in grid.rows:
        masked_row: list[CellValue] = []
        for cell in row:
            # An identity number typed into Excel as a number arrives as a long int, or as a
            # float when Excel kept only 15 significant digits: as text, it gets masked too.
            if isinstance(cell, int | float) and abs(cell) >= _SMALLEST_IDENTITY_NUMBER:
                cell = format_number(cell)
            if isinstance(cell, str):
                masked = mask_identity_numbers(cell)
                total += masked.identity_numbers
                cell = masked.text
            masked_row.append(cell)
        rows.append(masked_row)
    return rows, total


def _header_row(texts: list[list[str]], filled: list[int], matcher: HeaderMatcher) -> int | None:
    for index in filled[:HEADER_SEARCH_ROWS]:
        named = sum(1 for text in texts[index] if text and matcher.names_element(text))
        if named >= _MIN_NAMED_HEADERS:
            return index
    return None


def _split_rows(texts: list[list[str]], below: list[int]) -> tuple[list[int], list[int], list[int]]:
    """Data, note and total row indexes of the rows under the header.

    Notes are every row after the last data-looking row (two cells or more, no note label)
    that is not a total, plus labelled or single-cell rows among the data (group labels).
    """
    looks_like_data = [
        index
        for index in below
        if _count_filled(texts[index]) >= 2
        and not _is_total(texts[index])
        and not _has_note_label(texts[index])
    ]
    last_data = looks_like_data[-1] if looks_like_data else -1
    data: list[int] = []
    notes: list[int] = []
    totals: list[int] = []
    for index in below:
        row = texts[index]
        if _is_total(row):
            totals.append(index)
        elif index > last_data or _has_note_label(row) or _count_filled(row) == 1:
            notes.append(index)
        else:
            data.append(index)
    return data, notes, totals


def _columns(
    header: list[str], data_rows: list[list[str]], matcher: HeaderMatcher
) -> list[_Column]:
    """Every column with a header or any data, matched; a header-less one is named 第N列."""
    used = [
        index
        for index in range(len(header))
        if header[index] or any(index < len(row) and row[index] for row in data_rows)
    ]
    named = [index for index in used if header[index]]
    matches = dict(zip(named, matcher.match_row([header[index] for index in named]), strict=True))
    columns: list[_Column] = []
    seen_extras: set[str] = set()
    for index in used:
        match = matches.get(index) or HeaderMatch(f"第{index + 1}列", (), 0.0, "extra")
        label = _unique(match.header, seen_extras) if match.how == "extra" else match.header
        mapping = ColumnMapping(label, match.elements, match.score, match.how)
        columns.append(_Column(index, mapping, match.parts))
    return columns


def _parsed_row(cells: list[CellValue], texts: list[str], columns: list[_Column]) -> ParsedRow:
    values: dict[str, str] = {}
    extras: dict[str, str] = {}
    for column in columns:
        index, mapping = column.index, column.mapping
        if index >= len(texts) or not texts[index] or mapping.how == "serial":
            continue
        text = texts[index]
        if mapping.how == "extra":
            date_column = is_date_column(mapping.header, ())
            extras[mapping.header] = cell_value(cells[index], text, date_column)
        elif mapping.how == "composite":
            values.update(_composite_values(text, column))
        else:
            date_column = is_date_column(mapping.header, mapping.elements)
            values[mapping.elements[0]] = cell_value(cells[index], text, date_column)
    return ParsedRow(MappingProxyType(values), MappingProxyType(extras))


def _composite_values(text: str, column: _Column) -> dict[str, str]:
    """'3-2-501 / 60.5㎡ / 两室一厅' → {'房号': '3-2-501', '面积': '60.5㎡', '套型': '两室一厅'}."""
    pieces = _COMPOSITE_SEPARATOR.split(text, maxsplit=len(column.parts) - 1)
    return {
        part: cell_value(piece, piece, is_date_column(part, ()))
        for part, piece in zip(column.parts, pieces, strict=False)
        if piece and part in column.mapping.elements
    }


def _is_total(row: list[str]) -> bool:
    first = next((text for text in row if text), "")
    return first.replace(" ", "").startswith(_TOTAL_LABELS)


def _has_note_label(row: list[str]) -> bool:
    first = next((text for text in row if text), "")
    if _NOTE_PREFIX.match(first):
        return True
    return _count_filled(row) <= _SIGNATURE_MAX_CELLS and bool(_ISSUING_BODY.match(first))


def _count_filled(row: list[str]) -> int:
    return sum(1 for text in row if text)


def _row_text(row: list[str]) -> str:
    return " ".join(text for text in row if text)


def _unique(label: str, seen: set[str]) -> str:
    candidate, number = label, 2
    while candidate in seen:
        candidate, number = f"{label} ({number})", number + 1
    seen.add(candidate)
    return candidate
