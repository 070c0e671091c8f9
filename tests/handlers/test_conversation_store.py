"""Tests for handlers/conversation_store.py: contexts in the database, shared by workers."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, select, text

from bot.answerer import Answerer
from bot.conversation import CONTEXT_TTL_SECONDS, Context
from handlers.conversation_store import (
    DatabaseConversations,
    context_from_json,
    context_to_json,
)
from handlers.knowledge_base import KnowledgeBase
from knowledge.catalog import Catalog
from knowledge.database import open_engine
from knowledge.element_synonyms import ElementSynonyms
from knowledge.index import SearchIndex
from knowledge.tokenizer import DomainTokenizer
from knowledge.worker_state import CONVERSATION_TABLE

NOW = 1_790_000_000.0
DEMO_TODAY = date(2026, 12, 1)


class Clock:
    """A wall clock the test moves."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def second_engine(database_url: str, engine: Engine) -> Iterator[Engine]:
    """Another engine on the same database: what a second worker opens."""
    opened = open_engine(database_url)
    yield opened
    opened.dispose()


@pytest.mark.parametrize(
    "context",
    [
        Context(),
        Context(intent="listing", housing_type="公租房", project="朝阳新居（一期）", turns=2),
        Context(intent="result", pending_name="韩志勇", last_answer_kind="ask_for_tail", turns=1),
        Context(
            intent="eligibility",
            housing_type="租赁补贴",
            category="低保家庭",
            unit_type="两室一厅",
            document_id=12,
            section="申请 条件",
            topic="复核",
            household_size=3,
            last_answer_kind="answered",
            turns=4,
        ),
    ],
)
def test_every_field_of_a_context_survives_the_database(engine: Engine, context: Context) -> None:
    store = DatabaseConversations(engine, clock=Clock())
    store.put("wechat:oResident0001", context)
    assert store.get("wechat:oResident0001") == context


def test_the_row_holds_the_context_fields_and_nothing_else(engine: Engine) -> None:
    store = DatabaseConversations(engine, clock=Clock())
    store.put("wechat:oResident0001", Context(pending_name="韩志勇", turns=1))
    with engine.connect() as connection:
        row = connection.execute(select(CONVERSATION_TABLE)).one()
    stored = json.loads(row.context)
    expected = {f.name for f in dataclasses.fields(Context)} - {"updated_at"}
    assert set(stored) == expected
    assert (row.key, row.updated_at, stored["pending_name"]) == (
        "wechat:oResident0001",
        NOW,
        "韩志勇",
    )


def test_an_unknown_resident_has_an_empty_context(engine: Engine) -> None:
    assert DatabaseConversations(engine).get("wechat:oNobody") == Context()


@pytest.mark.parametrize(
    ("seconds_later", "remembered"),
    [(0.0, True), (CONTEXT_TTL_SECONDS - 1, True), (CONTEXT_TTL_SECONDS + 1, False)],
)
def test_a_context_expires_after_the_ttl(
    engine: Engine, seconds_later: float, remembered: bool
) -> None:
    clock = Clock()
    store = DatabaseConversations(engine, clock=clock)
    context = Context(project="锦绣家园", turns=1)
    store.put("web:abc", context)
    clock.now += seconds_later
    assert (store.get("web:abc") == context) is remembered


def test_putting_again_replaces_the_context_and_restarts_the_ttl(engine: Engine) -> None:
    clock = Clock()
    store = DatabaseConversations(engine, clock=clock)
    store.put("wechat:o1", Context(project="锦绣家园", turns=1))
    clock.now += CONTEXT_TTL_SECONDS - 10
    store.put("wechat:o1", Context(project="和顺苑", turns=2))
    clock.now += CONTEXT_TTL_SECONDS - 10
    assert store.get("wechat:o1") == Context(project="和顺苑", turns=2)


def test_residents_and_channels_have_contexts_of_their_own(engine: Engine) -> None:
    store = DatabaseConversations(engine, clock=Clock())
    store.put("wechat:o1", Context(project="锦绣家园"))
    store.put("wecom:o1", Context(project="和顺苑"))
    assert [store.get(k).project for k in ("wechat:o1", "wecom:o1", "web:o1")] == [
        "锦绣家园",
        "和顺苑",
        "",
    ]


def test_a_second_worker_reads_what_the_first_wrote(engine: Engine, second_engine: Engine) -> None:
    first, second = DatabaseConversations(engine), DatabaseConversations(second_engine)
    first.put("wechat:o1", Context(pending_name="韩志勇", turns=1))
    assert second.get("wechat:o1").pending_name == "韩志勇"


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (
            '{"project": "朝阳新居（一期）", "turns": 2}',
            Context(project="朝阳新居（一期）", turns=2),
        ),
        # A newer release's field is left out; the rest is kept.
        ('{"project": "和顺苑", "mood": "急"}', Context(project="和顺苑")),
        ('{"turns": "两次"}', Context()),
        ('{"project": 17}', Context()),
        ("[1, 2]", Context()),
        ("不是JSON", Context()),
    ],
)
def test_a_stored_context_is_read_defensively(stored: str, expected: Context) -> None:
    assert context_from_json(stored, NOW) == expected


def test_json_keeps_chinese_readable() -> None:
    assert "韩志勇" in context_to_json(Context(pending_name="韩志勇"))


@pytest.fixture(scope="module")
def demo_index(
    tokenizer: DomainTokenizer, catalog: Catalog, synonyms: ElementSynonyms
) -> SearchIndex:
    """The bundled demo material's index."""
    engine = open_engine("sqlite://")
    try:
        return KnowledgeBase(engine, catalog, synonyms, tokenizer, "always").build_index()
    finally:
        engine.dispose()


def test_a_follow_up_answered_by_another_worker_completes_the_first_turn(
    engine: Engine, second_engine: Engine, demo_index: SearchIndex, catalog: Catalog
) -> None:
    def worker(store_engine: Engine) -> Answerer:
        store = DatabaseConversations(store_engine)
        return Answerer(lambda: demo_index, catalog, store, today=lambda: DEMO_TODAY)

    first, second = worker(engine), worker(second_engine)
    asked = first.answer("我叫韩志勇，审核过了没", "wechat:oResident0001")
    assert asked.kind.value == "ask_for_tail"
    completed = second.answer("后四位2657", "wechat:oResident0001")
    assert completed.kind.value == "result"
    assert "韩志勇" in completed.text
    # Without the first turn the same words are not enough.
    assert second.answer("后四位2657", "wechat:oResident0002").kind.value == "ask_for_tail"


def test_a_database_that_fails_answers_without_a_context(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    store = DatabaseConversations(engine, clock=Clock())
    store.put("wechat:o_a", Context(intent="listing", turns=1))
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE conversation_context"))
    store.put("wechat:o_a", Context(intent="result", turns=2))
    assert store.get("wechat:o_a") == Context()
    assert "could not be stored" in caplog.text
    assert "could not be read" in caplog.text
