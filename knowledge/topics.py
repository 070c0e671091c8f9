"""Hot topics of item 41: each recorded question joins the topic most like it, or opens one.

Assignment is incremental, with no re-clustering: assign() gives questions their topics in
the caller's transaction (record_batch's hook TopicAssigner.after_insert, or the running
service's pass after the records are committed, handlers/topic_setup.py). The assigner keeps
every topic's keywords in memory (a few bytes each) and finds the closest topic with rapidfuzz
(see topic_keywords.py); a question alike to none opens a new topic.

A question asked again gets its topic from known(), a look-up: exactly a topic's keywords is
that topic's for good (nothing is closer, ties go to the older topic), any other match holds
while no topic is added.

Stable: a topic keeps the keywords of the question that opened it, ties go to the older topic,
and questions are taken in the order they were recorded, so the same questions recorded in the
same order always form the same topics; recompute() rebuilds them all in that order. Several
workers share topics through the database: a topic's signature is unique (two workers opening
the same topic at once get one row), and each batch first reads the topics others opened.

interaction.topic_id is NULL for a question not looked at yet (just recorded, recorded before
topics existed, or its assignment failed: assign_unassigned() catches up), and NO_TOPIC (0) for
one without keywords ("你好", "1").
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import ColumnElement, Connection, Engine, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from knowledge.record_models import Interaction, Topic
from knowledge.records import NewInteraction
from knowledge.retention import REMOVED_TEXT
from knowledge.topic_keywords import KeywordExtractor, SymbolTable, signature

log = logging.getLogger(__name__)

#: interaction.topic_id of a question without keywords.
NO_TOPIC = 0
#: A question joins a topic whose weighted keyword Dice similarity (0 to 100) reaches this.
THRESHOLD = 70.0
#: Message types that carry a resident's own question (menu clicks are the bureau's words).
QUESTION_TYPES = ("text", "voice")
#: Answer kinds of messages that are no question: "更多", feedback, fixed sentences, refusals
#: for writing too fast, and pleasantries.
NOT_QUESTION_KINDS = frozenset(
    {"more", "satisfaction", "fixed", "rate_limited", "greeting", "thanks", "menu"}
)
# PostgreSQL hands out ids before commit: a topic another worker commits late may have an id
# below the highest one seen, so each look-up goes back this far.
_LATE_COMMIT_MARGIN = 50
_BACKFILL_CHUNK = 500
# Question texts whose topics known() tells (beyond this many it starts over), and the mark
# of a topic that holds whatever topics are added.
_REMEMBERED_QUESTIONS, _FOR_GOOD = 8192, -1
# Floating-point slack when deciding that a topic cannot reach the threshold.
_EPSILON = 1e-9

_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
_TOPIC = Topic.__table__  # type: ignore[attr-defined]


def is_question(answer_kind: str, message_type: str) -> bool:
    """True for a record of a resident's question (what topics and statistics count)."""
    return message_type in QUESTION_TYPES and answer_kind not in NOT_QUESTION_KINDS


@dataclass(frozen=True)
class TopicMatch:
    """The topic a question belongs with, and how alike they are (0 to 100)."""

    topic_id: int
    score: float


@dataclass(frozen=True)
class _Opened:
    topic_id: int
    code: str


class TopicAssigner:
    """Assigns questions to topics; one per process, shared by the record writer and readers."""

    def __init__(self, extractor: KeywordExtractor, *, threshold: float = THRESHOLD) -> None:
        self.extractor = extractor
        self.threshold = threshold
        self._symbols = SymbolTable(extractor)
        self._lock = threading.Lock()
        # Topics committed to the database, oldest first (ties go to the first).
        self._ids: list[int] = []
        self._codes: list[str] = []
        self._known: set[int] = set()
        self._seen_up_to = 0
        # Keyword symbol -> positions of the topics having it (see _candidates).
        self._postings: dict[str, list[int]] = {}
        # Question text -> (its topic, how many topics there were; _FOR_GOOD), see known().
        self._assigned: dict[str, tuple[int, int]] = {}

    @property
    def topic_count(self) -> int:
        """How many topics the assigner knows."""
        return len(self._ids)

    def load(self, engine: Engine) -> None:
        """Read the topics already in the database (at start, so no question waits for it)."""
        with engine.connect() as connection, self._lock:
            self._read_new_topics(connection)

    def after_insert(
        self, connection: Connection, created: Sequence[tuple[int, NewInteraction]]
    ) -> Callable[[], None] | None:
        """record_batch's hook: assign the questions among the records just inserted."""
        questions = [
            (record_id, new.question, new.asked_at)
            for record_id, new in created
            if is_question(new.answer_kind, new.message_type)
        ]
        return self.assign(connection, questions)

    def assign(
        self, connection: Connection, questions: Sequence[tuple[int, str, datetime]]
    ) -> Callable[[], None] | None:
        """Give each (record id, question, asked at) its topic inside the caller's transaction.

        A record that already has a topic keeps it. Returns what the caller runs once the
        transaction has committed: only then do topics opened here join the ones later
        questions are compared with (a rolled-back topic must not), and the questions join
        what known() tells.
        """
        if not questions:
            return None
        opened: list[_Opened] = []
        updates: list[dict[str, int]] = []
        assigned: dict[str, tuple[int, int]] = {}
        with self._lock:
            self._read_new_topics(connection)
            for record_id, question, asked_at in questions:
                try:
                    words = self.extractor.keywords(question)
                except Exception:
                    # A question the tokenizer chokes on must not cost the batch its records.
                    log.exception("finding the keywords of record %d failed", record_id)
                    continue
                if not words:
                    updates.append({"record": record_id, "topic": NO_TOPIC})
                    assigned[question] = (NO_TOPIC, _FOR_GOOD)
                    continue
                code = self._symbols.code(words)
                compared = len(self._ids) + len(opened)
                topic_id, exact = self._closest(code, opened)
                if topic_id is None:
                    topic_id, exact = self._open(connection, words, asked_at), True
                    opened.append(_Opened(topic_id, code))
                assigned[question] = (topic_id, _FOR_GOOD if exact else compared)
                updates.append({"record": record_id, "topic": topic_id})
        if updates:
            # A record that has a topic keeps it (a second pass over it changes nothing).
            connection.execute(
                update(_INTERACTION)
                .where(_INTERACTION.c.id == bindparam("record"), _INTERACTION.c.topic_id.is_(None))
                .values(topic_id=bindparam("topic")),
                updates,
            )
        return functools.partial(self._remember, tuple(opened), assigned)

    def known(self, question: str, *, in_order: bool = False) -> int | None:
        """The topic assign() would give question, when a look-up can tell; else None.

        Told once the very same text was assigned and committed, if its topic has exactly its
        keywords (or it has none: NO_TOPIC); with in_order (every question recorded before
        this one has its topic), also if no topic has been added since.
        """
        found = self._assigned.get(question)
        if found is None:
            return None
        topic_id, compared = found
        if compared == _FOR_GOOD or (in_order and compared == len(self._ids)):
            return topic_id
        return None

    def match(self, question: str) -> TopicMatch | None:
        """The known topic a question would join, without recording anything."""
        words = self.extractor.keywords(question)
        if not words:
            return None
        code = self._symbols.code(words)
        with self._lock:
            found = self._best_known(code)
        return None if found is None else TopicMatch(found[1], found[0])

    def similarity(self, first: str, second: str) -> float:
        """How alike two texts' keywords are, 0 to 100 (0 when either has none)."""
        one, other = self.extractor.keywords(first), self.extractor.keywords(second)
        if not one or not other:
            return 0.0
        return float(fuzz.ratio(self._symbols.code(one), self._symbols.code(other)))

    def closest(self, text: str, candidates: Sequence[str]) -> int | None:
        """The position of the candidate text alike enough to text (the best), or None."""
        words = self.extractor.keywords(text)
        if not words or not candidates:
            return None
        codes = [self._symbols.code(self.extractor.keywords(c)) for c in candidates]
        found = process.extractOne(
            self._symbols.code(words), codes, scorer=fuzz.ratio, score_cutoff=self.threshold
        )
        return None if found is None else int(found[2])

    def forget(self) -> None:
        """Drop every known topic (after the topics were deleted: recompute)."""
        with self._lock:
            self._ids, self._codes, self._known, self._seen_up_to = [], [], set(), 0
            self._postings = {}
            self._assigned = {}

    def _closest(self, code: str, opened: Sequence[_Opened]) -> tuple[int | None, bool]:
        """The topic code joins (None: none is alike enough), and whether it matches exactly."""
        chosen = self._best_known(code)
        if opened:
            fresh = process.extractOne(
                code, [o.code for o in opened], scorer=fuzz.ratio, score_cutoff=self.threshold
            )
            # A topic opened in this batch is newer: it wins only by a higher score.
            if fresh is not None and (chosen is None or float(fresh[1]) > chosen[0]):
                chosen = (float(fresh[1]), opened[fresh[2]].topic_id)
        if chosen is None:
            return None, False
        # Equal codes and only they score 100; no later topic can win against it.
        return chosen[1], chosen[0] >= 100.0

    def _open(self, connection: Connection, words: tuple[str, ...], asked_at: datetime) -> int:
        """A new topic row, or the one another worker opened with the same keywords."""
        key = signature(words)
        inserted = connection.execute(
            _insert_topic(connection.dialect.name),
            {"signature": key, "keywords": " ".join(words), "created_at": asked_at},
        ).scalar()
        if inserted is None:
            inserted = connection.execute(
                select(_TOPIC.c.id).where(_TOPIC.c.signature == key)
            ).scalar_one()
        return int(inserted)

    def _read_new_topics(self, connection: Connection) -> None:
        """Learn the topics other workers (or an earlier run) opened; cheap when there are none."""
        newest = connection.execute(select(func.max(_TOPIC.c.id))).scalar()
        if newest is None or int(newest) <= self._seen_up_to:
            return
        since = self._seen_up_to - _LATE_COMMIT_MARGIN if self._seen_up_to else 0
        rows = connection.execute(
            select(_TOPIC.c.id, _TOPIC.c.keywords).where(_TOPIC.c.id > since).order_by(_TOPIC.c.id)
        ).all()
        for topic_id, keywords in rows:
            if int(topic_id) not in self._known:
                self._add(int(topic_id), self._symbols.code(tuple(str(keywords).split())))
        self._seen_up_to = max(self._seen_up_to, int(newest))

    def _remember(self, opened: tuple[_Opened, ...], assigned: dict[str, tuple[int, int]]) -> None:
        with self._lock:
            for topic in opened:
                if topic.topic_id not in self._known:
                    self._add(topic.topic_id, topic.code)
            if len(self._assigned) + len(assigned) > _REMEMBERED_QUESTIONS:
                self._assigned = {}
            self._assigned.update(assigned)

    def _add(self, topic_id: int, code: str) -> None:
        position = len(self._ids)
        self._ids.append(topic_id)
        self._codes.append(code)
        self._known.add(topic_id)
        for symbol in set(code):
            self._postings.setdefault(symbol, []).append(position)

    def _best_known(self, code: str) -> tuple[float, int] | None:
        """(score, topic id) of the closest known topic reaching the threshold, or None.

        Ties go to the older topic: candidates are compared in the order topics were added.
        """
        positions = self._candidates(code)
        if positions is None:
            found = process.extractOne(
                code, self._codes, scorer=fuzz.ratio, score_cutoff=self.threshold
            )
            return None if found is None else (float(found[1]), self._ids[found[2]])
        if not positions:
            return None
        found = process.extractOne(
            code,
            [self._codes[p] for p in positions],
            scorer=fuzz.ratio,
            score_cutoff=self.threshold,
        )
        return None if found is None else (float(found[1]), self._ids[positions[found[2]]])

    def _candidates(self, code: str) -> list[int] | None:
        """The only topics that can reach the threshold, in order (None: compare with all).

        With weights W (question) and O (shared), Dice = 2O / (W + W_topic) <= 2O / (W + O),
        so reaching threshold t needs O >= t·W / (2 - t). A topic sharing none of the
        question's rarest keywords shares at most the weight of the rest; once that is below
        the need, the rarest keywords' topics are all the candidates there are. Exact: the
        same topic is found as by comparing with every topic, only sooner.
        """
        share = self.threshold / 100
        need = share * len(code) / (2 - share)
        weights: dict[str, int] = {}
        for symbol in code:
            weights[symbol] = weights.get(symbol, 0) + 1
        rarest = sorted(weights, key=lambda s: (len(self._postings.get(s, ())), s))
        remaining = len(code)
        chosen: set[int] = set()
        for symbol in rarest:
            if remaining < need - _EPSILON:
                break
            chosen.update(self._postings.get(symbol, ()))
            remaining -= weights[symbol]
        if len(chosen) * 2 > len(self._codes):
            return None
        return sorted(chosen)


@functools.cache
def _insert_topic(dialect: str) -> Any:
    dialect_insert = sqlite.insert if dialect == "sqlite" else postgresql.insert
    return (
        dialect_insert(_TOPIC)
        .on_conflict_do_nothing(index_elements=["signature"])
        .returning(_TOPIC.c.id)
    )


def _question_condition() -> list[ColumnElement[bool]]:
    return [
        _INTERACTION.c.message_type.in_(QUESTION_TYPES),
        _INTERACTION.c.answer_kind.not_in(sorted(NOT_QUESTION_KINDS)),
        # Retention removed the words: nothing is left to group them by.
        _INTERACTION.c.question != REMOVED_TEXT,
    ]


def unassigned_questions(
    connection: Connection,
    *,
    after: int = 0,
    among: Sequence[int] | None = None,
    limit: int = _BACKFILL_CHUNK,
) -> list[tuple[int, str, datetime]]:
    """Questions without a topic yet, oldest first, as (record id, question, asked at).

    Those recorded after record id ``after``, or (with ``among``) those of the given records.
    """
    table = _INTERACTION
    which = table.c.id > after if among is None else table.c.id.in_(among)
    rows = connection.execute(
        select(table.c.id, table.c.question, table.c.asked_at)
        .where(table.c.topic_id.is_(None), which, *_question_condition())
        .order_by(table.c.id)
        .limit(limit if among is None else max(len(among), 1))
    ).all()
    return [(int(r.id), str(r.question), r.asked_at) for r in rows]


def assign_unassigned(
    engine: Engine, assigner: TopicAssigner, *, chunk: int = _BACKFILL_CHUNK
) -> int:
    """Give a topic to every question that has none yet, oldest first; returns how many.

    Chunks are separate short transactions, so the record writer is never held up for long.
    """
    done = 0
    after = 0
    while True:
        with engine.begin() as connection:
            questions = unassigned_questions(connection, after=after, limit=chunk)
            if not questions:
                break
            on_commit = assigner.assign(connection, questions)
        if on_commit is not None:
            on_commit()
        after = questions[-1][0]
        done += len(questions)
    return done


def recompute(engine: Engine, assigner: TopicAssigner) -> int:
    """Delete every topic and assign all questions again in the order they were recorded.

    For a changed topic_words.toml or threshold; run it while no questions arrive. Records
    whose text retention removed cannot be grouped again: they keep their topics, which stay
    (so the weekly statistics by topic keep counting them) and take new questions as before.
    """
    removed = _INTERACTION.c.question == REMOVED_TEXT
    kept = select(_INTERACTION.c.topic_id).where(removed, _INTERACTION.c.topic_id.is_not(None))
    with engine.begin() as connection:
        connection.execute(update(_INTERACTION).where(~removed).values(topic_id=None))
        connection.execute(delete(_TOPIC).where(_TOPIC.c.id.not_in(kept)))
    assigner.forget()
    assigner.load(engine)
    return assign_unassigned(engine, assigner)
