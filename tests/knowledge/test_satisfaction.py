"""Ratings of answers: what counts as 满意 / 不满意, and what a rating does to the record it
judges (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from knowledge.record_models import Interaction, RecordStatus
from knowledge.records import NewInteraction, record_batch
from knowledge.satisfaction import (
    NOTHING_RATED,
    Rating,
    Reopening,
    parse_rating,
    rate_latest,
    rate_record,
    rating_of,
)

ASKED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
REOPENING = Reopening(date(2026, 12, 1), 5, "package")
RESIDENT = "oRater0000000000000001"


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("满意", Rating.SATISFIED),
        ("很满意！", Rating.SATISFIED),
        ("非常满意，谢谢", Rating.SATISFIED),
        (" 1 ", Rating.SATISFIED),
        ("\uff11", Rating.SATISFIED),  # full-width 1
        ("不满意", Rating.DISSATISFIED),
        ("不太满意。", Rating.DISSATISFIED),
        ("非常不满意", Rating.DISSATISFIED),
        ("2", Rating.DISSATISFIED),
        ("满意度调查在哪看", None),
        ("我对审核结果不满意，要复核", None),
        ("12", None),
        ("公租房怎么申请", None),
        ("", None),
    ],
)
def test_rating_of(text: str, rating: Rating | None) -> None:
    assert rating_of(text) is rating


@pytest.mark.parametrize(
    ("value", "rating"),
    [
        ("satisfied", Rating.SATISFIED),
        ("dissatisfied", Rating.DISSATISFIED),
        ("不满意", Rating.DISSATISFIED),
        ("good", None),
    ],
)
def test_parse_rating(value: str, rating: Rating | None) -> None:
    assert parse_rating(value) is rating


def add(
    engine: Engine,
    *,
    minutes: int = 0,
    kind: str = "answered",
    resident: str = RESIDENT,
    needs_review: bool = False,
    deadline: date | None = None,
) -> int:
    stored = record_batch(
        engine,
        [
            NewInteraction(
                channel="wechat",
                resident_key=resident,
                asked_at=ASKED + timedelta(minutes=minutes),
                question="公租房怎么申请",
                answer_text="答复",
                reply_text="答复",
                answer_kind=kind,
                needs_review=needs_review,
                deadline=deadline,
                deadline_days=5 if deadline else None,
            )
        ],
    )
    return stored[0].id


def stored(engine: Engine, record_id: int) -> Interaction:
    with Session(engine) as session:
        found = session.get(Interaction, record_id)
        assert found is not None
        return found


def rate(engine: Engine, rating: Rating, before_id: int, at: datetime = ASKED) -> int | None:
    with engine.begin() as connection:
        return rate_latest(
            connection,
            channel="wechat",
            resident_key=RESIDENT,
            before_id=before_id,
            rating=rating,
            at=at,
            reopening=REOPENING,
        ).record_id


def test_satisfied_is_stored_and_changes_nothing_else(engine: Engine) -> None:
    answer = add(engine)
    assert rate(engine, Rating.SATISFIED, before_id=answer + 1) == answer
    record = stored(engine, answer)
    assert record.satisfaction == "satisfied"
    assert record.status == RecordStatus.AUTO_ANSWERED.value
    assert record.deadline is None


def test_dissatisfied_reopens_the_record_with_a_deadline(engine: Engine) -> None:
    answer = add(engine)
    with engine.begin() as connection:
        rated = rate_latest(
            connection,
            channel="wechat",
            resident_key=RESIDENT,
            before_id=answer + 1,
            rating=Rating.DISSATISFIED,
            at=ASKED,
            reopening=REOPENING,
        )
    assert rated.reopened and rated.deadline == REOPENING.deadline
    assert rated.number == f"HD20261123{answer:06d}"
    record = stored(engine, answer)
    assert (record.satisfaction, record.status) == ("dissatisfied", "needs_review")
    assert (record.deadline, record.deadline_days, record.calendar_source) == (
        date(2026, 12, 1),
        5,
        "package",
    )


def test_a_record_already_waiting_keeps_its_deadline(engine: Engine) -> None:
    answer = add(engine, kind="not_found", needs_review=True, deadline=date(2026, 11, 27))
    rate(engine, Rating.DISSATISFIED, before_id=answer + 1)
    record = stored(engine, answer)
    assert (record.status, record.deadline) == ("needs_review", date(2026, 11, 27))


def test_the_latest_answer_is_rated_not_ratings_or_fixed_sentences(engine: Engine) -> None:
    older = add(engine, minutes=0)
    newer = add(engine, minutes=1)
    add(engine, minutes=2, kind="satisfaction")
    add(engine, minutes=3, kind="fixed")
    add(engine, minutes=4, resident="oSomeoneElse")
    assert rate(engine, Rating.SATISFIED, before_id=10_000) == newer
    assert stored(engine, older).satisfaction == ""


def test_an_old_answer_is_not_rated(engine: Engine) -> None:
    answer = add(engine)
    later = ASKED + timedelta(days=3)
    assert rate(engine, Rating.DISSATISFIED, before_id=answer + 1, at=later) is None
    assert stored(engine, answer).status == RecordStatus.AUTO_ANSWERED.value


def test_rate_record_only_rates_the_residents_own_answers(engine: Engine) -> None:
    answer = add(engine)
    with engine.begin() as connection:
        other = rate_record(
            connection,
            answer,
            channel="wechat",
            resident_key="oSomeoneElse",
            rating=Rating.DISSATISFIED,
            reopening=REOPENING,
        )
        web = rate_record(
            connection,
            answer,
            channel="web",
            resident_key=RESIDENT,
            rating=Rating.DISSATISFIED,
            reopening=REOPENING,
        )
    assert other == web == NOTHING_RATED
    assert stored(engine, answer).satisfaction == ""


def test_rating_again_replaces_the_rating_without_reopening_twice(engine: Engine) -> None:
    answer = add(engine)
    rate(engine, Rating.DISSATISFIED, before_id=answer + 1)
    with engine.begin() as connection:
        again = rate_record(
            connection,
            answer,
            channel="wechat",
            resident_key=RESIDENT,
            rating=Rating.DISSATISFIED,
            reopening=Reopening(date(2026, 12, 9), 5, "package"),
        )
    assert not again.reopened
    assert stored(engine, answer).deadline == date(2026, 12, 1)
    rate(engine, Rating.SATISFIED, before_id=answer + 1)
    record = stored(engine, answer)
    assert (record.satisfaction, record.status) == ("satisfied", "needs_review")
