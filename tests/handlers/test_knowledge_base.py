"""Tests for handlers.knowledge_base: published Q&A reach the index, also while the demo is
the material, and publishing moves the revision the workers poll."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from handlers.knowledge_base import KnowledgeBase
from knowledge import qa
from knowledge.catalog import Catalog
from knowledge.database import session_scope
from knowledge.element_synonyms import ElementSynonyms
from knowledge.index import QA
from knowledge.tokenizer import DomainTokenizer


@pytest.mark.parametrize("load_demo", ["always", "never"])
def test_published_answers_are_indexed_from_the_bureaus_database(
    engine: Engine,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    tokenizer: DomainTokenizer,
    load_demo: str,
) -> None:
    base = KnowledgeBase(engine, catalog, synonyms, tokenizer, load_demo)
    before = base.revision()
    assert not [e for e in base.build_index().entries if e.kind == QA]
    with session_scope(engine) as session:
        kept = qa.publish(session, "公租房租金多少？", "每月每平方米4.5元。", "王芳")
        gone = qa.publish(session, "摇号在哪里？", "县政务服务中心。", "王芳")
        qa.withdraw(session, gone.id, "王芳")
    assert base.revision() != before
    index = base.build_index()
    answers = [entry.qa for entry in index.entries if entry.kind == QA]
    assert [(a.qa_id, a.answer) for a in answers if a is not None] == [
        (kept.id, "每月每平方米4.5元。")
    ]
    assert index.revision == base.revision()
    hits = index.search("公租房租金多少")
    assert any(hit.entry.kind == QA for hit in hits[:3])
