"""Publishing Q&A (publishers): from a record or fresh, editing with history, withdrawing.

Each change commits with its audit entry and a revision bump, then the view awaits the index
refresh, so the bot answers with the new wording before the clerk sees the next page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web
from sqlalchemy import Engine
from sqlmodel import Session

from handlers import keys
from handlers.staff.accounts import Role
from handlers.staff.audit import record_action
from handlers.staff.auth import current_account, requires
from handlers.staff.rendering import render, render_error, see_other
from knowledge import qa
from knowledge.database import session_scope
from knowledge.inbox import RecordRow, get_record

routes = web.RouteTableDef()

PAGE_SIZE = 30
PRIVACY_HINT = (
    "公开前请改写问题：去掉姓名、住址、身份证号、电话号码等能指向提问居民的内容。"
    "含有身份证号码或电话号码（本局公开的服务电话除外）的文字无法公开。"
)


def _keep_list(request: web.Request) -> frozenset[str]:
    """The bureau's published service numbers, which Q&A text may contain."""
    live = request.config_dict[keys.live_index_key]
    return live.current().contacts.service_digits if live.ready else frozenset()


async def _commit(request: web.Request, change: Callable[[Session], qa.QAEntry]) -> qa.QAEntry:
    """Run change in one transaction, then bring this worker's index up to date."""
    engine = request.config_dict[keys.engine_key]

    def run() -> qa.QAEntry:
        with session_scope(engine) as session:
            return change(session)

    entry = await asyncio.to_thread(run)
    await request.config_dict[keys.live_index_key].refresh_if_stale()
    return entry


def _form_page(
    request: web.Request, context: dict[str, Any], *, error: str = "", status: int = 200
) -> web.Response:
    return render(
        request,
        "staff/qa_form.html",
        {"error": error, "hint": PRIVACY_HINT, "history": (), **context},
        status=status,
    )


def _texts(form: Mapping[str, object]) -> tuple[str, str]:
    return str(form.get("question", "")), str(form.get("answer", ""))


@routes.get(r"/records/{record_id:\d+}/publish", name="publish_record")
@requires(Role.PUBLISHER)
async def publish_form(request: web.Request) -> web.Response:
    """The publish form for a record: its masked question, the staff (or bot) answer."""
    record_id = int(request.match_info["record_id"])
    engine = request.config_dict[keys.engine_key]
    record = await asyncio.to_thread(_get_record, engine, record_id)
    if record is None:
        return await render_error(request, f"记录 {record_id} 不存在。", status=404)
    context = {
        "title": f"将记录 {record.number} 公开为问答",
        "action": f"/staff/records/{record_id}/publish",
        "question": record.question,
        "answer": record.staff_reply or record.answer_text,
        "record": record,
    }
    return _form_page(request, context)


def _get_record(engine: Engine, record_id: int) -> RecordRow | None:
    with Session(engine) as session:
        return get_record(session, record_id)


@routes.post(r"/records/{record_id:\d+}/publish")
@requires(Role.PUBLISHER)
async def publish_submit(request: web.Request) -> web.StreamResponse:
    """Publish the edited question and answer; refused text comes back with the reason."""
    record_id = int(request.match_info["record_id"])
    question, answer = _texts(await request.post())
    by, keep = current_account(request).name, _keep_list(request)

    def change(session: Session) -> qa.QAEntry:
        entry = qa.publish(session, question, answer, by, keep=keep, interaction_id=record_id)
        record_action(session, by, "publish_qa", f"问答{entry.id}", f"来自记录 {record_id}")
        return entry

    try:
        entry = await _commit(request, change)
    except qa.QAError as problem:
        engine = request.config_dict[keys.engine_key]
        record = await asyncio.to_thread(_get_record, engine, record_id)
        context = {
            "title": "公开为问答",
            "action": f"/staff/records/{record_id}/publish",
            "question": question,
            "answer": answer,
            "record": record,
        }
        return _form_page(request, context, error=str(problem), status=400)
    return see_other(f"/staff/qa/{entry.id}/edit", "published")


@routes.get("/qa/new", name="qa_new")
@requires(Role.PUBLISHER)
async def new_form(request: web.Request) -> web.Response:
    """A blank form to publish a Q&A that no record asked."""
    context = {"title": "新建问答", "action": "/staff/qa/new", "question": "", "answer": ""}
    return _form_page(request, {**context, "record": None})


@routes.post("/qa/new")
@requires(Role.PUBLISHER)
async def new_submit(request: web.Request) -> web.StreamResponse:
    """Publish a fresh Q&A."""
    question, answer = _texts(await request.post())
    by, keep = current_account(request).name, _keep_list(request)

    def change(session: Session) -> qa.QAEntry:
        entry = qa.publish(session, question, answer, by, keep=keep)
        record_action(session, by, "publish_qa", f"问答{entry.id}")
        return entry

    try:
        entry = await _commit(request, change)
    except qa.QAError as problem:
        context = {"title": "新建问答", "action": "/staff/qa/new", "record": None}
        context.update(question=question, answer=answer)
        return _form_page(request, context, error=str(problem), status=400)
    return see_other(f"/staff/qa/{entry.id}/edit", "published")


def _detail(engine: Engine, qa_id: int) -> qa.QADetail | None:
    with Session(engine) as session:
        return qa.get(session, qa_id)


async def _edit_page(
    request: web.Request,
    qa_id: int,
    *,
    question: str | None = None,
    answer: str | None = None,
    error: str = "",
    status: int = 200,
) -> web.Response:
    engine = request.config_dict[keys.engine_key]
    detail = await asyncio.to_thread(_detail, engine, qa_id)
    if detail is None:
        return await render_error(request, f"问答 {qa_id} 不存在。", status=404)
    context = {
        "title": f"问答 {qa_id}",
        "action": f"/staff/qa/{qa_id}/edit",
        "question": detail.entry.question if question is None else question,
        "answer": detail.entry.answer if answer is None else answer,
        "record": None,
        "entry": detail.entry,
        "history": detail.versions,
    }
    return _form_page(request, context, error=error, status=status)


@routes.get(r"/qa/{qa_id:\d+}/edit", name="qa_edit")
@requires(Role.PUBLISHER)
async def edit_form(request: web.Request) -> web.Response:
    """A published Q&A's form, with its history and the withdraw button."""
    return await _edit_page(request, int(request.match_info["qa_id"]))


@routes.post(r"/qa/{qa_id:\d+}/edit")
@requires(Role.PUBLISHER)
async def edit_submit(request: web.Request) -> web.StreamResponse:
    """Save a new wording (a new public version)."""
    qa_id = int(request.match_info["qa_id"])
    question, answer = _texts(await request.post())
    by, keep = current_account(request).name, _keep_list(request)

    def change(session: Session) -> qa.QAEntry:
        entry = qa.edit(session, qa_id, question, answer, by, keep=keep)
        record_action(session, by, "edit_qa", f"问答{qa_id}", f"第{entry.version}版")
        return entry

    try:
        await _commit(request, change)
    except qa.QAError as problem:
        return await _edit_page(
            request, qa_id, question=question, answer=answer, error=str(problem), status=400
        )
    return see_other(f"/staff/qa/{qa_id}/edit", "edited")


@routes.post(r"/qa/{qa_id:\d+}/withdraw", name="qa_withdraw")
@requires(Role.PUBLISHER)
async def withdraw(request: web.Request) -> web.StreamResponse:
    """Withdraw a Q&A from the list and from the bot."""
    qa_id = int(request.match_info["qa_id"])
    by = current_account(request).name

    def change(session: Session) -> qa.QAEntry:
        entry = qa.withdraw(session, qa_id, by)
        record_action(session, by, "withdraw_qa", f"问答{qa_id}")
        return entry

    try:
        await _commit(request, change)
    except qa.QAError as problem:
        return await _edit_page(request, qa_id, error=str(problem), status=400)
    return see_other(f"/staff/qa/{qa_id}/edit", "withdrawn")


def _list(engine: Engine, search: str, page: int) -> qa.QAPage:
    with Session(engine) as session:
        return qa.list_published(
            session,
            search=search,
            include_withdrawn=True,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )


@routes.get("/qa", name="qa_list")
async def qa_list(request: web.Request) -> web.Response:
    """Every Q&A, withdrawn ones included, newest first, with search."""
    search = request.query.get("q", "").strip()[:50]
    raw = request.query.get("page", "1")
    page = int(raw) if raw.isdigit() and len(raw) < 7 else 1
    engine = request.config_dict[keys.engine_key]
    found = await asyncio.to_thread(_list, engine, search, max(page, 1))
    pages = max(1, -(-found.total // PAGE_SIZE))
    account = current_account(request)
    return render(
        request,
        "staff/qa_list.html",
        {
            "found": found,
            "search": search,
            "page": page,
            "pages": pages,
            "can_publish": account.role.allows(Role.PUBLISHER),
        },
    )
