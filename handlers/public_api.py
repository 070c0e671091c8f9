"""Public JSON endpoints: health, and asking the bot (the web chat uses the same path)."""

from __future__ import annotations

import json
import secrets

from aiohttp import web

from bot.answer import AnswerKind
from handlers import keys
from handlers.answer_records import ReplyDeadlines, answered_record, utc_now, whole
from handlers.ratings import feedback_record
from knowledge.record_models import Channel

routes = web.RouteTableDef()

# A question longer than this is not a question (and would slow everyone down).
MAX_QUESTION_CHARS = 500
# A browser without a user id of its own gets one in this cookie (its records' resident key).
RESIDENT_COOKIE = "anju_user"
RESIDENT_COOKIE_DAYS = 180
MAX_RESIDENT_CHARS = 128


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """200 once the search index is loaded (load balancers route only then)."""
    live = request.app[keys.live_index_key]
    if not live.ready:
        return web.json_response({"status": "starting"}, status=503)
    index = live.current()
    return web.json_response(
        {"status": "ok", "revision": index.revision, "entries": len(index.entries)}
    )


@routes.post("/api/ask")
async def ask(request: web.Request) -> web.Response:
    """{"text": "...", "user": "..."} → {"answer": "...", "sources": [...]}."""
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad_request('请求体须为 JSON：{"text": "问题"}')
    if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
        return _bad_request("缺少 text 字段")
    text = payload["text"].strip()
    user = payload.get("user") if isinstance(payload.get("user"), str) else ""
    if not text:
        return _bad_request("问题不能为空")
    if len(text) > MAX_QUESTION_CHARS:
        return _bad_request(f"问题请控制在{MAX_QUESTION_CHARS}字以内")
    resident = user or _resident_cookie(request)
    # "满意" / "不满意" rate the last answer, as on WeChat (handlers/ratings.py).
    rating = (
        feedback_record(
            channel=Channel.WEB.value,
            resident=resident,
            asked_at=utc_now(),
            question=text,
            deadlines=_deadlines(request.app),
        )
        if resident
        else None
    )
    if rating is not None:
        rated = await request.app[keys.record_writer_key].record(rating)
        kind = AnswerKind.SATISFACTION.value
        reply = {"answer": rated.reply_text, "record": rated.number, "user": resident}
        return web.json_response({**reply, "kind": kind, "score": 1.0, "sources": []})
    answerer = request.app[keys.answerer_key]
    answer = answerer.answer(text, f"web:{resident}" if resident else "")
    # Stored (masked) before the reply goes out, through the same writer as WeChat's questions.
    new_resident = "" if resident else secrets.token_urlsafe(16)
    stored = await request.app[keys.record_writer_key].record(
        answered_record(
            channel=Channel.WEB.value,
            resident=resident or new_resident,
            asked_at=utc_now(),
            question=text,
            answer=answer,
            deadlines=_deadlines(request.app),
            reviewable=True,
            fit=whole,
        )
    )
    response = web.json_response(
        {
            "answer": stored.reply_text,
            "record": stored.number,
            "user": resident or new_resident,
            "kind": answer.kind.value,
            "score": answer.score,
            "sources": [
                {
                    "title": s.title,
                    "date": s.published_on.isoformat() if s.published_on else None,
                    "item": s.item_number,
                    "url": s.page_path,
                }
                for s in answer.sources
            ],
        }
    )
    if new_resident:
        response.set_cookie(
            RESIDENT_COOKIE,
            new_resident,
            max_age=RESIDENT_COOKIE_DAYS * 86400,
            httponly=True,
            samesite="Lax",
        )
    return response


def _resident_cookie(request: web.Request) -> str:
    """The web chat user id this browser was given earlier ('' when none or not plausible)."""
    value = request.cookies.get(RESIDENT_COOKIE, "")
    return value if 0 < len(value) <= MAX_RESIDENT_CHARS and value.isprintable() else ""


def _deadlines(app: web.Application) -> ReplyDeadlines:
    settings = app[keys.settings_key]
    return ReplyDeadlines(
        app[keys.calendar_key], settings.enquiry_reply_days, settings.complaint_reply_days
    )


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)
