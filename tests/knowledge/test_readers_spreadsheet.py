"""Tests for knowledge/readers/spreadsheet.py through read_file: .csv and .xlsx quirks."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from knowledge.errors import UnreadableFile
from knowledge.readers import SourceDocument, read_file
from knowledge.readers.source import Grid
from knowledge.readers.spreadsheet import sniff_delimiter
from tests.builders import make_csv, make_xlsx


def read(path: Path) -> SourceDocument:
    return read_file(path.name, path.read_bytes())


ALLOCATION_ROWS = [
    ["山阴县2026年第一批公共租赁住房分配结果公示", "", "", ""],
    ["序号", "保障对象姓名", "所在建设项目名称", "房号面积套型"],
    ["1", "陈丽", "幸福里（一期）", "1-1-101 / 42.6㎡ / 一室一厅"],
    ["山阴县住房和城乡建设管理局　2026年7月17日", "", "", ""],
]


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter", "expected_encoding"),
    [
        ("gb18030", False, ",", "gb18030"),
        ("utf-8", True, ",", "utf-8-sig"),
        ("utf-8", False, "\t", "utf-8"),
        ("gb18030", False, "\t", "gb18030"),
        ("utf-8", False, ";", "utf-8"),
    ],
)
def test_csv_encodings_and_delimiters(
    tmp_path: Path, encoding: str, bom: bool, delimiter: str, expected_encoding: str
) -> None:
    path = make_csv(
        tmp_path / "分配结果.csv", ALLOCATION_ROWS, encoding=encoding, delimiter=delimiter, bom=bom
    )
    document = read(path)
    assert document.encoding == expected_encoding
    assert document.grids == (
        Grid(
            (
                ("山阴县2026年第一批公共租赁住房分配结果公示", None, None, None),
                ("序号", "保障对象姓名", "所在建设项目名称", "房号面积套型"),
                ("1", "陈丽", "幸福里（一期）", "1-1-101 / 42.6㎡ / 一室一厅"),
                ("山阴县住房和城乡建设管理局　2026年7月17日", None, None, None),
            ),
            "分配结果",
        ),
    )
    assert (document.title, document.title_from) == (
        "山阴县2026年第一批公共租赁住房分配结果公示",
        "table-title",
    )
    assert (document.published_on, document.date_how) == (date(2026, 7, 17), "signature")
    assert document.blocks == ()


def test_csv_starting_with_its_header_is_titled_by_its_file_name(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "审核结果.csv", [["序号", "姓名"], ["1", "刘雨欣"]], bom=True)
    document = read(path)
    assert (document.title, document.title_from) == ("审核结果", "file-name")
    assert document.published_on is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("序号,姓名\n1,张三\n", ","),
        ('序号\t姓名\t金额\n1\t张三\t"1,200"\n', "\t"),
        ("标题\n序号\t姓名\n1\t张三\n", "\t"),
        ("序号;姓名\n1;张三\n", ";"),
        ("只有一列\n第二行\n", ","),
    ],
)
def test_sniff_delimiter(text: str, expected: str) -> None:
    assert sniff_delimiter(text) == expected


def test_xlsx_merged_title_rows_footer_and_sheets(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "房源信息.xlsx",
        [
            ["山阴县2026年第二批公共租赁住房房源信息表", None, None],
            ["项目名称", "竣工日期", "面积（㎡）"],
            ["幸福里（一期）", 46201, 42.6],
            ["惠民家园", datetime(2018, 9, 20), 45.3],
            [None, None, None],
            ["注：租金按建筑面积计算。", None, None],
            ["发布单位：山阴县住房和城乡建设管理局　发布日期：2026年11月20日", None, None],
        ],
        merged=["A1:C1", "A6:C6", "A7:C7"],
        sheet_name="房源信息",
        other_sheets={"空白": [], "隐藏": [["不应读到"]]},
        hidden_sheets=["隐藏"],
    )
    document = read(path)
    assert (document.title, document.title_from) == (
        "山阴县2026年第二批公共租赁住房房源信息表",
        "table-title",
    )
    assert (document.published_on, document.date_how) == (date(2026, 11, 20), "labelled")
    assert document.encoding is None
    assert len(document.grids) == 1
    grid = document.grids[0]
    assert grid.name == "房源信息"
    assert grid.rows[0] == ("山阴县2026年第二批公共租赁住房房源信息表", None, None)
    # The serial stays a number here; knowledge/tables.py decides it is a date.
    assert grid.rows[2] == ("幸福里（一期）", 46201, 42.6)
    assert grid.rows[3] == ("惠民家园", datetime(2018, 9, 20), 45.3)
    assert grid.rows[4] == (None, None, None)
    assert grid.rows[5] == ("注：租金按建筑面积计算。", None, None)


def test_a_truncated_xlsx_is_unreadable(tmp_path: Path) -> None:
    data = make_xlsx(tmp_path / "房源.xlsx", [["项目名称", "套数"], ["幸福里", 30]]).read_bytes()
    with pytest.raises(UnreadableFile, match=re.escape("损坏.xlsx")):
        read_file("损坏.xlsx", data[: len(data) // 2])


def test_a_workbook_without_cells_is_unreadable(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "空表.xlsx", [])
    with pytest.raises(UnreadableFile, match=re.escape("空表.xlsx")):
        read(path)
