"""Tests for handlers.live_index: a new revision is swapped in whole, the old one kept on failure,
and the snapshot in use is moved out of the garbage collector's sight."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from handlers.knowledge_base import KnowledgeBase
from handlers.live_index import LiveIndex
from knowledge import qa
from knowledge.catalog import Catalog
from knowledge.database import session_scope
from knowledge.element_synonyms import ElementSynonyms
from knowledge.index import SearchIndex
from knowledge.tokenizer import DomainTokenizer


@pytest.fixture
def base(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, tokenizer: DomainTokenizer
) -> KnowledgeBase:
    return KnowledgeBase(engine, catalog, synonyms, tokenizer, "never")


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Nothing frozen before the test, and nothing left frozen by it."""
    gc.unfreeze()
    yield
    gc.unfreeze()


class FailingBase(KnowledgeBase):
    """A knowledge base whose next builds fail (the database went away, say)."""

    failing = False

    def build_index(self) -> SearchIndex:
        if self.failing:
            raise RuntimeError("the material could not be read")
        return super().build_index()


async def test_a_new_revision_is_swapped_in_and_frozen(
    base: KnowledgeBase, engine: Engine, unfrozen: None
) -> None:
    live = LiveIndex(base)
    assert not live.ready
    assert await live.refresh_if_stale() is True
    first = live.current()
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    assert await live.refresh_if_stale() is False
    assert gc.get_freeze_count() == 0
    with session_scope(engine) as session:
        qa.publish(session, "公租房租金多少？", "每月每平方米4.5元。", "王芳")
    assert await live.refresh_if_stale() is True
    assert live.current() is not first and live.current().revision == base.revision()
    assert gc.get_freeze_count() > 0


async def test_a_failed_rebuild_keeps_the_snapshot_in_use(
    engine: Engine,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    tokenizer: DomainTokenizer,
    unfrozen: None,
) -> None:
    failing = FailingBase(engine, catalog, synonyms, tokenizer, "never")
    live = LiveIndex(failing)
    await live.refresh_if_stale()
    first = live.current()
    failing.failing = True
    with session_scope(engine) as session:
        qa.publish(session, "摇号在哪里？", "县政务服务中心。", "王芳")
    assert await live.refresh_if_stale() is False
    assert live.current() is first
