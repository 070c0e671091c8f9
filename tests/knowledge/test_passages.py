"""Tests for knowledge/passages.py: a document's blocks cut into passages that stand alone."""

from __future__ import annotations

import pytest

from knowledge.passages import PassageText, passages_from_blocks, passages_from_grid
from knowledge.readers.source import Block, Grid


def paragraphs(*texts: str) -> list[Block]:
    return [Block("paragraph", text, 0) for text in texts]


def test_unstyled_section_lines_become_headings() -> None:
    blocks = paragraphs(
        "一、申请条件",
        "本县城镇户籍满2年。",
        "（一）收入",
        "家庭人均月收入低于2650元。",
        "二、所需材料",
        "申请表一式两份。",
        "第三章 监督管理",
        "县住建局定期检查。",
    )
    assert passages_from_blocks("办法", blocks) == [
        PassageText("一、申请条件", "本县城镇户籍满2年。"),
        PassageText("一、申请条件 › （一）收入", "家庭人均月收入低于2650元。"),
        PassageText("二、所需材料", "申请表一式两份。"),
        PassageText("第三章 监督管理", "县住建局定期检查。"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        # Too long, or a sentence, or a lead-in: content even though it starts like a heading.
        "一、申请人应当如实申报家庭收入、住房、车辆和金融资产等情况，不得隐瞒或者提供虚假的证明材料",
        "一、申请人应当如实申报。",
        "一、符合下列条件的：",
    ],
)
def test_lines_that_only_start_like_headings_are_content(text: str) -> None:
    assert passages_from_blocks("通知", paragraphs(text)) == [PassageText("", text)]


def test_styled_headings_keep_their_levels() -> None:
    blocks = [
        Block("heading", "申请须知", 1),
        Block("heading", "谁可以申请", 2),
        *paragraphs("城镇低保家庭。"),
        Block("heading", "要准备的材料", 2),
        *paragraphs("身份证。"),
    ]
    assert passages_from_blocks("须知", blocks) == [
        PassageText("申请须知 › 谁可以申请", "城镇低保家庭。"),
        PassageText("申请须知 › 要准备的材料", "身份证。"),
    ]


def test_the_lead_in_of_a_list_is_carried_to_its_items() -> None:
    blocks = paragraphs(
        "第六条 申请公共租赁住房，应当同时符合下列条件：",
        "（一）本县城镇户籍满2年；",
        "（二）家庭人均月收入低于2650元。",
        "申请人应当如实申报。",
        "（三）不在列表中的编号段落。",
    )
    lead_in = "第六条 申请公共租赁住房，应当同时符合下列条件："
    assert passages_from_blocks("办法", blocks) == [
        PassageText("", lead_in),
        PassageText(lead_in, "（一）本县城镇户籍满2年；"),
        PassageText(lead_in, "（二）家庭人均月收入低于2650元。"),
        PassageText("", "申请人应当如实申报。"),
        PassageText("", "（三）不在列表中的编号段落。"),
    ]


def test_question_and_answer_paragraphs_are_joined() -> None:
    blocks = paragraphs(
        "答：这一段前面没有问题。",
        "问：外地人可以申请吗？",
        "答：持本县居住证的可以。",
        "问：要交押金吗？",
        "答：不需要。",
    )
    assert passages_from_blocks("问答", blocks) == [
        PassageText("", "答：这一段前面没有问题。"),
        PassageText("", "问：外地人可以申请吗？\n答：持本县居住证的可以。"),
        PassageText("", "问：要交押金吗？\n答：不需要。"),
    ]


@pytest.mark.parametrize(
    "closing",
    [
        ("山阴县住房和城乡建设管理局", "2026年3月5日"),
        ("山阴县住房和城乡建设管理局", "二〇二六年三月五日"),
        ("山阴县人民政府办公室", "山阴县住房和城乡建设管理局", "2026年3月5日", ""),
        ("2026-03-05",),
    ],
)
def test_the_closing_signature_is_dropped(closing: tuple[str, ...]) -> None:
    blocks = paragraphs("摇号定于3月18日举行。", *closing)
    assert passages_from_blocks("公告", blocks) == [PassageText("", "摇号定于3月18日举行。")]


def test_metadata_lines_are_not_passages() -> None:
    blocks = paragraphs("发布日期：2026-03-05", "来源：县住建局", "索引号：0001", "正文。")
    assert passages_from_blocks("通知", blocks) == [PassageText("", "正文。")]


@pytest.mark.parametrize(
    "line",
    ["咨询电话：0349-0000111", "监督举报电话：0349-0000125", "联系电话：13800000000"],
)
def test_contact_lines_go_under_the_contacts_heading(line: str) -> None:
    blocks = paragraphs("一、逾期处理", "逾期未签约的视为放弃。", line)
    assert passages_from_blocks("公告", blocks)[-1] == PassageText("联系方式", line)


def test_tables_in_documents_become_passages_at_their_place() -> None:
    grid = Grid(
        (("步骤", "期限"), ("提交申请", "当场受理"), ("", ""), ("入户调查", "7个工作日")), "表1"
    )
    blocks = [
        *paragraphs("三、办理程序和期限"),
        Block("table", "表1", 0),
        *paragraphs("四、异议", "公示期内可以书面提出异议。"),
    ]
    assert passages_from_blocks("须知", blocks, [grid]) == [
        PassageText("三、办理程序和期限", "步骤：提交申请；期限：当场受理"),
        PassageText("三、办理程序和期限", "步骤：入户调查；期限：7个工作日"),
        PassageText("四、异议", "公示期内可以书面提出异议。"),
    ]


def test_a_table_block_without_its_grid_is_skipped() -> None:
    blocks = [Block("table", "表9", 9), *paragraphs("正文。")]
    assert passages_from_blocks("通知", blocks, []) == [PassageText("", "正文。")]


def test_a_document_with_nothing_but_a_title_keeps_the_title() -> None:
    assert passages_from_blocks("关于停水的通知", paragraphs("2026年3月5日")) == [
        PassageText("", "关于停水的通知")
    ]
    assert passages_from_blocks("", []) == []


@pytest.mark.parametrize(
    ("rows", "texts"),
    [
        ((("材料", "份数"), ("申请表", 2.0)), ["材料：申请表；份数：2"]),
        ((("材料", "份数"),), ["材料；份数"]),
        ((("", "份数"), ("申请表", "2")), ["申请表；份数：2"]),
        (((None, None),), []),
    ],
)
def test_passages_from_grid(rows: tuple[tuple[object, ...], ...], texts: list[str]) -> None:
    grid = Grid(rows, "表")  # type: ignore[arg-type]
    assert [p.text for p in passages_from_grid(grid, "标题")] == texts
