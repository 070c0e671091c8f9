"""A published document as its public page shows it: text by section, its table laid out as
published (headers as the bureau wrote them), and its version history.

Everything read here was masked before it was stored (identity numbers keep their first six
and last four characters), so a table of people is shown as the bureau published it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from knowledge.material import table_from_rows
from knowledge.models import Document, DocumentVersion, Passage, TableRow

ROWS_PER_PAGE = 100
# How the importer mapped a column (see the table_layout of a DocumentVersion).
_SERIAL = "serial"
_EXTRA = "extra"
_JOINED = " / "
_HEADING_JOINT = " › "


@dataclass(frozen=True)
class Section:
    """Paragraphs under one heading ('' for those before any heading, or for more paragraphs
    of the heading above); level 1 for top headings, 2 for those under them, and so on."""

    heading: str
    level: int
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class PublicTable:
    """A page of a published table with the bureau's own headers."""

    title: str | None
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...]
    total_rows: int
    first_row: int


@dataclass(frozen=True)
class VersionEntry:
    """One published version of the document."""

    number: int
    title: str
    published_on: date | None
    imported_at: datetime
    current: bool


@dataclass(frozen=True)
class DocumentPage:
    """Everything a document's public page shows."""

    id: int
    title: str
    published_on: date | None
    item_number: int | None
    kind: str
    withdrawn: bool
    sections: tuple[Section, ...]
    table: PublicTable | None
    versions: tuple[VersionEntry, ...]


@dataclass(frozen=True)
class DocumentLink:
    """A document as lists link to it."""

    id: int
    title: str
    published_on: date | None


def _sections(session: Session, version_id: int) -> tuple[Section, ...]:
    groups: list[tuple[str, list[str]]] = []
    for heading, text in session.execute(
        select(col(Passage.heading), col(Passage.text))
        .where(col(Passage.version_id) == version_id)
        .order_by(col(Passage.ordinal))
    ):
        if not groups or groups[-1][0] != heading:
            groups.append((str(heading), []))
        groups[-1][1].append(str(text))
    sections: list[Section] = []
    shown: list[str] = []
    last_paragraph = ""
    for path, paragraphs in groups:
        # The importer joins nested headings: "二、房源 › 共25套：".
        parts = [part for part in path.split(_HEADING_JOINT) if part]
        common = 0
        while common < min(len(parts), len(shown)) and parts[common] == shown[common]:
            common += 1
        if common == len(parts) or (common == len(parts) - 1 and parts[-1] == last_paragraph):
            # More of the same section, or a list under the paragraph just shown ("第六条
            # ……应当同时符合下列条件：" is both): the heading is not repeated.
            sections.append(Section("", max(len(parts), 1), tuple(paragraphs)))
        else:
            for depth in range(common, len(parts) - 1):
                sections.append(Section(parts[depth], depth + 1, ()))
            sections.append(Section(parts[-1], len(parts), tuple(paragraphs)))
        shown = parts
        last_paragraph = paragraphs[-1].strip() if paragraphs else ""
    return tuple(sections)


def _cells(
    layout: dict[str, Any], elements: dict[str, str], extras: dict[str, str], number: int
) -> tuple[str, ...]:
    cells = []
    for column in layout.get("columns", []):
        how = column.get("how")
        if how == _SERIAL:
            cells.append(str(number))
        elif how == _EXTRA:
            cells.append(extras.get(str(column.get("header", "")), ""))
        else:
            values = [elements.get(e, "") for e in column.get("elements", [])]
            cells.append(_JOINED.join(v for v in values if v))
    return tuple(cells)


def _table(session: Session, version: DocumentVersion, offset: int, limit: int) -> PublicTable:
    assert version.id is not None
    total = int(
        session.execute(select(func.count()).where(col(TableRow.version_id) == version.id)).scalar()
        or 0
    )
    rows = [
        (dict(elements), dict(extras))
        for elements, extras in session.execute(
            select(col(TableRow.elements), col(TableRow.extras))
            .where(col(TableRow.version_id) == version.id)
            .order_by(col(TableRow.ordinal))
            .offset(offset)
            .limit(limit)
        )
    ]
    layout = version.table_layout or {}
    notes = tuple(str(note).strip() for note in layout.get("notes", []) if str(note).strip())
    if layout.get("columns"):
        headers = tuple(str(column.get("header", "")) for column in layout["columns"])
        cells = tuple(
            _cells(layout, elements, extras, offset + n + 1)
            for n, (elements, extras) in enumerate(rows)
        )
    else:
        loaded = table_from_rows(rows, layout)
        headers = tuple(column.removeprefix("extra:") for column in loaded.columns)
        cells = loaded.rows
    return PublicTable(layout.get("title"), headers, cells, notes, total, offset + 1)


def _without(sections: tuple[Section, ...], notes: set[str]) -> tuple[Section, ...]:
    """The sections without the table's notes (a table's passages repeat them)."""
    kept = []
    for section in sections:
        paragraphs = tuple(p for p in section.paragraphs if p.strip() not in notes)
        if paragraphs:
            kept.append(Section(section.heading, section.level, paragraphs))
    return tuple(kept)


def document_page(
    session: Session, document_id: int, *, row_offset: int = 0, row_limit: int = ROWS_PER_PAGE
) -> DocumentPage | None:
    """The document's page (its current version), or None when there is no such document."""
    document = session.get(Document, document_id)
    if document is None or document.current_version_id is None:
        return None
    current = session.get(DocumentVersion, document.current_version_id)
    if current is None or current.id is None:
        return None
    versions = session.scalars(
        select(DocumentVersion)
        .where(col(DocumentVersion.document_id) == document_id)
        .order_by(col(DocumentVersion.number).desc())
    ).all()
    table = None
    sections = _sections(session, current.id)
    if document.kind == "table":
        table = _table(session, current, max(row_offset, 0), row_limit)
        sections = _without(sections, set(table.notes))
    return DocumentPage(
        id=document_id,
        title=current.title,
        published_on=current.published_on,
        item_number=document.item_number,
        kind=document.kind,
        withdrawn=document.withdrawn,
        sections=sections,
        table=table,
        versions=tuple(
            VersionEntry(v.number, v.title, v.published_on, v.imported_at, v.id == current.id)
            for v in versions
        ),
    )


def documents_by_item(session: Session) -> dict[int | None, tuple[DocumentLink, ...]]:
    """Every published (not withdrawn) document by catalog item, newest first."""
    found: dict[int | None, list[DocumentLink]] = defaultdict(list)
    rows = session.execute(
        select(
            col(Document.id),
            col(Document.item_number),
            col(DocumentVersion.title),
            col(DocumentVersion.published_on),
        )
        .join(DocumentVersion, col(DocumentVersion.id) == col(Document.current_version_id))
        .where(col(Document.withdrawn).is_(False))
        .order_by(col(DocumentVersion.published_on).desc(), col(Document.id).desc())
    )
    for document_id, item_number, title, published_on in rows:
        found[item_number].append(DocumentLink(int(document_id), str(title), published_on))
    return {item: tuple(links) for item, links in found.items()}
