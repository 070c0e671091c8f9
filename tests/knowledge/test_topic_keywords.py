"""Keywords of questions for hot topics, and the weighted Dice similarity rapidfuzz computes."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from knowledge.tokenizer import DomainTokenizer
from knowledge.topic_keywords import (
    MAX_KEYWORDS,
    KeywordExtractor,
    SymbolTable,
    load_topic_words,
    signature,
)


@pytest.fixture(scope="module")
def extractor(tokenizer: DomainTokenizer) -> KeywordExtractor:
    return KeywordExtractor(tokenizer)


@pytest.mark.parametrize(
    ("question", "keywords"),
    [
        ("公租房怎么申请", ("公租房", "申请")),
        # A pinyin slip and an abbreviation are corrected, then folded to the same term.
        ("申请公组房要啥条件", ("申请", "公租房", "条件")),
        ("gzf怎么申请", ("公租房", "申请")),
        # 廉租房 was merged into 公租房: one topic.
        ("廉租房咋申请", ("公租房", "申请")),
        ("公共租赁住房租金多少", ("公租房", "租金")),
        ("什么时候摇号啊", ("摇号",)),
        ("我的审核结果查一下 张三 后四位1234", ("审核结果",)),
        # Nothing but how something is asked, or a rating: no keywords.
        ("你好", ()),
        ("满意", ()),
        ("1", ()),
        ("？？？", ()),
    ],
)
def test_keywords(extractor: KeywordExtractor, question: str, keywords: tuple[str, ...]) -> None:
    assert extractor.keywords(question) == keywords


def test_a_long_question_keeps_its_most_specific_keywords(extractor: KeywordExtractor) -> None:
    question = (
        "我家住房困难，想申请公租房，户口在岱岳镇，低保家庭，有残疾证，孩子上学，"
        "老人生病住院，房租太贵，工资很低，能不能优先分配一楼的房源"
    )
    found = extractor.keywords(question)
    assert len(found) == MAX_KEYWORDS
    # The domain's words are kept, background words (公租房) and chatter (孩子, 上学) go first,
    # and the kept ones stay in the order the question used them.
    assert found == ("住房困难", "申请", "低保家庭", "租金", "工资", "房源")


def test_the_same_question_gets_the_same_keywords_every_time(
    extractor: KeywordExtractor, tokenizer: DomainTokenizer
) -> None:
    first = extractor.keywords("申请公组房要啥条件")
    fresh = KeywordExtractor(tokenizer)
    assert fresh.keywords("申请公组房要啥条件") == first == extractor.keywords("申请公组房要啥条件")


@pytest.mark.parametrize(
    ("first", "second", "dice"),
    [
        # 公租房 weighs 1, the rest 2: 2·(1+2) / (3+5)
        (("公租房", "申请"), ("申请", "公租房", "条件"), 75.0),
        (("公租房", "申请"), ("公租房", "申请"), 100.0),
        # 2·1 / (3+3)
        (("公租房", "申请"), ("公租房", "租金"), 100 / 3),
        (("摇号",), ("公租房", "申请"), 0.0),
    ],
)
def test_similarity_is_the_weighted_dice_coefficient(
    extractor: KeywordExtractor, first: tuple[str, ...], second: tuple[str, ...], dice: float
) -> None:
    symbols = SymbolTable(extractor)
    assert fuzz.ratio(symbols.code(first), symbols.code(second)) == pytest.approx(dice)


def test_order_does_not_change_a_code_or_a_signature(extractor: KeywordExtractor) -> None:
    symbols = SymbolTable(extractor)
    assert symbols.code(("申请", "公租房")) == symbols.code(("公租房", "申请"))
    assert signature(("申请", "公租房")) == signature(("公租房", "申请")) == "公租房 申请"


def test_the_packaged_topic_words_load() -> None:
    words = load_topic_words()
    assert "公租房" in words.background
    assert "需要" in words.ignore
    assert words.fold["廉租房"] == "公租房"
