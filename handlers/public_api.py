"""Public JSON endpoints: health, and asking the bot (the web chat uses the same path)."""

from __future__ import annotations

import json

from aiohttp import web

from handlers import keys

routes = web.RouteTableDef()

# A question longer than this is not a question (and would slow everyone down).
MAX_QUESTION_CHARS = 500


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
    answerer = request.app[keys.answerer_key]
    answer = answerer.answer(text, f"web:{user}" if user else "")
    return web.json_response(
        {
            "answer": answer.text,
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


def _bad_request(message: str) -> web.Response:
    return web.json_response({"error": message}, status=400)
