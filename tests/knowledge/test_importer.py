"""Tests for knowledge/importer.py: each quirk of the published folder, on SQLite and PostgreSQL.

A whole folder, versions, idempotence, the one-transaction rule and the report are in
test_importer_history.py; identity numbers and staff uploads in test_importer_privacy.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from knowledge.catalog import Catalog
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.models import Document, DocumentVersion, Passage, TableRow
from knowledge.report import FileReport, ImportReport
from tests.builders import make_csv, make_docx, make_html, make_xlsx


@dataclass(frozen=True)
class Stored:
    """A document as the store holds it: its current version, passages and rows."""

    document: Document
    version: DocumentVersion
    passages: list[Passage]
    rows: list[TableRow]

    @property
    def texts(self) -> list[str]:
        return [p.text for p in self.passages]


def stored(engine: Engine, source_key: str) -> Stored:
    with Session(engine) as session:
        document = session.exec(select(Document).where(Document.source_key == source_key)).one()
        version = session.get(DocumentVersion, document.current_version_id)
        assert version is not None
        passages = session.exec(
            select(Passage).where(Passage.version_id == version.id).order_by(Passage.ordinal)  # type: ignore[arg-type]
        ).all()
        rows = session.exec(
            select(TableRow).where(TableRow.version_id == version.id).order_by(TableRow.ordinal)  # type: ignore[arg-type]
        ).all()
        return Stored(document, version, list(passages), list(rows))


def file_report(report: ImportReport, name: str) -> FileReport:
    return next(f for f in report.files if f.path.endswith(name))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "published"
    root.mkdir()
    return root


@dataclass(frozen=True)
class ImportRun:
    """Imports the test's folder into the test's database."""

    engine: Engine
    catalog: Catalog
    synonyms: ElementSynonyms
    folder: Path

    def __call__(self) -> ImportReport:
        return import_folder(self.engine, self.folder, self.catalog, self.synonyms)

    def sub(self, name: str) -> Path:
        path = self.folder / name
        path.mkdir(parents=True, exist_ok=True)
        return path


@pytest.fixture
def run(engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, folder: Path) -> ImportRun:
    return ImportRun(engine, catalog, synonyms, folder)


def test_xlsx_with_merged_title_rows_blank_row_and_a_footer(run: ImportRun) -> None:
    make_xlsx(
        run.sub("17 房源信息") / "房源.xlsx",
        [
            ["山阴县2026年第二批公共租赁住房房源信息表", None, None, None],
            ["（按项目排列）", None, None, None],
            [None, None, None, None],
            ["项目名称", "套型", "面积（㎡）", "竣工日期"],
            ["幸福里（一期）", "一室一厅", 42.6, 46201],
            ["朝阳新居", "两室一厅", "57.6㎡", "2024/6/30"],
            ["注：租金按建筑面积计算。", None, None, None],
            ["监督电话：0349-0000125", None, None, None],
        ],
        merged=["A1:D1", "A2:D2", "A7:D7"],
    )
    report = run()
    found = stored(run.engine, "17/房源.xlsx")
    assert file_report(report, "房源.xlsx").status == "new"
    assert found.document.kind == "table"
    assert found.version.title == "山阴县2026年第二批公共租赁住房房源信息表"
    assert [r.elements for r in found.rows] == [
        {
            "项目名称": "幸福里（一期）",
            "套型": "一室一厅",
            "面积": "42.6",
            "竣工日期": "2026-06-28",
        },
        {"项目名称": "朝阳新居", "套型": "两室一厅", "面积": "57.6㎡", "竣工日期": "2024-06-30"},
    ]
    # The footer is the table's notes, searchable as passages; never a data row.
    assert found.texts == ["注：租金按建筑面积计算。", "监督电话：0349-0000125"]
    assert found.version.table_layout is not None
    assert found.version.table_layout["title_rows"][0] == "山阴县2026年第二批公共租赁住房房源信息表"


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom", "expected_encoding"),
    [
        ("gb18030", ",", False, "gb18030"),
        ("utf-8", "\t", False, "utf-8"),
        ("utf-8", ",", True, "utf-8-sig"),
        ("gb18030", "\t", False, "gb18030"),
    ],
)
def test_csv_encodings_and_separators(
    run: ImportRun, encoding: str, delimiter: str, bom: bool, expected_encoding: str
) -> None:
    make_csv(
        run.sub("19-分配结果") / "分配结果.csv",
        [
            ["保障对象姓名", "所在建设项目名称", "套型"],
            ["陈丽", "幸福里（一期）", "一室一厅"],
            ["马志明", "朝阳新居", "两室一厅"],
        ],
        encoding=encoding,
        delimiter=delimiter,
        bom=bom,
    )
    report = run()
    found = stored(run.engine, "19/分配结果.csv")
    assert file_report(report, "分配结果.csv").errors == []
    assert found.version.encoding == expected_encoding
    # A BOM never sticks to the first header; the separator never splits a value.
    assert [r.elements for r in found.rows] == [
        {"保障对象姓名": "陈丽", "所在建设项目名称": "幸福里（一期）", "套型": "一室一厅"},
        {"保障对象姓名": "马志明", "所在建设项目名称": "朝阳新居", "套型": "两室一厅"},
    ]


def test_columns_named_loosely_match_elements_and_the_rest_are_kept_as_extra(
    run: ImportRun,
) -> None:
    make_csv(
        run.sub("14 公租房承租资格审核") / "审核.csv",
        [
            ["序号", "申请人", "家庭人口", "申请房源类型", "是否审核通过"],
            ["1", "王秀英", "3", "公租房·两室一厅", "是"],
        ],
    )
    report = run()
    columns = {c.header: c.elements for c in file_report(report, "审核.csv").columns}
    assert columns == {
        "序号": (),
        "申请人": ("申请对象姓名",),
        "家庭人口": (),
        "申请房源类型": ("申请房源类型",),
        "是否审核通过": ("是否审核通过",),
    }
    row = stored(run.engine, "14/审核.csv").rows[0]
    assert row.elements == {
        "申请对象姓名": "王秀英",
        "申请房源类型": "公租房·两室一厅",
        "是否审核通过": "是",
    }
    # A serial-number column is the spreadsheet's, not the bureau's data: not kept.
    assert row.extras == {"家庭人口": "3"}


@pytest.mark.parametrize(
    ("title_style", "expected_title"),
    [
        ("Title", "关于2026年第一批公共租赁住房摇号配租的公告"),
        ("Heading 1", "关于2026年第一批公共租赁住房摇号配租的公告"),
        # Without a heading style the first non-empty paragraph is the title.
        (None, "关于2026年第一批公共租赁住房摇号配租的公告"),
    ],
)
def test_docx_title_with_and_without_a_title_style(
    run: ImportRun, title_style: str | None, expected_title: str
) -> None:
    make_docx(
        run.sub("选房摇号公告") / "公告.docx",
        "关于2026年第一批公共租赁住房摇号配租的公告",
        [
            "一、摇号时间",
            "2026年3月18日上午9时举行。",
            "山阴县住房和城乡建设管理局",
            "二〇二六年三月五日",
        ],
        title_style=title_style,
    )
    run()
    found = stored(run.engine, "18/公告.docx")
    assert found.version.title == expected_title
    assert (found.version.published_on, found.version.date_how) == (date(2026, 3, 5), "signature")
    # The title is not a passage of its own and the signature is dropped.
    assert found.texts == ["2026年3月18日上午9时举行。"]
    assert found.passages[0].heading == "一、摇号时间"


def test_html_keeps_only_the_article_text(run: ImportRun) -> None:
    make_html(
        run.sub("5-决策结果公开") / "通知.html",
        page_title="关于调整公共租赁住房租金标准的通知_山阴县人民政府",
        h1="关于调整公共租赁住房租金标准的通知",
        paragraphs=["租金标准调整为每月每平方米4.5元。", "本通知自2026年4月1日起施行。"],
        info="发布时间：2026-03-20",
    )
    run()
    found = stored(run.engine, "5/通知.html")
    assert found.version.title == "关于调整公共租赁住房租金标准的通知"
    assert found.version.published_on == date(2026, 3, 20)
    assert found.texts == ["租金标准调整为每月每平方米4.5元。", "本通知自2026年4月1日起施行。"]
    everything = "\n".join([found.version.body_text, *found.texts])
    for clutter in ("首页", "政务公开", "脚本里的导航文字", "统计代码", "网站标识码", "相关文章"):
        assert clutter not in everything


@pytest.mark.parametrize(
    ("text", "published_on", "date_how"),
    [
        (
            "通知\n正文。\n山阴县住房和城乡建设管理局\n二〇二六年三月五日\n",
            date(2026, 3, 5),
            "signature",
        ),
        (
            "通知\n正文。\n山阴县住房和城乡建设管理局\n2026年11月20日\n",
            date(2026, 11, 20),
            "signature",
        ),
        ("通知\n发布日期：2026-03-05\n正文。\n", date(2026, 3, 5), "labelled"),
        ("通知\n发布时间：2026年3月5日\n正文。\n", date(2026, 3, 5), "labelled"),
        ("通知\n正文。\n", None, None),
    ],
)
def test_publication_dates(
    run: ImportRun, text: str, published_on: date | None, date_how: str | None
) -> None:
    (run.sub("13") / "通知.txt").write_text(text, encoding="utf-8")
    report = run()
    found = stored(run.engine, "13/通知.txt")
    assert (found.version.published_on, found.version.date_how) == (published_on, date_how)
    assert found.document.published_on == published_on
    undated = [p for p in file_report(report, "通知.txt").problems if p.kind == "undated"]
    # An undated file is kept, with a warning (not an error) in the report.
    assert file_report(report, "通知.txt").status == "new"
    assert [p.severity for p in undated] == ([] if published_on else ["warning"])


@pytest.mark.parametrize(
    ("folder_name", "item_number"),
    [
        ("17 房源信息", 17),
        ("17-房源信息", 17),
        ("17", 17),
        ("房源信息", 17),
        ("选房摇号公告", 18),
        ("分配结果公示", 19),
        # Typed with a full-width input method (digits and space).
        ("\uff11\uff17\u3000房源信息", 17),
    ],
)
def test_folder_names_are_matched_loosely(
    run: ImportRun, folder_name: str, item_number: int
) -> None:
    (run.sub(folder_name) / "说明.md").write_text("# 说明\n\n发布日期：2026-03-05\n\n正文。\n")
    report = run()
    assert report.folder_problems == []
    assert stored(run.engine, f"{item_number}/说明.md").document.item_number == item_number


def test_an_unknown_folder_is_an_error_naming_it_and_its_files_are_still_kept(
    run: ImportRun,
) -> None:
    (run.sub("房屋分配名册") / "办公室搬迁通知.txt").write_text(
        "办公室搬迁通知\n发布日期：2026-03-05\n"
    )
    (run.sub("17 房源信息") / "说明.md").write_text("# 房源说明\n\n发布日期：2026-03-05\n")
    report = run()
    [problem] = report.folder_problems
    assert problem.severity == "error"
    assert "房屋分配名册" in problem.message
    assert "最接近的：19 分配结果" in problem.message
    assert problem in report.errors
    moved = file_report(report, "办公室搬迁通知.txt")
    assert moved.status == "new"
    assert moved.item is None
    found = stored(run.engine, "folder:房屋分配名册/办公室搬迁通知.txt")
    assert found.document.item_number is None
    assert file_report(report, "说明.md").status == "new"


def test_a_file_under_an_unknown_folder_is_placed_by_its_title(run: ImportRun) -> None:
    folder = run.sub("其他材料")
    (folder / "a.md").write_text("# 2026年第一批公租房分配结果公示说明\n\n发布日期：2026-03-05\n")
    report = run()
    assert file_report(report, "a.md").item == "19 分配结果"


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("导出.txt", "关于摇号的公告\n正文\n".encode("utf-16"), "UndecodableFile"),
        ("扫描件.pdf", b"%PDF-1.4\n", "UnsupportedFile"),
        ("旧格式.xls", b"\xd0\xcf\x11\xe0", "UnsupportedFile"),
        ("损坏.docx", b"PK\x03\x04 not really a zip", "UnreadableFile"),
    ],
)
def test_a_bad_file_is_reported_by_name_and_the_others_are_imported(
    run: ImportRun, name: str, data: bytes, kind: str
) -> None:
    folder = run.sub("选房摇号公告")
    (folder / name).write_bytes(data)
    (folder / "公告.md").write_text("# 摇号公告\n\n发布日期：2026-03-05\n\n正文。\n")
    report = run()
    bad = file_report(report, name)
    assert bad.status == "failed"
    assert [p.kind for p in bad.errors] == [kind]
    assert name in bad.errors[0].message
    assert file_report(report, "公告.md").status == "new"
    assert report.imported_anything
    with Session(run.engine) as session:
        keys = session.exec(select(Document.source_key)).all()
    assert keys == ["18/公告.md"]


def test_a_spreadsheet_without_a_header_row_is_kept_as_text_and_reported(run: ImportRun) -> None:
    make_xlsx(
        run.sub("7") / "计划说明.xlsx",
        [["类别", "说明"], ["新开工", "保障性住房300套"], ["其中", "公租房200套"]],
    )
    report = run()
    result = file_report(report, "计划说明.xlsx")
    assert result.status == "new"
    assert [p.kind for p in result.errors] == ["NoHeaderRow"]
    assert "计划说明.xlsx" in result.errors[0].message
    found = stored(run.engine, "7/计划说明.xlsx")
    assert found.document.kind == "text"
    assert found.texts == ["类别：新开工；说明：保障性住房300套", "类别：其中；说明：公租房200套"]


def test_a_one_column_sheet_without_a_header_row_keeps_each_line(run: ImportRun) -> None:
    make_xlsx(
        run.sub("7") / "计划说明.xlsx",
        [["2026年计划新开工保障性住房300套"], ["其中公租房200套"]],
    )
    run()
    found = stored(run.engine, "7/计划说明.xlsx")
    assert found.texts == ["2026年计划新开工保障性住房300套", "其中公租房200套"]


@pytest.mark.parametrize(
    ("title", "item"),
    [
        ("关于2026年第二批公共租赁住房摇号配租的公告", "18 选房或摇号公告"),
        ("2026年第一批公租房分配结果公示", "19 分配结果"),
        # No item fits: kept as a general document, never dropped.
        ("山阴县住房保障服务指南", None),
    ],
)
def test_files_at_the_root_are_placed_by_their_title(
    run: ImportRun, title: str, item: str | None
) -> None:
    (run.folder / "材料.md").write_text(f"# {title}\n\n发布日期：2026-03-05\n\n正文。\n")
    report = run()
    result = file_report(report, "材料.md")
    assert (result.status, result.item) == ("new", item)
    general = [p for p in result.problems if p.kind == "general"]
    assert len(general) == (0 if item else 1)
    assert stored(run.engine, "root/材料.md").document.title == title
