"""Tests for knowledge/retention.py: old residents' text goes, every statistic stays the same."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import Session

from knowledge.maintenance import last_run
from knowledge.record_models import Interaction
from knowledge.record_stats import Period, Tally, statistics
from knowledge.records import NewInteraction, record_batch
from knowledge.retention import (
    REMOVED_TEXT,
    RETENTION_JOB,
    remove_old_text,
    retention_cutoff,
    run_if_due,
)
from knowledge.tokenizer import DomainTokenizer
from knowledge.topic_keywords import KeywordExtractor
from knowledge.topics import TopicAssigner

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
DAYS = 30
TODAY = date(2026, 11, 26)
PERIOD = Period(date(2026, 9, 1), TODAY)
_TABLE = Interaction.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Kept:
    """A record to store (days before NOW, what staff did) and whether its text must go."""

    question: str
    days_ago: int
    staff: dict[str, Any]
    removed: bool
    fields: dict[str, Any] | None = None


CASES = (
    Kept("幸福里公租房租金怎么交", 40, {"satisfaction": "satisfied"}, True),
    Kept(
        "朝阳新居还有两居室吗，我电话13812345678",
        45,
        {
            "status": "answered",
            "staff_reply": "朝阳新居两居室已分配完毕，请关注下一批房源。",
            "replied_at": NOW - timedelta(days=44),
        },
        True,
        {"answer_kind": "not_found", "needs_review": True, "deadline": date(2026, 10, 20)},
    ),
    Kept(
        "物业乱收费我要投诉",
        50,
        {},
        False,
        {"answer_kind": "complaint", "needs_review": True, "deadline": date(2026, 10, 27)},
    ),
    Kept("租赁补贴什么时候发放", 35, {"pending_delivery": True}, False),
    Kept(
        "经适房能不能卖",
        60,
        {"status": "closed", "closed_at": NOW - timedelta(days=58)},
        True,
        {"answer_kind": "not_found", "needs_review": True, "deadline": date(2026, 10, 5)},
    ),
    Kept(
        "外地人可以申请公租房吗",
        31,
        {
            "status": "published",
            "staff_reply": "持本县居住证满一年可以申请。",
            "replied_at": NOW - timedelta(days=30),
            "satisfaction": "dissatisfied",
        },
        True,
    ),
    Kept("公租房申请要什么材料", 2, {"satisfaction": "satisfied"}, False),
    Kept("你好", 40, {}, True, {"answer_kind": "greeting"}),
)


def store(engine: Engine, tokenizer: DomainTokenizer) -> list[int]:
    """The cases as records, topics assigned as the service does, then staff's actions."""
    assigner = TopicAssigner(KeywordExtractor(tokenizer))
    batch = []
    for n, case in enumerate(CASES):
        values: dict[str, Any] = {
            "channel": "wechat",
            "resident_key": f"o_resident_{n}",
            "asked_at": NOW - timedelta(days=case.days_ago),
            "question": case.question,
            "dedup_key": f"msg:{n}",
            "answer_kind": "answered",
            "answer_text": f"关于“{case.question}”的答复",
            "reply_text": f"关于“{case.question}”的答复（回复“更多”看全文）",
            "reply_card": {"title": case.question, "url": "/qa"} if n == 0 else None,
        }
        batch.append(NewInteraction(**(values | (case.fields or {}))))
    ids = [stored.id for stored in record_batch(engine, batch, after_insert=assigner.after_insert)]
    with engine.begin() as connection:
        for record_id, case in zip(ids, CASES, strict=True):
            if case.staff:
                connection.execute(
                    update(_TABLE).where(_TABLE.c.id == record_id).values(**case.staff)
                )
    return ids


def texts(engine: Engine, record_id: int) -> tuple[str, str, str, str, Any]:
    with engine.connect() as connection:
        row = connection.execute(
            select(
                _TABLE.c.question,
                _TABLE.c.answer_text,
                _TABLE.c.reply_text,
                _TABLE.c.staff_reply,
                _TABLE.c.reply_card,
            ).where(_TABLE.c.id == record_id)
        ).one()
    return (row.question, row.answer_text, row.reply_text, row.staff_reply, row.reply_card)


def test_statistics_are_the_same_after_retention(
    engine: Engine, tokenizer: DomainTokenizer
) -> None:
    store(engine, tokenizer)
    with engine.connect() as connection:
        before = statistics(connection, PERIOD, TODAY)
    # Every outcome the statistics know is among the records, and several topics.
    assert before.total == Tally(
        received=7,
        by_bot=3,
        by_staff=2,
        waiting=1,
        unanswered=1,
        not_found=2,
        sent_to_staff=3,
        on_time=2,
        overdue=1,
        satisfied=2,
        dissatisfied=1,
    )
    assert len(before.topics) >= 5
    result = remove_old_text(engine, days=DAYS, now=NOW)
    assert result.records == 5
    with engine.connect() as connection:
        assert statistics(connection, PERIOD, TODAY) == before


@pytest.mark.parametrize("case", CASES, ids=[c.question for c in CASES])
def test_old_finished_records_lose_their_text_and_the_rest_keep_it(
    engine: Engine, tokenizer: DomainTokenizer, case: Kept
) -> None:
    ids = store(engine, tokenizer)
    record_id = ids[CASES.index(case)]
    original = texts(engine, record_id)
    remove_old_text(engine, days=DAYS, now=NOW)
    question, answer, reply, staff_reply, card = texts(engine, record_id)
    if not case.removed:
        assert (question, answer, reply, staff_reply, card) == original
        return
    assert (question, answer, reply, card) == (REMOVED_TEXT, "", "", None)
    assert staff_reply == (REMOVED_TEXT if case.staff.get("staff_reply") else "")
    remaining = " ".join(str(v) for v in texts(engine, record_id))
    assert case.question[:4] not in remaining


def test_a_record_handled_later_loses_its_text_on_the_next_run(
    engine: Engine, tokenizer: DomainTokenizer
) -> None:
    ids = store(engine, tokenizer)
    complaint = ids[2]
    remove_old_text(engine, days=DAYS, now=NOW)
    assert texts(engine, complaint)[0] == "物业乱收费我要投诉"
    with engine.begin() as connection:
        connection.execute(
            update(_TABLE)
            .where(_TABLE.c.id == complaint)
            .values(status="answered", staff_reply="已转物业科核查。", replied_at=NOW)
        )
    assert remove_old_text(engine, days=DAYS, now=NOW).records == 1
    assert texts(engine, complaint)[0] == REMOVED_TEXT
    assert remove_old_text(engine, days=DAYS, now=NOW).records == 0


def test_a_set_stop_ends_the_run_before_the_first_batch(
    engine: Engine, tokenizer: DomainTokenizer
) -> None:
    store(engine, tokenizer)
    stop = threading.Event()
    stop.set()
    assert remove_old_text(engine, days=DAYS, now=NOW, stop=stop).records == 0


@pytest.mark.parametrize(
    ("days", "cutoff"), [(1, NOW - timedelta(days=1)), (180, NOW - timedelta(days=180))]
)
def test_retention_cutoff(days: int, cutoff: datetime) -> None:
    assert retention_cutoff(NOW, days) == cutoff


def test_retention_needs_a_day_at_least() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        retention_cutoff(NOW, 0)


def test_run_if_due_runs_once_within_its_interval(
    engine: Engine, tokenizer: DomainTokenizer
) -> None:
    store(engine, tokenizer)
    first = run_if_due(engine, days=DAYS, every=timedelta(hours=23), worker="host:1")
    assert first is not None and first.records == 5
    assert run_if_due(engine, days=DAYS, every=timedelta(hours=23), worker="host:2") is None
    run = last_run(engine, RETENTION_JOB)
    assert run is not None and (run.worker, run.changed) == ("host:1", 5)
    assert run.finished_at is not None
    # An explicit run (anju retention run) claims whatever ran before.
    again = run_if_due(engine, days=DAYS, every=timedelta(0), worker="cli")
    assert again is not None and again.records == 0
    with Session(engine) as session:
        assert session.get(Interaction, 1) is not None
