"""The inbox: records waiting for staff first, with filters, search, deadlines and paging."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from aiohttp import web
from sqlalchemy import Engine
from sqlmodel import Session

from handlers import keys
from handlers.staff.record_views import record_deadline
from handlers.staff.rendering import CHANNEL_LABELS, STATUS_LABELS, kind_label, render
from knowledge.inbox import (
    ALL,
    OPEN,
    InboxFilter,
    InboxPage,
    RecordRow,
    answer_kinds,
    categories,
    find_records,
)
from knowledge.record_dates import DeadlineStatus, china_today, due_soon_until
from knowledge.record_models import RecordStatus

routes = web.RouteTableDef()

MAX_SEARCH_CHARS = 50
# The tabs across the top: (label, query); counts come from InboxPage.counts.
TABS = (
    ("待处理", {"status": OPEN}, OPEN),
    ("已逾期", {"overdue": "1"}, "overdue"),
    ("即将到期", {"due_soon": "1"}, "due_soon"),
    ("已答复", {"status": RecordStatus.ANSWERED.value}, RecordStatus.ANSWERED.value),
    ("已公开", {"status": RecordStatus.PUBLISHED.value}, RecordStatus.PUBLISHED.value),
    ("已关闭", {"status": RecordStatus.CLOSED.value}, RecordStatus.CLOSED.value),
    ("机器人已答", {"status": RecordStatus.AUTO_ANSWERED.value}, RecordStatus.AUTO_ANSWERED.value),
    ("全部", {"status": ALL}, ALL),
)


@dataclass(frozen=True)
class InboxLine:
    """A row of the inbox with its deadline as it stands today."""

    record: RecordRow
    deadline: DeadlineStatus | None


@dataclass(frozen=True)
class Choices:
    """The values the filter's drop-downs offer."""

    categories: tuple[str, ...]
    kinds: tuple[tuple[str, str], ...]


def parse_filter(query: web.Request) -> InboxFilter:
    """The filter in the query string; anything unknown is ignored rather than refused."""
    params = query.query
    status = params.get("status", OPEN)
    if status not in (OPEN, ALL, *STATUS_LABELS):
        status = OPEN
    channel = params.get("channel", "")
    page = params.get("page", "1")
    return InboxFilter(
        status=status,
        channel=channel if channel in CHANNEL_LABELS else "",
        overdue=params.get("overdue") == "1",
        due_soon=params.get("due_soon") == "1",
        kind=params.get("kind", "")[:40],
        category=params.get("category", "")[:40],
        search=params.get("q", "").strip()[:MAX_SEARCH_CHARS],
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
    )


def _read(
    engine: Engine, wanted: InboxFilter, today: date, soon: date
) -> tuple[InboxPage, Choices]:
    with Session(engine) as session:
        page = find_records(session, wanted, today=today, due_soon_until=soon)
        kinds = tuple((kind, kind_label(kind)) for kind in answer_kinds(session))
        return page, Choices(tuple(categories(session)), kinds)


def _active_tab(wanted: InboxFilter) -> str:
    if wanted.overdue:
        return "overdue"
    if wanted.due_soon:
        return "due_soon"
    return wanted.status


def _query_of(wanted: InboxFilter) -> dict[str, str]:
    """The filter as query parameters (for paging links that keep it)."""
    query = {
        "status": wanted.status if wanted.status != OPEN else "",
        "channel": wanted.channel,
        "overdue": "1" if wanted.overdue else "",
        "due_soon": "1" if wanted.due_soon else "",
        "kind": wanted.kind,
        "category": wanted.category,
        "q": wanted.search,
    }
    return {key: value for key, value in query.items() if value}


@routes.get("/", name="inbox")
async def inbox(request: web.Request) -> web.Response:
    """The inbox page."""
    wanted = parse_filter(request)
    calendar = request.config_dict[keys.calendar_key]
    today = china_today()
    soon = due_soon_until(calendar, today)
    engine = request.config_dict[keys.engine_key]
    page, choices = await asyncio.to_thread(_read, engine, wanted, today, soon)
    lines = tuple(InboxLine(row, record_deadline(calendar, row, today)) for row in page.rows)
    return render(
        request,
        "staff/inbox.html",
        {
            "wanted": wanted,
            "page": page,
            "lines": lines,
            "choices": choices,
            "tabs": TABS,
            "active_tab": _active_tab(wanted),
            "query": _query_of(wanted),
            "channels": CHANNEL_LABELS,
            "statuses": STATUS_LABELS,
            "today": today,
        },
    )
