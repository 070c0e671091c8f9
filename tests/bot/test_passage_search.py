"""Tests for bot/passage_search.py's build_query: the concepts a question is searched by."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answerer import Answerer
from bot.conversation import Conversations
from bot.normalize import normalize
from bot.passage_search import build_query
from bot.vocabulary import load_vocabulary
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, Material
from knowledge.tokenizer import DomainTokenizer
from tests.bot.conftest import MATERIAL, TODAY


def concepts(index: SearchIndex, text: str) -> dict[str, frozenset[str]]:
    """The concepts of a message as the answerer reads it (normalised: 五年 → 5年)."""
    return dict(build_query(index, normalize(text), load_vocabulary()).concepts)


@pytest.mark.parametrize(
    ("text", "asked", "not_asked"),
    [
        # 多少天 asks for a span of time: no concept of money from its 多少.
        ("交了申请等多少天能出审核结果", "#duration", "#money"),
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


def _plan() -> Material:
    """A plan whose yearly table rows read like the published ones (long, one per year)."""
    heading = "二、分年度安排"
    tail = (
        "；其中：公共租赁住房：{0}；配售型保障性住房：{0}；"
        "保障性租赁住房：{0}；计划基本建成套数：{0}"
    )
    rows = [
        (heading, f"年度：{year}年；计划开工（筹集）套数：{count}" + tail.format(count // 3))
        for year, count in ((2026, 300), (2027, 240), (2028, 220))
    ]
    rows.append((heading, "年度：合计；计划开工（筹集）套数：760" + tail.format(253)))
    info = DocumentInfo(
        1, 1, "某县住房保障“十五五”专项规划摘要", date(2026, 4, 22), 6, "text", "p.md"
    )
    return Material(1, (*MATERIAL.documents, LoadedDocument(info, tuple(rows))))


@pytest.mark.parametrize(
    ("question", "row"), [("十五五这五年打算建多少套保障房", "760"), ("2027年计划建多少套", "240")]
)
def test_a_plan_table_answers_with_its_total_unless_a_year_is_named(
    tokenizer: DomainTokenizer, catalog: Catalog, question: str, row: str
) -> None:
    index = SearchIndex.build(_plan(), tokenizer)
    answerer = Answerer(lambda: index, catalog, Conversations(), today=lambda: TODAY)
    assert row in answerer.answer(question).text.splitlines()[0]


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ("等到现在一点动静都没有", {"审核结果", "工作日"}),
        ("能让俺儿子替俺去摇号不", {"委托"}),
        ("申请表要交几份", {"一式"}),
        ("交完申请多长时间有结果", {"受理"}),
        ("年审没过就让俺搬走", {"过渡期"}),
        ("卖的时候要交钱不", {"土地收益"}),
        ("交五千块钱能保证分到房，是真的吗", {"诈骗"}),
        ("补贴标准是不是变了", {"提高", "调整"}),
    ],
)
def test_colloquial_words_mean_the_material_s(
    index: SearchIndex, text: str, meant: set[str]
) -> None:
    found = set().union(*concepts(index, text).values())
    assert meant <= found


def test_a_category_carried_from_the_last_turn_weighs_half(index: SearchIndex) -> None:
    vocabulary = load_vocabulary()
    plain = build_query(index, "啥时候发 低收入", vocabulary)
    carried = build_query(index, "啥时候发 低收入", vocabulary, lesser=["低收入"])
    weight = dict(zip((t for t, _ in plain.concepts), plain.weights, strict=True))
    lesser = dict(zip((t for t, _ in carried.concepts), carried.weights, strict=True))
    assert lesser.pop("低收入") == pytest.approx(weight.pop("低收入") / 2)
    assert lesser == weight
