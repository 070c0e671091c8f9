"""The record page: the resident's conversation, the bot's answer and sources, the deadline, a
suggested answer from the material, replying to the resident, and closing or reopening.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web
from sqlalchemy import Engine
from sqlmodel import Session

from bot.answer import Answer
from handlers import keys
from handlers.staff.accounts import Role
from handlers.staff.audit import record_action
from handlers.staff.auth import current_account
from handlers.staff.delivery import deliver_and_record, outside_window, reply_senders
from handlers.staff.rendering import render, render_error, see_other
from knowledge.database import session_scope
from knowledge.inbox import (
    OPEN_STATUSES,
    RecordRow,
    conversation,
    get_record,
    last_message_at,
    record_sources,
)
from knowledge.record_dates import DeadlineStatus, china_date, china_today, deadline_status
from knowledge.record_models import Channel
from knowledge.record_review import (
    CLOSE,
    REOPEN,
    DeliveryRow,
    ReviewError,
    change_status,
    deliveries,
    save_staff_reply,
)
from knowledge.workdays import WorkingCalendar

routes = web.RouteTableDef()


@dataclass(frozen=True)
class SourceLink:
    """A cited source as a link: the public page of a document or a published answer."""

    title: str
    date: str
    url: str


@dataclass(frozen=True)
class RecordPage:
    """Everything the record page shows, read in one go."""

    record: RecordRow
    sources: tuple[SourceLink, ...]
    conversation: tuple[RecordRow, ...]
    deliveries: tuple[DeliveryRow, ...]
    last_message: datetime | None


def source_links(stored: list[dict[str, Any]]) -> tuple[SourceLink, ...]:
    """Links for stored sources (written by the bot's record writer, keys read loosely)."""
    links = []
    for source in stored:
        title = str(source.get("title") or "（无标题）")
        when = str(source.get("date") or source.get("published_on") or "")
        url = str(source.get("url") or source.get("page_path") or "")
        if not url.startswith("/"):
            url = ""
            if source.get("document_id"):
                url = f"/documents/{int(source['document_id'])}"
            elif source.get("qa_id"):
                url = f"/qa/{int(source['qa_id'])}"
        links.append(SourceLink(title, when, url))
    return tuple(links)


def _read_page(engine: Engine, record_id: int) -> RecordPage | None:
    with Session(engine) as session:
        record = get_record(session, record_id)
        if record is None:
            return None
        return RecordPage(
            record=record,
            sources=source_links(record_sources(session, record_id)),
            conversation=tuple(conversation(session, record.channel, record.resident_key)),
            deliveries=tuple(deliveries(session, record_id)),
            last_message=last_message_at(session, record.channel, record.resident_key),
        )


def record_deadline(
    calendar: WorkingCalendar, record: RecordRow, today: date
) -> DeadlineStatus | None:
    """The deadline as it stands today (None for a record without one)."""
    if record.deadline is None:
        return None
    return deadline_status(
        calendar,
        china_date(record.asked_at),
        record.deadline,
        today,
        still_open=record.status in OPEN_STATUSES,
    )


async def _suggestion(request: web.Request, question: str) -> Answer | None:
    answerer = request.config_dict[keys.answerer_key]
    try:
        # A throwaway user: the suggestion must not lean on (or change) any conversation.
        return await asyncio.to_thread(answerer.answer, question, "")
    except RuntimeError:
        return None


def _record_id(request: web.Request) -> int:
    return int(request.match_info["record_id"])


async def _page(
    request: web.Request,
    record_id: int,
    *,
    draft: str | None = None,
    error: str = "",
    status: int = 200,
) -> web.Response:
    engine = request.config_dict[keys.engine_key]
    page = await asyncio.to_thread(_read_page, engine, record_id)
    if page is None:
        return await render_error(request, f"记录 {record_id} 不存在。", status=404)
    record = page.record
    suggestion = await _suggestion(request, record.question)
    if draft is None:
        draft = suggestion.text if request.query.get("draft") == "suggested" and suggestion else ""
    window_problem = ""
    if record.channel == Channel.WECHAT.value:
        window_problem = outside_window(page.last_message, datetime.now(UTC))
    calendar = request.config_dict[keys.calendar_key]
    account = current_account(request)
    context = {
        "page": page,
        "record": record,
        "deadline": record_deadline(calendar, record, china_today()),
        "suggestion": suggestion,
        "suggestion_sources": _suggestion_links(suggestion),
        "draft": draft,
        "error": error,
        "window_problem": window_problem,
        "can_publish": account.role.allows(Role.PUBLISHER),
        "is_open": record.status in OPEN_STATUSES,
    }
    return render(request, "staff/record.html", context, status=status)


def _suggestion_links(suggestion: Answer | None) -> tuple[SourceLink, ...]:
    if suggestion is None:
        return ()
    return tuple(
        SourceLink(s.title, str(s.published_on or ""), s.page_path) for s in suggestion.sources
    )


@routes.get(r"/records/{record_id:\d+}", name="record")
async def record_view(request: web.Request) -> web.Response:
    """One record with everything needed to answer it."""
    return await _page(request, _record_id(request))


def _save_reply(engine: Engine, record_id: int, text: str, by: str) -> RecordRow:
    with session_scope(engine) as session:
        stored = save_staff_reply(session, record_id, text, by)
        record_action(session, by, "reply", stored.number, f"答复{len(text.strip())}字")
        row = get_record(session, record_id)
        assert row is not None
        return row


@routes.post(r"/records/{record_id:\d+}/reply", name="reply")
async def reply(request: web.Request) -> web.StreamResponse:
    """Store the reply, send it on the resident's channel, and record the delivery."""
    record_id = _record_id(request)
    account = current_account(request)
    form = await request.post()
    text = str(form.get("reply", ""))
    engine = request.config_dict[keys.engine_key]
    try:
        record = await asyncio.to_thread(_save_reply, engine, record_id, text, account.name)
    except ReviewError as problem:
        return await _page(request, record_id, draft=text, error=str(problem), status=400)
    outcome = await deliver_and_record(engine, reply_senders(request), record, record.staff_reply)
    done = "replied" if outcome.delivered else "undelivered"
    return see_other(f"/staff/records/{record_id}", done)


def _change(engine: Engine, record_id: int, action: str, by: str) -> None:
    with session_scope(engine) as session:
        record = change_status(session, record_id, action)
        record_action(session, by, action, record.number)


@routes.post(r"/records/{record_id:\d+}/status", name="record_status")
async def status(request: web.Request) -> web.StreamResponse:
    """Close the record, or reopen it for review."""
    record_id = _record_id(request)
    form = await request.post()
    action = str(form.get("action", ""))
    if action not in (CLOSE, REOPEN):
        return await render_error(request, "未知的操作。", status=400)
    engine = request.config_dict[keys.engine_key]
    try:
        await asyncio.to_thread(_change, engine, record_id, action, current_account(request).name)
    except ReviewError as problem:
        return await _page(request, record_id, error=str(problem), status=400)
    return see_other(f"/staff/records/{record_id}", "closed" if action == CLOSE else "reopened")
