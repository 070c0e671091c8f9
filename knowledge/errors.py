"""Errors about published files, raised per file and reported by the importer.

    PublishedFileError            a file could not be imported (the others still are)
    ├── UnsupportedFile           a suffix the importer does not read (.pdf, .xls, ...)
    ├── UndecodableFile           bytes in none of UTF-8, UTF-8 with BOM, GB18030
    ├── UnreadableFile            a damaged .docx/.xlsx, or HTML with no article text
    └── NoHeaderRow               a table in which no row names two known elements

The importer catches PublishedFileError for each file, records it as a problem in the report and
goes on; anything else is a bug and rolls the whole import back.
"""

from __future__ import annotations


class PublishedFileError(Exception):
    """A published file that cannot be imported; the message names the file."""

    def __init__(self, file_name: str, reason: str) -> None:
        super().__init__(f"{file_name}: {reason}")
        self.file_name = file_name
        self.reason = reason


class UnsupportedFile(PublishedFileError):
    """The file's suffix is not one the importer reads."""


class UndecodableFile(PublishedFileError):
    """The file's bytes are not UTF-8, UTF-8 with BOM or GB18030 text."""


class UnreadableFile(PublishedFileError):
    """A damaged or empty document."""


class NoHeaderRow(PublishedFileError):
    """No row of the table names at least two known elements."""
