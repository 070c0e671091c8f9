"""Tests for knowledge/maintenance.py: one claim per interval, whichever worker asks first."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from knowledge.database import open_engine
from knowledge.maintenance import claim, finish, last_run

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
DAY = timedelta(hours=23)


@pytest.mark.parametrize(
    ("later", "every", "claimed"),
    [
        (timedelta(minutes=5), DAY, False),
        (timedelta(hours=22, minutes=59), DAY, False),
        (timedelta(hours=23), DAY, True),
        (timedelta(days=3), DAY, True),
        (timedelta(0), timedelta(0), True),
    ],
)
def test_a_second_claim_waits_for_the_interval(
    engine: Engine, later: timedelta, every: timedelta, claimed: bool
) -> None:
    assert claim(engine, "retention", every=every, now=NOW, worker="甲:1")
    assert claim(engine, "retention", every=every, now=NOW + later, worker="乙:2") is claimed
    run = last_run(engine, "retention")
    assert run is not None and run.worker == ("乙:2" if claimed else "甲:1")


def test_jobs_are_claimed_separately(engine: Engine) -> None:
    assert claim(engine, "retention", every=DAY, now=NOW, worker="w")
    assert claim(engine, "vacuum", every=DAY, now=NOW, worker="w")
    assert last_run(engine, "never-ran") is None


def test_finish_records_the_end_and_the_rows_changed(engine: Engine) -> None:
    claim(engine, "retention", every=DAY, now=NOW, worker="w")
    finish(engine, "retention", now=NOW + timedelta(seconds=3), changed=42)
    run = last_run(engine, "retention")
    assert run is not None
    assert (run.started_at, run.finished_at, run.changed) == (
        NOW,
        NOW + timedelta(seconds=3),
        42,
    )


@pytest.mark.postgres
def test_of_workers_claiming_at_once_exactly_one_wins(postgres_url: str) -> None:
    engines = [open_engine(postgres_url) for _ in range(6)]
    start = threading.Barrier(len(engines))
    wins: list[bool] = []

    def try_claim(engine: Engine, n: int) -> None:
        start.wait()
        wins.append(claim(engine, "retention", every=DAY, now=NOW, worker=f"w{n}"))

    threads = [
        threading.Thread(target=try_claim, args=(engine, n)) for n, engine in enumerate(engines)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 5 + [True]
    for engine in engines:
        engine.dispose()
