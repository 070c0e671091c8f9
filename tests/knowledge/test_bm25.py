"""Tests for knowledge/bm25.py: only entries holding a query term are scored, best first."""

from __future__ import annotations

import math

import pytest

from knowledge.bm25 import COMMON_TERM_CANDIDATES, COMMON_TERM_ENTRIES, K1, B, Bm25Index

ENTRIES = [
    ["公租房", "申请", "条件"],
    ["公租房", "租金", "标准", "租金"],
    ["经适房", "价格"],
    ["摇号", "时间", "公租房"],
    ["租赁补贴", "申请", "材料", "申请"],
]


def ids(results: list[tuple[int, float]]) -> list[int]:
    return [entry for entry, _ in results]


def test_only_entries_holding_a_query_term_are_returned() -> None:
    index = Bm25Index(ENTRIES)
    assert sorted(ids(index.search(["租金"]))) == [1]
    assert sorted(ids(index.search(["申请"]))) == [0, 4]
    assert index.search(["天气"]) == []
    assert index.search([]) == []


@pytest.mark.parametrize(
    ("terms", "best"),
    [
        (["公租房", "租金"], 1),
        (["公租房", "申请", "条件"], 0),
        (["摇号", "公租房"], 3),
        (["申请", "材料"], 4),
        (["经适房", "价格"], 2),
    ],
)
def test_the_entry_holding_the_most_and_rarest_terms_ranks_first(
    terms: list[str], best: int
) -> None:
    assert ids(Bm25Index(ENTRIES).search(terms))[0] == best


def test_scores_follow_the_bm25_formula() -> None:
    index = Bm25Index(ENTRIES)
    [(entry, score)] = index.search(["租金"])
    average = sum(len(e) for e in ENTRIES) / len(ENTRIES)
    idf = math.log(1 + (5 - 1 + 0.5) / (1 + 0.5))
    expected = idf * 2 * (K1 + 1) / (2 + K1 * (1 - B + B * 4 / average))
    assert entry == 1
    assert score == pytest.approx(expected, rel=1e-6)


def test_a_rarer_term_weighs_more_and_results_are_sorted() -> None:
    index = Bm25Index(ENTRIES)
    assert index.idf("经适房") > index.idf("公租房") > 0
    assert index.idf("天气") == 0.0
    assert index.document_frequency("公租房") == 3
    scores = [score for _, score in index.search(["公租房", "申请", "租金"])]
    assert scores == sorted(scores, reverse=True)


def test_limit_and_accept() -> None:
    index = Bm25Index(ENTRIES)
    assert len(index.search(["公租房"], limit=2)) == 2
    assert sorted(ids(index.search(["公租房"], accept=lambda entry: entry != 1))) == [0, 3]
    assert index.search(["公租房"], accept=lambda entry: False) == []


def test_a_repeated_query_term_does_not_change_which_entries_are_found() -> None:
    index = Bm25Index(ENTRIES)
    assert set(ids(index.search(["申请", "申请"]))) == set(ids(index.search(["申请"])))


def test_an_empty_index() -> None:
    index = Bm25Index([])
    assert index.size == 0
    assert index.search(["公租房"]) == []


def big_listing(size: int) -> list[list[str]]:
    """Rows of a big list: every row says 公租房 and 套型; one row names the rare project."""
    rows = [["公租房", "套型", "一室一厅", f"项目{n % 50}"] for n in range(size)]
    rows[size - 7] = ["公租房", "套型", "两室一厅", "桑干河苑"]
    return rows


def test_a_common_term_is_looked_up_for_the_rare_terms_candidates() -> None:
    size = COMMON_TERM_ENTRIES * 3
    index = Bm25Index(big_listing(size))
    assert index.document_frequency("公租房") > COMMON_TERM_ENTRIES
    results = index.search(["公租房", "套型", "桑干河苑"])
    assert ids(results)[0] == size - 7
    # The common terms still add their weight to the rare term's entry.
    alone = index.search(["桑干河苑"])
    assert results[0][1] > alone[0][1]


def test_when_every_term_is_common_the_best_entries_still_come_first() -> None:
    size = COMMON_TERM_ENTRIES * 3
    rows = [["公租房", "套型"] + ["填充"] * (n % 7) for n in range(size)]
    index = Bm25Index(rows)
    results = index.search(["公租房", "套型"], limit=5)
    assert len(results) == 5
    # The shortest entries hold the terms most densely: BM25 ranks them first.
    assert all(len(rows[entry]) == 2 for entry in ids(results))
    assert size > COMMON_TERM_CANDIDATES
