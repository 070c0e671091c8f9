"""Documents as their public pages show them: sections, tables with the bureau's headers and
masked identity numbers, version history, and the documents of each catalog item."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from knowledge.catalog import Catalog
from knowledge.document_pages import DocumentPage, document_page, documents_by_item
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.models import Document
from tests.builders import make_csv


def imported(engine: Engine, folder: Path, catalog: Catalog, synonyms: ElementSynonyms) -> None:
    report = import_folder(engine, folder, catalog, synonyms)
    assert not [f for f in report.files if f.status == "failed"]


def page_titled(engine: Engine, title: str, **paging: int) -> DocumentPage:
    with Session(engine) as session:
        found = session.scalars(select(Document).where(col(Document.title) == title)).one()
        assert found.id is not None
        page = document_page(session, found.id, **paging)
    assert page is not None
    return page


def test_a_table_keeps_its_headers_and_shows_masked_numbers_only(
    engine: Engine, published_folder: Path, catalog: Catalog, synonyms: ElementSynonyms
) -> None:
    imported(engine, published_folder, catalog, synonyms)
    page = page_titled(engine, "山阴县2026年第一批公共租赁住房分配结果公示")
    assert page.item_number == 19 and page.kind == "table"
    assert page.table is not None
    assert page.table.headers == ("保障对象姓名", "身份证号", "所在建设项目名称", "房号面积套型")
    assert page.table.rows[0][0] == "陈丽"
    assert page.table.rows[0][1] == "140621********9101"
    # The composite column is shown as one column again, its parts joined.
    assert page.table.rows[1][3] == "3-2-501 / 57.6㎡ / 两室一厅"
    assert page.table.total_rows == 2
    text = repr(page)
    assert "140621200001019101" not in text and "14062119760315633X" not in text
    assert page.table.notes == ("公示期：2026年7月1日至7月7日",)
    # The notes are not shown twice, as text above the table too.
    assert all("公示期" not in p for s in page.sections for p in s.paragraphs)


def test_a_long_table_is_read_a_page_at_a_time(
    engine: Engine, tmp_path: Path, catalog: Catalog, synonyms: ElementSynonyms
) -> None:
    folder = tmp_path / "published" / "19-分配结果"
    folder.mkdir(parents=True)
    rows = [["保障对象姓名", "所在建设项目名称"]] + [[f"住户{n}", "幸福里"] for n in range(1, 8)]
    make_csv(folder / "分配结果.csv", rows, encoding="utf-8")
    imported(engine, folder.parent, catalog, synonyms)
    page = page_titled(engine, "分配结果", row_offset=5, row_limit=5)
    assert page.table is not None
    assert page.table.total_rows == 7 and page.table.first_row == 6
    assert [row[0] for row in page.table.rows] == ["住户6", "住户7"]


def test_text_comes_in_sections_under_its_headings(
    engine: Engine, published_folder: Path, catalog: Catalog, synonyms: ElementSynonyms
) -> None:
    imported(engine, published_folder, catalog, synonyms)
    page = page_titled(engine, "关于2026年第一批公共租赁住房摇号配租的公告")
    assert page.table is None
    headings = [s.heading for s in page.sections if s.heading]
    assert headings[0] == "一、摇号时间"
    assert any("2026年3月18日上午9时" in p for s in page.sections for p in s.paragraphs)


def test_each_import_that_changes_a_document_adds_a_version(
    engine: Engine, tmp_path: Path, catalog: Catalog, synonyms: ElementSynonyms
) -> None:
    folder = tmp_path / "published" / "18"
    folder.mkdir(parents=True)
    notice = folder / "摇号公告.md"
    notice.write_text("# 摇号公告\n\n发布日期：2026-03-05\n\n3月18日摇号。\n", encoding="utf-8")
    imported(engine, folder.parent, catalog, synonyms)
    notice.write_text("# 摇号公告\n\n发布日期：2026-03-09\n\n改为3月20日摇号。\n", encoding="utf-8")
    imported(engine, folder.parent, catalog, synonyms)
    page = page_titled(engine, "摇号公告")
    assert [(v.number, v.current) for v in page.versions] == [(2, True), (1, False)]
    assert [str(v.published_on) for v in page.versions] == ["2026-03-09", "2026-03-05"]
    assert any("3月20日" in p for s in page.sections for p in s.paragraphs)


def test_documents_by_item_newest_first(
    engine: Engine, published_folder: Path, catalog: Catalog, synonyms: ElementSynonyms
) -> None:
    imported(engine, published_folder, catalog, synonyms)
    with Session(engine) as session:
        by_item = documents_by_item(session)
        assert document_page(session, 999_999) is None
    lottery = [link.title for link in by_item[18]]
    assert lottery == [
        "关于2026年第二批公共租赁住房摇号配租的公告",
        "关于2026年第一批公共租赁住房摇号配租的公告",
    ]
    assert [link.title for link in by_item[None]] == ["山阴县住房保障服务指南"]
