"""Tests for knowledge/operational_counts.py: what /metrics reads from the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from knowledge.database import session_scope
from knowledge.operational_counts import OperationalCounts, read_counts
from knowledge.record_models import Delivery
from knowledge.records import NewInteraction, record_batch

# 10:00 on 26 November in China.
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def ask(engine: Engine, hours_ago: float, **fields: Any) -> int:
    values: dict[str, Any] = {
        "channel": "wechat",
        "resident_key": "o_resident",
        "asked_at": NOW - timedelta(hours=hours_ago),
        "question": "公租房怎么申请",
        "answer_kind": "answered",
    } | fields
    [stored] = record_batch(engine, [NewInteraction(**values)])
    return stored.id


def deliver(engine: Engine, record_id: int, purpose: str, delivered: bool, finished: bool) -> None:
    with session_scope(engine) as session:
        session.add(
            Delivery(
                interaction_id=record_id,
                purpose=purpose,
                created_at=NOW,
                finished_at=NOW if finished else None,
                delivered=delivered,
            )
        )


@pytest.fixture
def counts(engine: Engine) -> OperationalCounts:
    ask(engine, 1)
    ask(engine, 2, channel="web")
    ask(engine, 3, answer_kind="not_found", needs_review=True, deadline=date(2026, 12, 3))
    ask(engine, 4, answer_kind="greeting", question="你好")
    ask(engine, 5, message_type="event", answer_kind="menu", question="")
    overdue = ask(
        engine, 23, answer_kind="complaint", needs_review=True, deadline=date(2026, 11, 25)
    )
    # Older than a day: in no recent figure, but still open (and overdue).
    ask(engine, 30, answer_kind="not_found", needs_review=True, deadline=date(2026, 11, 20))
    deliver(engine, overdue, "staff_reply", delivered=True, finished=True)
    deliver(engine, overdue, "staff_reply", delivered=False, finished=True)
    deliver(engine, overdue, "late_answer", delivered=False, finished=True)
    deliver(engine, overdue, "late_answer", delivered=False, finished=False)
    return read_counts(engine, NOW)


def test_recent_answers_by_channel_and_kind(counts: OperationalCounts) -> None:
    assert counts.recent_answers == {
        ("wechat", "answered"): 1,
        ("web", "answered"): 1,
        ("wechat", "not_found"): 1,
        ("wechat", "greeting"): 1,
        ("wechat", "menu"): 1,
        ("wechat", "complaint"): 1,
    }


def test_questions_and_not_found_as_the_statistics_count_them(counts: OperationalCounts) -> None:
    # A greeting and a menu click are no questions.
    assert (counts.recent_questions, counts.recent_not_found) == (4, 1)
    assert counts.not_found_ratio == pytest.approx(0.25)


def test_open_and_overdue_records(counts: OperationalCounts) -> None:
    assert (counts.open_records, counts.overdue_records) == (3, 2)


def test_deliveries_by_purpose_and_outcome(counts: OperationalCounts) -> None:
    assert counts.deliveries == {
        ("staff_reply", "delivered"): 1,
        ("staff_reply", "failed"): 1,
        ("late_answer", "failed"): 1,
        ("late_answer", "unfinished"): 1,
    }


def test_an_empty_database_has_no_ratio(engine: Engine) -> None:
    counts = read_counts(engine, NOW)
    assert counts.not_found_ratio is None
    assert (counts.recent_answers, counts.deliveries, counts.open_records) == ({}, {}, 0)
