"""Tests for knowledge/worker_state.py: the shared tables are purged by age and bounded in size."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, insert, select

from knowledge.worker_state import (
    BUCKET_TABLE,
    CONVERSATION_TABLE,
    count_rows,
    purge_buckets,
    purge_conversations,
)

NOW = 1_790_000_000.0
TTL = 1800.0


def add_contexts(engine: Engine, ages: dict[str, float]) -> None:
    if not ages:
        return
    with engine.begin() as connection:
        connection.execute(
            insert(CONVERSATION_TABLE),
            [{"key": k, "context": "{}", "updated_at": NOW - age} for k, age in ages.items()],
        )


def keys_left(engine: Engine, table: object) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.execute(select(table.c.key)).scalars())  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("ages", "left"),
    [
        ({}, []),
        ({"wechat:o1": 10.0, "wechat:o2": TTL - 1}, ["wechat:o1", "wechat:o2"]),
        ({"wechat:o1": 10.0, "wechat:o2": TTL + 1}, ["wechat:o1"]),
        ({"web:甲": TTL * 5, "web:乙": TTL * 2}, []),
    ],
)
def test_contexts_older_than_the_ttl_are_purged(
    engine: Engine, ages: dict[str, float], left: list[str]
) -> None:
    add_contexts(engine, ages)
    removed = purge_conversations(engine, now=NOW, ttl_seconds=TTL)
    assert (keys_left(engine, CONVERSATION_TABLE), removed) == (left, len(ages) - len(left))


def test_beyond_the_cap_the_least_recently_changed_go_first(engine: Engine) -> None:
    add_contexts(engine, {f"wechat:o{n}": float(n) for n in range(1, 8)})
    removed = purge_conversations(engine, now=NOW, ttl_seconds=TTL, max_rows=3)
    assert keys_left(engine, CONVERSATION_TABLE) == ["wechat:o1", "wechat:o2", "wechat:o3"]
    assert removed == 4


def test_a_cap_must_be_positive(engine: Engine) -> None:
    with pytest.raises(ValueError, match="max_rows"):
        purge_conversations(engine, now=NOW, ttl_seconds=TTL, max_rows=0)


def test_refilled_buckets_are_purged_and_others_kept(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(BUCKET_TABLE),
            [
                {"key": "wechat:o1", "tokens": 0.0, "updated_at": NOW - 5},
                {"key": "wechat:o2", "tokens": 3.0, "updated_at": NOW - 31},
            ],
        )
    assert purge_buckets(engine, now=NOW, full_after_seconds=30.0) == 1
    assert keys_left(engine, BUCKET_TABLE) == ["wechat:o1"]
    assert count_rows(engine, BUCKET_TABLE) == 1
