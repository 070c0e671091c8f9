"""What residents see of staff answers: the public Q&A pages and staff replies for the web chat.

/qa lists published answers (with search) and /qa/{id} shows one with its public version
history. A withdrawn answer is gone from the list (and from the bot); its page answers 410 Gone
and says when it was withdrawn, without its text: a link residents kept, or a reply that cited
it, then explains itself instead of breaking. The public history shows dates and wordings,
never which clerk made a change.

GET /api/replies gives the web chat the staff replies to its user's questions. The user id is
a random value kept in the resident's browser (the user /api/ask returned, or its cookie);
knowing it is what entitles a browser to that user's replies, as it entitles it to ask in that
user's name.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import Engine
from sqlmodel import Session

from handlers import keys
from handlers.public_api import RESIDENT_COOKIE
from knowledge import qa
from knowledge.record_dates import as_utc
from knowledge.record_review import WebReply, web_replies

routes = web.RouteTableDef()

PAGE_SIZE = 20
MAX_SEARCH_CHARS = 50
MAX_USER_CHARS = 128


def _page_number(request: web.Request) -> int:
    raw = request.query.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() and len(raw) < 7 else 1


def _list(engine: Engine, search: str, page: int) -> qa.QAPage:
    with Session(engine) as session:
        return qa.list_published(
            session, search=search, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )


def _detail(engine: Engine, qa_id: int) -> qa.QADetail | None:
    with Session(engine) as session:
        return qa.get(session, qa_id)


def _page(
    request: web.Request, template: str, context: dict[str, object], status: int = 200
) -> web.Response:
    return aiohttp_jinja2.render_template(template, request, context, status=status)


@routes.get("/qa", name="qa_list")
async def qa_list(request: web.Request) -> web.Response:
    """Published answers, newest first; every word searched must occur in question or answer."""
    search = request.query.get("q", "").strip()[:MAX_SEARCH_CHARS]
    page = _page_number(request)
    engine = request.app[keys.engine_key]
    found = await asyncio.to_thread(_list, engine, search, page)
    pages = max(1, -(-found.total // PAGE_SIZE))
    context: dict[str, object] = {
        "found": found,
        "search": search,
        "page": min(page, pages),
        "pages": pages,
        "nav": "qa",
    }
    return _page(request, "public/qa_list.html", context)


@routes.get(r"/qa/{qa_id:\d+}", name="qa_page")
async def qa_page(request: web.Request) -> web.Response:
    """One published answer with its public version history."""
    qa_id = int(request.match_info["qa_id"][:9])
    engine = request.app[keys.engine_key]
    detail = await asyncio.to_thread(_detail, engine, qa_id)
    if detail is None:
        return _page(request, "public/not_found.html", {"nav": "qa"}, status=404)
    status = 410 if detail.entry.withdrawn else 200
    history = tuple(v for v in detail.versions if v.change != qa.WITHDRAWN)
    context: dict[str, object] = {"qa": detail.entry, "history": history, "nav": "qa"}
    return _page(request, "public/qa_page.html", context, status=status)


def _replies_of(engine: Engine, user: str, since: datetime | None) -> list[WebReply]:
    with Session(engine) as session:
        return web_replies(session, user, since=since)


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)


@routes.get("/api/replies")
async def replies(request: web.Request) -> web.Response:
    """?user=ID[&since=ISO time] → {"replies": [{record, question, reply, replied_at}, ...]}.

    Without user, the web chat's cookie names the user.
    """
    user = request.query.get("user", "").strip() or request.cookies.get(RESIDENT_COOKIE, "")
    if not user or len(user) > MAX_USER_CHARS:
        return _bad_request("缺少 user 参数")
    since = None
    raw_since = request.query.get("since", "")
    if raw_since:
        try:
            since = as_utc(datetime.fromisoformat(raw_since))
        except ValueError:
            return _bad_request("since 须为 ISO 8601 时间，如 2026-11-26T08:00:00+00:00")
    engine = request.app[keys.engine_key]
    found = await asyncio.to_thread(_replies_of, engine, user, since)
    response = web.json_response(
        {
            "replies": [
                {
                    "record": reply.number,
                    "question": reply.question,
                    "reply": reply.reply,
                    "replied_at": as_utc(reply.replied_at).isoformat(),
                }
                for reply in found
            ]
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response
