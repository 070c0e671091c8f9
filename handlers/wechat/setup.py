"""Cleanup context of the webhooks: endpoints, bot threads, limiter, late delivery, kf senders."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from sqlalchemy import Engine

from bot.conversation import Conversations
from handlers import keys
from handlers.answer_records import ReplyDeadlines
from handlers.settings import Settings
from handlers.wechat.access_token import AccessTokens, OfficialAccountTarget, WeComTarget
from handlers.wechat.answering import Answering, BudgetedAnswers
from handlers.wechat.customer_service import CustomerServiceClient
from handlers.wechat.endpoints import Webhook, wechat_endpoint, wecom_endpoint
from handlers.wechat.exchange import Exchange, ExchangeSettings
from handlers.wechat.late_delivery import LateDelivery
from handlers.wechat.menu import load_menu, menu_path
from handlers.wechat.rate_limit import TokenBucketLimiter
from handlers.wechat.token_store import DatabaseTokenStore
from knowledge.record_models import Channel

log = logging.getLogger(__name__)


def _default_answering(app: web.Application) -> Answering:
    return app[keys.answerer_key]


def late_senders(
    settings: Settings, engine: Engine, session: aiohttp.ClientSession
) -> dict[str, CustomerServiceClient]:
    """Customer-service clients for the channels whose API credentials are configured.

    Their access_tokens live in the database, so every worker uses the same one.
    """
    store = DatabaseTokenStore(engine)
    senders: dict[str, CustomerServiceClient] = {}
    if settings.wechat_token and settings.wechat_appid and settings.wechat_secret:
        target = OfficialAccountTarget(
            settings.wechat_appid, str(settings.wechat_secret), settings.wechat_api_base.rstrip("/")
        )
        senders[Channel.WECHAT.value] = CustomerServiceClient(
            session, AccessTokens(session, target, store)
        )
    if settings.wecom_token and settings.wecom_secret and settings.wecom_agentid:
        wecom = WeComTarget(
            settings.wecom_corpid,
            str(settings.wecom_secret),
            settings.wecom_agentid,
            settings.wecom_api_base.rstrip("/"),
        )
        senders[Channel.WECOM.value] = CustomerServiceClient(
            session, AccessTokens(session, wecom, store)
        )
    return senders


@contextlib.asynccontextmanager
async def webhooks(app: web.Application) -> AsyncIterator[None]:
    """Set up /wechat and /wecom (unconfigured ones answer 404) and tear them down at shutdown."""
    settings = app[keys.settings_key]
    engine = app[keys.engine_key]
    menu = await asyncio.to_thread(load_menu, menu_path(settings))
    factory = app.get(keys.answering_factory_key, _default_answering)
    # Remembered answers on the loop only while contexts are in this process (no round trip).
    # (app.get() does not type-check with a Protocol-typed key.)
    store = app[keys.conversation_store_key] if keys.conversation_store_key in app else None  # noqa: SIM401
    local = store is None or isinstance(store, Conversations)
    answers = BudgetedAnswers(factory(app), settings.answer_threads, memory_on_loop=local)
    limiter = app.get(keys.rate_limiter_key)
    if limiter is None:
        limiter = TokenBucketLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
    deadlines = ReplyDeadlines(
        app[keys.calendar_key], settings.enquiry_reply_days, settings.complaint_reply_days
    )
    async with aiohttp.ClientSession() as session:
        senders = late_senders(settings, engine, session)
        late = LateDelivery(engine, senders, deadlines)
        exchange = Exchange(
            writer=app[keys.record_writer_key],
            answers=answers,
            limiter=limiter,
            late=late,
            menu=menu,
            settings=ExchangeSettings(settings.answer_budget_seconds, settings.base_url, deadlines),
        )
        wechat, wecom = wechat_endpoint(settings), wecom_endpoint(settings)
        for name, endpoint in (("/wechat", wechat), ("/wecom", wecom)):
            if endpoint is None:
                log.info("%s is not configured and answers 404", name)
        app[keys.webhook_key] = Webhook(
            wechat=wechat,
            wecom=wecom,
            exchange=exchange,
            clock=app.get(keys.wall_clock_key, time.time),
            window_seconds=settings.timestamp_window_seconds,
            max_body_bytes=settings.max_body_bytes,
        )
        # Everything loaded so far (jieba's dictionary, the index) lives as long as the process:
        # moved out of the collector's sight, a full collection no longer walks millions of
        # objects, which stalled requests for 20-150 ms (p99 25 ms -> 5 ms at 4 connections).
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await late.close()
            await asyncio.to_thread(answers.close)
