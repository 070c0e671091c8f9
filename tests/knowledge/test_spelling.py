"""Tests for knowledge/spelling.py: homophone and pinyin slips fixed, clean text left alone."""

from __future__ import annotations

import pytest

from knowledge.spelling import SpellingCorrector, common_word_test, fold_syllable
from knowledge.tokenizer import DomainTokenizer, load_domain_words

PROJECTS = ["幸福里（一期）", "幸福里", "朝阳新居", "岱岳新村"]


@pytest.fixture(scope="module")
def corrector(tokenizer: DomainTokenizer) -> SpellingCorrector:
    """The corrector as the index builds it: domain words and project names."""
    return SpellingCorrector(load_domain_words() + PROJECTS, common_word_test(tokenizer.frequency))


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        ("公组房怎么申请", "公租房怎么申请"),
        ("廉租方还有吗", "廉租房还有吗"),
        ("什么时候要号", "什么时候摇号"),
        ("审合结果出来没", "审核结果出来没"),
        ("我想申清公租房", "我想申请公租房"),
        ("补帖多少钱", "补贴多少钱"),
        ("住建据电话", "住建局电话"),
        ("经济实用住房", "经济适用住房"),
        ("辛福里还有房吗", "幸福里还有房吗"),
        ("朝阳新局在哪", "朝阳新居在哪"),
    ],
)
def test_homophone_slips_are_corrected(
    corrector: SpellingCorrector, text: str, corrected: str
) -> None:
    result = corrector.correct(text)
    assert result.text == corrected
    assert len(result.fixes) == 1


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        ("gzf怎么申请", "公租房怎么申请"),
        ("lzf", "廉租房"),
        ("gongzufang在哪申请", "公租房在哪申请"),
        ("jsf还有吗", "经适房还有吗"),
    ],
)
def test_pinyin_and_initials_are_replaced_by_the_term(
    corrector: SpellingCorrector, text: str, corrected: str
) -> None:
    assert corrector.correct(text).text == corrected


@pytest.mark.parametrize(
    "text",
    [
        "公租房怎么申请",
        "我叫张深情，审核结果出来了吗",
        "王建国的审核结果",
        "李静",
        "我的保障",
        "深情",
        "要好",
        "我要好好准备材料",
        "我在深圳工作",
        "hello",
        "zufang",
        "2026年3月5日",
        "",
    ],
)
def test_clean_text_is_left_alone(corrector: SpellingCorrector, text: str) -> None:
    result = corrector.correct(text)
    assert result.text == text
    assert result.fixes == ()


def test_the_longer_term_wins(corrector: SpellingCorrector) -> None:
    # 新的保章房: the three-character 保障房 is fixed, not a two-character term inside it.
    assert corrector.correct("新的保章房").text == "新的保障房"


def test_a_slip_next_to_a_correct_shorter_term_is_still_fixed(
    corrector: SpellingCorrector,
) -> None:
    assert corrector.correct("租领补贴怎么申请").text == "租赁补贴怎么申请"


def test_without_a_common_word_test_short_windows_are_more_eager() -> None:
    # The common-word test is what keeps ordinary two-character words from being "fixed".
    plain = SpellingCorrector(["摇号"])
    assert plain.correct("要号").text == "摇号"
    guarded = SpellingCorrector(["摇号"], lambda word: word == "要号")
    assert guarded.correct("要号").text == "要号"


@pytest.mark.parametrize(
    ("syllable", "folded"),
    [("zhang", "zang"), ("sheng", "sen"), ("shi", "si"), ("ling", "lin"), ("zu", "zu")],
)
def test_fold_syllable(syllable: str, folded: str) -> None:
    assert fold_syllable(syllable) == folded


@pytest.mark.parametrize(
    ("text", "corrected"),
    [
        # Slips of shape, not of sound: 凭 (ping) for 赁 (lin), 侯 for 候.
        ("领租凭补贴要啥手续", "领租赁补贴要啥手续"),
        ("轮侯的人多不多", "轮候的人多不多"),
    ],
)
def test_lookalike_slips_are_corrected(
    corrector: SpellingCorrector, text: str, corrected: str
) -> None:
    result = corrector.correct(text)
    assert result.text == corrected
    assert len(result.fixes) == 1


def test_a_lookalike_that_belongs_to_its_neighbours_word_is_kept(
    tokenizer: DomainTokenizer,
) -> None:
    # 往 looks like 住, but in 以往 it is a word of its own with 以.
    corrector = SpellingCorrector(["住房"], common_word_test(tokenizer.frequency), ["住往"])
    assert corrector.correct("比以往房子多").text == "比以往房子多"
    assert corrector.correct("往房申请").text == "住房申请"


def test_without_lookalike_groups_only_sound_is_corrected() -> None:
    assert SpellingCorrector(["租赁补贴"], lookalikes=()).correct("租凭补贴").text == "租凭补贴"
