"""Tests for handlers.record_writer: group commit from a thread, duplicates, failures, drain."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, select, text
from sqlmodel import col

from handlers.record_writer import RecordWriter, writer_engine
from knowledge.database import open_engine
from knowledge.record_models import Interaction
from knowledge.records import NewInteraction, StoredInteraction, record_batch


def question(key: str | None, text_: str = "公租房怎么申请") -> NewInteraction:
    return NewInteraction(
        channel="wechat",
        resident_key="o_resident",
        asked_at=datetime.now(UTC),
        question=text_,
        dedup_key=key,
        answer_text=f"答复{key}",
        reply_text=f"答复{key}",
    )


def count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(Interaction)).scalar_one())


@pytest.fixture
async def writer(engine: Engine) -> AsyncIterator[RecordWriter]:
    started = RecordWriter(engine)
    started.start(asyncio.get_running_loop())
    yield started
    await started.stop()


async def test_many_questions_at_once_are_written_in_few_transactions(
    writer: RecordWriter, engine: Engine
) -> None:
    stored = await asyncio.gather(*(writer.record(question(f"msg:{n}")) for n in range(60)))
    assert [s.reply_text for s in stored] == [f"答复msg:{n}" for n in range(60)]
    assert len({s.id for s in stored}) == 60 and all(s.created for s in stored)
    assert count(engine) == 60
    assert writer.records == 60
    assert writer.batches < 60


async def test_a_duplicate_in_the_same_batch_gets_the_first_ones_record(
    writer: RecordWriter, engine: Engine
) -> None:
    first, again, web = await asyncio.gather(
        writer.record(question("msg:7")),
        writer.record(question("msg:7", "重复投递")),
        writer.record(question(None)),
    )
    assert first.created and not again.created
    assert (again.id, again.number, again.reply_text) == (first.id, first.number, first.reply_text)
    assert web.created
    assert count(engine) == 2


async def test_one_bad_record_does_not_lose_the_others(engine: Engine) -> None:
    def picky(target: Connection, batch: Sequence[NewInteraction]) -> list[StoredInteraction]:
        if any(new.question == "坏记录" for new in batch):
            raise ValueError("cannot store this one")
        return record_batch(target, batch)

    writer = RecordWriter(engine, write=picky)
    writer.start(asyncio.get_running_loop())
    try:
        results = await asyncio.gather(
            *(writer.record(question(f"msg:{n}")) for n in range(5)),
            writer.record(question("msg:bad", "坏记录")),
            return_exceptions=True,
        )
    finally:
        await writer.stop()
    assert [type(r) for r in results] == [StoredInteraction] * 5 + [RuntimeError]
    assert count(engine) == 5


async def test_stop_writes_everything_queued_first(engine: Engine) -> None:
    writer = RecordWriter(engine)
    writer.start(asyncio.get_running_loop())
    pending = [asyncio.ensure_future(writer.record(question(f"msg:{n}"))) for n in range(20)]
    await asyncio.sleep(0)
    await writer.stop()
    await asyncio.gather(*pending)
    assert count(engine) == 20


async def test_a_stopped_writer_refuses_records(engine: Engine) -> None:
    writer = RecordWriter(engine)
    with pytest.raises(RuntimeError, match="not running"):
        await writer.record(question("msg:1"))


@pytest.mark.parametrize(("mode", "pragma"), [("full", 2), ("normal", 1)])
def test_a_sqlite_file_gets_a_writer_engine_with_the_synchronous_mode_asked(
    tmp_path: Path, mode: str, pragma: int
) -> None:
    url = f"sqlite:///{tmp_path / 'anju.sqlite3'}"
    engine = open_engine(url)
    own = writer_engine(url, engine, mode)
    try:
        assert own is not engine
        with own.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == pragma
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        with engine.connect() as connection:
            # The application's own connections keep NORMAL.
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1
    finally:
        own.dispose()
        engine.dispose()


def test_memory_and_postgresql_keep_the_applications_engine(engine: Engine) -> None:
    memory = open_engine("sqlite://")
    try:
        assert writer_engine("sqlite://", memory, "full") is memory
    finally:
        memory.dispose()
    if engine.dialect.name == "postgresql":
        assert writer_engine(str(engine.url), engine, "full") is engine


async def test_a_record_is_committed_when_its_writer_answers(engine: Engine) -> None:
    writer = RecordWriter(engine)
    writer.start(asyncio.get_running_loop())
    # Another engine: its connections see only what was committed.
    other = open_engine(str(engine.url.render_as_string(hide_password=False)), create=False)
    try:
        for n in range(5):
            stored = await writer.record(question(f"msg:{n}"))
            with other.connect() as connection:
                found = connection.execute(
                    select(col(Interaction.id)).where(col(Interaction.dedup_key) == f"msg:{n}")
                ).scalar()
            assert found == stored.id
    finally:
        await writer.stop()
        other.dispose()


class Chores:
    """Idle work that counts its steps: due when idle, or overdue at once."""

    def __init__(self, steps: int, overdue: bool = False) -> None:
        self.left = steps
        self.overdue = overdue
        self.done: list[int] = []

    def waiting(self) -> float | None:
        if not self.left:
            return None
        return 0.0 if self.overdue else 0.01

    def step(self, connection: Connection) -> None:
        self.done.append(count_on(connection))
        self.left -= 1


def count_on(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(Interaction)).scalar_one())


async def test_idle_work_is_done_between_batches_on_the_writers_connection(engine: Engine) -> None:
    chores = Chores(3)
    writer = RecordWriter(engine, idle=chores)
    writer.start(asyncio.get_running_loop())
    try:
        await writer.record(question("msg:1"))
        deadline = asyncio.get_running_loop().time() + 5
        while chores.left and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
    finally:
        await writer.stop()
    assert chores.left == 0
    assert chores.done[-1] == 1


async def test_overdue_idle_work_is_done_while_records_keep_coming(engine: Engine) -> None:
    chores = Chores(1000, overdue=True)
    writer = RecordWriter(engine, idle=chores)
    writer.start(asyncio.get_running_loop())
    try:
        for n in range(20):
            await writer.record(question(f"msg:{n}"))
    finally:
        await writer.stop()
    assert len(chores.done) >= 20
    assert count(engine) == 20


class BrokenChores(Chores):
    def step(self, connection: Connection) -> None:
        self.left -= 1
        raise RuntimeError("the step broke")


async def test_a_failing_idle_step_does_not_stop_the_records(engine: Engine) -> None:
    chores = BrokenChores(1000, overdue=True)
    writer = RecordWriter(engine, idle=chores)
    writer.start(asyncio.get_running_loop())
    try:
        stored = await asyncio.gather(*(writer.record(question(f"msg:{n}")) for n in range(10)))
    finally:
        await writer.stop()
    assert all(s.created for s in stored) and count(engine) == 10
