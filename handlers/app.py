"""create_app(settings): keys, cleanup contexts, routes and middlewares; nothing else."""

from __future__ import annotations

from aiohttp import web

from handlers import keys, public_api, resources
from handlers.settings import Settings

MAX_REQUEST_BYTES = 1024 * 1024


def create_app(settings: Settings) -> web.Application:
    """The whole service as one aiohttp application."""
    app = web.Application(client_max_size=MAX_REQUEST_BYTES)
    app[keys.settings_key] = settings
    # Cleanup runs in reverse order: the index stops polling before the engine is disposed.
    app.cleanup_ctx.append(resources.database)
    app.cleanup_ctx.append(resources.knowledge)
    app.add_routes(public_api.routes)
    return app
