"""Cleanup contexts: the database engine, then the knowledge base, index and answerer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

from aiohttp import web

from bot.answerer import Answerer
from bot.conversation import Conversations
from handlers import keys
from handlers.knowledge_base import KnowledgeBase
from handlers.live_index import LiveIndex
from handlers.record_writer import RecordWriter, writer_engine
from handlers.topic_setup import TopicWork
from knowledge.catalog import load_catalog
from knowledge.database import open_engine
from knowledge.element_synonyms import load_synonyms
from knowledge.tokenizer import DomainTokenizer
from knowledge.workdays import WorkingCalendar


@contextlib.asynccontextmanager
async def database(app: web.Application) -> AsyncIterator[None]:
    """Open the database before the first request; dispose of it at shutdown."""
    settings = app[keys.settings_key]
    engine = await asyncio.to_thread(open_engine, settings.database_url)
    app[keys.engine_key] = engine
    holidays = Path(settings.holidays_file) if settings.holidays_file else None
    app[keys.calendar_key] = WorkingCalendar(holidays)
    yield
    engine.dispose()


@contextlib.asynccontextmanager
async def records(app: web.Application) -> AsyncIterator[None]:
    """Run the thread that stores interaction records in batches (group commit)."""
    settings = app[keys.settings_key]
    engine = app[keys.engine_key]
    own = await asyncio.to_thread(
        writer_engine, settings.database_url, engine, settings.records_synchronous
    )
    topic_work = TopicWork(lambda: app.get(keys.topic_assigner_key))
    writer = RecordWriter(own, write=topic_work.write, idle=topic_work)
    writer.start(asyncio.get_running_loop())
    app[keys.record_writer_key] = writer
    yield
    # Everything queued is written before the engine goes away.
    await writer.stop()
    if own is not engine:
        own.dispose()


@contextlib.asynccontextmanager
async def knowledge(app: web.Application) -> AsyncIterator[None]:
    """Load the catalog and tokenizer, build the first index (before any request), then poll.

    jieba's dictionary is loaded here, in a thread, before the server accepts requests:
    loading it lazily stalled the event loop for a quarter of a second.
    """
    settings = app[keys.settings_key]
    catalog, synonyms, tokenizer = await asyncio.gather(
        asyncio.to_thread(load_catalog),
        asyncio.to_thread(load_synonyms),
        asyncio.to_thread(DomainTokenizer),
    )
    base = KnowledgeBase(app[keys.engine_key], catalog, synonyms, tokenizer, settings.load_demo)
    live = LiveIndex(base)
    await live.refresh_if_stale()
    app[keys.catalog_key] = catalog
    app[keys.knowledge_key] = base
    app[keys.live_index_key] = live
    # Memory for one worker; the database's when several share residents (worker_state_setup).
    conversations = app.get(keys.conversation_store_key)
    app[keys.answerer_key] = Answerer(
        live.current,
        catalog,
        Conversations() if conversations is None else conversations,
        min_score=settings.min_score,
        today=date.today,
        enquiry_days=settings.enquiry_reply_days,
        complaint_days=settings.complaint_reply_days,
    )
    poller = asyncio.create_task(live.poll(settings.index_poll_seconds))
    yield
    poller.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await poller
