"""One published file turned into what the store keeps: masked passages, table rows, layout.

Pure (no database): the importer calls this for each file, then versions the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from knowledge import elements as el
from knowledge.catalog import Catalog, CatalogItem
from knowledge.dates import find_dates
from knowledge.element_synonyms import ElementSynonyms
from knowledge.errors import NoHeaderRow
from knowledge.masking import mask_identity_numbers
from knowledge.passages import PassageText, passages_from_blocks, passages_from_grid
from knowledge.readers import read_file
from knowledge.readers.source import Grid, SourceDocument
from knowledge.report import ColumnReport, Problem
from knowledge.tables import ParsedTable, parse_table

_SPREADSHEET_SUFFIXES = (".csv", ".xlsx")
_NOTES_HEADING = "说明"
_PUBLICATION_LINE = re.compile(r"^\s*(发布单位|发布机关|发布日期|发布时间|制表单位|制表日期)[:：]")


@dataclass
class ParsedFile:
    """What one file holds, masked, ready to store."""

    kind: str
    title: str
    published_on: date | None
    date_how: str | None
    encoding: str | None
    passages: list[PassageText] = field(default_factory=list)
    rows: list[tuple[dict[str, str], dict[str, str]]] = field(default_factory=list)
    columns: list[ColumnReport] = field(default_factory=list)
    table_layout: dict[str, Any] | None = None
    body_text: str = ""
    identity_numbers_masked: int = 0
    problems: list[Problem] = field(default_factory=list)


def _masked(text: str, counter: list[int]) -> str:
    result = mask_identity_numbers(text)
    counter[0] += result.identity_numbers
    return result.text


def _elements_for(item: CatalogItem | None, catalog: Catalog) -> list[str]:
    if item is not None and item.table_elements:
        elements = list(item.table_elements)
        # Lists of people carry identity numbers even where the catalog's element list omits
        # them (分配结果): the column must be recognised, or it would escape the name index.
        if any(name in elements for name in el.PERSON_NAME) and el.IDENTITY_NUMBER not in elements:
            elements.append(el.IDENTITY_NUMBER)
        return elements
    # A table in an item that has no table elements (or with no item): any item's elements.
    return list(dict.fromkeys(e for i in catalog.table_items() for e in i.table_elements))


def parse_published_file(
    file_name: str,
    data: bytes,
    item: CatalogItem | None,
    catalog: Catalog,
    synonyms: ElementSynonyms,
) -> ParsedFile:
    """Read, mask and structure one file; raises PublishedFileError for an unreadable one."""
    source = read_file(file_name, data)
    if file_name.lower().endswith(_SPREADSHEET_SUFFIXES):
        return _parse_spreadsheet(file_name, source, item, catalog, synonyms)
    return _parse_document(source)


def _parse_document(source: SourceDocument) -> ParsedFile:
    counter = [0]
    title = _masked(source.title, counter)
    # The body holds every word of the document: its masking is what the report counts;
    # the passages repeat the same text and are masked without counting again.
    uncounted = [0]
    passages = [
        PassageText(_masked(p.heading, uncounted), _masked(p.text, uncounted))
        for p in passages_from_blocks(title, source.blocks, source.grids)
    ]
    body = "\n".join(_body_lines(source))
    parsed = ParsedFile(
        kind="text",
        title=title,
        published_on=source.published_on,
        date_how=source.date_how,
        encoding=source.encoding,
        passages=passages,
        body_text=_masked(body, counter),
    )
    parsed.identity_numbers_masked = counter[0]
    if source.published_on is None:
        parsed.problems.append(Problem("undated", "没有找到发布日期，按未注明日期保存", "warning"))
    return parsed


def _body_lines(source: SourceDocument) -> list[str]:
    """The document as plain text for its public page: '#' headings, tables row by row."""
    lines = []
    for block in source.blocks:
        if block.kind == "heading":
            lines.append("#" * block.level + " " + block.text)
        elif block.kind == "table" and 0 <= block.level < len(source.grids):
            lines.extend(p.text for p in passages_from_grid(source.grids[block.level], ""))
        else:
            lines.append(block.text)
    return lines


def _parse_spreadsheet(
    file_name: str,
    source: SourceDocument,
    item: CatalogItem | None,
    catalog: Catalog,
    synonyms: ElementSynonyms,
) -> ParsedFile:
    elements = _elements_for(item, catalog)
    tables: list[ParsedTable] = []
    unparsed: list[Grid] = []
    for grid in source.grids:
        try:
            tables.append(parse_table(grid, elements, synonyms, synonyms.composites, file_name))
        except NoHeaderRow:
            unparsed.append(grid)
    if not tables:
        return _spreadsheet_as_text(file_name, source, unparsed)
    first = tables[0]
    title = first.title or source.title
    published_on = next((t.published_on for t in tables if t.published_on), source.published_on)
    date_how = "labelled" if published_on else None
    if published_on is None:
        # A 公示 is published on the first day of its 公示期.
        published_on = _notice_period_start([*first.title_rows, *first.notes])
        date_how = "公示期" if published_on else None
    parsed = ParsedFile(
        kind="table",
        title=title,
        published_on=published_on,
        date_how=date_how,
        encoding=source.encoding,
        identity_numbers_masked=sum(t.identity_numbers_masked for t in tables),
    )
    columns: list[dict[str, Any]] = []
    notes: list[str] = []
    for table in tables:
        for column in table.columns:
            entry = {"header": column.header, "elements": list(column.elements), "how": column.how}
            if entry not in columns:
                columns.append(entry)
                parsed.columns.append(ColumnReport(column.header, column.elements, column.how))
        parsed.rows.extend((dict(row.values), dict(row.extras)) for row in table.rows)
        notes.extend(table.notes)
        for total in table.totals:
            notes.append(
                "；".join(f"{k}：{v}" for k, v in {**total.values, **total.extras}.items())
            )
    # Publication lines (发布单位：… 发布日期：…) date the table; they answer nothing.
    parsed.passages = [
        PassageText(_NOTES_HEADING, note) for note in notes if not _PUBLICATION_LINE.match(note)
    ]
    parsed.table_layout = {
        "title": title,
        "title_rows": list(first.title_rows),
        "columns": columns,
        "notes": notes,
    }
    parsed.body_text = "\n".join([*first.title_rows, *notes])
    if published_on is None:
        parsed.problems.append(Problem("undated", "没有找到发布日期，按未注明日期保存", "warning"))
    return parsed


def _notice_period_start(lines: list[str]) -> date | None:
    for line in lines:
        if "公示期" in line:
            found = find_dates(line)
            if found:
                return min(found)
    return None


def _first_row_names_columns(grid: Grid) -> bool:
    """Whether a sheet's first row reads as column names: several short labels, no figures.

    A one-column sheet of sentences has no header; its first line is content like the rest.
    """
    filled = [row for row in grid.rows if any(str(c or "").strip() for c in row)]
    if len(filled) < 2:
        return False
    labels = [str(c).strip() for c in filled[0] if str(c or "").strip()]
    return len(labels) >= 2 and all(len(v) <= 12 and not re.search(r"\d", v) for v in labels)


def _spreadsheet_as_text(file_name: str, source: SourceDocument, grids: list[Grid]) -> ParsedFile:
    """A spreadsheet with no recognisable header row is kept as text, never dropped."""
    counter = [0]
    passages = []
    for grid in grids:
        has_header = _first_row_names_columns(grid)
        for passage in passages_from_grid(grid, "", has_header=has_header):
            passages.append(PassageText("", _masked(passage.text, counter)))
    parsed = ParsedFile(
        kind="text",
        title=source.title,
        published_on=source.published_on,
        date_how=source.date_how,
        encoding=source.encoding,
        passages=passages,
        body_text="\n".join(p.text for p in passages),
        identity_numbers_masked=counter[0],
    )
    parsed.problems.append(
        Problem(
            "NoHeaderRow",
            f"{file_name}: 没有找到表头行（至少两列要对应公开内容要素），内容按文本保存",
        )
    )
    return parsed
