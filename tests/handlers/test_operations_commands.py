"""Tests for handlers/operations_commands.py: `anju db`, `backup`, `export`, `retention`."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from handlers.cli import main
from handlers.settings import SETTINGS
from knowledge.database import open_engine
from knowledge.records import NewInteraction, record_batch
from knowledge.retention import REMOVED_TEXT
from knowledge.schema import application_tables, head_revision
from tests.knowledge.test_schema import ADDED_AFTER_BASELINE


@pytest.fixture(autouse=True)
def no_anju_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command reads ANJU_* variables; a developer's own must not steer the tests."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.variable, raising=False)


def ask(url: str, question: str, days_ago: int) -> None:
    engine = open_engine(url)
    asked = datetime.now(UTC) - timedelta(days=days_ago)
    record_batch(engine, [NewInteraction("web", "u1", asked, question, answer_text="答复")])
    engine.dispose()


def test_db_current_creates_no_sqlite_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "--db", str(tmp_path / "新.sqlite3"), "current"]) == 1
    assert "数据库文件不存在" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_db_upgrade_creates_a_new_database_and_current_reports_it(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = open_engine(database_url, create=False)
    with engine.connect():
        pass  # a SQLite file exists, empty
    engine.dispose()
    assert main(["db", "--db", database_url, "current"]) == 1
    assert "空数据库" in capsys.readouterr().out
    assert main(["db", "--db", database_url, "upgrade"]) == 0
    assert f"已建立数据库表，版本 {head_revision()}" in capsys.readouterr().out
    assert main(["db", "--db", database_url, "current"]) == 0
    assert "状态：最新" in capsys.readouterr().out
    assert main(["db", "--db", database_url, "upgrade"]) == 0
    assert "已是最新版本" in capsys.readouterr().out


def test_db_upgrade_upgrades_a_database_of_the_first_release(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = open_engine(database_url, create=False)
    first_release = [
        t for t in SQLModel.metadata.sorted_tables if t.name not in ADDED_AFTER_BASELINE
    ]
    assert len(first_release) == len(application_tables()) - len(ADDED_AFTER_BASELINE)
    SQLModel.metadata.create_all(engine, tables=first_release)
    engine.dispose()
    assert main(["db", "--db", database_url, "current"]) == 1
    assert "旧版数据库" in capsys.readouterr().out
    assert main(["db", "--db", database_url, "upgrade"]) == 0
    assert f"从 0001 升级到 {head_revision()}" in capsys.readouterr().out
    assert main(["db", "--db", database_url, "current"]) == 0


def test_backup_of_sqlite_writes_a_copy_once(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ask(sqlite_url, "公租房怎么申请", 1)
    target = tmp_path / "备份.sqlite3"
    assert main(["backup", str(target), "--db", sqlite_url]) == 0
    assert "已备份到" in capsys.readouterr().out
    copy = open_engine(f"sqlite:///{target}", create=False)
    with copy.connect() as connection:
        question = connection.exec_driver_sql("SELECT question FROM interaction").scalar()
    copy.dispose()
    assert question == "公租房怎么申请"
    assert main(["backup", str(target), "--db", sqlite_url]) == 1
    assert "已存在" in capsys.readouterr().err


def test_backup_of_a_missing_sqlite_file_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "没有.sqlite3"
    assert main(["backup", str(tmp_path / "out.sqlite3"), "--db", str(missing)]) == 1
    assert "数据库文件不存在" in capsys.readouterr().err
    assert sorted(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_backup_of_postgresql_runs_pg_dump(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ask(postgres_url, "公租房怎么申请", 1)
    target = tmp_path / "anju.dump"
    assert main(["backup", str(target), "--db", postgres_url]) == 0
    assert "pg_restore" in capsys.readouterr().out
    listing = subprocess.run(
        ["pg_restore", "--list", str(target)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE DATA" in listing and " interaction " in listing
    assert main(["backup", str(target), "--db", postgres_url]) == 1


def test_export_writes_the_files(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ask(database_url, "我的电话13812345678，公租房怎么申请", 1)
    assert main(["export", str(tmp_path / "导出"), "--db", database_url]) == 0
    assert "records.csv\t1 行" in capsys.readouterr().out
    records = (tmp_path / "导出" / "records.csv").read_text("utf-8-sig")
    assert "138****5678" in records and "13812345678" not in records
    assert main(["export", str(tmp_path / "导出"), "--db", database_url]) == 1
    assert "不是空文件夹" in capsys.readouterr().err


def test_retention_run_removes_old_text(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ask(database_url, "租金怎么交", 40)
    ask(database_url, "公租房怎么申请", 2)
    assert main(["retention", "run", "--days", "30", "--db", database_url]) == 0
    assert "已删除 1 条记录中的群众原文和答复" in capsys.readouterr().out
    engine = open_engine(database_url)
    with engine.connect() as connection:
        questions = connection.exec_driver_sql(
            "SELECT question FROM interaction ORDER BY id"
        ).scalars()
        assert list(questions) == [REMOVED_TEXT, "公租房怎么申请"]
    engine.dispose()


def test_retention_run_takes_the_setting(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ask(sqlite_url, "租金怎么交", 40)
    assert main(["retention", "run", "--db", sqlite_url]) == 2
    assert "未删除任何内容" in capsys.readouterr().out
    monkeypatch.setenv("ANJU_RETENTION_DAYS", "30")
    assert main(["retention", "run", "--db", sqlite_url]) == 0
    assert "已删除 1 条" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("variable", "value"), [("ANJU_RETENTION_DAYS", "-1"), ("ANJU_LOG_FORMAT", "xml")]
)
def test_a_bad_setting_is_reported(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["retention", "run", "--db", sqlite_url]) == 2
    assert variable in capsys.readouterr().err
