"""The values every reader returns: a document's title, date, text blocks and cell grids."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Literal

from knowledge.dates import FoundDate, find_publication_date

CellValue = str | int | float | date | datetime | None
BlockKind = Literal["heading", "paragraph", "table"]
TitleSource = Literal["heading", "html-title", "first-line", "file-name", "table-title"]

# Notices indent with full-width spaces and separate fields with them (日期　来源): one space.
_SPACE_RUN = re.compile(r"[ \t\u00a0\u3000]+")


@dataclass(frozen=True)
class Block:
    """A heading (level = depth, 1 for the top), a paragraph (level 0), or where a table stood.

    A "table" block marks the position of a table among the paragraphs: its level is the
    table's index in SourceDocument.grids and its text the table's name.
    """

    kind: BlockKind
    text: str
    level: int


@dataclass(frozen=True)
class Grid:
    """A rectangle of cells as published: a sheet, a csv, or a table inside a document."""

    rows: tuple[tuple[CellValue, ...], ...]
    name: str


@dataclass(frozen=True)
class SourceDocument:
    """What a reader found in one published file, before any catalog or table knowledge."""

    title: str
    title_from: TitleSource
    published_on: date | None
    date_how: str | None
    blocks: tuple[Block, ...]
    grids: tuple[Grid, ...]
    encoding: str | None


def paragraph(text: str) -> Block:
    """A paragraph block (level 0)."""
    return Block("paragraph", text, 0)


def table_marker(name: str, grid_index: int) -> Block:
    """Where grids[grid_index] stood among the paragraphs."""
    return Block("table", name, grid_index)


def heading(text: str, level: int) -> Block:
    """A heading block; level 1 is the top (a Markdown #, Word Heading 1, <h1>)."""
    return Block("heading", text, level)


def file_stem(file_name: str) -> str:
    """The file name without folders and extension: the title of last resort."""
    return PurePath(file_name).stem


def clean_line(text: str) -> str:
    """Indentation dropped and runs of (full-width) spaces collapsed to one space."""
    return _SPACE_RUN.sub(" ", text).strip()


def without_title(blocks: Iterable[Block], title: str) -> tuple[Block, ...]:
    """The blocks, minus a first block that only repeats the title."""
    result = list(blocks)
    if result and result[0].text == title:
        result = result[1:]
    return tuple(result)


def publication_date(title: str, blocks: Sequence[Block]) -> FoundDate | None:
    """The publication date found in a document's title and block texts."""
    return find_publication_date([title, *(block.text for block in blocks)])


def grid_lines(grids: Sequence[Grid]) -> list[str]:
    """Each grid row as one line of its non-empty text cells, for date finding."""
    lines: list[str] = []
    for grid in grids:
        for row in grid.rows:
            texts = [cell.strip() for cell in row if isinstance(cell, str) and cell.strip()]
            lines.append(" ".join(texts))
    return lines


def document(
    *,
    title: str,
    title_from: TitleSource,
    blocks: Sequence[Block],
    grids: Sequence[Grid] = (),
    encoding: str | None,
    found: FoundDate | None,
) -> SourceDocument:
    """A SourceDocument with its date taken from what find_publication_date found."""
    return SourceDocument(
        title=title,
        title_from=title_from,
        published_on=found.date if found else None,
        date_how=found.how if found else None,
        blocks=tuple(blocks),
        grids=tuple(grids),
        encoding=encoding,
    )
