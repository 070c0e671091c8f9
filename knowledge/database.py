"""Opening the database (SQLite by default, PostgreSQL for several workers) and its revision.

Opening with create=True brings the schema to this release's head (knowledge/schema.py): a new
database is created, one of an older release upgraded in place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.pool import QueuePool, StaticPool
from sqlmodel import Session, create_engine, select

from knowledge import models
from knowledge.schema import Upgrade, bring_to_head

DEFAULT_DATABASE_URL = "sqlite:///anju.sqlite3"
# SQLite waits this long for another writer (an import in another process) before failing.
_SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalize_database_url(url: str) -> str:
    """Accept the URLs operators write: a bare path is SQLite, postgresql:// uses psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(engine: Engine) -> bool:
    """True for a SQLite engine."""
    return engine.dialect.name == "sqlite"


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the server read while an import writes; NORMAL is durable against a crashed
    # process (the records writer asks for FULL itself where power loss matters).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def open_engine(url: str = DEFAULT_DATABASE_URL, *, create: bool = True) -> Engine:
    """An engine for url, with SQLite's pragmas set on every connection.

    create: bring the schema to the head first (create, stamp or upgrade; see knowledge.schema).
    """
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            # Memory needs one shared connection (SQLAlchemy's default for memory gives each
            # thread its own, empty, database); a file keeps a small pool of connections.
            poolclass=StaticPool if in_memory else QueuePool,
        )
        event.listen(engine, "connect", _configure_sqlite)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    if create:
        try:
            create_tables(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine


def create_tables(engine: Engine) -> Upgrade:
    """Bring the schema to this release's head (creating a new database's tables)."""
    upgrade = bring_to_head(engine)
    # The revision row exists from the start, so bump_revision() only ever locks and updates
    # (two workers inserting it at once would collide).
    with Session(engine) as session:
        if session.get(models.ContentRevision, 1) is None:
            session.add(models.ContentRevision(id=1, number=0))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
    return upgrade


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def current_revision(session: Session) -> int:
    """The material's revision number (0 before anything was published)."""
    row = session.get(models.ContentRevision, 1)
    return row.number if row is not None else 0


def read_revision(engine: Engine) -> int:
    """current_revision() in a short read of its own (the index poller calls this)."""
    with engine.connect() as connection:
        value = connection.execute(
            text("SELECT number FROM content_revision WHERE id = 1")
        ).scalar()
    return int(value) if value is not None else 0


def bump_revision(session: Session) -> int:
    """Move the revision on, inside the caller's transaction; returns the new number."""
    row = session.exec(
        select(models.ContentRevision).where(models.ContentRevision.id == 1).with_for_update()
    ).one()
    row.number += 1
    row.changed_at = datetime.now(UTC)
    session.add(row)
    session.flush()
    return row.number
