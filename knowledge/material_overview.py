"""The bureau's material per catalog item, for staff: documents, their versions, and their age
in working days against the item's publication deadline (信息形成或变更后20个工作日内).

Two measures per version: how many working days after the document's own date it reached the
system (late when more than the deadline), and how long ago it did (a current version older
than the deadline is worth checking: the information may have changed since).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from knowledge.models import Document, DocumentVersion
from knowledge.record_dates import china_date
from knowledge.workdays import WorkingCalendar

# The catalog's usual deadline, for items whose deadline counts no working days.
DEFAULT_DEADLINE_DAYS = 20


@dataclass(frozen=True)
class VersionAge:
    """One imported version of a document and how its dates measure up."""

    number: int
    file_name: str
    title: str
    published_on: date | None
    imported_at: datetime
    lag_working_days: int | None
    late: bool


@dataclass(frozen=True)
class DocumentOverview:
    """A document of the item, its versions newest first, and the current version's age."""

    id: int
    title: str
    kind: str
    withdrawn: bool
    versions: tuple[VersionAge, ...]
    age_working_days: int
    needs_check: bool

    @property
    def current(self) -> VersionAge:
        """The newest version."""
        return self.versions[0]


@dataclass(frozen=True)
class ItemSummary:
    """How much of an item's material the database holds, and how fresh it is."""

    documents: int
    latest_import: datetime | None


def _lag(calendar: WorkingCalendar, published_on: date | None, imported_on: date) -> int | None:
    if published_on is None:
        return None
    return max(calendar.working_days_between(published_on, imported_on), 0)


def item_documents(
    session: Session,
    item_number: int,
    calendar: WorkingCalendar,
    today: date,
    deadline_days: int | None = None,
) -> list[DocumentOverview]:
    """The item's documents (newest first) with every version and their ages."""
    limit = deadline_days or DEFAULT_DEADLINE_DAYS
    documents = session.scalars(
        select(Document)
        .where(col(Document.item_number) == item_number)
        .order_by(col(Document.updated_at).desc(), col(Document.id).desc())
    ).all()
    ids = [d.id for d in documents if d.id is not None]
    versions: dict[int, list[DocumentVersion]] = defaultdict(list)
    for version in session.scalars(
        select(DocumentVersion)
        .where(col(DocumentVersion.document_id).in_(ids))
        .order_by(col(DocumentVersion.number).desc())
    ):
        versions[version.document_id].append(version)
    overviews = []
    for document in documents:
        assert document.id is not None
        ages = []
        for version in versions.get(document.id, []):
            lag = _lag(calendar, version.published_on, china_date(version.imported_at))
            ages.append(
                VersionAge(
                    number=version.number,
                    file_name=version.file_name,
                    title=version.title,
                    published_on=version.published_on,
                    imported_at=version.imported_at,
                    lag_working_days=lag,
                    late=lag is not None and lag > limit,
                )
            )
        if not ages:
            continue
        newest = ages[0]
        since = newest.published_on or china_date(newest.imported_at)
        age = max(calendar.working_days_between(since, today), 0)
        overviews.append(
            DocumentOverview(
                id=document.id,
                title=document.title,
                kind=document.kind,
                withdrawn=document.withdrawn,
                versions=tuple(ages),
                age_working_days=age,
                needs_check=not document.withdrawn and age > limit,
            )
        )
    return overviews


def item_summaries(session: Session) -> dict[int, ItemSummary]:
    """Per catalog item: documents held and the newest import."""
    rows = session.execute(
        select(
            col(Document.item_number),
            func.count(func.distinct(col(Document.id))),
            func.max(col(DocumentVersion.imported_at)),
        )
        .join(DocumentVersion, col(DocumentVersion.document_id) == col(Document.id))
        .where(col(Document.item_number).is_not(None))
        .group_by(col(Document.item_number))
    ).all()
    found: dict[int, ItemSummary] = {}
    for number, count, latest in rows:
        found[int(number)] = ItemSummary(
            int(count), latest if isinstance(latest, datetime) else None
        )
    return found
