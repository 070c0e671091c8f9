"""Bot fixtures: a small fictional bureau's material built from plain values, and an answerer.

No database: the index is built straight from Material values, so every bot test is fast and
sees exactly the documents written here. Today is fixed at 2026-12-01.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Protocol

import pytest

from bot.answer import Answer
from bot.answerer import Answerer
from bot.conversation import Conversations
from knowledge.catalog import Catalog
from knowledge.index import PublishedAnswer, SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, LoadedTable, Material
from knowledge.tokenizer import DomainTokenizer

TODAY = date(2026, 12, 1)
ENQUIRY_PHONE = "0349-0000152"
REPORT_PHONE = "0349-0000168"
# An unmasked identity number (15 or 18 characters) anywhere in a reply.
FULL_ID = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:[0-9]{8}[0-9]{3}[0-9Xx]|[0-9]{9})(?![0-9Xx])")


class Ask(Protocol):
    """The ask fixture: one message from one resident (default "t"), the bot's answer."""

    def __call__(self, text: str, user: str = "t") -> Answer: ...


def _info(document_id: int, title: str, published_on: date, item: int | None) -> DocumentInfo:
    kind = "table" if item in (14, 17, 19, 21) else "text"
    suffix = ".xlsx" if kind == "table" else ".docx"
    return DocumentInfo(document_id, document_id, title, published_on, item, kind, title + suffix)


def _text(
    document_id: int,
    title: str,
    published_on: date,
    item: int | None,
    passages: list[tuple[str, str]],
) -> LoadedDocument:
    return LoadedDocument(_info(document_id, title, published_on, item), tuple(passages))


def _table(
    document_id: int,
    title: str,
    published_on: date,
    item: int,
    columns: tuple[str, ...],
    rows: list[tuple[str, ...]],
    notes: tuple[str, ...] = (),
) -> LoadedDocument:
    elements = sum(1 for column in columns if not column.startswith("extra:"))
    table = LoadedTable(columns, elements, tuple(rows), notes, title)
    passages = tuple(("说明", note) for note in notes)
    return LoadedDocument(_info(document_id, title, published_on, item), passages, table)


_CONDITIONS = "一、申请条件"
_TIER_ONE = f"{_CONDITIONS} › 1. 城镇低保、低收入住房困难家庭（第一档）"
_TIER_TWO = f"{_CONDITIONS} › 2. 城镇中等偏下收入住房困难家庭（第二档）"
_GRADUATES = f"{_CONDITIONS} › 3. 新就业无房职工（第二档）"
_MIGRANTS = f"{_CONDITIONS} › 4. 外来务工人员（第二档）"
_AFFORDABLE = f"{_CONDITIONS} › 5. 申请购买经济适用住房"
_SUBSIDY = f"{_CONDITIONS} › 6. 租赁补贴"
_MATERIALS = "二、申请材料"
_STEPS = "三、办理程序和期限"

RULES = _text(
    1,
    "山阴县公共租赁住房和经济适用住房申请须知",
    date(2026, 3, 2),
    13,
    [
        ("", "本县廉租住房与公共租赁住房自2014年起并轨运行，统称公共租赁住房。"),
        (_TIER_ONE, "- 本县城镇户籍满2年；"),
        (_TIER_ONE, "- 持有效城镇低保证，或者家庭人均月收入低于1300元；"),
        (_TIER_ONE, "- 家庭在本县无住房，或者人均住房建筑面积低于15平方米。"),
        (_TIER_TWO, "- 本县城镇户籍满2年；"),
        (_TIER_TWO, "- 家庭人均月收入低于2600元；"),
        (_TIER_TWO, "- 人均住房建筑面积低于15平方米；"),
        (_TIER_TWO, "- 家庭成员名下机动车购置价合计不超过10万元。"),
        (_GRADUATES, "- 全日制大专及以上学历，毕业未满5年；"),
        (_GRADUATES, "- 在本县连续缴纳社会保险满6个月；"),
        (_GRADUATES, "- 本人月工资收入不高于4500元。"),
        (_MIGRANTS, "- 持有本县居住证；"),
        (_MIGRANTS, "- 与本县用人单位签订劳动合同。"),
        (_AFFORDABLE, "- 本县城镇户籍满3年；"),
        (_AFFORDABLE, "- 家庭人均年收入低于36000元；"),
        (_AFFORDABLE, "- 单身申请人年满28周岁。"),
        (
            _SUBSIDY,
            "月租赁补贴额＝补贴标准×（人均保障面积标准15平方米－人均现住房建筑面积）×家庭人口数。",
        ),
        (
            _SUBSIDY,
            "补贴标准为：低保家庭每月每平方米8元，低收入家庭每月每平方米6元，"
            "中等偏下收入家庭每月每平方米4元。每户计算补贴的面积最多按50平方米计算。",
        ),
        (_SUBSIDY, "例：3口之家为低保家庭，在本县无自有住房，月租赁补贴额＝8×15×3＝360元。"),
        (_MATERIALS, "1. 《山阴县公共租赁住房申请表》一式两份；"),
        (_MATERIALS, "2. 申请人和共同申请人的身份证、户口簿原件及复印件；"),
        (_MATERIALS, "3. 婚姻状况证明；"),
        (_MATERIALS, "4. 家庭成员近12个月的收入证明；"),
        (_MATERIALS, "5. 现住房情况证明或房屋租赁合同；"),
        (_MATERIALS, "6. 《家庭经济状况核对授权书》。"),
        (_STEPS, "1. 社区居委会受理并入户调查，7个工作日内完成初审；"),
        (_STEPS, "2. 县住建局会同有关部门联审，10个工作日内完成；"),
        (_STEPS, "3. 审核结果在县政府门户网站公示，公示期5个工作日；"),
        (_STEPS, "4. 公示无异议的登记轮候，按批次摇号配租。"),
        (
            "四、对结果有异议",
            "审核未通过的，申请人可以自收到书面通知之日起15日内向县住建局申请复核。",
        ),
        ("联系方式", f"咨询电话：{ENQUIRY_PHONE}"),
    ],
)
LOTTERY_FIRST = _text(
    2,
    "关于2026年第一批公共租赁住房摇号配租的公告",
    date(2026, 5, 20),
    18,
    [
        ("一、摇号时间", "2026年6月3日上午9:00。"),
        ("二、摇号地点", "县政务服务中心三楼会议室。"),
        ("三、需携带的材料", "申请人身份证原件和受理回执。"),
        ("联系方式", f"咨询电话：{ENQUIRY_PHONE}"),
    ],
)
LOTTERY_SECOND = _text(
    3,
    "关于2026年第二批公共租赁住房摇号配租的公告",
    date(2026, 11, 20),
    18,
    [
        ("一、摇号时间", "2026年12月10日上午9:30开始，请提前30分钟到场签到。"),
        ("二、摇号地点", "县文化馆二楼多功能厅（岱岳镇文化路40号）。"),
        ("三、需携带的材料", "（一）申请人身份证原件；"),
        ("三、需携带的材料", "（二）《摇号通知书》；"),
        ("三、需携带的材料", "（三）委托他人参加的，另带授权委托书。"),
        ("联系方式", f"咨询电话：{ENQUIRY_PHONE}；监督举报电话：{REPORT_PHONE}"),
    ],
)
SIGNING = _text(
    4,
    "关于2026年第一批公共租赁住房签订租赁合同的公告",
    date(2026, 7, 1),
    20,
    [
        ("一、签约时间", "2026年7月6日至7月10日（法定工作日），上午8:30—12:00。"),
        ("二、签约地点", "惠民家园物业服务中心（岱岳镇迎宾南路200号）。"),
        ("三、需携带的材料", "（一）申请人身份证原件；"),
        ("三、需携带的材料", "（二）户口簿原件；"),
        ("三、需携带的材料", "（三）《选房确认书》。"),
        ("四、逾期处理", "无正当理由未按期签约的，视为放弃本次配租。"),
    ],
)
RENT_DECISION = _text(
    5,
    "关于公布公共租赁住房租金标准的通知",
    date(2026, 5, 28),
    5,
    [
        ("一、租金标准", "（一）惠民家园：每月每平方米4.2元；"),
        ("一、租金标准", "（二）安康小区：每月每平方米3.6元。"),
        ("二、执行时间", "自2026年6月1日起执行。"),
    ],
)
RENT_DRAFT = _text(
    6,
    "关于征求公共租赁住房租金标准调整意见的公告",
    date(2026, 3, 20),
    3,
    [
        ("一、征求意见时间", "2026年3月20日至2026年4月19日。"),
        ("二、主要内容", "（一）惠民家园租金标准拟定为每月每平方米4.8元；"),
        ("二、主要内容", "（二）安康小区租金标准拟调整为每月每平方米4.0元。"),
    ],
)
FAQ = _text(
    7,
    "公租房申请常见问答",
    date(2026, 9, 10),
    41,
    [
        (
            "",
            "问：外地人能申请公租房吗？\n答：持本县居住证、与本县用人单位签订劳动合同的"
            "外来务工人员可以申请。",
        ),
        ("", "问：申请公租房要交钱吗？\n答：申请、审核、摇号、配租全程免费，凡收钱的都是诈骗。"),
        ("", "问：审核通过后多久能住进去？\n答：通过后登记轮候，轮候期一般不超过3年。"),
        ("", "问：我一个人，没结婚，能申请吗？\n答：可以。单身申请人按1人家庭计算，配租一室一厅。"),
        (
            "",
            "问：能在网上交申请吗？\n答：可以先在政务服务网上传材料做网上预审，"
            "预审通过后带原件到受理点一次性提交。",
        ),
        (
            "",
            "问：已经在领租赁补贴，还能申请公租房吗？\n答：可以申请，但配租入住后停发租赁补贴。",
        ),
        ("联系方式", f"咨询电话：{ENQUIRY_PHONE}"),
    ],
)
ELEVATOR_RESPONSE = _text(
    8,
    "关于惠民家园电梯故障问题的回应",
    date(2026, 11, 16),
    41,
    [
        ("", "近日，有群众反映惠民家园3号楼电梯故障，老人上下楼困难。"),
        ("", "一、物业服务中心已联系维保单位完成电梯维修，每半月进行一次维护保养。"),
        ("", "二、今后电梯出现故障，请拨打惠民家园物业服务中心电话0349-0000174。"),
    ],
)
GUIDE = _text(
    9,
    "山阴县住房保障办事指南",
    date(2026, 1, 6),
    None,
    [
        ("一、办公地点", "山阴县岱岳镇人民北路56号县住建局办公楼三层312室。"),
        ("二、办公时间", "周一至周五 上午8:30—12:00，下午14:30—17:30。"),
        ("三、联系电话", f"咨询电话：{ENQUIRY_PHONE}；监督举报电话：{REPORT_PHONE}"),
    ],
)

LISTING_COLUMNS = (
    "分配批次",
    "项目名称",
    "保障性住房类型",
    "地址",
    "待分配套数",
    "套型",
    "面积",
    "配租配售价格",
    "分配日期",
    "extra:参考月租金（元）",
)
_HUIMIN = ("惠民家园", "公共租赁住房", "岱岳镇迎宾南路200号")
_ANKANG = ("安康小区", "公共租赁住房", "岱岳镇建设北路18号")
_FUTAI = ("福泰苑", "经济适用住房", "岱岳镇北环路77号")
_SECOND = "2026年第二批"
_SALE = "2026年经济适用住房配售"
LISTING = _table(
    10,
    "山阴县2026年第二批公共租赁住房房源信息表",
    date(2026, 11, 18),
    17,
    LISTING_COLUMNS,
    [
        (_SECOND, *_HUIMIN, "10", "一室一厅", "40.5", "4.2", "2026-12-10", "170.1"),
        (_SECOND, *_HUIMIN, "6", "两室一厅", "58.3", "4.2", "2026-12-10", "244.86"),
        (_SECOND, *_ANKANG, "3", "一室一厅", "45", "3.6", "2026-12-10", "162"),
        (_SECOND, *_ANKANG, "2", "两室一厅", "62.4", "3.6", "2026-12-10", "224.64"),
    ],
    (
        "注：1. 租金按建筑面积计算。",
        "2. 安康小区一室一厅房源定向配租给低保、低收入住房困难家庭。",
    ),
)
OLD_LISTING = _table(
    11,
    "山阴县2026年第一批公共租赁住房房源信息表",
    date(2026, 4, 15),
    17,
    LISTING_COLUMNS,
    [
        ("2026年第一批", *_HUIMIN, "30", "一室一厅", "40.5", "4.2", "2026-06-03", "170.1"),
        ("2026年第一批", *_HUIMIN, "15", "两室一厅", "58.3", "4.2", "2026-06-03", "244.86"),
    ],
)
AFFORDABLE_LISTING = _table(
    12,
    "福泰苑经济适用住房房源信息",
    date(2026, 11, 18),
    17,
    (*LISTING_COLUMNS[:-1], "extra:参考总价（元）"),
    [
        (_SALE, *_FUTAI, "8", "两室一厅", "70.2", "2900", "2026-12-17", "203580"),
        (_SALE, *_FUTAI, "5", "三室一厅", "88.6", "2900", "2026-12-17", "256940"),
    ],
)
REVIEW_RESULTS = _table(
    13,
    "山阴县2026年第二批公共租赁住房承租资格审核结果公示",
    date(2026, 11, 2),
    14,
    ("申请对象姓名", "身份证号", "申请房源类型", "是否审核通过", "审核未通过原因"),
    [
        ("王秀英", "140621********2345", "公租房", "是", ""),
        ("王秀英", "140621********6789", "公租房", "否", "家庭人均月收入超过标准"),
        ("张伟", "140621********1357", "公租房", "是", ""),
        ("张玮", "140621********2468", "公租房", "否", "人均住房建筑面积超过标准"),
        ("李静", "140621********910X", "公租房", "是", ""),
        ("赵小燕", "140621********0741", "公租房", "是", ""),
    ],
    ("公示期：2026年11月2日至11月6日。", f"监督电话：{REPORT_PHONE}"),
)
ALLOCATION_RESULTS = _table(
    14,
    "山阴县2026年第一批公共租赁住房分配结果公示",
    date(2026, 6, 20),
    19,
    ("保障对象姓名", "身份证号", "所在建设项目名称", "房号", "面积", "套型"),
    [
        ("刘建国", "140621********4321", "惠民家园", "2-1-301", "40.5", "一室一厅"),
        ("王秀英", "140621********2345", "惠民家园", "3-2-502", "58.3", "两室一厅"),
    ],
)
ANNUAL_REVIEW = _table(
    15,
    "山阴县2026年度公共租赁住房保障资格年审结果公示",
    date(2026, 10, 14),
    21,
    ("保障对象编号", "姓名", "身份证号", "配租房源", "是否审核通过", "未通过原因"),
    [
        ("SYGZ-2015-0012", "孙桂兰", "140621********5566", "安康小区1-1-101", "是", ""),
        ("SYGZ-2016-0020", "周大海", "140621********7788", "安康小区2-1-202", "否", "收入超标"),
    ],
)

MATERIAL = Material(
    revision=1,
    documents=(
        RULES,
        LOTTERY_FIRST,
        LOTTERY_SECOND,
        SIGNING,
        RENT_DECISION,
        RENT_DRAFT,
        FAQ,
        ELEVATOR_RESPONSE,
        GUIDE,
        LISTING,
        OLD_LISTING,
        AFFORDABLE_LISTING,
        REVIEW_RESULTS,
        ALLOCATION_RESULTS,
        ANNUAL_REVIEW,
    ),
)
PUBLISHED_ANSWERS = (
    PublishedAnswer(
        1,
        "公租房合同到期了怎么续租",
        "合同期满前3个月向县住建局提出续租申请，经审核仍符合条件的续签租赁合同。",
        date(2026, 10, 9),
    ),
)


@pytest.fixture(scope="session")
def index(tokenizer: DomainTokenizer) -> SearchIndex:
    """The fictional bureau's index (built once: it is immutable)."""
    return SearchIndex.build(MATERIAL, tokenizer, PUBLISHED_ANSWERS)


@pytest.fixture
def answerer(index: SearchIndex, catalog: Catalog) -> Answerer:
    """An answerer over the fictional material, with its own conversations, today fixed."""
    return Answerer(lambda: index, catalog, Conversations(), today=lambda: TODAY)


@pytest.fixture
def ask(answerer: Answerer) -> Ask:
    """ask(text, user="t") → the answer, as resident user (one conversation per user)."""

    def asking(text: str, user: str = "t") -> Answer:
        return answerer.answer(text, user)

    return asking
