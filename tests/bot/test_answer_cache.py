"""Tests for bot/answer_cache.py and its use by the answerer: repeats answered from memory,
never across a change of material, day or conversation, never about a person."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answer import Answer, AnswerKind
from bot.answer_cache import AnswerCache
from bot.answerer import Answerer
from bot.conversation import Context, Conversations
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, Material
from knowledge.tokenizer import DomainTokenizer
from tests.bot.conftest import TODAY


def notice(revision: int, rent: str) -> Material:
    info = DocumentInfo(
        1, revision, "关于公共租赁住房租金标准的通知", date(2026, 3, 1), 5, "text", "a.md"
    )
    text = f"公共租赁住房租金标准为每月每平方米{rent}元。"
    return Material(revision, (LoadedDocument(info, (("一、租金标准", text),)),))


def test_a_repeated_question_gets_the_same_answer(answerer: Answerer) -> None:
    first = answerer.answer("公租房申请需要什么材料", "first")
    again = answerer.answer("公租房申请需要什么材料", "second")
    assert again == first


def test_new_material_is_answered_at_once(tokenizer: DomainTokenizer, catalog: Catalog) -> None:
    snapshots = [SearchIndex.build(notice(1, "4.2"), tokenizer)]
    answerer = Answerer(lambda: snapshots[-1], catalog, Conversations(), today=lambda: TODAY)
    assert "4.2元" in answerer.answer("公租房租金多少", "a").text
    snapshots.append(SearchIndex.build(notice(2, "4.5"), tokenizer))
    assert "4.5元" in answerer.answer("公租房租金多少", "b").text


def test_a_follow_up_after_a_remembered_answer_still_follows(answerer: Answerer) -> None:
    answerer.answer("安康小区还有几套", "first")
    # Answered from memory for the second resident: the conversation must be set all the same.
    answerer.answer("安康小区还有几套", "second")
    follow_up = answerer.answer("那租金呢？", "second").text
    assert "安康小区" in follow_up and "惠民家园" not in follow_up


def test_a_question_inside_a_conversation_is_not_answered_from_memory(answerer: Answerer) -> None:
    answerer.answer("惠民家园还有房吗", "first")
    answerer.answer("那租金呢？", "first")
    fresh = answerer.answer("那租金呢？", "second").text
    assert "安康小区" in fresh  # every listing: nothing of the first resident's project


@pytest.mark.parametrize(
    "text", ["我身份证140621198503070741", "王秀英 140621198503070741 审核过了吗", "打13812345678"]
)
def test_a_message_with_a_personal_number_has_no_key(text: str) -> None:
    assert AnswerCache.key(1, TODAY, text) is None


@pytest.mark.parametrize("kind", [AnswerKind.RESULT, AnswerKind.ASK_FOR_TAIL])
def test_answers_about_a_person_are_not_kept(kind: AnswerKind) -> None:
    cache = AnswerCache()
    key = AnswerCache.key(1, TODAY, "王秀英 后四位2345")
    assert key is not None
    cache.put(key, Answer(text="王秀英：审核通过", kind=kind), Context())
    assert len(cache) == 0 and cache.get(key) is None


def test_the_day_and_the_revision_are_part_of_the_key() -> None:
    cache = AnswerCache()
    key = AnswerCache.key(1, TODAY, "什么时候摇号")
    assert key is not None
    cache.put(key, Answer(text="12月10日摇号", kind=AnswerKind.ANSWERED), Context())
    assert cache.get(key) is not None
    assert cache.get((2, TODAY, "什么时候摇号")) is None
    assert cache.get((1, date(2026, 12, 2), "什么时候摇号")) is None


def test_the_oldest_answers_go_first_when_full() -> None:
    cache = AnswerCache(max_size=2)
    answer = Answer(text="答", kind=AnswerKind.ANSWERED)
    for text in ("一", "二", "三"):
        cache.put((1, TODAY, text), answer, Context())
    assert len(cache) == 2 and cache.get((1, TODAY, "一")) is None


def test_answer_from_memory_only_knows_what_was_answered(answerer: Answerer) -> None:
    assert answerer.answer_from_memory("年审需要带什么材料", "first") is None
    answered = answerer.answer("年审需要带什么材料", "first")
    assert answerer.answer_from_memory("年审需要带什么材料", "second") == answered
    # The second resident's conversation now follows that answer like any other.
    assert answerer.answer_from_memory("年审需要带什么材料", "second") is None
