"""Tables of the published material: documents with versions, passages, table rows, import runs.

Everything stored here is already masked (identity numbers, spec: before anything is stored).
A document is one published file of one catalog item; each changed import of it adds a version,
and the earlier versions stay (publication history is itself public information).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class ImportRun(SQLModel, table=True):
    """One run of the importer (folder or staff upload); its id orders the material's history."""

    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime
    finished_at: datetime
    source: str
    started_by: str = ""
    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_failed: int = 0
    report_text: str = Field(default="", sa_column=Column(Text, nullable=False))


class Document(SQLModel, table=True):
    """A published file, identified by its catalog item and file name."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    source_key: str = Field(index=True)
    item_number: int | None = Field(default=None, index=True)
    kind: str  # "text" or "table"
    title: str
    published_on: date | None = None
    current_version_id: int | None = None
    withdrawn: bool = False
    created_at: datetime
    updated_at: datetime


class DocumentVersion(SQLModel, table=True):
    """One imported content of a document; passages and rows belong to a version."""

    __tablename__ = "document_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    number: int
    content_hash: str
    file_name: str
    title: str
    published_on: date | None = None
    date_how: str | None = None
    encoding: str | None = None
    imported_at: datetime
    import_run_id: int | None = Field(default=None, foreign_key="import_run.id")
    body_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # For tables: the column mapping, title rows, notes and totals (masked), for the public page.
    table_layout: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Passage(SQLModel, table=True):
    """A paragraph (or a row of a table inside a document) with the headings above it."""

    __tablename__ = "passage"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="document_version.id", index=True)
    ordinal: int
    heading: str = ""
    text: str = Field(sa_column=Column(Text, nullable=False))


class TableRow(SQLModel, table=True):
    """A data row of a published table: canonical elements and the extra columns."""

    __tablename__ = "table_row"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="document_version.id", index=True)
    ordinal: int
    elements: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    extras: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ContentRevision(SQLModel, table=True):
    """A counter bumped in the same transaction as any change the bot answers from.

    Every worker polls this one row (cheap) and rebuilds its search index when it moves.
    """

    __tablename__ = "content_revision"

    id: int = Field(default=1, primary_key=True)
    number: int = 0
    changed_at: datetime | None = None
