"""Tests for questions answered from decisions (item 5): how often a rent is adjusted."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answerer import Answerer
from bot.conversation import Conversations
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, Material
from knowledge.tokenizer import DomainTokenizer
from tests.bot.conftest import MATERIAL, TODAY


def _decision_with_a_cycle() -> Material:
    """The bureau's material with a rent decision that says how long its standard holds."""
    info = DocumentInfo(
        96, 96, "关于核定安康小区公共租赁住房租金标准的通知", date(2026, 9, 1), 5, "text", "d.md"
    )
    passages = (
        ("一、租金标准", "安康小区每月每平方米3.9元。"),
        ("二、执行时间", "自2026年10月1日起执行。"),
        ("三、调整周期", "本标准原则上执行2年，期满后重新核定。"),
    )
    return Material(1, (*MATERIAL.documents, LoadedDocument(info, passages)))


@pytest.fixture(scope="module")
def answerer(tokenizer: DomainTokenizer, catalog: Catalog) -> Answerer:
    index = SearchIndex.build(_decision_with_a_cycle(), tokenizer)
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: TODAY)


@pytest.mark.parametrize("question", ["安康小区房租多少年调一回", "租金几年调一次啊"])
def test_how_often_a_rent_changes_comes_from_the_decisions_cycle(
    answerer: Answerer, question: str
) -> None:
    answer = answerer.answer(question)
    assert "执行2年" in answer.text, answer.text
