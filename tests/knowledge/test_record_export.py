"""The records sheet lists exactly the questions the statistics count (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine

from knowledge.record_export import record_lines
from knowledge.record_stats import Period, Tally, statistics
from knowledge.records import NewInteraction, record_batch

TODAY = date(2026, 11, 26)
PERIOD = Period(date(2026, 11, 1), TODAY)
ASKED = datetime(2026, 11, 20, 3, tzinfo=UTC)


def question(n: int, *, kind: str = "answered", asked_at: datetime = ASKED) -> NewInteraction:
    return NewInteraction(
        channel="web" if n % 2 else "wechat",
        resident_key=f"r{n}",
        asked_at=asked_at,
        question=f"问题{n}：电话13800138000",
        answer_text="答复",
        reply_text="答复",
        answer_kind=kind,
    )


def test_every_counted_question_is_listed_once_in_order(engine: Engine) -> None:
    # More than one chunk of records, many asked in the same second.
    batch = [question(n, asked_at=ASKED + timedelta(seconds=n // 700)) for n in range(2105)]
    batch += [question(9000, kind="satisfaction"), question(9001, asked_at=ASKED.replace(month=10))]
    record_batch(engine, batch)
    with engine.connect() as connection:
        lines = list(record_lines(connection, PERIOD, TODAY))
        total = statistics(connection, PERIOD, TODAY).total
    assert len(lines) == total.received == 2105
    assert len({line.number for line in lines}) == 2105
    assert [line.asked_at for line in lines] == sorted(line.asked_at for line in lines)
    summed = Tally()
    for line in lines:
        summed = summed.plus(line.counted)
    assert summed == total
    # Residents' words were masked before they were stored.
    assert lines[0].question == "问题0：电话138****8000"


def test_one_channel_and_a_limit(engine: Engine) -> None:
    record_batch(engine, [question(n) for n in range(10)])
    with engine.connect() as connection:
        web = list(record_lines(connection, PERIOD, TODAY, channel="web"))
        few = list(record_lines(connection, PERIOD, TODAY, limit=3))
    assert {line.channel for line in web} == {"web"} and len(web) == 5
    assert len(few) == 3
