"""The current published material read from the database as plain values for the index."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from knowledge.models import Document, DocumentVersion, Passage, TableRow


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
    aligned = tuple(
        tuple(values.get(e, "") for e in elements) + tuple(extra.get(x, "") for x in extras)
        for values, extra in rows
    )
    return LoadedTable(
        columns=columns,
        element_count=len(elements),
        rows=aligned,
        notes=tuple((layout or {}).get("notes", [])),
        title=(layout or {}).get("title"),
    )


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
    rows: dict[int, list[tuple[dict[str, str], dict[str, str]]]] = defaultdict(list)
    for version_id, elements, extras in session.execute(
        select(col(TableRow.version_id), col(TableRow.elements), col(TableRow.extras))
        .where(col(TableRow.version_id).in_(version_ids))
        .order_by(col(TableRow.version_id), col(TableRow.ordinal))
    ):
        rows[version_id].append((elements, extras))
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
            table = table_from_rows(rows.get(version.id, []), version.table_layout)
        loaded.append(LoadedDocument(info, tuple(passages.get(version.id, [])), table))
    return Material(revision=revision, documents=tuple(loaded))
