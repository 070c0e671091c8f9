"""Item-41 statistics match the records they count: each question in exactly one outcome, on
time and overdue by its deadline, by China week, topic and channel (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from knowledge.record_models import Interaction
from knowledge.record_stats import (
    UNSORTED_LABEL,
    Period,
    Tally,
    label_of,
    recent_weeks,
    statistics,
    week_start,
)
from knowledge.records import NewInteraction, record_batch

TODAY = date(2026, 11, 26)  # a Thursday
PERIOD = Period(date(2026, 11, 9), TODAY)


@dataclass(frozen=True)
class Case:
    """A record to store, and what it must count for."""

    name: str
    fields: dict[str, Any]
    counts: dict[str, int]


def at(day: int, hour: int = 2) -> datetime:
    """November `day` of 2026, `hour` o'clock UTC (China time is 8 hours ahead)."""
    return datetime(2026, 11, day, hour, tzinfo=UTC)


CASES = (
    Case("bot answered", {}, {"by_bot": 1}),
    Case(
        "waiting past its deadline",
        {"answer_kind": "not_found", "status": "needs_review", "deadline": date(2026, 11, 20)},
        {"waiting": 1, "not_found": 1, "sent_to_staff": 1, "overdue": 1},
    ),
    Case(
        "waiting within its deadline",
        {"answer_kind": "not_found", "status": "needs_review", "deadline": date(2026, 11, 30)},
        {"waiting": 1, "not_found": 1, "sent_to_staff": 1},
    ),
    Case(
        "staff replied in time",
        {
            "status": "answered",
            "staff_reply": "答复",
            "replied_at": at(19),
            "deadline": date(2026, 11, 20),
        },
        {"by_staff": 1, "sent_to_staff": 1, "on_time": 1},
    ),
    Case(
        # 20:00 UTC on the 20th is the 21st in China: one day late.
        "staff replied late",
        {
            "status": "answered",
            "staff_reply": "答复",
            "replied_at": at(20, 20),
            "deadline": date(2026, 11, 20),
        },
        {"by_staff": 1, "sent_to_staff": 1, "overdue": 1},
    ),
    Case(
        "closed in time without a reply",
        {"status": "closed", "closed_at": at(18), "deadline": date(2026, 11, 20)},
        {"unanswered": 1, "sent_to_staff": 1, "on_time": 1},
    ),
    Case("published without a reply", {"status": "published"}, {"by_staff": 1}),
    Case(
        "not found, never sent to staff",
        {"answer_kind": "not_found"},
        {"unanswered": 1, "not_found": 1},
    ),
    Case("rated satisfied", {"satisfaction": "satisfied"}, {"by_bot": 1, "satisfied": 1}),
    Case(
        "rated dissatisfied",
        {"satisfaction": "dissatisfied", "status": "needs_review", "deadline": date(2026, 12, 3)},
        {"waiting": 1, "sent_to_staff": 1, "dissatisfied": 1},
    ),
)
# Messages that are no question, and a question outside the period: never counted.
NOT_COUNTED: tuple[dict[str, Any], ...] = (
    {"answer_kind": "satisfaction"},
    {"answer_kind": "more"},
    {"answer_kind": "fixed"},
    {"message_type": "event:click"},
    {"asked_at": at(8, 15)},  # 23:00 on the 8th in China: the day before the period
)


def store(engine: Engine, fields: dict[str, Any], n: int, channel: str = "wechat") -> int:
    """A record as the writer stores it, then changed the way staff and ratings change it."""
    asked_at = fields.get("asked_at", at(16))
    new = NewInteraction(
        channel=channel,
        resident_key=f"oStats{n:04d}",
        asked_at=asked_at,
        question="公租房怎么申请",
        answer_text="答复",
        reply_text="答复",
        answer_kind=fields.get("answer_kind", "answered"),
        message_type=fields.get("message_type", "text"),
    )
    record_id = record_batch(engine, [new])[0].id
    changes = {k: v for k, v in fields.items() if k not in ("asked_at", "message_type")}
    with Session(engine) as session:
        record = session.get(Interaction, record_id)
        assert record is not None
        for key, value in changes.items():
            setattr(record, key, value)
        session.add(record)
        session.commit()
    return record_id


def count(engine: Engine, period: Period = PERIOD, channel: str = "") -> Any:
    with engine.connect() as connection:
        return statistics(connection, period, TODAY, channel=channel)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_record_counts_for_its_outcome(engine: Engine, case: Case) -> None:
    store(engine, case.fields, 1)
    assert count(engine).total == Tally(received=1, **case.counts)


def test_totals_are_the_sum_of_the_records_and_of_every_grouping(engine: Engine) -> None:
    for n, case in enumerate(CASES):
        store(engine, case.fields, n, channel="web" if n % 3 == 0 else "wechat")
    for n, fields in enumerate(NOT_COUNTED):
        store(engine, fields, 100 + n)
    found = count(engine)
    expected = Tally()
    for case in CASES:
        expected = expected.plus(Tally(received=1, **case.counts))
    assert found.total == expected
    assert found.total.received == len(CASES)
    for grouping in (found.weeks, found.channels, found.topics):
        total = Tally()
        for row in grouping:
            total = total.plus(row.tally)
        assert total == found.total
    assert [row.label for row in found.topics] == [UNSORTED_LABEL]
    assert {row.key: row.tally.received for row in found.channels} == {"wechat": 6, "web": 4}
    assert found.total.answered_rate == pytest.approx(5 / 10)
    assert found.total.on_time_rate == pytest.approx(2 / 4)
    assert found.total.satisfaction_rate == pytest.approx(1 / 2)
    assert found.total.not_found_rate == pytest.approx(3 / 10)
    assert count(engine, channel="web").total.received == 4


def test_weeks_run_monday_to_sunday_on_china_dates(engine: Engine) -> None:
    store(engine, {"asked_at": at(15, 15)}, 1)  # Sunday 15th, 23:00 in China
    store(engine, {"asked_at": at(15, 17)}, 2)  # 01:00 on Monday 16th in China
    found = count(engine)
    assert [w.start for w in found.weeks] == [
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert [w.tally.received for w in found.weeks] == [1, 1, 0]
    assert found.weeks[0].end == date(2026, 11, 15)


def test_topics_are_labelled_by_their_keywords(engine: Engine) -> None:
    store(engine, {}, 1)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO topic (id, signature, keywords, created_at) "
            "VALUES (7, '公租房 申请', '公租房 申请', '2026-11-01 00:00:00+00')"
        )
        connection.exec_driver_sql("UPDATE interaction SET topic_id = 7")
    found = count(engine)
    assert [(row.key, row.label, row.tally.received) for row in found.topics] == [
        (7, "公租房、申请", 1)
    ]
    assert label_of("摇号 时间") == "摇号、时间"


@pytest.mark.parametrize(
    ("today", "weeks", "start"),
    [
        (date(2026, 11, 26), 1, date(2026, 11, 23)),
        (date(2026, 11, 26), 12, date(2026, 9, 7)),
        (date(2026, 11, 23), 2, date(2026, 11, 16)),
    ],
)
def test_recent_weeks(today: date, weeks: int, start: date) -> None:
    period = recent_weeks(today, weeks)
    assert (period.start, period.end) == (start, today)
    assert week_start(period.start) == period.start


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError):
        Period(TODAY, TODAY - timedelta(days=1))
