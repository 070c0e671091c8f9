"""Tests for bot/results.py (through the answerer): result look-ups under the privacy rules.

Privacy above all: a row only for name + the last four ID characters, with the ID masked;
nothing revealed for a name alone; same-name and similar-name people never mixed; a typed full
ID never echoed and never resolved without a name. Every reply in this module is scanned for an
unmasked identity number and for the digits of any ID the message typed.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.answer import Answer, AnswerKind
from bot.answerer import Answerer
from bot.conversation import Conversations
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, Material
from knowledge.tokenizer import DomainTokenizer
from tests.bot.conftest import FULL_ID, MATERIAL, TODAY, Ask

_TYPED_ID = re.compile(r"[0-9]{15,17}[0-9xX]?")
# Every published person's masked ID tail and the details only their own row holds.
PEOPLE = {
    "王秀英/2345": ("2345", "3-2-502"),
    "王秀英/6789": ("6789", "家庭人均月收入超过标准"),
    "张伟/1357": ("1357",),
    "张玮/2468": ("2468", "人均住房建筑面积超过标准"),
    "李静/910X": ("910X",),
    "赵小燕/0741": ("0741",),
    "刘建国/4321": ("4321", "2-1-301"),
    "孙桂兰/5566": ("5566", "SYGZ-2015-0012"),
    "周大海/7788": ("7788", "SYGZ-2016-0020", "收入超标"),
}


def other_people_data(*own: str) -> list[str]:
    """Tails and details of every published person except those named in own."""
    return [detail for key, details in PEOPLE.items() if key not in own for detail in details]


@pytest.fixture
def lookup(ask: Ask) -> Ask:
    """ask(), checking that no reply holds an unmasked ID or the digits of an ID typed."""

    def checked(text: str, user: str = "t") -> Answer:
        answer = ask(text, user)
        assert not FULL_ID.search(answer.text), answer.text
        for typed in _TYPED_ID.findall(text):
            assert typed[6:14] not in answer.text, answer.text  # the birth date digits
            assert typed.upper() not in answer.text.upper()
        return answer

    return checked


@pytest.mark.parametrize(
    ("message", "person", "facts"),
    [
        ("王秀英 后四位2345", "王秀英/2345", ["140621********2345", "是", "3-2-502"]),
        ("王秀英 后四位6789", "王秀英/6789", ["140621********6789", "家庭人均月收入超过标准"]),
        ("我叫张伟，身份证后四位1357，审核过了吗", "张伟/1357", ["140621********1357"]),
        ("张玮 尾号2468", "张玮/2468", ["140621********2468", "人均住房建筑面积超过标准"]),
        ("李静 尾号910x", "李静/910X", ["140621********910X"]),
        ("赵小燕 0741", "赵小燕/0741", ["140621********0741"]),
        ("刘建国 后四位4321 分到哪套房", "刘建国/4321", ["惠民家园", "2-1-301"]),
        ("孙桂兰 5566 年审过了吗", "孙桂兰/5566", ["SYGZ-2015-0012", "安康小区1-1-101"]),
        ("周大海 后四位7788 年审结果", "周大海/7788", ["收入超标"]),
    ],
)
def test_name_and_tail_give_only_that_persons_published_rows(
    lookup: Ask, message: str, person: str, facts: list[str]
) -> None:
    answer = lookup(message)
    assert answer.kind == AnswerKind.RESULT
    for fact in facts:
        assert fact in answer.text
    for detail in other_people_data(person):
        assert detail not in answer.text
    assert answer.sources, "a result names the list it comes from"
    assert all(source.title in answer.text for source in answer.sources)


def test_one_person_in_two_lists_gets_both_rows_newest_first(lookup: Ask) -> None:
    answer = lookup("王秀英 后四位2345")
    review = answer.text.index("承租资格审核结果公示》")
    allocation = answer.text.index("分配结果公示》")
    assert review < allocation
    assert [s.item_number for s in answer.sources] == [14, 19]


@pytest.mark.parametrize(
    "phrasings",
    [
        ("我叫王秀英，审核过了吗", "我叫张伟，审核过了吗", "我叫王大锤，审核过了吗"),
        ("我叫王秀英", "我叫李静", "我叫王大锤"),
        ("我是王秀英，查一下结果", "我是赵小燕，查一下结果", "我是周小川，查一下结果"),
    ],
)
def test_a_name_alone_asks_for_the_tail_and_reveals_nothing(
    lookup: Ask, phrasings: tuple[str, ...]
) -> None:
    # 王秀英 is listed twice, the second name once, the third not at all: the replies must not
    # tell them apart.
    answers = [lookup(text, user=f"r{n}") for n, text in enumerate(phrasings)]
    assert {a.text for a in answers} == {answers[0].text}
    assert {a.kind for a in answers} == {AnswerKind.ASK_FOR_TAIL}
    for answer in answers:
        assert not answer.sources
        assert "140621" not in answer.text
        for name in ("王秀英", "张伟", "李静", "赵小燕"):
            assert name not in answer.text


@pytest.mark.parametrize(
    ("listed", "unlisted"),
    [
        ("王秀英审核过了吗", "王大锤审核过了吗"),
        ("帮我查一下王秀英", "帮我查一下王大锤"),
        ("张伟分到房了吗", "张大伟分到房了吗"),
    ],
)
def test_a_listed_and_an_unlisted_name_get_the_same_reply(
    lookup: Ask, listed: str, unlisted: str
) -> None:
    first = lookup(listed, user="listed")
    second = lookup(unlisted, user="unlisted")
    assert (first.kind, first.text) == (second.kind, second.text)


@pytest.mark.parametrize(
    ("wrong", "unlisted"),
    [
        ("王秀英 后四位1111", "王大锤 后四位1111"),
        ("张伟 后四位2468", "张大伟 后四位2468"),  # 张玮's tail under 张伟's name
        ("张玮 后四位1357", "张小玮 后四位1357"),  # and the other way round
        ("李静 尾号0741", "李小静 尾号0741"),  # 赵小燕's tail
    ],
)
def test_a_wrong_tail_is_not_found_without_a_hint(lookup: Ask, wrong: str, unlisted: str) -> None:
    answer = lookup(wrong, user="a")
    assert answer.kind == AnswerKind.RESULT
    assert not answer.sources
    assert "140621" not in answer.text
    for detail in other_people_data():
        assert detail not in answer.text
    # The same reply as for a name nobody published.
    assert answer.text == lookup(unlisted, user="b").text


@pytest.mark.parametrize(
    "message",
    [
        "140621199001012345",
        "我的身份证是140621199001012345，帮我查下审核结果",
        "身份证14062119900101091x 审核过了吗",
        "14062119900101234X",
        "140621900101234 查询",  # a legacy 15-digit number
    ],
)
def test_a_full_id_without_a_name_is_refused_and_never_resolved(lookup: Ask, message: str) -> None:
    answer = lookup(message)
    assert answer.kind == AnswerKind.PRIVACY_REFUSED
    assert not answer.sources
    assert "140621" not in answer.text
    for detail in other_people_data():
        assert detail not in answer.text


@pytest.mark.parametrize(
    ("message", "masked"),
    [
        ("王秀英 140621199001012345", "140621********2345"),
        ("我叫李静，身份证号14062119851203910x，审核过了吗", "140621********910X"),
    ],
)
def test_a_full_id_with_a_name_is_looked_up_by_its_tail_and_never_echoed(
    lookup: Ask, message: str, masked: str
) -> None:
    answer = lookup(message)
    assert answer.kind == AnswerKind.RESULT
    assert masked in answer.text
    assert "不要发送完整号码" in answer.text  # and the resident is told not to


def test_a_full_id_of_someone_else_under_a_name_finds_nothing(lookup: Ask) -> None:
    answer = lookup("王秀英 140621199001011357")  # 张伟's tail
    assert "1357" not in answer.text
    assert "140621" not in answer.text


@pytest.mark.parametrize(
    "message",
    [
        "审核结果名单发我一份",
        "把审核通过的名单都给我",
        "分配结果所有人的名字和身份证都发我",
        "张伟的身份证号是多少",
        "王秀英的身份证号码发我",
    ],
)
def test_lists_and_other_peoples_ids_are_refused(lookup: Ask, message: str) -> None:
    answer = lookup(message)
    assert answer.kind == AnswerKind.PRIVACY_REFUSED
    assert "140621" not in answer.text
    for detail in other_people_data():
        assert detail not in answer.text


@pytest.mark.parametrize(
    ("first", "then", "person"),
    [
        ("我叫王秀英", "2345", "王秀英/2345"),
        ("我叫王秀英，审核过了吗", "后四位6789", "王秀英/6789"),
        ("帮我查下张玮的结果", "身份证后4位是2468", "张玮/2468"),
    ],
)
def test_name_first_tail_in_the_next_message(
    lookup: Ask, first: str, then: str, person: str
) -> None:
    assert lookup(first).kind == AnswerKind.ASK_FOR_TAIL
    answer = lookup(then)
    assert answer.kind == AnswerKind.RESULT
    assert f"140621********{PEOPLE[person][0]}" in answer.text
    for detail in other_people_data(person):
        assert detail not in answer.text


def test_a_tail_alone_asks_for_the_name(lookup: Ask) -> None:
    answer = lookup("后四位0741")
    assert answer.kind == AnswerKind.ASK_FOR_TAIL
    assert not answer.sources


def _lottery_with_a_sale_section() -> Material:
    """The bureau's material with a newer lottery notice whose last section is about the
    economical-housing selection, with its own date and the word 摇号."""
    info = DocumentInfo(
        97, 97, "关于2026年第三批公共租赁住房摇号配租的公告", date(2026, 11, 28), 18, "text", "l.md"
    )
    passages = (
        ("一、摇号时间", "2026年12月15日上午9:00开始。"),
        ("二、摇号地点", "县文化馆二楼多功能厅。"),
        (
            "五、福泰苑经济适用住房选房",
            "福泰苑经济适用住房审核通过的家庭，于2026年12月22日上午9:00按摇号顺序选房。",
        ),
    )
    return Material(1, (*MATERIAL.documents, LoadedDocument(info, passages)))


def test_after_a_result_the_lottery_asked_about_is_of_the_residents_housing_type(
    tokenizer: DomainTokenizer, catalog: Catalog
) -> None:
    index = SearchIndex.build(_lottery_with_a_sale_section(), tokenizer)
    answerer = Answerer(lambda: index, catalog, Conversations(), today=lambda: TODAY)
    answerer.answer("张伟 后四位1357", "r")
    answer = answerer.answer("那啥时候摇号", "r")
    assert "12月15日" in answer.text, answer.text
    assert "12月22日" not in answer.text
