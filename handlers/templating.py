"""HTML pages: the Jinja2 environment (autoescape always on), shared filters, static files, and
the security headers every page carries.

Residents' words reach pages only through autoescaped expressions; no template marks them
|safe. Line breaks are kept by CSS (white-space: pre-line), never by inserting markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from handlers.settings import Settings
from knowledge.record_dates import china_time

STATIC_PREFIX = "/static/"
# Pages load only their own styles and scripts; nothing may frame them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_KEY_SHOWN_CHARS = 4


def static_folder() -> Path:
    """Where the packaged CSS and scripts are."""
    return Path(str(resources.files("handlers").joinpath("static")))


def cn_date(value: date | datetime | None) -> str:
    """date(2026, 3, 5) → '2026年3月5日'; a datetime counts as its China date; None → '—'."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = china_time(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None, seconds: bool = False) -> str:
    """A stored time on China's clock: '2026-11-26 14:03' (with ':07' when seconds)."""
    if value is None:
        return "—"
    return china_time(value).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def short_key(value: str) -> str:
    """A resident key as staff may see it: the first four characters and an ellipsis."""
    return value[:_KEY_SHOWN_CHARS] + "…" if value else "—"


def page_url(base: str, query: Mapping[str, Any], **changes: Any) -> str:
    """base with query, some values changed; empty values are left out (for filter links)."""
    merged = {**query, **changes}
    kept = {k: v for k, v in merged.items() if v not in ("", None, False, 0)}
    if not kept:
        return base
    return f"{base}?{urlencode(kept)}"


SHARED_FILTERS: dict[str, Callable[..., Any]] = {
    "cn_date": cn_date,
    "cn_datetime": cn_datetime,
    "short_key": short_key,
}


def make_environment(
    settings: Settings, extra_filters: Mapping[str, Callable[..., Any]] | None = None
) -> jinja2.Environment:
    """A Jinja2 environment over handlers/templates with autoescape on for every template."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("handlers", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(SHARED_FILTERS)
    environment.filters.update(extra_filters or {})
    environment.globals["bureau_name"] = settings.bureau_name
    environment.globals["static"] = lambda name: STATIC_PREFIX + name
    environment.globals["page_url"] = page_url
    return environment


def setup_pages(app: web.Application, settings: Settings) -> None:
    """Give app its templates, the /static/ files and the page security headers."""
    app[aiohttp_jinja2.APP_KEY] = make_environment(settings)
    app.router.add_static(STATIC_PREFIX, static_folder(), name="static")
    app.middlewares.append(page_headers)


@web.middleware
async def page_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """No sniffing, no framing, no referrer to other sites; HTML pages get the CSP."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        _add_headers(error)
        raise
    _add_headers(response)
    return response


def _add_headers(response: web.StreamResponse) -> None:
    if response.prepared:
        return
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if response.content_type == "text/html":
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
