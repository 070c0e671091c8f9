"""POST /api/feedback: the web chat's 满意 / 不满意 buttons under each answer.

An answer is named by the record number /api/ask returned with it; only the browser that
asked (its user id, or its cookie) may rate it. A rating typed as a message goes through
/api/ask instead (handlers/ratings.py), like on WeChat.
"""

from __future__ import annotations

import asyncio
import json
import re

from aiohttp import web
from sqlalchemy import Engine

from handlers import keys
from handlers.answer_records import ReplyDeadlines, utc_now
from handlers.public_api import MAX_RESIDENT_CHARS, RESIDENT_COOKIE
from handlers.ratings import rating_reply, reopening_for
from knowledge.record_models import Channel
from knowledge.satisfaction import Rated, Rating, Reopening, parse_rating, rate_record

routes = web.RouteTableDef()

# HD + the date asked (8 digits) + the record id (at least 6 digits).
_RECORD_NUMBER = re.compile(r"HD(\d{8})(\d{6,12})")


def record_id_of(number: str) -> int | None:
    """The record id in a record number ("HD20261126000123" → 123), or None."""
    found = _RECORD_NUMBER.fullmatch(number.strip())
    return int(found.group(2)) if found else None


def _rate_web_record(
    engine: Engine, record_id: int, resident: str, rating: Rating, reopening: Reopening
) -> Rated:
    with engine.begin() as connection:
        return rate_record(
            connection,
            record_id,
            channel=Channel.WEB.value,
            resident_key=resident,
            rating=rating,
            reopening=reopening,
        )


def _bad_request(message: str, status: int = 400) -> web.Response:
    return web.json_response({"error": message}, status=status)


@routes.post("/api/feedback")
async def feedback(request: web.Request) -> web.Response:
    """{"record": "HD…", "rating": "satisfied" | "dissatisfied"} → {"message": "..."}.

    Only the browser that asked (its user id or cookie) may rate an answer: the record must be
    that user's. JSON only, so a form on another site cannot rate in a resident's name.
    """
    if request.content_type != "application/json":
        return _bad_request("请求须为 JSON", status=415)
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad_request('请求体须为 JSON：{"record": "编号", "rating": "satisfied"}')
    if not isinstance(payload, dict):
        return _bad_request("请求体须为 JSON 对象")
    number, raw_rating = payload.get("record"), payload.get("rating")
    record_id = record_id_of(number) if isinstance(number, str) else None
    rating = parse_rating(raw_rating) if isinstance(raw_rating, str) else None
    if record_id is None:
        return _bad_request("缺少或无法识别记录编号 record")
    if rating is None:
        return _bad_request("rating 须为 satisfied 或 dissatisfied")
    user = payload.get("user")
    resident = user if isinstance(user, str) and user else request.cookies.get(RESIDENT_COOKIE, "")
    if not resident or len(resident) > MAX_RESIDENT_CHARS:
        return _bad_request("没有找到这条回答", status=404)
    app = request.app
    settings = app[keys.settings_key]
    deadlines = ReplyDeadlines(
        app[keys.calendar_key], settings.enquiry_reply_days, settings.complaint_reply_days
    )
    rated = await asyncio.to_thread(
        _rate_web_record,
        app[keys.engine_key],
        record_id,
        resident,
        rating,
        reopening_for(deadlines, utc_now()),
    )
    if rated.record_id is None:
        return _bad_request("没有找到这条回答", status=404)
    return web.json_response(
        {
            "record": rated.number,
            "rating": rating.value,
            "reopened": rated.reopened,
            "message": rating_reply(rating, rated),
        }
    )
