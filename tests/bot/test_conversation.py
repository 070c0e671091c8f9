"""Tests for bot/conversation.py: a short, time-limited, size-capped memory per resident."""

from __future__ import annotations

import pytest

from bot.answer import AnswerKind
from bot.answerer import Answerer
from bot.conversation import CONTEXT_TTL_SECONDS, Context, Conversations
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from tests.bot.conftest import TODAY


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_context_is_kept_within_its_time(clock: Clock) -> None:
    store = Conversations(ttl_seconds=60, clock=clock)
    store.put("a", Context(intent="listing", project="惠民家园"))
    clock.now += 59
    assert store.get("a").project == "惠民家园"


def test_a_context_expires_after_its_time(clock: Clock) -> None:
    store = Conversations(ttl_seconds=60, clock=clock)
    store.put("a", Context(intent="result", pending_name="王秀英"))
    clock.now += 61
    assert store.get("a") == Context()
    assert len(store) == 0


def test_putting_again_restarts_the_time(clock: Clock) -> None:
    store = Conversations(ttl_seconds=60, clock=clock)
    store.put("a", Context(intent="listing"))
    clock.now += 50
    store.put("a", Context(intent="lottery"))
    clock.now += 50
    assert store.get("a").intent == "lottery"


def test_the_oldest_resident_is_dropped_beyond_the_cap(clock: Clock) -> None:
    store = Conversations(max_size=2, clock=clock)
    for user in ("a", "b", "c"):
        store.put(user, Context(intent="listing", project=user))
        clock.now += 1
    assert len(store) == 2
    assert store.get("a") == Context()
    assert [store.get(u).project for u in ("b", "c")] == ["b", "c"]


def test_a_resident_who_returns_moves_to_the_back_of_the_queue(clock: Clock) -> None:
    store = Conversations(max_size=2, clock=clock)
    store.put("a", Context(project="a"))
    store.put("b", Context(project="b"))
    store.put("a", Context(project="a2"))
    store.put("c", Context(project="c"))
    assert store.get("b") == Context()
    assert store.get("a").project == "a2"


def test_residents_are_kept_apart(clock: Clock) -> None:
    store = Conversations(clock=clock)
    store.put("a", Context(intent="result", pending_name="王秀英"))
    assert store.get("b") == Context()
    assert store.get("a").pending_name == "王秀英"


def test_the_default_memory_lasts_minutes_not_hours() -> None:
    assert 5 * 60 <= CONTEXT_TTL_SECONDS <= 2 * 3600


@pytest.fixture
def store(clock: Clock) -> Conversations:
    return Conversations(ttl_seconds=CONTEXT_TTL_SECONDS, clock=clock)


@pytest.fixture
def remembering(index: SearchIndex, catalog: Catalog, store: Conversations) -> Answerer:
    """An answerer whose conversations run on the hand-moved clock."""
    return Answerer(lambda: index, catalog, store, today=lambda: TODAY)


def test_a_pending_name_never_passes_to_another_resident(remembering: Answerer) -> None:
    assert remembering.answer("我叫王秀英", "a").kind == AnswerKind.ASK_FOR_TAIL
    other = remembering.answer("2345", "b")
    assert other.kind != AnswerKind.RESULT
    assert "140621" not in other.text
    assert remembering.answer("2345", "a").kind == AnswerKind.RESULT


def test_a_pending_name_expires(remembering: Answerer, clock: Clock) -> None:
    remembering.answer("我叫王秀英", "a")
    clock.now += CONTEXT_TTL_SECONDS + 1
    late = remembering.answer("2345", "a")
    assert late.kind != AnswerKind.RESULT
    assert "140621" not in late.text


def test_a_project_is_followed_within_the_time_only(remembering: Answerer, clock: Clock) -> None:
    remembering.answer("安康小区还有几套", "a")
    assert "惠民家园" not in remembering.answer("那租金呢?", "a").text
    clock.now += CONTEXT_TTL_SECONDS + 1
    assert "惠民家园" in remembering.answer("那租金呢?", "a").text


def test_each_resident_follows_their_own_project(remembering: Answerer) -> None:
    remembering.answer("安康小区还有几套", "a")
    remembering.answer("惠民家园还有几套", "b")
    mine = remembering.answer("那租金呢?", "a").text
    theirs = remembering.answer("那租金呢?", "b").text
    assert "安康小区" in mine and "惠民家园" not in mine
    assert "惠民家园" in theirs and "安康小区" not in theirs


def test_an_anonymous_message_leaves_no_memory(remembering: Answerer, store: Conversations) -> None:
    remembering.answer("我叫王秀英", "")
    assert len(store) == 0
    assert remembering.answer("2345", "").kind != AnswerKind.RESULT


def test_the_memory_holds_no_message_text(remembering: Answerer, store: Conversations) -> None:
    remembering.answer("我叫王秀英，身份证140621199001012345", "a")
    assert "140621" not in repr(store.get("a"))
    remembering.answer("惠民家园还有几套", "a")
    assert "还有几套" not in repr(store.get("a"))
