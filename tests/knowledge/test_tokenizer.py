"""Tests for knowledge/tokenizer.py: domain words stay whole, variants fold to one term."""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from knowledge.tokenizer import (
    DomainTokenizer,
    is_latin_or_digits,
    load_domain_words,
    load_term_synonyms,
    normalize_text,
)


def full_width(text: str) -> str:
    """Text as a Chinese input method in full-width mode types it (letters, digits, spaces)."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("公租房怎么申请", "公租房"),
        ("廉租房还有吗", "廉租房"),
        ("经济适用住房的价格", "经济适用住房"),
        ("租赁补贴发放标准", "租赁补贴"),
        ("什么时候摇号", "摇号"),
        ("选房顺序", "选房"),
        ("配租结果", "配租"),
        ("年审要带什么", "年审"),
        ("公租房和廉租房并轨", "并轨"),
    ],
)
def test_domain_words_are_never_split(tokenizer: DomainTokenizer, text: str, word: str) -> None:
    assert word in tokenizer.cut(text)


def test_plain_jieba_would_split_the_domain_word() -> None:
    # Why the domain dictionary exists: out of the box 公租房 is cut into 公 / 租房.
    plain = jieba.Tokenizer()
    assert "公租房" not in plain.lcut("公租房怎么申请", HMM=False)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("公共租赁住房申请条件", "公租房"),
        ("公共租赁房", "公租房"),
        ("廉租住房", "廉租房"),
        ("经济适用住房", "经适房"),
        ("保障性住房", "保障房"),
        ("两居室还有吗", "两室一厅"),
        ("一居室", "一室一厅"),
        ("住房和城乡建设管理局", "住建局"),
        ("户口本", "户口簿"),
        ("最低生活保障", "低保"),
        ("一平米多少钱", "平方米"),
        ("出去打工", "务工"),
        ("啥时候交工的", "竣工"),
    ],
)
def test_variants_fold_to_one_term(tokenizer: DomainTokenizer, text: str, term: str) -> None:
    assert term in tokenizer.terms(text)


@pytest.mark.parametrize(
    ("text", "kept", "not_cut"),
    [
        # A frequency in userdict.txt makes 这回 win over jieba's 这/回放 (replay).
        ("朝阳新居这回放出来多少套", "这回", "回放"),
        ("这批放出多少房", "这批", "批"),
    ],
)
def test_dictionary_frequencies_decide_between_cuts(
    tokenizer: DomainTokenizer, text: str, kept: str, not_cut: str
) -> None:
    tokens = tokenizer.cut(text)
    assert kept in tokens and not_cut not in tokens


def test_the_material_and_the_question_meet_on_the_same_term(tokenizer: DomainTokenizer) -> None:
    material = set(tokenizer.terms("公共租赁住房的租金按建筑面积计算"))
    question = set(tokenizer.terms("公租房房租怎么算"))
    assert {"公租房", "租金"} <= material & question


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        ("多长时间", {"多长时间", "时间"}, set()),
        ("每平方米", {"每平方米", "平方米"}, set()),
        # A domain word is one concept: 公租房 is not 租房.
        ("公租房", {"公租房"}, {"租房", "公租"}),
    ],
)
def test_sub_words_of_long_tokens(
    tokenizer: DomainTokenizer, text: str, expected: set[str], absent: set[str]
) -> None:
    terms = set(tokenizer.terms(text))
    assert expected <= terms
    assert not absent & terms


# The folding's canonical terms are domain words too: 审核结果 meets 审核.
@pytest.mark.parametrize(("text", "sub_word"), [("审核结果", "审核"), ("租金标准", "租金")])
def test_domain_words_yield_their_canonical_sub_terms(
    tokenizer: DomainTokenizer, text: str, sub_word: str
) -> None:
    assert sub_word in tokenizer.terms(text)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("，。？！", []),
        ("公租房。", ["公租房"]),
        (full_width("GZF 2026"), ["gzf", "2026"]),
    ],
)
def test_punctuation_is_dropped_and_width_and_case_are_normalised(
    tokenizer: DomainTokenizer, text: str, terms: list[str]
) -> None:
    assert tokenizer.terms(text) == terms


def test_stopwords_are_not_terms(tokenizer: DomainTokenizer) -> None:
    terms = tokenizer.terms("公租房怎么申请呢")
    assert "公租房" in terms
    assert "怎么" not in terms and "呢" not in terms


def test_added_words_stay_whole(tmp_path: Path) -> None:
    tokenizer = DomainTokenizer(cache_dir=tmp_path)
    assert "桑干河苑" not in tokenizer.cut("桑干河苑还有房吗")
    tokenizer.add_words(["桑干河苑"])
    assert "桑干河苑" in tokenizer.cut("桑干河苑还有房吗")
    assert tokenizer.knows("桑干河苑")
    # The dictionary cache was written and is read by the next tokenizer.
    assert list(tmp_path.iterdir())
    assert "公租房" in DomainTokenizer(cache_dir=tmp_path).cut("公租房")


def test_extra_words_given_at_construction(tmp_path: Path) -> None:
    tokenizer = DomainTokenizer(["岱岳新村"], cache_dir=tmp_path)
    assert "岱岳新村" in tokenizer.cut("岱岳新村的房子")


def test_the_packaged_word_lists_load() -> None:
    assert "公租房" in load_domain_words()
    assert load_term_synonyms()["公共租赁住房"] == "公租房"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (full_width("GZF"), "gzf"),
        (full_width("123"), "123"),
        ("公租房", "公租房"),
        ("60.5㎡", "60.5m2"),
    ],
)
def test_normalize_text(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


@pytest.mark.parametrize(
    ("token", "expected"), [("gzf", True), ("2026", True), ("60.5", True), ("公租房", False)]
)
def test_is_latin_or_digits(token: str, expected: bool) -> None:
    assert is_latin_or_digits(token) is expected
