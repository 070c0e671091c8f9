"""Importing a published folder: place each file, read it, mask it, version it, one transaction.

Spec (published-material.md): sub-folders name their catalog item loosely; files at the root are
placed by their title; a bad file is reported and never stops the others; importing the same
folder twice changes nothing; a changed file becomes a new version and the old one stays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, insert
from sqlmodel import Session, select

from knowledge.catalog import Catalog, CatalogItem
from knowledge.database import bump_revision, current_revision, session_scope
from knowledge.element_synonyms import ElementSynonyms
from knowledge.errors import PublishedFileError
from knowledge.file_parsing import ParsedFile, parse_published_file
from knowledge.models import Document, DocumentVersion, ImportRun, Passage, TableRow
from knowledge.report import FileReport, ImportReport, Problem, Status, render_text

# Files that are never material: editor lock files, OS metadata.
_IGNORED_PREFIXES = ("~$", ".", "__MACOSX")


@dataclass(frozen=True)
class ProgressEvent:
    """Reported after each file: how far the import is and how many rows it has read."""

    files_done: int
    files_total: int
    rows_done: int
    current: str


Progress = Callable[[ProgressEvent], None]


@dataclass(frozen=True)
class _Placement:
    path: Path
    display: str
    item: CatalogItem | None
    source_key: str
    folder_problem: Problem | None
    by_title: bool


def content_fingerprint(data: bytes) -> str:
    """SHA-256 of a file, hex in groups of 8 joined by '-'.

    The groups keep any run of digits short, so a scan of the database for identity numbers
    (15 or 18 digits in a row) can never be set off by a hash.
    """
    digest = hashlib.sha256(data).hexdigest()
    return "-".join(digest[i : i + 8] for i in range(0, len(digest), 8))


def _is_material(path: Path) -> bool:
    return path.is_file() and not path.name.startswith(_IGNORED_PREFIXES)


def _walk(folder: Path, catalog: Catalog, report: ImportReport) -> Iterator[_Placement]:
    # A file is keyed by its item and name so that renaming a folder ("17 房源" to
    # "17-房源信息") keeps its history; a second folder of the same item holding a file of
    # the same name is told apart by its folder name rather than overwriting the first.
    taken: set[str] = set()
    for path in sorted(folder.iterdir()):
        if path.name.startswith(_IGNORED_PREFIXES):
            continue
        if _is_material(path):
            yield _Placement(path, path.name, None, f"root/{path.name}", None, True)
            continue
        if not path.is_dir():
            continue
        match = catalog.match_folder(path.name)
        problem = None
        if match.item is None:
            closest = "、".join(item.label for item in match.closest)
            problem = Problem(
                "unknown-item",
                f"文件夹“{path.name}”对应不到公开事项（最接近的：{closest}）；"
                "其中的文件按标题归类，归不了的作为一般文件保存",
            )
            report.folder_problems.append(problem)
        elif match.conflict:
            report.folder_problems.append(Problem("item-conflict", match.conflict, "warning"))
        for file in sorted(p for p in path.rglob("*") if _is_material(p)):
            relative = file.relative_to(folder).as_posix()
            if match.item is None:
                key = f"folder:{path.name}/{file.relative_to(path).as_posix()}"
                yield _Placement(file, relative, None, key, problem, True)
            else:
                key = f"{match.item.number}/{file.relative_to(path).as_posix()}"
                if key in taken:
                    key = f"{match.item.number}/{path.name}/{file.relative_to(path).as_posix()}"
                taken.add(key)
                yield _Placement(file, relative, match.item, key, None, False)


def import_folder(
    engine: Engine,
    folder: Path,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    *,
    source: str | None = None,
    started_by: str = "",
    progress: Progress | None = None,
) -> ImportReport:
    """Import every file under folder in one transaction and return the per-file report."""
    report = ImportReport(source=source or folder.name)
    placements = list(_walk(folder, catalog, report))
    files = [(p, p.path.read_bytes()) for p in placements]
    return _import_files(engine, files, catalog, synonyms, report, started_by, progress)


def import_uploaded_files(
    engine: Engine,
    files: list[tuple[str, bytes]],
    item: CatalogItem,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    *,
    started_by: str = "",
) -> ImportReport:
    """Import files uploaded by staff into one catalog item (same rules as a folder import)."""
    report = ImportReport(source=f"上传至 {item.label}")
    placed = [
        (_Placement(Path(name), name, item, f"{item.number}/{name}", None, False), data)
        for name, data in files
    ]
    return _import_files(engine, placed, catalog, synonyms, report, started_by, None)


def _import_files(
    engine: Engine,
    files: list[tuple[_Placement, bytes]],
    catalog: Catalog,
    synonyms: ElementSynonyms,
    report: ImportReport,
    started_by: str,
    progress: Progress | None,
) -> ImportReport:
    started = datetime.now(UTC)
    rows_done = 0
    with session_scope(engine) as session:
        run = ImportRun(started_at=started, finished_at=started, source=report.source)
        run.started_by = started_by
        session.add(run)
        session.flush()
        assert run.id is not None
        for done, (placement, data) in enumerate(files, start=1):
            file_report = _import_one(session, placement, data, catalog, synonyms, run.id)
            report.files.append(file_report)
            rows_done += file_report.rows
            if progress is not None:
                progress(ProgressEvent(done, len(files), rows_done, placement.display))
        changed = report.count("new") + report.count("changed")
        report.revision = bump_revision(session) if changed else current_revision(session)
        report.run_id = run.id
        run.finished_at = datetime.now(UTC)
        run.files_seen = len(files)
        run.files_new = report.count("new")
        run.files_changed = report.count("changed")
        run.files_unchanged = report.count("unchanged")
        run.files_failed = report.count("failed")
        run.report_text = render_text(report)
        session.add(run)
    return report


def _import_one(
    session: Session,
    placement: _Placement,
    data: bytes,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    run_id: int,
) -> FileReport:
    report = FileReport(path=placement.display)
    if placement.folder_problem is not None:
        report.problems.append(
            Problem(placement.folder_problem.kind, "所在文件夹未对应公开事项", "warning")
        )
    try:
        parsed = parse_published_file(placement.path.name, data, placement.item, catalog, synonyms)
    except PublishedFileError as error:
        report.problems.append(Problem(type(error).__name__, str(error)))
        return report
    item = placement.item
    if placement.by_title:
        item = catalog.place_by_title(parsed.title)
        if item is None:
            report.problems.append(
                Problem("general", "按标题归不到公开事项，作为一般文件保存", "warning")
            )
    report.item = item.label if item else None
    report.kind = parsed.kind
    report.title = parsed.title
    report.published_on = parsed.published_on
    report.identity_numbers_masked = parsed.identity_numbers_masked
    report.columns = list(parsed.columns)
    report.problems.extend(parsed.problems)
    content_hash = content_fingerprint(data)
    report.status = _store(session, placement, item, parsed, content_hash, run_id)
    if report.status in ("new", "changed"):
        report.passages = len(parsed.passages)
        report.rows = len(parsed.rows)
    return report


def _store(
    session: Session,
    placement: _Placement,
    item: CatalogItem | None,
    parsed: ParsedFile,
    content_hash: str,
    run_id: int,
) -> Status:
    now = datetime.now(UTC)
    document = session.exec(
        select(Document).where(Document.source_key == placement.source_key)
    ).first()
    if document is not None and document.current_version_id is not None:
        current = session.get(DocumentVersion, document.current_version_id)
        if current is not None and current.content_hash == content_hash and not document.withdrawn:
            return "unchanged"
    status: Status = "changed" if document is not None else "new"
    if document is None:
        document = Document(
            source_key=placement.source_key,
            item_number=item.number if item else None,
            kind=parsed.kind,
            title=parsed.title,
            created_at=now,
            updated_at=now,
        )
        session.add(document)
        session.flush()
    assert document.id is not None
    previous = session.exec(
        select(DocumentVersion.number)
        .where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number.desc())  # type: ignore[attr-defined]
    ).first()
    version = DocumentVersion(
        document_id=document.id,
        number=(previous or 0) + 1,
        content_hash=content_hash,
        file_name=placement.path.name,
        title=parsed.title,
        published_on=parsed.published_on,
        date_how=parsed.date_how,
        encoding=parsed.encoding,
        imported_at=now,
        import_run_id=run_id,
        body_text=parsed.body_text,
        table_layout=parsed.table_layout,
    )
    session.add(version)
    session.flush()
    assert version.id is not None
    if parsed.passages:
        session.execute(
            insert(Passage),
            [
                {"version_id": version.id, "ordinal": i, "heading": p.heading, "text": p.text}
                for i, p in enumerate(parsed.passages)
            ],
        )
    if parsed.rows:
        session.execute(
            insert(TableRow),
            [
                {"version_id": version.id, "ordinal": i, "elements": r[0], "extras": r[1]}
                for i, r in enumerate(parsed.rows)
            ],
        )
    document.item_number = item.number if item else None
    document.kind = parsed.kind
    document.title = parsed.title
    document.published_on = parsed.published_on
    document.current_version_id = version.id
    document.withdrawn = False
    document.updated_at = now
    session.add(document)
    return status
