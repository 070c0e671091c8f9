"""Readers that turn the bureau's published files into documents and cell grids."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from knowledge.errors import UnsupportedFile
from knowledge.readers.plain_text import read_markdown, read_plain_text
from knowledge.readers.source import Block, CellValue, Grid, SourceDocument
from knowledge.readers.spreadsheet import read_csv, read_xlsx
from knowledge.readers.web_page import read_web_page
from knowledge.readers.word_document import read_word_document

__all__ = [
    "DOCUMENT_SUFFIXES",
    "SUPPORTED_SUFFIXES",
    "TABLE_SUFFIXES",
    "Block",
    "CellValue",
    "Grid",
    "SourceDocument",
    "read_file",
]

Reader = Callable[[str, bytes], SourceDocument]

_READERS: dict[str, Reader] = {
    ".txt": read_plain_text,
    ".md": read_markdown,
    ".html": read_web_page,
    ".htm": read_web_page,
    ".docx": read_word_document,
    ".csv": read_csv,
    ".xlsx": read_xlsx,
}
SUPPORTED_SUFFIXES = frozenset(_READERS)
DOCUMENT_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".docx"})
TABLE_SUFFIXES = frozenset({".csv", ".xlsx"})


def read_file(file_name: str, data: bytes) -> SourceDocument:
    """Read one published file, choosing the reader by its suffix (case-insensitive).

    Raises UnsupportedFile for other suffixes, and the reader's PublishedFileError
    (UndecodableFile, UnreadableFile) for bad content; each names the file.
    """
    suffix = PurePath(file_name).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        shown = suffix or "no suffix"
        raise UnsupportedFile(file_name, f"{shown} files are not read (supported: {supported})")
    return reader(file_name, data)
