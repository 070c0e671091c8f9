"""Tests for knowledge/tables.py: header row, title rows, columns, values, notes, masking."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from knowledge.errors import NoHeaderRow
from knowledge.readers import read_file
from knowledge.readers.source import CellValue, Grid
from knowledge.tables import (
    DATE_ELEMENT_HINTS,
    ColumnMapping,
    ParsedTable,
    cell_text,
    cell_value,
    is_date_column,
    parse_table,
)
from tests.builders import make_xlsx

# Test-local synonyms: the packaged knowledge/data/synonyms.toml is maintained separately.
SYNONYMS = {
    "保障对象姓名": ["姓名", "申请人", "申请人姓名", "申请对象姓名"],
    "身份证号": ["身份证号码", "证件号码"],
    "配租配售价格": ["租金", "租金标准"],
}
COMPOSITES = {"房号面积套型": ["房号", "面积", "套型"]}
ALLOCATION = [
    "保障对象姓名",
    "身份证号",
    "保障性住房类型",
    "房号",
    "面积",
    "套型",
    "所在建设项目名称",
]
HOUSING = ["项目名称", "竣工日期", "住房套数", "面积", "配租配售价格", "分配日期"]


def parse(rows: list[list[CellValue]], elements: list[str] = ALLOCATION) -> ParsedTable:
    grid = Grid(tuple(tuple(row) for row in rows), "Sheet1")
    return parse_table(grid, elements, SYNONYMS, COMPOSITES, "分配结果.xlsx")


ALLOCATION_ROWS: list[list[CellValue]] = [
    ["山阴县2026年第一批公共租赁住房分配结果公示", None, None, None, None, None],
    ["（按摇号顺序排列）", None, None, None, None, None],
    [None, None, None, None, None, None],
    ["序号", "申请人", "证件号码（隐藏部分号码）", "所在建设项目名称", "房号面积套型", "家庭人口"],
    [1, "陈丽", "140621200001019107", "幸福里（一期）", "1-1-101 / 42.6㎡ / 一室一厅", 1],
    [None, None, None, None, None, None],
    [2, "马志明", "140621760101633", "惠民家园", "3-2-501 / 60.5㎡ / 两室一厅", 3],
    [3, "白国栋", "1406211963****0010", "安康小区", "4-1-102／50.2㎡／两室一厅", 4],
    ["注：本批次资格审核通过38户，实际参加摇号选房36户。", None, None, None, None, None],
    ["公示期：2026年7月17日至7月23日", None, None, None, None, None],
    ["监督电话：0349-0000125", None, None, None, None, None],
    ["山阴县住房和城乡建设管理局　2026年7月17日", None, None, None, None, None],
]


def test_header_row_under_two_title_rows() -> None:
    table = parse(ALLOCATION_ROWS)
    assert table.title == "山阴县2026年第一批公共租赁住房分配结果公示"
    assert table.title_rows == ("山阴县2026年第一批公共租赁住房分配结果公示", "（按摇号顺序排列）")
    assert table.columns == (
        ColumnMapping("序号", (), 100.0, "serial"),
        ColumnMapping("申请人", ("保障对象姓名",), 100.0, "synonym"),
        ColumnMapping("证件号码（隐藏部分号码）", ("身份证号",), 100.0, "synonym"),
        ColumnMapping("所在建设项目名称", ("所在建设项目名称",), 100.0, "exact"),
        ColumnMapping("房号面积套型", ("房号", "面积", "套型"), 100.0, "composite"),
        ColumnMapping("家庭人口", (), 0.0, "extra"),
    )


def test_rows_values_composites_and_extras() -> None:
    rows = parse(ALLOCATION_ROWS).rows
    assert len(rows) == 3
    assert dict(rows[1].values) == {
        "保障对象姓名": "马志明",
        "身份证号": "140621*****1633",
        "所在建设项目名称": "惠民家园",
        "房号": "3-2-501",
        "面积": "60.5㎡",
        "套型": "两室一厅",
    }
    assert dict(rows[1].extras) == {"家庭人口": "3"}
    # Full-width separators split a composite cell too.
    assert rows[2].values["房号"] == "4-1-102"
    assert rows[2].values["面积"] == "50.2㎡"


def test_identity_numbers_are_masked_and_counted() -> None:
    table = parse(ALLOCATION_ROWS)
    # Unmasked 18-digit, unmasked 15-digit, and masked in another style: all three.
    assert [row.values["身份证号"] for row in table.rows] == [
        "140621********9107",
        "140621*****1633",
        "140621********0010",
    ]
    assert table.identity_numbers_masked == 3


def test_no_full_identity_number_survives_anywhere() -> None:
    rows: list[list[CellValue]] = [
        ["身份证号140621199003070012的申请人名单", None, None],
        ["姓名", "身份证号", "备注"],
        ["张三", 140621199003070012, "同户 140621199105060023"],
        # Excel kept 15 significant digits of this one and stored a float.
        ["李四", 1.40621198507150e17, None],
        ["注：如有疑问联系 140621198001010019", None, None],
    ]
    table = parse(rows)
    everything = " ".join(
        [
            *table.title_rows,
            *table.notes,
            *(
                value
                for row in table.rows
                for value in (*row.values.values(), *row.extras.values())
            ),
        ]
    )
    for full in ("140621199003070012", "140621199105060023", "140621198001010019", "1406211985"):
        assert full not in everything
    assert table.rows[0].values["身份证号"] == "140621********0012"
    assert table.rows[0].extras["备注"] == "同户 140621********0023"
    assert table.rows[1].values["身份证号"] == "140621********0000"
    assert table.identity_numbers_masked == 5


def test_notes_follow_the_data_and_date_the_table() -> None:
    table = parse(ALLOCATION_ROWS)
    assert table.notes == (
        "注：本批次资格审核通过38户，实际参加摇号选房36户。",
        "公示期：2026年7月17日至7月23日",
        "监督电话：0349-0000125",
        # Full-width spaces collapse to one space like any other run of whitespace.
        "山阴县住房和城乡建设管理局 2026年7月17日",
    )
    assert table.totals == ()
    assert table.published_on == date(2026, 7, 17)


def test_totals_are_kept_apart_with_their_values() -> None:
    rows: list[list[CellValue]] = [
        ["序号", "项目名称", "住房套数", "面积"],
        [1, "幸福里（一期）", 60, 3093.6000000000004],
        [2, "惠民家园", 480, 240.0],
        ["合 计", None, 540, 3333.6],
        ["发布单位：山阴县住房和城乡建设管理局　发布日期：2026年3月25日", None, None, None],
    ]
    table = parse(rows, HOUSING)
    assert [dict(row.values) for row in table.rows] == [
        {"项目名称": "幸福里（一期）", "住房套数": "60", "面积": "3093.6"},
        {"项目名称": "惠民家园", "住房套数": "480", "面积": "240"},
    ]
    assert [dict(row.values) for row in table.totals] == [{"住房套数": "540", "面积": "3333.6"}]
    assert table.notes == ("发布单位：山阴县住房和城乡建设管理局 发布日期：2026年3月25日",)
    assert table.published_on == date(2026, 3, 25)


def test_excel_serials_become_dates_only_in_date_columns() -> None:
    rows: list[list[CellValue]] = [
        ["项目名称", "竣工日期", "住房套数", "面积（㎡）", "分配日期"],
        ["幸福里（一期）", 46201, 46201, 42.6, datetime(2026, 12, 18)],
        ["惠民家园", "2018/9/20", 480, "45.3", "2026年12月18日"],
        ["安康小区", "2012年", 240, 40.5, "46374"],
    ]
    table = parse(rows, HOUSING)
    assert [dict(row.values) for row in table.rows] == [
        {
            "项目名称": "幸福里（一期）",
            "竣工日期": "2026-06-28",
            "住房套数": "46201",
            "面积": "42.6",
            "分配日期": "2026-12-18",
        },
        {
            "项目名称": "惠民家园",
            "竣工日期": "2018-09-20",
            "住房套数": "480",
            "面积": "45.3",
            "分配日期": "2026-12-18",
        },
        {
            "项目名称": "安康小区",
            "竣工日期": "2012年",
            "住房套数": "240",
            "面积": "40.5",
            "分配日期": "2026-12-18",
        },
    ]


@pytest.mark.parametrize(
    ("cell", "date_column", "expected"),
    [
        (46201, True, "2026-06-28"),
        (46201, False, "46201"),
        (120, True, "120"),
        (42.6, False, "42.6"),
        (240.0, False, "240"),
        (190.26, False, "190.26"),
        (datetime(2026, 5, 18), False, "2026-05-18"),
        (datetime(2026, 12, 18, 9, 0), True, "2026-12-18 09:00"),
        (date(2026, 5, 18), False, "2026-05-18"),
        ("2026/5/18", False, "2026-05-18"),
        ("2026年3月5日", False, "2026-03-05"),
        ("2024年9月", True, "2024年9月"),
        ("  60.5㎡ ", False, "60.5㎡"),
    ],
)
def test_cell_value(cell: CellValue, date_column: bool, expected: str) -> None:
    assert cell_value(cell, cell_text(cell), date_column) == expected


@pytest.mark.parametrize(
    ("header", "elements", "expected"),
    [
        ("竣工日期", (), True),
        ("开工时间", (), True),
        ("完成时限", ("竣工时间",), True),
        ("住房套数", ("住房套数",), False),
        ("面积", (), False),
    ],
)
def test_is_date_column(header: str, elements: tuple[str, ...], expected: bool) -> None:
    assert is_date_column(header, elements) is expected
    assert "日期" in DATE_ELEMENT_HINTS


def test_fuzzy_headers_unknown_extras_and_headerless_columns() -> None:
    rows: list[list[CellValue]] = [
        ["No.", "姓名", "身份证号码（后四位）", "保障性住房类型", "联系地址", None],
        [1, "李娜", "140621********3047", "公共租赁住房", "岱岳镇", "自行车位"],
    ]
    table = parse(rows)
    assert [(column.header, column.elements, column.how) for column in table.columns] == [
        ("No.", (), "serial"),
        ("姓名", ("保障对象姓名",), "synonym"),
        ("身份证号码（后四位）", ("身份证号",), "synonym"),
        ("保障性住房类型", ("保障性住房类型",), "exact"),
        ("联系地址", (), "extra"),
        ("第6列", (), "extra"),
    ]
    assert dict(table.rows[0].extras) == {"联系地址": "岱岳镇", "第6列": "自行车位"}
    assert table.title is None and table.title_rows == ()


def test_fuzzy_header_without_synonym_and_its_score() -> None:
    rows: list[list[CellValue]] = [["保障对象姓名", "审核通过"], ["王秀英", "是"]]
    table = parse_table(
        Grid(tuple(tuple(row) for row in rows), "审核"),
        ["保障对象姓名", "是否审核通过"],
        {},
        {},
        "审核结果.csv",
    )
    fuzzy = table.columns[1]
    assert (fuzzy.elements, fuzzy.how) == (("是否审核通过",), "fuzzy")
    assert 80 <= fuzzy.score < 100
    assert dict(table.rows[0].values) == {"保障对象姓名": "王秀英", "是否审核通过": "是"}


def test_duplicate_extra_headers_stay_apart() -> None:
    rows: list[list[CellValue]] = [
        ["保障对象姓名", "房号", "备注", "备注"],
        ["陈丽", "1-1-101", "一", "二"],
    ]
    assert dict(parse(rows).rows[0].extras) == {"备注": "一", "备注 (2)": "二"}


def test_single_cell_group_labels_among_the_data_are_notes() -> None:
    rows: list[list[CellValue]] = [
        ["保障对象姓名", "所在建设项目名称"],
        ["一、幸福里（一期）", None],
        ["陈丽", "幸福里（一期）"],
        ["二、惠民家园", None],
        ["秦丽萍", "惠民家园"],
    ]
    table = parse(rows)
    assert [row.values["保障对象姓名"] for row in table.rows] == ["陈丽", "秦丽萍"]
    assert table.notes == ("一、幸福里（一期）", "二、惠民家园")


def test_an_undated_table() -> None:
    rows: list[list[CellValue]] = [["保障对象姓名", "房号"], ["陈丽", "1-1-101"]]
    assert parse(rows).published_on is None


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [["山阴县2026年第一批公共租赁住房分配结果公示"], ["陈丽"]],
        [["申请人", "家庭人口", "备注"], ["陈丽", "1", ""]],
    ],
)
def test_no_header_row_names_the_file(rows: list[list[CellValue]]) -> None:
    with pytest.raises(NoHeaderRow, match=re.escape("分配结果.xlsx")):
        parse(rows)


def test_xlsx_with_merged_title_rows_and_a_footer_end_to_end(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "房源信息.xlsx",
        [
            ["山阴县2026年第二批公共租赁住房房源信息表", None, None, None, None],
            ["单位：平方米、元", None, None, None, None],
            ["项目名称", "竣工日期", "住房套数", "面积（㎡）", "租金标准（元/㎡·月）"],
            ["幸福里（一期）", 46201, 24, 42.6, 4.5],
            ["惠民家园", 43363, 160, 45.3, 4.2],
            [None, None, None, None, None],
            ["注：租金按建筑面积计算。", None, None, None, None],
            [
                "发布单位：山阴县住房和城乡建设管理局　发布日期：2026年11月20日",
                None,
                None,
                None,
                None,
            ],
        ],
        merged=["A1:E1", "A2:E2", "A7:E7", "A8:E8"],
    )
    document = read_file(path.name, path.read_bytes())
    table = parse_table(document.grids[0], HOUSING, SYNONYMS, COMPOSITES, path.name)
    assert table.title == "山阴县2026年第二批公共租赁住房房源信息表"
    assert table.title_rows[1] == "单位：平方米、元"
    assert [column.elements for column in table.columns] == [
        ("项目名称",),
        ("竣工日期",),
        ("住房套数",),
        ("面积",),
        ("配租配售价格",),
    ]
    assert dict(table.rows[0].values) == {
        "项目名称": "幸福里（一期）",
        "竣工日期": "2026-06-28",
        "住房套数": "24",
        "面积": "42.6",
        "配租配售价格": "4.5",
    }
    assert table.rows[1].values["竣工日期"] == "2018-09-20"
    assert table.notes == (
        "注：租金按建筑面积计算。",
        "发布单位：山阴县住房和城乡建设管理局 发布日期：2026年11月20日",
    )
    assert table.published_on == date(2026, 11, 20)
