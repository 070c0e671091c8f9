"""Plain text (.txt) and Markdown (.md) notices: title, date, headings, paragraphs, pipe tables.

Spec: the .txt title is the first non-empty line, the .md title the first `# ` heading;
otherwise the file name. Every other non-empty line is one block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.decoding import decode_text
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

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_QUOTE_MARKERS = re.compile(r"^(?:>\s?)+")
_RULE = re.compile(r"^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_FENCE = re.compile(r"^(?:```|~~~)")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_CELL_DIVIDER = re.compile(r"(?<!\\)\|")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")


def read_plain_text(file_name: str, data: bytes) -> SourceDocument:
    """A .txt notice: first non-empty line as title, each further line a paragraph."""
    decoded = decode_text(data, file_name)
    lines = [clean_line(line) for line in decoded.text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        raise UnreadableFile(file_name, "has no text")
    title, body = lines[0], lines[1:]
    blocks = [paragraph(line) for line in body]
    return document(
        title=title,
        title_from="first-line",
        blocks=blocks,
        encoding=decoded.encoding,
        found=publication_date(title, blocks),
    )


def read_markdown(file_name: str, data: bytes) -> SourceDocument:
    """A .md notice: `#` headings, paragraphs without markup, pipe tables as grids."""
    decoded = decode_text(data, file_name)
    parsed = _parse_markdown(decoded.text.split("\n"))
    if not parsed.blocks and not parsed.grids:
        raise UnreadableFile(file_name, "has no text")
    title_index = next(
        (
            i
            for i, block in enumerate(parsed.blocks)
            if block.kind == "heading" and block.level == 1
        ),
        None,
    )
    blocks = list(parsed.blocks)
    title_from: TitleSource
    if title_index is None:
        title, title_from = file_stem(file_name), "file-name"
    else:
        title, title_from = blocks.pop(title_index).text, "heading"
    return document(
        title=title,
        title_from=title_from,
        blocks=blocks,
        grids=parsed.grids,
        encoding=decoded.encoding,
        found=publication_date(title, blocks),
    )


@dataclass
class _Markdown:
    blocks: list[Block] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    last_heading: str = ""


def _parse_markdown(lines: list[str]) -> _Markdown:
    parsed = _Markdown()
    index = 0
    while index < len(lines):
        line = _QUOTE_MARKERS.sub("", lines[index].strip()).strip()
        if _starts_table(lines, index):
            index = _read_table(lines, index, parsed)
            continue
        index += 1
        if not line or _RULE.match(line) or _FENCE.match(line):
            continue
        match = _HEADING.match(line)
        if match:
            text = clean_line(inline_text(match.group(2)))
            if text:
                parsed.blocks.append(heading(text, len(match.group(1))))
                parsed.last_heading = text
            continue
        text = clean_line(inline_text(line))
        if text:
            parsed.blocks.append(paragraph(text))
    return parsed


def inline_text(text: str) -> str:
    """Markdown inline markup removed: **bold**, __bold__, [links](…), backslash escapes."""
    text = _BOLD.sub(lambda match: match.group(1) or match.group(2), text)
    text = _LINK.sub(r"\1", text)
    return _ESCAPED.sub(r"\1", text)


def _starts_table(lines: list[str], index: int) -> bool:
    if index + 1 >= len(lines):
        return False
    header, separator = _unquoted(lines[index]), _unquoted(lines[index + 1])
    return "|" in header and "|" in separator and bool(_TABLE_SEPARATOR.match(separator))


def _read_table(lines: list[str], index: int, parsed: _Markdown) -> int:
    rows = [_table_cells(lines[index])]
    index += 2
    while index < len(lines) and "|" in _unquoted(lines[index]):
        rows.append(_table_cells(lines[index]))
        index += 1
    width = max(len(row) for row in rows)
    padded = tuple(row + (None,) * (width - len(row)) for row in rows)
    name = parsed.last_heading or f"table {len(parsed.grids) + 1}"
    parsed.blocks.append(table_marker(name, len(parsed.grids)))
    parsed.grids.append(Grid(padded, name))
    return index


def _table_cells(line: str) -> tuple[CellValue, ...]:
    text = _unquoted(line)
    text = text.removeprefix("|")
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells = (
        clean_line(inline_text(cell.replace("\\|", "|"))) for cell in _CELL_DIVIDER.split(text)
    )
    return tuple(cell or None for cell in cells)


def _unquoted(line: str) -> str:
    return _QUOTE_MARKERS.sub("", line.strip()).strip()
