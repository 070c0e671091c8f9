"""Where and when to go in person: an office guide of many short sections, answered with the
address and the whole timetable, not with passages that merely share a word."""

from __future__ import annotations

from datetime import date

import pytest

from bot.answerer import Answerer
from bot.conversation import Conversations
from bot.passage_search import build_query, coverage
from bot.vocabulary import load_vocabulary
from knowledge.catalog import Catalog
from knowledge.index import SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, Material
from knowledge.tokenizer import DomainTokenizer
from tests.bot.conftest import MATERIAL as BUREAU_MATERIAL

_WHERE = "二、在哪办"
_WHEN = "三、什么时间办"
_GUIDE = [
    ("一、谁来办", "县住建局住房保障股负责公租房、经济适用住房和租赁补贴的受理审核。"),
    (_WHERE, "（一）县住建局住房保障股：某县城关镇人民北路56号县住建局办公楼三层312室；"),
    (_WHERE, "（二）县政务服务中心住建综合窗口：城关镇广武街210号政务服务中心一楼8号窗口；"),
    (_WHERE, "（三）城镇户籍家庭的申请，在户籍所在社区居委会提交。"),
    (_WHEN, "周一至周五（法定工作日）："),
    (_WHEN, "上午 8:30—12:00"),
    (_WHEN, "下午 夏季作息（5月1日至9月30日）15:00—18:00"),
    (_WHEN, "冬季作息（10月1日至次年4月30日）14:30—17:30"),
    (_WHEN, "周六、周日和法定节假日休息；国家调休上班日正常办公。"),
    (_WHEN, "公租房、租赁补贴申请按批次集中受理，具体日期以申请受理公告为准。"),
    ("四、到哪看公开信息", "（一）政府网站：县政府门户网站“保障性住房”专栏；"),
    (
        "四、到哪看公开信息",
        "（二）政务服务中心：一楼政府信息公开查阅室，可免费查阅、复印公示材料；",
    ),
    ("四、到哪看公开信息", "（三）社区公示栏：各社区居委会公示栏，审核结果同步张贴；"),
    ("五、其他事项", "（五）房屋报修：所住小区物业服务中心。"),
    (
        "六、反映问题",
        "意见建议、投诉举报可以通过县长信箱、监督举报电话或者到住房保障股当面反映。",
    ),
]


def _notice(number: int) -> LoadedDocument:
    """A batch's acceptance notice: its hours crowd the search for office hours."""
    title = f"关于受理2026年第{number}批公共租赁住房申请的公告"
    info = DocumentInfo(1 + number, 1 + number, title, date(2026, number, 1), 13, "text", "n.md")
    hours = f"2026年{number}月1日至{number}月20日（法定工作日），上午8:30—12:00，下午14:30—17:30。"
    return LoadedDocument(info, (("一、受理时间", hours), ("二、受理地点", "各社区居委会。")))


MATERIAL = Material(
    1,
    (
        LoadedDocument(
            DocumentInfo(1, 1, "某县住房保障办事指南", date(2026, 1, 6), None, "text", "a.txt"),
            tuple(_GUIDE),
        ),
        *(_notice(number) for number in range(1, 11)),
    ),
)


@pytest.fixture(scope="module")
def index(tokenizer: DomainTokenizer) -> SearchIndex:
    return SearchIndex.build(MATERIAL, tokenizer)


@pytest.fixture(scope="module")
def answerer(index: SearchIndex, catalog: Catalog) -> Answerer:
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: date(2026, 12, 1))


@pytest.mark.parametrize(
    "question",
    [
        "想去住房保障股当面问问，下午几点开门，地方在哪",
        "住房保障股在哪办公？下午几点上班",
        "县住建局在哪办公？下午几点上班",
    ],
)
def test_where_and_when_get_the_address_and_the_whole_timetable(
    answerer: Answerer, question: str
) -> None:
    text = answerer.answer(question).text
    assert "人民北路56号" in text, text
    # The timetable is one section: winter hours come with the summer ones.
    assert "14:30" in text and "15:00" in text, text
    assert "房屋报修" not in text and "当面反映" not in text, text


def test_a_part_of_a_word_covers_it_only_half(index: SearchIndex) -> None:
    query = build_query(index, "住房保障股", load_vocabulary())
    [(term, alternatives)] = query.concepts
    assert term == "住房保障股" and "保障" in alternatives
    whole = coverage(index, query, frozenset({"住房保障股"}))
    part = coverage(index, query, frozenset({"保障"}))
    assert whole == 1.0 and 0 < part < whole


@pytest.mark.parametrize(
    "question", ["家里没电脑也没智能手机，公示的名单去哪看", "俺不会上网，公示在哪能看到"]
)
def test_residents_without_internet_are_told_where_to_read_in_person(
    answerer: Answerer, question: str
) -> None:
    text = answerer.answer(question).text
    assert "查阅室" in text and "公示栏" in text, text


def _signing_notice() -> Material:
    """A signing notice whose opening names the dates of the steps before it."""
    info = DocumentInfo(
        60,
        60,
        "关于2026年第一批公共租赁住房签订租赁合同的公告",
        date(2026, 7, 3),
        20,
        "text",
        "s.md",
    )
    passages = (
        (
            "",
            "2026年第一批公共租赁住房分配结果已于2026年6月24日至6月30日公示期满，无异议。"
            "现将签订租赁合同有关事项公告如下：",
        ),
        ("一、签约时间", "2026年7月6日至7月17日（法定工作日），上午8:30—12:00。"),
        ("二、签约地点", "（一）朝阳新居房源：朝阳新居物业服务中心（迎宾南路318号3号楼一层）；"),
        ("二、签约地点", "（二）锦绣家园房源：县住建局住房保障股（人民北路56号三层312室）。"),
    )
    return Material(1, (*BUREAU_MATERIAL.documents, LoadedDocument(info, passages)))


def test_when_and_where_to_sign_come_from_the_sections_titled_so(
    tokenizer: DomainTokenizer, catalog: Catalog
) -> None:
    index = SearchIndex.build(_signing_notice(), tokenizer)
    answerer = Answerer(lambda: index, catalog, Conversations(), today=lambda: date(2026, 7, 4))
    text = answerer.answer("第一批签租赁合同是啥时候，去哪签，俺分的是锦绣家园").text
    assert "7月17日" in text and "312室" in text, text
