"""Spreadsheets (.csv, .xlsx) as raw cell grids: delimiter sniffing, visible sheets, no blocks.

Spec: CSV arrives in UTF-8, UTF-8 with BOM or GB18030, comma or tab separated. Finding the
header row, the title rows and the notes needs the catalog's element names, so it is
knowledge/tables.py's job; the reader only guesses a title: the first row when it holds a
single text cell (a "title row", e.g. 山阴县2026年第一批公租房分配结果公示). The importer should
prefer ParsedTable.title where tables.py finds one.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from datetime import date, time

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from knowledge.dates import find_publication_date
from knowledge.decoding import decode_text
from knowledge.errors import UnreadableFile
from knowledge.readers.source import (
    CellValue,
    Grid,
    SourceDocument,
    TitleSource,
    document,
    file_stem,
    grid_lines,
)

# What openpyxl raises on a damaged workbook: not a zip, a missing part, broken XML
# (ElementTree's ParseError is a SyntaxError), a truncated stream, or malformed style values
# that its descriptors reject with TypeError/ValueError.
_DAMAGED_WORKBOOK_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    TypeError,
    SyntaxError,
    InvalidFileException,
)
_SNIFF_LINES = 20
_DELIMITERS = (",", "\t")
# A semicolon only when the file has neither commas nor tabs: Chinese text uses the
# full-width ；, so a bare ; in every line is a European-style export.
_FALLBACK_DELIMITER = ";"


def read_csv(file_name: str, data: bytes) -> SourceDocument:
    """A .csv file as one grid named after the file."""
    decoded = decode_text(data, file_name)
    delimiter = sniff_delimiter(decoded.text)
    try:
        rows = [_csv_row(row) for row in csv.reader(io.StringIO(decoded.text), delimiter=delimiter)]
    except csv.Error as error:
        raise UnreadableFile(file_name, f"is not a readable CSV file ({error})") from error
    grid = _grid(rows, file_stem(file_name))
    if grid is None:
        raise UnreadableFile(file_name, "has no cells")
    return _table_document(file_name, [grid], decoded.encoding)


def read_xlsx(file_name: str, data: bytes) -> SourceDocument:
    """A .xlsx workbook: every visible, non-empty sheet a grid named after the sheet.

    Formulas give their cached values; a merged range's value sits in its top-left cell.
    """
    try:
        sheets = _read_sheets(data)
    except _DAMAGED_WORKBOOK_ERRORS as error:
        reason = f"is not a readable .xlsx file ({type(error).__name__})"
        raise UnreadableFile(file_name, reason) from error
    grids = [grid for name, rows in sheets if (grid := _grid(rows, name)) is not None]
    if not grids:
        raise UnreadableFile(file_name, "has no cells")
    return _table_document(file_name, grids, None)


def sniff_delimiter(text: str) -> str:
    """',' or tab, whichever splits more of the first lines (then more often); ',' on a tie."""
    lines = [line for line in text.split("\n") if line.strip()][:_SNIFF_LINES]

    def spread(delimiter: str) -> tuple[int, int]:
        holding = [line for line in lines if delimiter in line]
        return len(holding), sum(line.count(delimiter) for line in holding)

    best = max(_DELIMITERS, key=spread)
    if spread(best)[0] == 0 and spread(_FALLBACK_DELIMITER)[0] > 0:
        return _FALLBACK_DELIMITER
    return best


def _read_sheets(data: bytes) -> list[tuple[str, list[list[CellValue]]]]:
    # read_only streams the sheet XML; it trusts the sheet's declared dimension, which some
    # exporters get wrong, so reset_dimensions() makes it read every row and column.
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets: list[tuple[str, list[list[CellValue]]]] = []
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            sheet.reset_dimensions()
            rows = [
                [_xlsx_value(value) for value in row] for row in sheet.iter_rows(values_only=True)
            ]
            sheets.append((str(sheet.title), rows))
        return sheets
    finally:
        workbook.close()


def _xlsx_value(value: object) -> CellValue:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value if value.strip() else None
    if value is None or isinstance(value, int | float | date):
        return value
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    # Durations and anything else openpyxl may hand back: shown as Excel would show text.
    return str(value)


def _csv_row(row: Sequence[str]) -> list[CellValue]:
    return [cell if cell.strip() else None for cell in row]


def _grid(rows: Iterable[Sequence[CellValue]], name: str) -> Grid | None:
    """Rows without trailing empty cells and trailing empty rows, padded to one width."""
    trimmed = [_without_trailing_empty(row) for row in rows]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    if not trimmed:
        return None
    width = max(len(row) for row in trimmed)
    return Grid(tuple(tuple(row) + (None,) * (width - len(row)) for row in trimmed), name)


def _without_trailing_empty(row: Sequence[CellValue]) -> list[CellValue]:
    values = list(row)
    while values and values[-1] is None:
        values.pop()
    return values


def _table_document(file_name: str, grids: Sequence[Grid], encoding: str | None) -> SourceDocument:
    title, title_from = _title_row(grids[0], file_name)
    return document(
        title=title,
        title_from=title_from,
        blocks=(),
        grids=grids,
        encoding=encoding,
        found=find_publication_date(grid_lines(grids)),
    )


def _title_row(grid: Grid, file_name: str) -> tuple[str, TitleSource]:
    """The first non-blank row's text when it is the only cell of that row and is text."""
    if len(grid.rows[0]) >= 2:
        for row in grid.rows:
            filled = [cell for cell in row if cell is not None]
            if not filled:
                continue
            if len(filled) == 1 and isinstance(filled[0], str):
                return filled[0].strip(), "table-title"
            break
    return file_stem(file_name), "file-name"
