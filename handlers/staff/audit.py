"""The audit log: every staff action with who, when, what and on which record, and its page.

record_action() joins the caller's transaction, so an action and its entry are stored together
or not at all. The page is for admins only.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from handlers import keys
from handlers.staff.accounts import Role
from handlers.staff.auth import requires
from handlers.staff.rendering import ACTION_LABELS, render
from knowledge.database import session_scope
from knowledge.record_models import AuditEntry

routes = web.RouteTableDef()

PAGE_SIZE = 50
MAX_DETAIL_CHARS = 500


@dataclass(frozen=True)
class AuditRow:
    """One entry as the page shows it."""

    at: datetime
    staff_name: str
    action: str
    target: str
    detail: str


@dataclass(frozen=True)
class AuditPage:
    """A page of entries, newest first, and how many match."""

    rows: tuple[AuditRow, ...]
    total: int
    page: int
    pages: int


def record_action(
    session: Session, staff_name: str, action: str, target: str = "", detail: str = ""
) -> None:
    """Add an entry to the caller's transaction."""
    session.add(
        AuditEntry(
            at=datetime.now(UTC),
            staff_name=staff_name[:80],
            action=action,
            target=target[:120],
            detail=detail[:MAX_DETAIL_CHARS],
        )
    )


def log_action(
    engine: Engine, staff_name: str, action: str, target: str = "", detail: str = ""
) -> None:
    """Add an entry in a transaction of its own (for actions that store nothing else)."""
    with session_scope(engine) as session:
        record_action(session, staff_name, action, target, detail)


def audit_page(
    engine: Engine, *, page: int = 1, staff_name: str = "", action: str = ""
) -> AuditPage:
    """Entries newest first, optionally of one user or one action."""
    conditions = []
    if staff_name:
        conditions.append(col(AuditEntry.staff_name) == staff_name)
    if action:
        conditions.append(col(AuditEntry.action) == action)
    with Session(engine) as session:
        total = int(
            session.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
        )
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        entries = session.exec(
            select(AuditEntry)
            .where(*conditions)
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        rows = tuple(AuditRow(e.at, e.staff_name, e.action, e.target, e.detail) for e in entries)
    return AuditPage(rows, total, page, pages)


def _page_number(request: web.Request) -> int:
    raw = request.query.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


@routes.get("/audit", name="audit")
@requires(Role.ADMIN)
async def audit_view(request: web.Request) -> web.Response:
    """The audit log, filterable by user and action."""
    engine = request.config_dict[keys.engine_key]
    staff_name = request.query.get("staff", "").strip()[:80]
    action = request.query.get("action", "")
    if action not in ACTION_LABELS:
        action = ""
    found = await asyncio.to_thread(
        audit_page, engine, page=_page_number(request), staff_name=staff_name, action=action
    )
    query = {"staff": staff_name, "action": action}
    return render(
        request,
        "staff/audit.html",
        {"log": found, "query": query, "actions": ACTION_LABELS},
    )
