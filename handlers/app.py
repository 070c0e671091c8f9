"""create_app(settings): keys, cleanup contexts, routes and middlewares; nothing else."""

from __future__ import annotations

from aiohttp import web

from handlers import keys, outbound, public_api, public_qa, resources, web_replies
from handlers.settings import Settings
from handlers.staff.app import add_staff_workspace
from handlers.templating import setup_pages
from handlers.wechat import setup as wechat_setup
from handlers.wechat import views as wechat_views

MAX_REQUEST_BYTES = 1024 * 1024


def create_app(settings: Settings) -> web.Application:
    """The whole service as one aiohttp application."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[keys.settings_key] = settings
    # Cleanup runs in reverse order: the index stops polling before the engine is disposed.
    app.cleanup_ctx.append(resources.database)
    app.cleanup_ctx.append(resources.records)
    app.cleanup_ctx.append(resources.knowledge)
    app.cleanup_ctx.append(wechat_setup.webhooks)
    app.cleanup_ctx.append(outbound.customer_service)
    app.add_routes(public_api.routes)
    app.add_routes(wechat_views.routes)
    setup_pages(app, settings)
    app.add_routes(public_qa.routes)
    app.add_routes(web_replies.routes)
    add_staff_workspace(app, settings)
    return app
