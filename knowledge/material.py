"""The current published material read from the database as plain values for the index."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from sys import intern
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from knowledge.models import Document, DocumentVersion, Passage, TableRow

_ROWS_PER_FETCH = 2000


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What an answer cites: the document's title, date, catalog item and public page."""

    document_id: int
    version_id: int
    title: str
    published_on: date | None
    item_number: int | None
    kind: str
    file_name: str

    @property
    def page_path(self) -> str:
        """The public page of the document (what answers link to)."""
        return f"/documents/{self.document_id}"


@dataclass(frozen=True)
class LoadedTable:
    """A table's columns (canonical elements first, then extra columns) and its rows."""

    columns: tuple[str, ...]
    element_count: int
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()
    title: str | None = None


@dataclass(frozen=True)
class LoadedDocument:
    """One current document: its passages, and its table when it is a table."""

    info: DocumentInfo
    passages: tuple[tuple[str, str], ...]  # (heading, text)
    table: LoadedTable | None = None


@dataclass(frozen=True)
class Material:
    """Everything the bot answers from, at one revision."""

    revision: int
    documents: tuple[LoadedDocument, ...] = field(default_factory=tuple)


def table_from_rows(
    rows: list[tuple[dict[str, str], dict[str, str]]], layout: dict[str, Any] | None
) -> LoadedTable:
    """Align rows of (elements, extras) dicts to one column tuple, in the layout's order."""
    elements: list[str] = []
    extras: list[str] = []
    for mapping in (layout or {}).get("columns", []):
        for element in mapping.get("elements", []):
            if element not in elements:
                elements.append(element)
        if mapping.get("how") == "extra" and mapping.get("header") not in extras:
            extras.append(mapping["header"])
    for values, extra in rows:
        elements.extend(k for k in values if k not in elements)
        extras.extend(k for k in extra if k not in extras)
    columns = tuple(elements) + tuple(f"extra:{name}" for name in extras)
    # Cells repeat a lot (project names, 套型, 通过): one string object each keeps 100k
    # rows in memory at a fraction of the size.
    aligned = tuple(
        tuple(intern(values.get(e, "")) for e in elements)
        + tuple(intern(extra.get(x, "")) for x in extras)
        for values, extra in rows
    )
    return LoadedTable(
        columns=columns,
        element_count=len(elements),
        rows=aligned,
        notes=tuple((layout or {}).get("notes", [])),
        title=(layout or {}).get("title"),
    )


def _load_tables(
    session: Session, layouts: dict[int | None, dict[str, Any] | None]
) -> dict[int, LoadedTable]:
    """Every table's rows, aligned one version at a time.

    Rows arrive ordered by version and are aligned as soon as a version's rows are all read,
    so only one table's decoded rows are held at once (a 100k-row folder stays small).
    """
    tables: dict[int, LoadedTable] = {}
    current: int | None = None
    pending: list[tuple[dict[str, str], dict[str, str]]] = []
    statement = (
        select(col(TableRow.version_id), col(TableRow.elements), col(TableRow.extras))
        .where(col(TableRow.version_id).in_([v for v in layouts if v is not None]))
        .order_by(col(TableRow.version_id), col(TableRow.ordinal))
        .execution_options(yield_per=_ROWS_PER_FETCH)
    )
    for version_id, elements, extras in session.execute(statement):
        if version_id != current:
            if current is not None:
                tables[current] = table_from_rows(pending, layouts.get(current))
            current, pending = version_id, []
        pending.append((elements, extras))
    if current is not None:
        tables[current] = table_from_rows(pending, layouts.get(current))
    return tables


def load_material(session: Session, revision: int) -> Material:
    """Read every current, not withdrawn document with its passages and rows."""
    documents = session.execute(
        select(Document, DocumentVersion)
        .join(DocumentVersion, col(DocumentVersion.id) == col(Document.current_version_id))
        .where(col(Document.withdrawn).is_(False))
        .order_by(col(Document.id))
    ).all()
    version_ids = [version.id for _, version in documents]
    passages: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for version_id, heading, text in session.execute(
        select(col(Passage.version_id), col(Passage.heading), col(Passage.text))
        .where(col(Passage.version_id).in_(version_ids))
        .order_by(col(Passage.version_id), col(Passage.ordinal))
    ):
        passages[version_id].append((heading, text))
    layouts = {version.id: version.table_layout for _, version in documents}
    tables = _load_tables(session, layouts)
    loaded = []
    for document, version in documents:
        assert document.id is not None and version.id is not None
        info = DocumentInfo(
            document_id=document.id,
            version_id=version.id,
            title=version.title,
            published_on=version.published_on,
            item_number=document.item_number,
            kind=document.kind,
            file_name=version.file_name,
        )
        table = None
        if document.kind == "table":
            table = tables.get(version.id) or table_from_rows([], version.table_layout)
        loaded.append(LoadedDocument(info, tuple(passages.get(version.id, [])), table))
    return Material(revision=revision, documents=tuple(loaded))
