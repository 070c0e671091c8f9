"""Consistent copies of the database: SQLite's online backup, pg_dump's arguments for PostgreSQL.

A backup never overwrites a file: it is written beside its name first and renamed when
complete, so an interrupted backup leaves no file that looks whole.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL, Engine, make_url

from knowledge.database import normalize_database_url

PARTIAL_SUFFIX = ".partial"


class BackupError(ValueError):
    """The backup cannot be written where asked; the message says why."""


def check_target(target: Path) -> Path:
    """The partial file to write first; BackupError when target exists or has no folder."""
    if target.exists():
        raise BackupError(f"{target} 已存在：请换一个文件名（备份不会覆盖已有文件）")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} 不是文件夹")
    return target.with_name(target.name + PARTIAL_SUFFIX)


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy a SQLite database to target while it is in use; returns the copy's size in bytes.

    SQLite's backup API copies one consistent snapshot, whatever writers do meanwhile. The
    copy is a single file (no -wal beside it).
    """
    if engine.dialect.name != "sqlite":
        raise BackupError("backup_sqlite needs a SQLite database")
    partial = check_target(target)
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(partial)
        try:
            source.driver_connection.backup(copy)  # type: ignore[union-attr]
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    partial.rename(target)
    return target.stat().st_size


@dataclass(frozen=True)
class PgDumpCommand:
    """pg_dump's arguments for a database, and the password to hand it (never an argument)."""

    arguments: tuple[str, ...]
    password: str | None
    partial: Path


def pg_dump_command(database_url: str, target: Path) -> PgDumpCommand:
    """The pg_dump call that writes a custom-format dump of database_url to target's partial.

    A search_path given in the URL's options (`?options=-csearch_path%3Danju`) limits the dump
    to that schema. Restore with `pg_restore --dbname=URL target`.
    """
    url = make_url(normalize_database_url(database_url))
    if url.get_backend_name() != "postgresql":
        raise BackupError("pg_dump needs a PostgreSQL database")
    partial = check_target(target)
    libpq = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    arguments = [
        "pg_dump",
        "--format=custom",
        "--no-owner",
        f"--file={partial}",
        f"--dbname={libpq.render_as_string(hide_password=False)}",
    ]
    schema = search_path_schema(str(url.query.get("options", "")))
    if schema:
        arguments.append(f"--schema={schema}")
    return PgDumpCommand(tuple(arguments), url.password, partial)


def search_path_schema(options: str) -> str:
    """The first schema of a `-csearch_path=…` libpq option ("" when there is none)."""
    for option in options.split():
        name, _, value = option.removeprefix("-c").partition("=")
        if name.strip() == "search_path":
            return value.split(",")[0].strip().strip('"')
    return ""
