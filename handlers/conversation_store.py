"""DatabaseConversations: the bot's ConversationStore in the database, shared by every worker.

A follow-up ("后四位2657" after "我叫韩志勇，审核过了没") may reach another worker than the
question before it; the context it resolves against is then read from the conversation_context
table (knowledge/worker_state.py), one row per "channel:resident". Only the fields of
bot.conversation.Context are stored, as JSON: what the bot derived from the last turns, never
the message. A context older than the TTL reads as empty, as in the in-process store, and the
purge (handlers/worker_state_setup.py) deletes it.

Cost: the bot calls get() and put() once each per answer, from its threads and, for answers it
remembers, on the event loop. Each is one short statement on the primary key (bench/load.py
measures it: see bench/README.md).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from bot.conversation import CONTEXT_TTL_SECONDS, Context
from knowledge.database import is_sqlite
from knowledge.worker_state import CONVERSATION_TABLE

log = logging.getLogger(__name__)

#: Context's fields as stored (its updated_at is the row's own column).
_STORED_FIELDS = tuple(f.name for f in dataclasses.fields(Context) if f.name != "updated_at")


def context_to_json(context: Context) -> str:
    """The stored form of a context (its fields without updated_at)."""
    values = {name: getattr(context, name) for name in _STORED_FIELDS}
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def context_from_json(stored: str, updated_at: float) -> Context:
    """The context a row holds; fields this release does not know (a newer worker's) are left
    out, and a value of the wrong type makes the whole context empty (a fresh start)."""
    try:
        values: Any = json.loads(stored)
    except ValueError:
        return Context()
    if not isinstance(values, dict):
        return Context()
    known = {name: value for name, value in values.items() if name in _STORED_FIELDS}
    defaults = Context()
    for name, value in known.items():
        expected = type(getattr(defaults, name))
        if type(value) is not expected:
            log.warning("a stored conversation context has a bad %s; starting afresh", name)
            return Context()
    return Context(**known, updated_at=updated_at)


class DatabaseConversations:
    """ConversationStore over the conversation_context table (thread-safe: one statement each)."""

    def __init__(
        self,
        engine: Engine,
        ttl_seconds: float = CONTEXT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._ttl = ttl_seconds
        # Wall-clock time: every worker compares it with its own.
        self._clock = clock
        dialect = sqlite if is_sqlite(engine) else postgresql
        self._insert = dialect.insert

    @property
    def ttl_seconds(self) -> float:
        """How long a context lasts after its last change."""
        return self._ttl

    def get(self, user: str) -> Context:
        """The resident's context, or an empty one when none or expired."""
        table = CONVERSATION_TABLE
        try:
            with self._engine.connect() as connection:
                row = connection.execute(
                    select(table.c.context, table.c.updated_at).where(table.c.key == user)
                ).first()
        except SQLAlchemyError:
            # A question is better answered without its context than not at all.
            log.warning("a conversation context could not be read: answering without it")
            return Context()
        if row is None or self._clock() - row.updated_at > self._ttl:
            return Context()
        return context_from_json(row.context, float(row.updated_at))

    def put(self, user: str, context: Context) -> None:
        """Remember context for the resident (the last writer wins, as in process memory)."""
        table = CONVERSATION_TABLE
        stored, now = context_to_json(context), self._clock()
        statement = self._insert(table).values(key=user, context=stored, updated_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=["key"], set_={"context": stored, "updated_at": now}
        )
        try:
            with self._engine.begin() as connection:
                connection.execute(statement)
        except SQLAlchemyError:
            log.warning("a conversation context could not be stored: the next turn starts afresh")
