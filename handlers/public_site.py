"""The public site's own pages: the home page with the web chat, the disclosure catalog, each
published document's page, and the public statistics of item 41 (/qa and its pages are
handlers/public_answers.py).

A document page is what the bot's answers cite (/documents/{id}): its document comes from the
material the bot answers from (the bureau's database, or the demo while that is empty), so a
cited link always opens the document the answer used. A withdrawn document answers 410 Gone
with its title and history, not its text. Long tables are paged.

The public statistics show numbers only: no topic names (they are made of residents' words)
and no question. They are counted at most once a minute, however often the page is asked for.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import Engine
from sqlmodel import Session

from bot import phrases
from handlers import keys
from handlers.charts import Charts, bar_charts
from handlers.staff.rendering import CHANNEL_LABELS
from knowledge.catalog import CatalogItem
from knowledge.document_pages import (
    ROWS_PER_PAGE,
    DocumentLink,
    DocumentPage,
    document_page,
    documents_by_item,
)
from knowledge.record_dates import china_today
from knowledge.record_stats import Statistics, recent_weeks, statistics

PUBLIC_WEEKS = 12
MAX_PAGE_DIGITS = 6
LATEST_NOTICES = 6
_STATS_SECONDS = 60.0
# Questions the home page offers to ask with one tap.
SUGGESTIONS = (
    "公租房申请条件是什么",
    "申请需要带什么材料",
    "还有哪些房源",
    "最近什么时候摇号",
    "怎么查审核结果",
    "去哪里办理",
)


@dataclass(frozen=True)
class CatalogGroup:
    """A first-level group of the catalog and its items, each with its documents."""

    name: str
    anchor: str
    items: tuple[tuple[CatalogItem, tuple[DocumentLink, ...]], ...]


def _documents(engine: Engine) -> dict[int | None, tuple[DocumentLink, ...]]:
    with Session(engine) as session:
        return documents_by_item(session)


def _document(engine: Engine, document_id: int, offset: int) -> DocumentPage | None:
    with Session(engine) as session:
        return document_page(session, document_id, row_offset=offset)


def _row_page(request: web.Request) -> int:
    raw = request.query.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() and len(raw) <= MAX_PAGE_DIGITS else 1


def _item(request: web.Request, number: int | None) -> CatalogItem | None:
    if number is None:
        return None
    try:
        return request.app[keys.catalog_key].item(number)
    except KeyError:
        return None


def _latest(documents: dict[int | None, tuple[DocumentLink, ...]]) -> list[DocumentLink]:
    everything = [link for links in documents.values() for link in links]
    everything.sort(key=lambda link: (link.published_on is not None, link.published_on, link.id))
    return list(reversed(everything))[:LATEST_NOTICES]


def _weekly_chart(found: Statistics) -> Charts:
    weeks = found.weeks
    return bar_charts(
        [f"{w.start.month}/{w.start.day}" for w in weeks],
        [
            ("机器人答复", [w.tally.by_bot for w in weeks]),
            ("工作人员答复", [w.tally.by_staff for w in weeks]),
            ("待答复", [w.tally.waiting for w in weeks]),
            ("未答复", [w.tally.unanswered for w in weeks]),
        ],
        title="每周收到的咨询及答复情况",
        unit="件",
    )


class PublicSite:
    """The pages; one instance per application, holding the statistics it last counted."""

    def __init__(self) -> None:
        self._counted: tuple[float, Statistics] | None = None
        self._counting = asyncio.Lock()

    async def home(self, request: web.Request) -> web.Response:
        """The web chat, what it can answer, and the latest published notices."""
        engine = await asyncio.to_thread(request.app[keys.knowledge_key].material_engine)
        documents = await asyncio.to_thread(_documents, engine)
        context = {
            "nav": "home",
            "greeting": phrases.GREETING,
            "suggestions": SUGGESTIONS,
            "latest": _latest(documents),
            "reply_days": request.app[keys.settings_key].enquiry_reply_days,
        }
        return aiohttp_jinja2.render_template("public/home.html", request, context)

    async def catalog(self, request: web.Request) -> web.Response:
        """Every catalog item with its elements, deadline, body, channels and documents."""
        engine = await asyncio.to_thread(request.app[keys.knowledge_key].material_engine)
        documents = await asyncio.to_thread(_documents, engine)
        groups: list[CatalogGroup] = []
        for item in request.app[keys.catalog_key]:
            entry = (item, documents.get(item.number, ()))
            if groups and groups[-1].name == item.first_level:
                last = groups[-1]
                groups[-1] = CatalogGroup(last.name, last.anchor, (*last.items, entry))
            else:
                groups.append(CatalogGroup(item.first_level, f"group-{item.number}", (entry,)))
        context = {"nav": "catalog", "groups": groups, "unplaced": documents.get(None, ())}
        return aiohttp_jinja2.render_template("public/catalog.html", request, context)

    async def document(self, request: web.Request) -> web.Response:
        """A document's text, its table (a page of rows at a time) and its versions."""
        document_id = int(request.match_info["document_id"])
        page = _row_page(request)
        engine = await asyncio.to_thread(request.app[keys.knowledge_key].material_engine)
        found = await asyncio.to_thread(_document, engine, document_id, (page - 1) * ROWS_PER_PAGE)
        if found is None:
            return aiohttp_jinja2.render_template(
                "public/not_found.html", request, {"nav": "catalog"}, status=404
            )
        pages = 1
        if found.table is not None:
            pages = max(1, -(-found.table.total_rows // ROWS_PER_PAGE))
        context = {
            "nav": "catalog",
            "doc": found,
            "item": _item(request, found.item_number),
            "page": min(page, pages),
            "pages": pages,
        }
        status = 410 if found.withdrawn else 200
        return aiohttp_jinja2.render_template(
            "public/document.html", request, context, status=status
        )

    async def stats(self, request: web.Request) -> web.Response:
        """Questions received and answered, on time and satisfaction, by week."""
        found = await self._statistics(request.app)
        context = {
            "nav": "stats",
            "found": found,
            "chart": _weekly_chart(found),
            "channels": CHANNEL_LABELS,
        }
        return aiohttp_jinja2.render_template("public/stats.html", request, context)

    async def _statistics(self, app: web.Application) -> Statistics:
        async with self._counting:
            counted = self._counted
            if counted is not None and time.monotonic() - counted[0] < _STATS_SECONDS:
                return counted[1]
            found = await asyncio.to_thread(_count, app[keys.engine_key])
            self._counted = (time.monotonic(), found)
            return found


def _count(engine: Engine) -> Statistics:
    today = china_today()
    with engine.connect() as connection:
        return statistics(
            connection,
            recent_weeks(today, PUBLIC_WEEKS),
            today,
            channel_labels=dict(CHANNEL_LABELS),
        )


def add_public_site(app: web.Application) -> None:
    """Route /, /catalog, /documents/{id} and /stats to a PublicSite of this application."""
    site = PublicSite()
    app.router.add_get("/", site.home, name="home")
    app.router.add_get("/catalog", site.catalog, name="catalog")
    app.router.add_get(r"/documents/{document_id:\d{1,9}}", site.document, name="document_page")
    app.router.add_get("/stats", site.stats, name="public_stats")
