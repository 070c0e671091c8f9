"""Tests for knowledge/backup.py: SQLite's online copy, and pg_dump's arguments."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from knowledge.backup import (
    PARTIAL_SUFFIX,
    BackupError,
    backup_sqlite,
    pg_dump_command,
    search_path_schema,
)
from knowledge.database import open_engine
from knowledge.records import NewInteraction, record_batch

ASKED = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def ask(engine: Engine, n: int) -> None:
    question = f"第{n}个问题：公租房怎么申请"
    record_batch(engine, [NewInteraction("web", f"u{n}", ASKED, question, dedup_key=f"k{n}")])


def test_the_copy_is_one_file_with_every_record(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_engine(sqlite_url)
    for n in range(3):
        ask(engine, n)
    target = tmp_path / "备份" / "anju-2026-11-26.sqlite3"
    target.parent.mkdir()
    size = backup_sqlite(engine, target)
    engine.dispose()
    assert size == target.stat().st_size > 0
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    questions = [r[0] for r in copy.execute("SELECT question FROM interaction ORDER BY id")]
    assert questions == [f"第{n}个问题：公租房怎么申请" for n in range(3)]
    copy.close()


def test_a_copy_taken_while_records_arrive_is_consistent(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_engine(sqlite_url)
    stop = threading.Event()

    def keep_asking() -> None:
        n = 0
        while not stop.is_set():
            ask(engine, n)
            n += 1

    writer = threading.Thread(target=keep_asking)
    writer.start()
    try:
        backup_sqlite(engine, tmp_path / "during.sqlite3")
    finally:
        stop.set()
        writer.join()
    engine.dispose()
    copy = sqlite3.connect(tmp_path / "during.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


@pytest.mark.parametrize("existing", ["备份.sqlite3", "anju-2026-11-26.sqlite3"])
def test_an_existing_file_is_never_overwritten(
    sqlite_url: str, tmp_path: Path, existing: str
) -> None:
    engine = open_engine(sqlite_url)
    target = tmp_path / existing
    target.write_bytes(b"an earlier backup")
    with pytest.raises(BackupError, match="已存在"):
        backup_sqlite(engine, target)
    engine.dispose()
    assert target.read_bytes() == b"an earlier backup"
    assert not target.with_name(target.name + PARTIAL_SUFFIX).exists()


def test_the_database_cannot_be_backed_up_onto_itself(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_engine(sqlite_url)
    ask(engine, 1)
    with pytest.raises(BackupError, match="已存在"):
        backup_sqlite(engine, tmp_path / "anju.sqlite3")
    engine.dispose()
    copy = sqlite3.connect(tmp_path / "anju.sqlite3")
    assert copy.execute("SELECT count(*) FROM interaction").fetchone() == (1,)
    copy.close()


def test_a_missing_folder_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    engine = open_engine(sqlite_url)
    with pytest.raises(BackupError, match="不是文件夹"):
        backup_sqlite(engine, tmp_path / "没有这个文件夹" / "anju.sqlite3")
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "dbname", "schema", "password"),
    [
        ("postgresql://db.example/anju", "postgresql://db.example/anju", "", None),
        (
            "postgresql://anju:秘密pw@10.0.0.5:5433/anju",
            "postgresql://anju@10.0.0.5:5433/anju",
            "",
            "秘密pw",
        ),
        (
            "postgresql+psycopg://127.0.0.1/test?options=-csearch_path%3Dt_1",
            "postgresql://127.0.0.1/test?options=-csearch_path%3Dt_1",
            "t_1",
            None,
        ),
    ],
)
def test_pg_dump_gets_the_database_without_its_password(
    tmp_path: Path, url: str, dbname: str, schema: str, password: str | None
) -> None:
    target = tmp_path / "anju.dump"
    command = pg_dump_command(url, target)
    assert command.arguments[:4] == (
        "pg_dump",
        "--format=custom",
        "--no-owner",
        f"--file={target}{PARTIAL_SUFFIX}",
    )
    assert command.arguments[4] == f"--dbname={dbname}"
    assert command.arguments[5:] == ((f"--schema={schema}",) if schema else ())
    assert command.password == password
    assert all("pw@" not in argument for argument in command.arguments)


def test_pg_dump_refuses_sqlite(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="PostgreSQL"):
        pg_dump_command("anju.sqlite3", tmp_path / "anju.dump")


@pytest.mark.parametrize(
    ("options", "schema"),
    [
        ("-csearch_path=t_1", "t_1"),
        ("-c search_path=anju,public", "anju"),
        ('-csearch_path="安居"', "安居"),
        ("-cstatement_timeout=5000", ""),
        ("", ""),
    ],
)
def test_search_path_schema(options: str, schema: str) -> None:
    assert search_path_schema(options) == schema
