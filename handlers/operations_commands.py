"""`anju db upgrade|current`, `anju backup`, `anju export`, `anju retention run`: the database kept.

The database URL comes from the settings the caller builds (the `anju` command owns the
environment); pg_dump is handed the password in its environment, never on its command line.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, make_url

from handlers.retention_schedule import worker_name
from handlers.settings import Settings
from knowledge.backup import BackupError, backup_sqlite, pg_dump_command
from knowledge.data_export import ExportError, export_all
from knowledge.database import create_tables, normalize_database_url, open_engine
from knowledge.record_dates import china_time
from knowledge.retention import run_if_due
from knowledge.schema import (
    BASELINE_REVISION,
    SchemaError,
    SchemaState,
    differences,
    read_status,
)

SettingsFor = Callable[[argparse.Namespace], Settings]
_DB_HELP = "database URL (default: ANJU_DATABASE_URL)"
_STATE_LABELS = {
    SchemaState.EMPTY: "空数据库（尚未建表）",
    SchemaState.UNVERSIONED: f"旧版数据库（无版本记录，按 {BASELINE_REVISION} 升级）",
    SchemaState.BEHIND: "需要升级（anju db upgrade）",
    SchemaState.CURRENT: "最新",
    SchemaState.AHEAD: "比本程序新：请使用新版程序",
}


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


class MissingDatabase(ValueError):
    """The SQLite file named does not exist (and reading it must not create it)."""


def _existing_database(url: str) -> Engine:
    """An engine over url that changes nothing; SQLite must already exist as a file."""
    parsed = make_url(normalize_database_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not Path(path).is_file():
            raise MissingDatabase(f"数据库文件不存在：{path or '（内存数据库）'}")
    return open_engine(url, create=False)


def command_db(args: argparse.Namespace, settings: Settings) -> int:
    """anju db upgrade | current."""
    url = settings.database_url
    try:
        # Upgrading creates a new database; looking at one must not.
        upgrading = args.db_command == "upgrade"
        engine = open_engine(url, create=False) if upgrading else _existing_database(url)
    except MissingDatabase as error:
        return _fail(str(error))
    try:
        if args.db_command == "upgrade":
            return _upgrade(engine)
        return _current(engine)
    finally:
        engine.dispose()


def _upgrade(engine: Engine) -> int:
    try:
        upgrade = create_tables(engine)
    except SchemaError as error:
        return _fail(f"无法升级：{error}")
    before = upgrade.before
    if before.state is SchemaState.EMPTY:
        print(f"已建立数据库表，版本 {upgrade.revision}")
    elif before.state is SchemaState.UNVERSIONED:
        print(f"已识别旧版数据库，从 {BASELINE_REVISION} 升级到 {upgrade.revision}")
    elif before.state is SchemaState.BEHIND:
        print(f"已从 {before.revision} 升级到 {upgrade.revision}")
    else:
        print(f"数据库已是最新版本 {upgrade.revision}")
    return 0


def _current(engine: Engine) -> int:
    status = read_status(engine)
    print(f"数据库版本：{status.revision or '无'}　本程序最新：{status.head}")
    print(f"状态：{_STATE_LABELS[status.state]}")
    if status.state is not SchemaState.CURRENT:
        return 1
    with engine.connect() as connection:
        found = differences(connection)
    for difference in found:
        print(f"与程序的表结构不一致：{difference}")
    return 1 if found else 0


def command_backup(args: argparse.Namespace, settings: Settings) -> int:
    """anju backup OUT: SQLite's online backup, or pg_dump for PostgreSQL."""
    target = Path(args.out)
    url = settings.database_url
    try:
        if make_url(normalize_database_url(url)).get_backend_name() == "postgresql":
            return _pg_dump(url, target)
        engine = _existing_database(url)
        try:
            size = backup_sqlite(engine, target)
        finally:
            engine.dispose()
    except (BackupError, MissingDatabase) as error:
        return _fail(f"备份失败：{error}")
    print(f"已备份到 {target}（{size} 字节）")
    return 0


def _pg_dump(url: str, target: Path) -> int:
    command = pg_dump_command(url, target)
    if shutil.which(command.arguments[0]) is None:
        return _fail("备份失败：找不到 pg_dump（请安装与服务器同一主版本的 PostgreSQL 客户端）")
    environment = dict(os.environ)
    if command.password:
        environment["PGPASSWORD"] = command.password
    finished = subprocess.run(command.arguments, env=environment, check=False)
    if finished.returncode != 0:
        command.partial.unlink(missing_ok=True)
        return _fail(f"备份失败：pg_dump 退出码 {finished.returncode}")
    command.partial.rename(target)
    print(f"已备份到 {target}（pg_dump 自定义格式，用 pg_restore 恢复）")
    return 0


def command_export(args: argparse.Namespace, settings: Settings) -> int:
    """anju export OUT_DIR: records and material as CSV files."""
    try:
        engine = _existing_database(settings.database_url)
    except MissingDatabase as error:
        return _fail(f"导出失败：{error}")
    try:
        if read_status(engine).state in (SchemaState.EMPTY, SchemaState.AHEAD):
            return _fail("导出失败：数据库为空或比本程序新（anju db current）")
        counts = export_all(engine, Path(args.out_dir))
    except ExportError as error:
        return _fail(f"导出失败：{error}")
    finally:
        engine.dispose()
    for name, rows in counts.items():
        print(f"{name}\t{rows} 行")
    print(f"已导出到 {args.out_dir}")
    return 0


def command_retention(args: argparse.Namespace, settings: Settings) -> int:
    """anju retention run [--days N]: remove residents' text older than N days now."""
    days = args.days if args.days is not None else settings.retention_days
    if days <= 0:
        print("未设置保存期限（ANJU_RETENTION_DAYS 为 0，或用 --days N）：未删除任何内容")
        return 2
    engine = open_engine(settings.database_url)
    try:
        result = run_if_due(
            engine, days=days, every=timedelta(0), worker=f"anju retention {worker_name()}"
        )
    finally:
        engine.dispose()
    if result is None:
        return _fail("另一个进程正在运行保存期限清理，请稍后再试")
    cutoff = china_time(result.cutoff).isoformat(sep=" ", timespec="minutes")
    print(f"已删除 {result.records} 条记录中的群众原文和答复（提问早于 {cutoff}）")
    return 0


def add_operations_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], settings_for: SettingsFor
) -> None:
    """Register `anju db`, `anju backup`, `anju export` and `anju retention`."""

    def runs(
        command: Callable[[argparse.Namespace, Settings], int],
    ) -> Callable[[argparse.Namespace], int]:
        return lambda args: command(args, settings_for(args))

    database = commands.add_parser("db", help="the database schema's revision")
    database.add_argument("--db", help=_DB_HELP)
    actions = database.add_subparsers(dest="db_command", required=True)
    actions.add_parser("upgrade", help="create or upgrade the tables to this release")
    actions.add_parser("current", help="show the revision (exit 1 unless current)")
    database.set_defaults(run=runs(command_db))

    backup = commands.add_parser("backup", help="a consistent copy of the database")
    backup.add_argument("out", help="the backup file to write (never overwritten)")
    backup.add_argument("--db", help=_DB_HELP)
    backup.set_defaults(run=runs(command_backup))

    export = commands.add_parser("export", help="records and material as CSV files")
    export.add_argument("out_dir", help="a new or empty folder")
    export.add_argument("--db", help=_DB_HELP)
    export.set_defaults(run=runs(command_export))

    retention = commands.add_parser("retention", help="remove residents' old text")
    retention_actions = retention.add_subparsers(dest="retention_command", required=True)
    running = retention_actions.add_parser("run", help="remove it now (ANJU_RETENTION_DAYS)")
    running.add_argument("--days", type=int, help="keep this many days (default: the setting)")
    running.add_argument("--db", help=_DB_HELP)
    running.set_defaults(run=runs(command_retention))
