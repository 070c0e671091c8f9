"""Tests for bot/passage_search.py's build_query: the concepts a question is searched by."""

from __future__ import annotations

import pytest

from bot.normalize import normalize
from bot.passage_search import build_query
from bot.vocabulary import load_vocabulary
from knowledge.index import SearchIndex


def concepts(index: SearchIndex, text: str) -> dict[str, frozenset[str]]:
    """The concepts of a message as the answerer reads it (normalised: 五年 → 5年)."""
    return dict(build_query(index, normalize(text), load_vocabulary()).concepts)


@pytest.mark.parametrize(
    ("text", "asked", "not_asked"),
    [
        # 多少天 asks for a time: no concept of money from its 多少.
        ("交了申请等多少天能出审核结果", "工作日", "#money"),
        # 多少钱 does ask for money.
        ("物业费一个月多少钱", "#money", "工作日"),
    ],
)
def test_a_longer_phrase_speaks_for_its_words(
    index: SearchIndex, text: str, asked: str, not_asked: str
) -> None:
    found = set().union(*concepts(index, text).values())
    assert asked in found and not_asked not in found


def test_handing_in_an_application_is_its_acceptance(index: SearchIndex) -> None:
    found = set().union(*concepts(index, "交了申请等多少天能出审核结果").values())
    assert "受理" in found


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("今后五年全县一共要建多少保障房", {"规划", "合计"}),
        ("未来几年还建公租房吗", {"规划"}),
    ],
)
def test_the_years_ahead_mean_the_plan(index: SearchIndex, text: str, meant: set[str]) -> None:
    found = set().union(*concepts(index, text).values())
    assert meant <= found
