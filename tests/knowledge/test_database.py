"""Tests for knowledge/database.py: URLs, SQLite's pragmas, transactions and the revision row."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from knowledge.database import (
    bump_revision,
    create_tables,
    current_revision,
    is_sqlite,
    normalize_database_url,
    open_engine,
    read_revision,
    session_scope,
)
from knowledge.models import ContentRevision, Document, DocumentVersion


@pytest.mark.parametrize(
    ("url", "normalized"),
    [
        ("postgresql://127.0.0.1:5432/test", "postgresql+psycopg://127.0.0.1:5432/test"),
        ("postgres://user@db/anju", "postgresql+psycopg://user@db/anju"),
        ("postgresql+psycopg://db/anju", "postgresql+psycopg://db/anju"),
        ("sqlite:///anju.sqlite3", "sqlite:///anju.sqlite3"),
        ("anju.sqlite3", "sqlite:///anju.sqlite3"),
        ("/srv/anju/anju.sqlite3", "sqlite:////srv/anju/anju.sqlite3"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_normalize_database_url(url: str, normalized: str) -> None:
    assert normalize_database_url(url) == normalized


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert int(connection.execute(text("PRAGMA busy_timeout")).scalar() or 0) > 0
    assert is_sqlite(engine)
    engine.dispose()


def test_a_bare_path_opens_a_sqlite_file(tmp_path: Path) -> None:
    engine = open_engine(str(tmp_path / "bare.sqlite3"))
    assert read_revision(engine) == 0
    engine.dispose()
    assert (tmp_path / "bare.sqlite3").exists()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    now = datetime.now(UTC)
    orphan = DocumentVersion(
        document_id=999, number=1, content_hash="x", file_name="a.md", title="a", imported_at=now
    )
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(orphan)


def test_the_revision_row_exists_from_the_start(engine: Engine) -> None:
    assert read_revision(engine) == 0
    with Session(engine) as session:
        assert current_revision(session) == 0
        assert session.get(ContentRevision, 1) is not None
    # Creating the tables again keeps the row and its number.
    create_tables(engine)
    with Session(engine) as session:
        assert len(session.exec(select(ContentRevision)).all()) == 1


def test_bump_revision_moves_on_inside_the_callers_transaction(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert bump_revision(session) == 1
        assert bump_revision(session) == 2
        # Not committed yet: other readers still see the old number.
        assert read_revision(engine) == 0
    assert read_revision(engine) == 2
    with Session(engine) as session:
        row = session.get(ContentRevision, 1)
        assert row is not None and row.changed_at is not None


def test_a_rolled_back_transaction_leaves_the_revision_and_rows(engine: Engine) -> None:
    now = datetime.now(UTC)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        bump_revision(session)
        session.add(
            Document(source_key="17/a.md", kind="text", title="a", created_at=now, updated_at=now)
        )
        session.flush()
        raise RuntimeError("failed half-way")
    assert read_revision(engine) == 0
    with Session(engine) as session:
        assert session.exec(select(Document)).all() == []


def test_an_in_memory_database_is_shared_between_threads() -> None:
    engine = open_engine("sqlite://")
    with session_scope(engine) as session:
        bump_revision(session)
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(read_revision(engine)))
    thread.start()
    thread.join()
    assert seen == [1]
    engine.dispose()


def test_open_engine_without_create_leaves_the_database_empty(sqlite_url: str) -> None:
    engine = open_engine(sqlite_url, create=False)
    with engine.connect() as connection:
        tables = connection.execute(text("SELECT name FROM sqlite_master")).scalars().all()
    assert tables == []
    engine.dispose()
