"""create_app(settings): keys, cleanup contexts, routes and middlewares; nothing else."""

from __future__ import annotations

from aiohttp import web

from handlers import (
    feedback,
    keys,
    public_answers,
    public_api,
    resources,
    retention_schedule,
    topic_setup,
    worker_state_setup,
)
from handlers.metrics import add_metrics
from handlers.public_site import add_public_site
from handlers.settings import Settings
from handlers.staff import delivery as staff_delivery
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
    # Before the answerer and the webhooks, which take the conversation store and limiter.
    app.cleanup_ctx.append(worker_state_setup.worker_state)
    app.cleanup_ctx.append(resources.records)
    app.cleanup_ctx.append(resources.knowledge)
    app.cleanup_ctx.append(topic_setup.topics)
    app.cleanup_ctx.append(wechat_setup.webhooks)
    app.cleanup_ctx.append(staff_delivery.customer_service)
    app.cleanup_ctx.append(retention_schedule.retention)
    add_metrics(app)
    app.add_routes(public_api.routes)
    app.add_routes(feedback.routes)
    app.add_routes(wechat_views.routes)
    setup_pages(app, settings)
    app.add_routes(public_answers.routes)
    add_public_site(app)
    add_staff_workspace(app, settings)
    return app
