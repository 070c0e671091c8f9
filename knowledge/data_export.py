"""`anju export`: records and published material as CSV files a person can open, and a manifest.

Everything is written as stored: residents' words are already masked (identity and phone
numbers), and text retention removed stays removed. Left out on purpose: residents' keys (the
channel's id, which can message them), staff passwords, sign-in attempts and API tokens.
CSV files are UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese right;
a text cell that a spreadsheet would run as a formula starts with an apostrophe.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Select, select

from knowledge.models import Document, DocumentVersion, ImportRun, Passage, TableRow
from knowledge.record_dates import china_time
from knowledge.record_models import (
    AuditEntry,
    Delivery,
    Interaction,
    PublishedQA,
    QAVersion,
    Topic,
)
from knowledge.record_stats import label_of
from knowledge.schema import read_status

MANIFEST = "manifest.json"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_STREAM = {"stream_results": True, "yield_per": 1000}


class ExportError(ValueError):
    """The export cannot be written where asked."""


def _t(model: Any) -> Any:
    return model.__table__


def cell(value: object) -> str:
    """A value as a CSV cell: times on China's clock, JSON for structures, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return china_time(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


@dataclass(frozen=True)
class Sheet:
    """One CSV file: its name, column headers, and the query whose rows fill it."""

    file_name: str
    headers: tuple[str, ...]
    query: Callable[[], Select[Any]]
    row: Callable[[Any], Sequence[object]] = tuple


def _record_number(asked_at: datetime, record_id: int) -> str:
    # The number residents were told (Interaction.number): the stored (UTC) date.
    return f"HD{asked_at:%Y%m%d}{record_id:06d}"


def _records() -> Select[Any]:
    record, topic = _t(Interaction), _t(Topic)
    return (
        select(
            record.c.id,
            record.c.asked_at,
            record.c.channel,
            record.c.message_type,
            record.c.question,
            record.c.answer_kind,
            record.c.answer_text,
            record.c.status,
            record.c.category,
            record.c.deadline,
            record.c.staff_reply,
            record.c.replied_at,
            record.c.replied_by,
            record.c.closed_at,
            record.c.satisfaction,
            topic.c.keywords,
        )
        .outerjoin(topic, topic.c.id == record.c.topic_id)
        .order_by(record.c.id)
    )


def _record_row(row: Any) -> Sequence[object]:
    number = _record_number(row.asked_at, int(row.id))
    keywords = label_of(str(row.keywords)) if row.keywords else ""
    return (number, *tuple(row)[1:-1], keywords)


def _deliveries() -> Select[Any]:
    delivery, record = _t(Delivery), _t(Interaction)
    return (
        select(
            record.c.asked_at,
            record.c.id,
            delivery.c.purpose,
            delivery.c.created_at,
            delivery.c.finished_at,
            delivery.c.delivered,
            delivery.c.attempts,
            delivery.c.errcode,
            delivery.c.reason,
        )
        .join(record, record.c.id == delivery.c.interaction_id)
        .order_by(delivery.c.id)
    )


def _versions() -> Select[Any]:
    document, version = _t(Document), _t(DocumentVersion)
    return (
        select(
            document.c.id,
            document.c.item_number,
            document.c.source_key,
            version.c.number,
            version.c.title,
            version.c.file_name,
            version.c.published_on,
            version.c.imported_at,
            version.c.id == document.c.current_version_id,
            document.c.withdrawn,
            version.c.id,
        )
        .join(version, version.c.document_id == document.c.id)
        .order_by(document.c.id, version.c.number)
    )


def _columns(model: Any, names: str) -> Callable[[], Select[Any]]:
    """A query of the model's columns named in names (space-separated), in insertion order."""
    table = _t(model)
    columns = [table.c[name] for name in names.split()]
    return lambda: select(*columns).order_by(*table.primary_key.columns)


def _headers(names: str) -> tuple[str, ...]:
    return tuple(names.split())


SHEETS = (
    Sheet(
        "records.csv",
        _headers(
            "编号 提问时间 渠道 消息类型 问题 答复类型 机器人答复 状态 分类 答复期限 "
            "工作人员答复 答复时间 答复人 关闭时间 评价 主题"
        ),
        _records,
        _record_row,
    ),
    Sheet(
        "deliveries.csv",
        _headers("记录编号 用途 开始时间 结束时间 已送达 尝试次数 错误码 原因"),
        _deliveries,
        lambda row: (_record_number(row.asked_at, int(row.id)), *tuple(row)[2:]),
    ),
    Sheet(
        "topics.csv",
        _headers("主题编号 关键词 创建时间"),
        _columns(Topic, "id keywords created_at"),
    ),
    Sheet(
        "published_qa.csv",
        _headers("问答编号 问题 答复 已撤回 版本 来源记录 发布时间 更新时间 发布人"),
        _columns(
            PublishedQA,
            "id question answer withdrawn version interaction_id created_at updated_at "
            "published_by",
        ),
    ),
    Sheet(
        "qa_versions.csv",
        _headers("问答编号 版本 问题 答复 变更 变更时间 变更人"),
        _columns(QAVersion, "qa_id version question answer change changed_at changed_by"),
    ),
    Sheet(
        "documents.csv",
        _headers(
            "文件编号 目录事项 来源 版本 标题 文件名 发布日期 导入时间 当前版本 已撤下 版本编号"
        ),
        _versions,
    ),
    Sheet(
        "passages.csv",
        _headers("版本编号 序号 标题层级 正文"),
        _columns(Passage, "version_id ordinal heading text"),
    ),
    Sheet(
        "table_rows.csv",
        _headers("版本编号 序号 要素 其他列"),
        _columns(TableRow, "version_id ordinal elements extras"),
    ),
    Sheet(
        "import_runs.csv",
        _headers("导入编号 开始时间 结束时间 来源 操作人 文件数 新增 更新 未变 失败"),
        _columns(
            ImportRun,
            "id started_at finished_at source started_by files_seen files_new files_changed "
            "files_unchanged files_failed",
        ),
    ),
    Sheet(
        "audit.csv",
        _headers("时间 工作人员 操作 对象 说明"),
        _columns(AuditEntry, "at staff_name action target detail"),
    ),
)


def _rows(connection: Connection, sheet: Sheet) -> Iterator[Sequence[object]]:
    for row in connection.execution_options(**_STREAM).execute(sheet.query()):
        yield sheet.row(row)


def _prepare(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExportError(f"{folder} 已存在且不是空文件夹：请指定新的文件夹")
    folder.mkdir(parents=True, exist_ok=True)


def export_all(engine: Engine, folder: Path) -> dict[str, int]:
    """Write every sheet and the manifest into folder (new or empty); returns rows per file."""
    _prepare(folder)
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for sheet in SHEETS:
            with (folder / sheet.file_name).open("w", encoding="utf-8-sig", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(sheet.headers)
                written = 0
                for values in _rows(connection, sheet):
                    writer.writerow([cell(v) for v in values])
                    written += 1
            counts[sheet.file_name] = written
    manifest = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schema_revision": read_status(engine).revision,
        "rows": counts,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    return counts
