"""Word documents (.docx): Title/Heading-style title, headings, paragraphs, embedded tables.

Spec: the title is the first paragraph in a Title style, else the first non-empty paragraph.
Tables come out as grids in document order; where they stood among the paragraphs is lost,
but each grid is named after the heading above it.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import OpcError

from knowledge.errors import UnreadableFile
from knowledge.readers.source import (
    Block,
    CellValue,
    Grid,
    SourceDocument,
    TitleSource,
    clean_line,
    document,
    file_stem,
    heading,
    paragraph,
    publication_date,
    table_marker,
)

# Word's built-in style names as python-docx reports them, and WPS's Chinese names.
_TITLE_STYLE = re.compile(r"^(?:title|标题)$", re.IGNORECASE)
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)

# What a damaged package raises: not a zip, a missing part, broken XML (lxml's XMLSyntaxError
# is a SyntaxError), a truncated deflate stream, a spreadsheet renamed to .docx (ValueError).
DAMAGED_PACKAGE_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    ValueError,
    SyntaxError,
    OpcError,
)


@dataclass(frozen=True)
class _Paragraph:
    text: str
    style: str
    grid: int = -1  # for a table's place among the paragraphs: its index in the grids


def read_word_document(file_name: str, data: bytes) -> SourceDocument:
    """A .docx notice: title, heading and paragraph blocks, tables as grids, date."""
    try:
        word = docx.Document(io.BytesIO(data))
        paragraphs, grids = _contents(word)
    except DAMAGED_PACKAGE_ERRORS as error:
        reason = f"is not a readable .docx file ({type(error).__name__})"
        raise UnreadableFile(file_name, reason) from error
    if not paragraphs and not grids:
        raise UnreadableFile(file_name, "has no text")
    title, title_from, body = _split_title(paragraphs, file_name)
    blocks = [_block(item) for item in body]
    return document(
        title=title,
        title_from=title_from,
        blocks=blocks,
        grids=grids,
        encoding=None,
        found=publication_date(title, blocks),
    )


def _paragraph_style_names(word: Any) -> tuple[dict[str, str], str]:
    """Paragraph style names by style id, and the name of the default paragraph style.

    python-docx's Paragraph.style looks the default style up anew for every paragraph without
    one of its own, by scanning all styles: most of a long notice's reading time.
    """
    names: dict[str, str] = {}
    default = ""
    for style in word.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH:
            continue
        names[style.style_id] = style.name or ""
        if style.element.default:
            default = style.name or ""
    return names, default


def _contents(word: Any) -> tuple[list[_Paragraph], list[Grid]]:
    paragraphs: list[_Paragraph] = []
    grids: list[Grid] = []
    last_heading = ""
    style_names, default_style = _paragraph_style_names(word)
    for item in word.iter_inner_content():
        if hasattr(item, "rows"):
            name = last_heading or f"table {len(grids) + 1}"
            paragraphs.append(_Paragraph(name, "", len(grids)))
            grids.append(Grid(_table_rows(item), name))
            continue
        text = clean_line(item.text)
        if not text:
            continue
        # An unknown style id reads as the default style, as in Word (and python-docx).
        style = style_names.get(item._p.style or "", default_style)
        paragraphs.append(_Paragraph(text, style))
        if _HEADING_STYLE.match(style):
            last_heading = text
    return paragraphs, grids


def _split_title(
    paragraphs: list[_Paragraph], file_name: str
) -> tuple[str, TitleSource, list[_Paragraph]]:
    """The title and the paragraphs left; consecutive Title paragraphs form one title."""
    first_title = next(
        (i for i, item in enumerate(paragraphs) if _TITLE_STYLE.match(item.style)), None
    )
    if first_title is not None:
        end = first_title
        while end < len(paragraphs) and _TITLE_STYLE.match(paragraphs[end].style):
            end += 1
        title = "".join(item.text for item in paragraphs[first_title:end])
        return title, "heading", paragraphs[:first_title] + paragraphs[end:]
    texts = [item for item in paragraphs if item.grid < 0]
    if texts:
        first = texts[0]
        rest = [item for item in paragraphs if item is not first]
        title_from: TitleSource = "heading" if _HEADING_STYLE.match(first.style) else "first-line"
        return first.text, title_from, rest
    return file_stem(file_name), "file-name", paragraphs


def _block(item: _Paragraph) -> Block:
    if item.grid >= 0:
        return table_marker(item.text, item.grid)
    match = _HEADING_STYLE.match(item.style)
    if match:
        return heading(item.text, max(1, int(match.group(1))))
    return paragraph(item.text)


def _table_rows(table: Any) -> tuple[tuple[CellValue, ...], ...]:
    """Cell texts; a merged cell's text sits in its top-left position, None elsewhere."""
    # Keyed by id() but holding the element itself, so that no id is reused while we look.
    seen: dict[int, Any] = {}
    rows: list[list[CellValue]] = []
    for row in table.rows:
        values: list[CellValue] = []
        for cell in row.cells:
            # python-docx repeats a merged cell's object for every grid position it covers.
            element = cell._tc
            if id(element) in seen:
                values.append(None)
                continue
            seen[id(element)] = element
            values.append(clean_line(cell.text.replace("\n", " ")) or None)
        rows.append(values)
    width = max((len(row) for row in rows), default=0)
    return tuple(tuple(row + [None] * (width - len(row))) for row in rows)
