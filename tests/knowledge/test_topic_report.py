"""Hot topics for staff: rising topics first, counts per day and week from the records, and the
published Q&A covering each question (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from knowledge import qa
from knowledge.database import session_scope
from knowledge.records import NewInteraction, record_batch
from knowledge.tokenizer import DomainTokenizer
from knowledge.topic_keywords import KeywordExtractor
from knowledge.topic_report import (
    ALIKE,
    ANSWERED_WITH,
    PUBLISHED_FROM_RECORD,
    TREND_DAYS,
    hot_topics,
    topic_detail,
)
from knowledge.topics import TopicAssigner

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def extractor(tokenizer: DomainTokenizer) -> KeywordExtractor:
    return KeywordExtractor(tokenizer)


def days_ago(days: int) -> datetime:
    """04:00 China time, `days` days before TODAY."""
    return datetime(2026, 11, 25, 20, tzinfo=UTC) - timedelta(days=days)


def ask(
    engine: Engine,
    assigner: TopicAssigner,
    question: str,
    ago: int,
    *,
    satisfaction: str = "",
    sources: list[dict[str, Any]] | None = None,
) -> int:
    new = NewInteraction(
        channel="wechat",
        resident_key="oReport000000000001",
        asked_at=days_ago(ago),
        question=question,
        answer_text="答复",
        reply_text="答复",
        answer_kind="answered",
        sources=sources or [],
    )
    record_id = record_batch(engine, [new], after_insert=assigner.after_insert)[0].id
    if satisfaction:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f"UPDATE interaction SET satisfaction = '{satisfaction}' WHERE id = {record_id}"
            )
    return record_id


def test_rising_topics_come_first_then_the_busiest(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    assigner = TopicAssigner(extractor)
    ask(engine, assigner, "公租房租金多少", 10)
    for ago in (0, 1, 2, 3, 4):
        ask(engine, assigner, "什么时候摇号", ago, satisfaction="dissatisfied" if ago else "")
    ask(engine, assigner, "摇号什么时候开始", 9)
    for ago in (0, 1, 2, 8, 9, 10, 11):
        ask(engine, assigner, "公租房怎么申请", ago)
    for ago in (8, 9, 12):
        ask(engine, assigner, "公租房可以养宠物吗", ago)
    ask(engine, assigner, "公租房怎么申请", 30)  # outside the two weeks
    with engine.connect() as connection:
        trends = hot_topics(connection, assigner, TODAY)
    # 摇号 rises; 申请 is busiest lately; of the two quiet ones, 宠物 was asked more in all.
    assert [t.label for t in trends] == ["摇号", "公租房、申请", "公租房、宠物", "公租房、租金"]
    lottery, applying = trends[0], trends[1]
    assert (lottery.recent, lottery.before, lottery.change) == (5, 1, 4)
    assert lottery.days[-TREND_DAYS:] == (0, 0, 1, 1, 1, 1, 1)
    assert (lottery.dissatisfied, lottery.satisfied) == (4, 0)
    assert (applying.recent, applying.before, applying.total) == (3, 4, 8)


def test_a_topic_lists_its_questions_and_what_covers_them(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    assigner = TopicAssigner(extractor)
    published_from = ask(engine, assigner, "公租房怎么申请", 3)
    with session_scope(engine) as session:
        entry = qa.publish(
            session,
            "公租房怎么申请？",
            "向社区居委会申请。",
            "publisher1",
            interaction_id=published_from,
        )
    answered = ask(
        engine, assigner, "gzf怎么申请", 2, sources=[{"title": "问答", "qa_id": entry.id}]
    )
    alike = ask(engine, assigner, "申请公组房要啥条件", 1)
    with engine.connect() as connection:
        trends = hot_topics(connection, assigner, TODAY)
        topic_id = trends[0].topic_id
        detail = topic_detail(connection, assigner, topic_id, TODAY)
        assert topic_detail(connection, assigner, topic_id + 100, TODAY) is None
    assert trends[0].covered_by is not None and trends[0].covered_by.qa_id == entry.id
    assert detail is not None
    assert detail.label == "公租房、申请" and detail.total == 3
    how = {q.record_id: q.covered_by.how for q in detail.questions if q.covered_by}
    assert how == {published_from: PUBLISHED_FROM_RECORD, answered: ANSWERED_WITH, alike: ALIKE}
    assert [q.record_id for q in detail.questions] == [alike, answered, published_from]
    assert sum(count for _, count in detail.days) == 3
    assert sum(count for _, count in detail.weeks) == 3
    assert detail.days[-1][0] == TODAY


def test_a_withdrawn_answer_covers_nothing(engine: Engine, extractor: KeywordExtractor) -> None:
    assigner = TopicAssigner(extractor)
    record_id = ask(engine, assigner, "公租房怎么申请", 1)
    with session_scope(engine) as session:
        entry = qa.publish(session, "公租房怎么申请？", "向社区居委会申请。", "publisher1")
        qa.withdraw(session, entry.id, "publisher1")
    with engine.connect() as connection:
        topic_id = hot_topics(connection, assigner, TODAY)[0].topic_id
        detail = topic_detail(connection, assigner, topic_id, TODAY)
    assert detail is not None
    assert [(q.record_id, q.covered_by) for q in detail.questions] == [(record_id, None)]
