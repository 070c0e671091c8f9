"""The tables of per-resident state every worker shares: conversation contexts and rate buckets.

With several worker processes a resident's next message may reach any of them, so what one
worker remembers about a resident must be in the database: the context a follow-up resolves
against (handlers/conversation_store.py) and the token bucket that limits how fast a resident
may send (handlers/wechat/shared_rate_limit.py). Both are small rows keyed by "channel:resident"
and stamped with the wall-clock time (seconds since the epoch) of their last change; rows that
no longer matter are purged here. Times are epoch seconds because every worker, on any machine,
must compare them with its own clock.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.sql import Delete
from sqlmodel import Field, SQLModel

#: How many rows each table may hold at most; beyond it the least recently changed go first.
MAX_ROWS = 200_000


class ConversationContext(SQLModel, table=True):
    """The context of one resident's conversation (bot.conversation.Context) as JSON.

    Only what the bot derived from the last turns is kept (topic, project, type, a name
    waiting for its ID digits), never the message itself; rows expire with the context.
    """

    __tablename__ = "conversation_context"

    key: str = Field(primary_key=True)
    context: str
    updated_at: float = Field(index=True)


class RateBucket(SQLModel, table=True):
    """One resident's token bucket: tokens left at updated_at (refilled with time)."""

    __tablename__ = "rate_bucket"

    key: str = Field(primary_key=True)
    tokens: float
    updated_at: float = Field(index=True)


CONVERSATION_TABLE = ConversationContext.__table__  # type: ignore[attr-defined]
BUCKET_TABLE = RateBucket.__table__  # type: ignore[attr-defined]


def _older_than(table: object, cutoff: float) -> Delete:
    column = table.c.updated_at  # type: ignore[attr-defined]
    return delete(table).where(column < cutoff)  # type: ignore[arg-type]


def _beyond_newest(table: object, keep: int) -> Delete:
    """Delete every row older than the keep-th most recently changed one."""
    column = table.c.updated_at  # type: ignore[attr-defined]
    threshold = select(column).order_by(column.desc()).offset(keep).limit(1).scalar_subquery()
    return delete(table).where(column <= threshold)  # type: ignore[arg-type]


def purge_conversations(
    engine: Engine, *, now: float, ttl_seconds: float, max_rows: int = MAX_ROWS
) -> int:
    """Delete contexts older than the TTL (and the oldest beyond max_rows); returns how many."""
    return _purge(engine, CONVERSATION_TABLE, now - ttl_seconds, max_rows)


def purge_buckets(
    engine: Engine, *, now: float, full_after_seconds: float, max_rows: int = MAX_ROWS
) -> int:
    """Delete buckets that have refilled completely (a missing bucket is a full one)."""
    return _purge(engine, BUCKET_TABLE, now - full_after_seconds, max_rows)


def _purge(engine: Engine, table: object, cutoff: float, max_rows: int) -> int:
    if max_rows < 1:
        raise ValueError("max_rows must be positive")
    with engine.begin() as connection:
        removed = connection.execute(_older_than(table, cutoff)).rowcount
        removed += connection.execute(_beyond_newest(table, max_rows)).rowcount
    return int(removed)


def count_rows(engine: Engine, table: object) -> int:
    """How many rows a table of this module holds (for tests and operators)."""
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]
