"""Group commit of interaction records: one writer thread, one transaction per batch.

Every question is stored before its reply goes out. Committing each one on its own would cost a
full fsync per request; instead requests hand their record to a queue and await a future, and
a dedicated thread takes whatever has queued up meanwhile and writes it with record_batch() in
one transaction. Under load a batch holds many records and one fsync serves them all; alone, a
record is written at once. The futures are resolved on the event loop through
call_soon_threadsafe, so nothing but the thread ever touches the writer's connection.

For SQLite the writer opens its own engine with synchronous=FULL (a committed question survives
power loss, not only a crash of the process); ANJU_RECORDS_SYNCHRONOUS=normal trades that for
speed (bench/webhook.py measures the difference).

Work that may lag the records (hot topics of new questions, handlers/topic_setup.py) is done
by the same thread on the same connection, a small step at a time, when no record has come for
a moment or when it is overdue: it never holds a question's reply, and never contends with the
records for SQLite's one writer.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, event

from knowledge.database import is_sqlite, open_engine
from knowledge.records import NewInteraction, StoredInteraction, record_batch

log = logging.getLogger(__name__)

#: More than this many records in one transaction only makes the first requests wait longer.
MAX_BATCH = 256

BatchWriter = Callable[[Connection, Sequence[NewInteraction]], list[StoredInteraction]]


class IdleWork(Protocol):
    """Work the writer thread does between batches, a small step at a time."""

    def waiting(self) -> float | None:
        """Seconds to wait for records before a step is due; 0: due now; None: nothing to do."""
        ...

    def step(self, connection: Connection) -> None:
        """Do one small part of the work on the writer's connection (its own transaction)."""
        ...


@dataclass(frozen=True)
class _Pending:
    record: NewInteraction
    future: asyncio.Future[StoredInteraction]


_STOP = object()


class RecordWriter:
    """Writes interaction records in batches from a thread of its own."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = MAX_BATCH,
        write: BatchWriter = record_batch,
        idle: IdleWork | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.engine = engine
        self._max_batch = max_batch
        self._write = write
        self._idle = idle
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        # Held by the thread from batch to batch (no pool round trip); reopened after an error.
        self._connection: Connection | None = None
        # Records asked for during the current turn of the event loop, handed over together.
        self._gathering: list[_Pending] = []
        self.batches = 0
        self.records = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the writer thread; futures are resolved on loop."""
        if self._thread is not None:
            raise RuntimeError("the record writer is already running")
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name="record-writer", daemon=True)
        self._thread.start()

    async def record(self, new: NewInteraction) -> StoredInteraction:
        """Store new (or find it already stored) and return the stored record."""
        if self._loop is None or self._thread is None:
            raise RuntimeError("the record writer is not running")
        future: asyncio.Future[StoredInteraction] = self._loop.create_future()
        if not self._gathering:
            # One hand-over (and one wake-up of the thread) per turn of the loop, not per record.
            self._loop.call_soon(self._hand_over)
        self._gathering.append(_Pending(new, future))
        return await future

    def _hand_over(self) -> None:
        gathered, self._gathering = self._gathering, []
        if gathered:
            self._queue.put(gathered)

    async def stop(self) -> None:
        """Write what is queued, then end the thread."""
        thread = self._thread
        if thread is None:
            return
        self._hand_over()
        self._queue.put(_STOP)
        await asyncio.to_thread(thread.join)
        self._thread = None
        log.info("record writer stopped: %d records in %d transactions", self.records, self.batches)

    def _run(self) -> None:
        try:
            self._serve()
        finally:
            self._disconnect()

    def _serve(self) -> None:
        while True:
            item = self._next()
            if item is None:
                continue
            if item is _STOP:
                return
            batch: list[_Pending] = list(item)
            stopping = False
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stopping = True
                    break
                batch.extend(more)
            for start in range(0, len(batch), self._max_batch):
                self._write_batch(batch[start : start + self._max_batch])
            if stopping:
                return
            if self._idle is not None and self._idle.waiting() == 0:
                # Overdue: a step now, even though records keep coming.
                self._idle_step()

    def _next(self) -> Any:
        """The next item of the queue, or None after an idle step (nothing came meanwhile)."""
        wait = self._idle.waiting() if self._idle is not None else None
        try:
            if wait is None:
                return self._queue.get()
            if wait <= 0:
                return self._queue.get_nowait()
            return self._queue.get(timeout=wait)
        except queue.Empty:
            self._idle_step()
            return None

    def _idle_step(self) -> None:
        if self._idle is None:
            return
        try:
            if self._connection is None:
                self._connection = self.engine.connect()
            self._idle.step(self._connection)
            if self._connection.in_transaction():
                # A step ends what it begins; one left open would hold up the next batch.
                self._connection.rollback()
        except Exception:
            # The step's own failure is its business (it logs and moves on); a broken
            # connection is the writer's: the next batch opens a new one.
            log.exception("the record writer's background step failed")
            self._disconnect()

    def _write_batch(self, batch: list[_Pending]) -> None:
        try:
            if self._connection is None:
                self._connection = self.engine.connect()
            stored = self._write(self._connection, [pending.record for pending in batch])
        except Exception:
            # The connection may be what failed (a restarted server): the next batch opens anew.
            self._disconnect()
            if len(batch) == 1:
                log.exception("storing an interaction record failed")
                self._fail(batch[0])
                return
            # One bad record must not lose the others: write each on its own.
            log.warning("a batch of %d records failed; writing them one by one", len(batch))
            for pending in batch:
                self._write_batch([pending])
            return
        self.batches += 1
        self.records += len(batch)
        loop = self._loop
        if loop is not None and not loop.is_closed():
            # One wake-up of the event loop for the whole batch.
            results = [
                (pending.future, result) for pending, result in zip(batch, stored, strict=True)
            ]
            loop.call_soon_threadsafe(_set_results, results)

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:
                log.warning("closing the record writer's connection failed", exc_info=True)

    def _fail(self, pending: _Pending) -> None:
        error = RuntimeError("the interaction record could not be stored")
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(_set_exception, pending.future, error)


def _set_results(
    results: list[tuple[asyncio.Future[StoredInteraction], StoredInteraction]],
) -> None:
    for future, result in results:
        # A request that gave up (its client went away) leaves a cancelled future behind.
        if not future.done():
            future.set_result(result)


def _set_exception(future: asyncio.Future[StoredInteraction], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def writer_engine(url: str, engine: Engine, synchronous: str) -> Engine:
    """The engine the writer uses: for a SQLite file, its own with the synchronous mode asked for.

    An in-memory SQLite database exists only behind the application's engine, and PostgreSQL
    commits durably by default: both keep the application's engine.
    """
    if not is_sqlite(engine) or engine.url.database in (None, "", ":memory:"):
        return engine
    own = open_engine(url, create=False)
    mode = "FULL" if synchronous == "full" else "NORMAL"

    def set_synchronous(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA synchronous={mode}")
        cursor.close()

    # Listeners run in the order added: this one after open_engine's own pragmas.
    event.listen(own, "connect", set_synchronous)
    return own
