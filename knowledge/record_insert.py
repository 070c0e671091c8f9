"""A new interaction record as the database driver inserts it, straight on its cursor.

record_batch() (knowledge/records.py) inserts every question a resident asks, one statement per
record inside the batch's transaction. Going through SQLAlchemy's execution for each cost
several times what SQLite spends inserting the row (bench/webhook.py), so the statement is
compiled once per dialect and run on the driver's cursor, with the very value conversions
SQLAlchemy would apply (its types' bind processors: datetimes, dates, JSON, booleans), so the
rows read back through SQLAlchemy exactly as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Dialect, bindparam
from sqlalchemy.dialects import postgresql, sqlite

from knowledge.record_models import Interaction, RecordStatus

if TYPE_CHECKING:
    from knowledge.records import NewInteraction


#: The columns a new record is inserted with, in the order record_values() gives them.
INSERTED_COLUMNS = (
    "channel", "dedup_key", "resident_key", "asked_at", "question", "message_type",
    "answer_text", "reply_text", "reply_offset", "reply_card", "answer_kind", "intent", "score",
    "sources", "status", "category", "deadline", "deadline_days", "calendar_source",
    "pending_delivery", "staff_reply", "replied_by", "topic_id", "satisfaction",
)  # fmt: skip


def record_values(new: NewInteraction, question: str, topic_id: int | None) -> tuple[Any, ...]:
    """The values of INSERTED_COLUMNS for new, whose question is given as stored (masked)."""
    status = RecordStatus.NEEDS_REVIEW if new.needs_review else RecordStatus.AUTO_ANSWERED
    return (
        new.channel,
        new.dedup_key,
        new.resident_key,
        new.asked_at,
        question,
        new.message_type,
        new.answer_text,
        new.reply_text,
        len(new.reply_text) if new.reply_offset is None else new.reply_offset,
        new.reply_card,
        new.answer_kind,
        new.intent,
        new.score,
        new.sources,
        status.value,
        new.category,
        new.deadline,
        new.deadline_days,
        new.calendar_source,
        new.pending_delivery,
        "",
        "",
        topic_id,
        "",
    )


@dataclass(frozen=True)
class DriverInsert:
    """The insert of a new record, compiled for one driver, and how to run it on its cursor."""

    sql: str
    # Per inserted column with one: where it is in record_values(), SQLAlchemy's conversion of its
    # value for this driver, and what that conversion makes of None (most values are None).
    convert: tuple[tuple[int, Callable[[Any], Any], Any], ...]
    # Where each of the statement's parameters is in record_values(); None for named parameters.
    order: tuple[int, ...] | None

    def run(self, cursor: Any, values: tuple[Any, ...]) -> int | None:
        """Insert a record's values; its new id, or None when its message is already stored."""
        converted = list(values)
        for position, convert, none in self.convert:
            value = converted[position]
            converted[position] = none if value is None else convert(value)
        if self.order is None:
            cursor.execute(self.sql, dict(zip(INSERTED_COLUMNS, converted, strict=True)))
        else:
            cursor.execute(self.sql, [converted[position] for position in self.order])
        # Read to the end: a statement still running would hold the transaction open.
        found = cursor.fetchall()
        return int(found[0][0]) if found else None


@functools.lru_cache(maxsize=32)
def driver_insert(dialect: Dialect) -> DriverInsert:
    """The insert (doing nothing for a message already stored) compiled for dialect's driver."""
    table = Interaction.__table__  # type: ignore[attr-defined]
    dialect_insert = sqlite.insert if dialect.name == "sqlite" else postgresql.insert
    statement = (
        dialect_insert(table)
        .values({column: bindparam(column) for column in INSERTED_COLUMNS})
        .on_conflict_do_nothing(index_elements=["channel", "dedup_key"])
        .returning(table.c.id)
    )
    compiled = statement.compile(dialect=dialect)
    convert = []
    for position, column in enumerate(INSERTED_COLUMNS):
        processor = table.c[column].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            convert.append((position, processor, processor(None)))
    if not set(compiled.params) <= set(INSERTED_COLUMNS):
        # A column with a Python-side default was added to Interaction: give it a value here.
        missing = sorted(set(compiled.params) - set(INSERTED_COLUMNS))
        raise RuntimeError(f"knowledge/record_insert.py does not insert the columns {missing}")
    order = None
    if compiled.positional:
        order = tuple(INSERTED_COLUMNS.index(name) for name in compiled.positiontup or ())
    return DriverInsert(str(compiled), tuple(convert), order)
