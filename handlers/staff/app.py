"""create_staff_app(settings): the /staff/ sub-application, its templates and middlewares.

It reads the parent's resources (engine, calendar, index, answerer, customer-service client)
through request.config_dict; it owns only its signing secret and its template environment
(the shared one plus the staff labels).
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from handlers.settings import Settings
from handlers.staff import (
    audit,
    inbox_views,
    login_views,
    material_views,
    qa_views,
    record_views,
    stats_views,
    topic_views,
    user_views,
)
from handlers.staff.auth import session_middleware
from handlers.staff.rendering import STAFF_FILTERS
from handlers.staff.sessions import secret_key, session_secret
from handlers.templating import make_environment

ROUTE_TABLES = (
    login_views.routes,
    inbox_views.routes,
    record_views.routes,
    qa_views.routes,
    material_views.routes,
    topic_views.routes,
    stats_views.routes,
    user_views.routes,
    audit.routes,
)


def create_staff_app(settings: Settings) -> web.Application:
    """The staff workspace, to be mounted with app.add_subapp("/staff/", ...)."""
    staff = web.Application(middlewares=[session_middleware])
    staff[secret_key] = session_secret(settings)
    staff[aiohttp_jinja2.APP_KEY] = make_environment(settings, STAFF_FILTERS)
    for table in ROUTE_TABLES:
        staff.add_routes(table)
    return staff


def add_staff_workspace(app: web.Application, settings: Settings) -> None:
    """Mount the workspace at /staff/, and send /staff to it."""
    app.add_subapp("/staff/", create_staff_app(settings))
    app.router.add_get("/staff", _to_workspace)


async def _to_workspace(request: web.Request) -> web.StreamResponse:
    raise web.HTTPMovedPermanently("/staff/")
