"""Hot topics in the running service: the assigner, its place in the record writer, catching up.

The record writer stores every question with record_with_topics(), which hands the records a
batch created to the TopicAssigner inside the same transaction. The assigner needs the domain
tokenizer, loaded after the writer starts (resources.knowledge); until it exists (never while
requests are served) questions are stored without a topic, and assign_unassigned() gives them
one. That same catch-up runs once at start, in a thread, for questions recorded before topics
existed or whose assignment failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Sequence

from aiohttp import web
from sqlalchemy import Connection

from handlers import keys
from knowledge.records import NewInteraction, StoredInteraction, record_batch
from knowledge.topic_keywords import KeywordExtractor
from knowledge.topics import TopicAssigner, assign_unassigned

log = logging.getLogger(__name__)


def record_with_topics(
    app: web.Application, connection: Connection, batch: Sequence[NewInteraction]
) -> list[StoredInteraction]:
    """The record writer's batch writer: record_batch with topic assignment as its hook."""
    assigner = app.get(keys.topic_assigner_key)
    hook = assigner.after_insert if assigner is not None else None
    return record_batch(connection, batch, after_insert=hook)


def _catch_up(app: web.Application, assigner: TopicAssigner, stop: threading.Event) -> None:
    try:
        done = assign_unassigned(app[keys.engine_key], assigner, stop=stop)
    except Exception:
        # Topics are insight, not service: a failure here must not stop the service.
        log.exception("assigning topics to earlier questions failed")
        return
    if done:
        log.info("assigned topics to %d earlier questions", done)


@contextlib.asynccontextmanager
async def topics(app: web.Application) -> AsyncIterator[None]:
    """Build the assigner on the application's tokenizer, then catch up in the background."""
    tokenizer = app[keys.knowledge_key].tokenizer
    extractor = await asyncio.to_thread(KeywordExtractor, tokenizer)
    assigner = TopicAssigner(extractor)
    await asyncio.to_thread(assigner.load, app[keys.engine_key])
    app[keys.topic_assigner_key] = assigner
    stop = threading.Event()
    catching_up = asyncio.create_task(asyncio.to_thread(_catch_up, app, assigner, stop))
    yield
    stop.set()
    await catching_up
