"""Hot topics in the running service: the assigner, and its work in the record writer's thread.

The record writer stores every record through TopicWork.write. A question asked before in the
very same words is stored with its topic (TopicAssigner.known, a dictionary look-up) when that
is the topic assigning it after every earlier question would give. Any other question is
stored without one, and the writer's thread gives it its topic after the commit, CHUNK
questions at a time and oldest first: when no record has come for IDLE_SECONDS, or at the
latest MAX_LAG_SECONDS after it was stored. Matching a new
question (a tenth of a millisecond) is then never part of a reply's wait, and the topics are
the ones assigning the questions in the order they were recorded gives (recompute() agrees).

The assigner needs the domain tokenizer, loaded after the writer starts (resources.knowledge).
Once it appears, the writer first catches up the questions without a topic (recorded before
topics existed, before the assigner was ready, or whose assignment failed), oldest first, then
goes on with the new ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime

from aiohttp import web
from sqlalchemy import Connection

from handlers import keys
from knowledge.records import NewInteraction, StoredInteraction, record_batch
from knowledge.topic_keywords import KeywordExtractor
from knowledge.topics import TopicAssigner, is_question, unassigned_questions

log = logging.getLogger(__name__)

#: The writer gives new questions their topics once no record has come for this long...
IDLE_SECONDS = 0.02
#: ... or at the latest this long after they were stored (under sustained load).
MAX_LAG_SECONDS = 2.0
#: Questions given their topics in one step (one short transaction of the writer).
CHUNK = 32
#: How often the writer looks whether the assigner is ready, until it is.
ASSIGNER_POLL_SECONDS = 0.25


class TopicWork:
    """The record writer's batch writer and idle work: topics for the questions it stores."""

    def __init__(
        self,
        assigner: Callable[[], TopicAssigner | None],
        *,
        idle_seconds: float = IDLE_SECONDS,
        max_lag_seconds: float = MAX_LAG_SECONDS,
        chunk: int = CHUNK,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if chunk < 1:
            raise ValueError("chunk must be at least 1")
        self._assigner = assigner
        self._idle_seconds = idle_seconds
        self._max_lag = max_lag_seconds
        self._chunk = chunk
        self._clock = clock
        # Everything below is used by the writer's thread only.
        self._ready: TopicAssigner | None = None
        # While catching up: the last record id looked at; None once caught up.
        self._caught_up_to: int | None = None
        self._catch_up_since = 0.0
        # Records this writer created whose questions wait for a topic: (id, when stored).
        self._pending: deque[tuple[int, float]] = deque()
        self._unknown: list[NewInteraction] = []
        self.assigned = 0

    def write(
        self, connection: Connection, batch: Sequence[NewInteraction]
    ) -> list[StoredInteraction]:
        """The writer's batch writer: record_batch, with the topics already known."""
        self._unknown = []
        return record_batch(
            connection, batch, known_topic=self._known_topic, after_insert=self._note_created
        )

    def waiting(self) -> float | None:
        """Seconds the writer waits for records before a step is due (0: now; None: no work)."""
        if self._current() is None:
            return ASSIGNER_POLL_SECONDS
        if self._caught_up_to is not None:
            since = self._catch_up_since
        elif self._pending:
            since = self._pending[0][1]
        else:
            return None
        left = since + self._max_lag - self._clock()
        return 0.0 if left <= 0 else min(self._idle_seconds, left)

    def step(self, connection: Connection) -> None:
        """Give the next few questions their topics, in a transaction of their own."""
        assigner = self._current()
        if assigner is None:
            return
        with connection.begin():
            questions = self._next_questions(connection)
        if not questions:
            return
        try:
            with connection.begin():
                on_commit = assigner.assign(connection, questions)
        except Exception:
            # Topics are insight, not service: these stay without one until the next start.
            log.exception("assigning topics to %d questions failed", len(questions))
            return
        if on_commit is not None:
            on_commit()
        self.assigned += len(questions)

    def _current(self) -> TopicAssigner | None:
        if self._ready is None:
            self._ready = self._assigner()
            if self._ready is not None:
                self._caught_up_to = 0
                self._catch_up_since = self._clock()
        return self._ready

    def _next_questions(self, connection: Connection) -> list[tuple[int, str, datetime]]:
        """The next chunk to assign; the work moves past it even if assigning it fails."""
        if self._caught_up_to is not None:
            questions = unassigned_questions(
                connection, after=self._caught_up_to, limit=self._chunk
            )
            if questions:
                self._caught_up_to = questions[-1][0]
                return questions
            # Caught up: what was pending until now has been looked at with the rest.
            last, self._caught_up_to = self._caught_up_to, None
            while self._pending and self._pending[0][0] <= last:
                self._pending.popleft()
            if self._pending:
                log.info("topics caught up to record %d", last)
        ids = [self._pending.popleft()[0] for _ in range(min(self._chunk, len(self._pending)))]
        return unassigned_questions(connection, among=ids) if ids else []

    def _known_topic(self, new: NewInteraction, question: str) -> int | None:
        if not is_question(new.answer_kind, new.message_type):
            return None
        topic = None
        if self._ready is not None:
            # With nothing waiting, this question comes right after all the others.
            in_order = self._caught_up_to is None and not self._pending and not self._unknown
            topic = self._ready.known(question, in_order=in_order)
        if topic is None:
            self._unknown.append(new)
        return topic

    def _note_created(
        self, connection: Connection, created: Sequence[tuple[int, NewInteraction]]
    ) -> None:
        if not self._unknown:
            return
        unknown = {id(new) for new in self._unknown}
        now = self._clock()
        # A batch that is rolled back leaves ids behind that no record has: they match nothing.
        self._pending.extend((record_id, now) for record_id, new in created if id(new) in unknown)


@contextlib.asynccontextmanager
async def topics(app: web.Application) -> AsyncIterator[None]:
    """Build the assigner on the application's tokenizer; the record writer takes it from here."""
    tokenizer = app[keys.knowledge_key].tokenizer
    extractor = await asyncio.to_thread(KeywordExtractor, tokenizer)
    assigner = TopicAssigner(extractor)
    await asyncio.to_thread(assigner.load, app[keys.engine_key])
    app[keys.topic_assigner_key] = assigner
    yield
