"""Tests for knowledge/importer.py as a whole: the shared folder, idempotence, versions, one
transaction, the report.

Each test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from knowledge.catalog import Catalog
from knowledge.database import is_sqlite, read_revision
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import ProgressEvent, import_folder
from knowledge.material import load_material
from knowledge.models import Document, DocumentVersion, ImportRun, Passage, TableRow
from knowledge.report import ImportReport, render_text
from tests.builders import make_csv

NOTICE = "# 摇号公告\n\n发布日期：2026-03-05\n\n第一批摇号定于3月18日举行。\n"
CHANGED_NOTICE = "# 摇号公告\n\n发布日期：2026-03-06\n\n第一批摇号改于3月20日举行。\n"
# The marker the refusing trigger looks for (see refuse_passages_containing).
REFUSED = "数据库拒绝写入"


def counts(engine: Engine) -> dict[str, int]:
    """How many rows each table of the material holds."""
    with Session(engine) as session:
        return {
            str(model.__tablename__): session.exec(select(func.count()).select_from(model)).one()
            for model in (Document, DocumentVersion, Passage, TableRow, ImportRun)
        }


@pytest.fixture
def folder(published_folder: Path) -> Path:
    return published_folder


def run(engine: Engine, folder: Path, catalog: Catalog, synonyms: ElementSynonyms) -> ImportReport:
    return import_folder(engine, folder, catalog, synonyms)


def test_the_shared_published_folder_places_every_file(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, published_folder: Path
) -> None:
    events: list[ProgressEvent] = []
    report = import_folder(engine, published_folder, catalog, synonyms, progress=events.append)
    placed = {f.path: f.item for f in report.files}
    assert placed == {
        "13/公租房申请须知.docx": "13 保障性住房申请受理",
        "14/2026年第一批公租房承租资格审核结果.csv": "14 公租房承租资格审核",
        "17 房源信息/2026年第二批公租房房源信息表.xlsx": "17 房源信息",
        "19-分配结果/2026年第一批公租房分配结果公示.csv": "19 分配结果",
        "5-决策结果公开/租金标准通知.html": "5 决策结果公开",
        "互动回应/公租房申请常见问题.md": "41 互动回应",
        "关于2026年第二批公共租赁住房摇号配租的公告.md": "18 选房或摇号公告",
        "山阴县住房保障服务指南.txt": None,
        "选房摇号公告/关于2026年第一批公共租赁住房摇号配租的公告.docx": "18 选房或摇号公告",
    }
    assert report.errors == []
    assert report.count("new") == 9
    assert [e.files_done for e in events] == list(range(1, 10))
    assert events[-1].rows_done == 6 and events[-1].files_total == 9


def test_importing_the_same_folder_twice_changes_nothing(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, folder: Path
) -> None:
    first = run(engine, folder, catalog, synonyms)
    before = counts(engine)
    second = run(engine, folder, catalog, synonyms)
    assert first.count("new") == len(first.files) == 9
    assert {f.status for f in second.files} == {"unchanged"}
    assert second.revision == first.revision == read_revision(engine) == 1
    after = counts(engine)
    # Only the run itself is recorded again.
    assert after == before | {"import_run": before["import_run"] + 1}
    assert "未变 9" in render_text(second)


def test_a_changed_file_becomes_version_2_and_version_1_stays(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, tmp_path: Path
) -> None:
    folder = tmp_path / "published"
    (folder / "选房摇号公告").mkdir(parents=True)
    notice = folder / "选房摇号公告" / "摇号公告.md"
    notice.write_text(NOTICE, encoding="utf-8")
    run(engine, folder, catalog, synonyms)
    notice.write_text(CHANGED_NOTICE, encoding="utf-8")
    report = run(engine, folder, catalog, synonyms)
    assert [f.status for f in report.files] == ["changed"]
    assert report.revision == read_revision(engine) == 2
    with Session(engine) as session:
        document = session.exec(select(Document)).one()
        versions = session.exec(select(DocumentVersion).order_by(col(DocumentVersion.number)))
        by_number = {v.number: v for v in versions}
        kept = session.exec(select(Passage.text).where(Passage.version_id == by_number[1].id))
        assert list(kept) == ["第一批摇号定于3月18日举行。"]
        material = load_material(session, read_revision(engine))
    assert sorted(by_number) == [1, 2]
    assert document.current_version_id == by_number[2].id
    assert document.published_on is not None and document.published_on.day == 6
    # The index sees only the current version.
    [loaded] = material.documents
    assert loaded.passages == (("", "第一批摇号改于3月20日举行。"),)


def test_a_file_changed_back_is_a_new_version_again(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, tmp_path: Path
) -> None:
    folder = tmp_path / "published"
    (folder / "18").mkdir(parents=True)
    notice = folder / "18" / "摇号公告.md"
    for content in (NOTICE, CHANGED_NOTICE, NOTICE):
        notice.write_text(content, encoding="utf-8")
        report = run(engine, folder, catalog, synonyms)
    assert [f.status for f in report.files] == ["changed"]
    with Session(engine) as session:
        numbers = session.exec(select(DocumentVersion.number)).all()
    assert sorted(numbers) == [1, 2, 3]


def refuse_passages_containing(engine: Engine, marker: str) -> None:
    """Make the database itself refuse to store a passage holding marker (a real failure)."""
    with engine.begin() as connection:
        if is_sqlite(engine):
            connection.execute(
                text(
                    "CREATE TRIGGER refuse BEFORE INSERT ON passage "
                    f"WHEN NEW.text LIKE '%{marker}%' "
                    "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END"
                )
            )
            return
        connection.execute(
            text(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.text LIKE '%{marker}%' THEN "
                "RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON passage "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        )


def test_a_failure_half_way_leaves_nothing_half_imported(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, folder: Path, tmp_path: Path
) -> None:
    run(engine, folder, catalog, synonyms)
    before = counts(engine)
    revision = read_revision(engine)
    second = tmp_path / "second"
    shutil.copytree(folder, second)
    # Files sort by name: the changed 13/… and new 14/… come before the refused one in 18/.
    (second / "13" / "新通知.md").write_text(NOTICE, encoding="utf-8")
    (second / "互动回应" / "公租房申请常见问题.md").write_text(
        "# 问答\n\n问：改了吗？\n\n答：改了。\n"
    )
    (second / "选房摇号公告" / "拒绝.md").write_text(f"# 公告\n\n{REFUSED}。\n", encoding="utf-8")
    refuse_passages_containing(engine, REFUSED)
    with pytest.raises(DBAPIError, match="refused by test trigger"):
        run(engine, second, catalog, synonyms)
    assert counts(engine) == before
    assert read_revision(engine) == revision
    with Session(engine) as session:
        titles = session.exec(select(Document.title)).all()
    assert "问答" not in titles
    # The database is still usable: the same folder without the refused file imports.
    (second / "选房摇号公告" / "拒绝.md").unlink()
    report = run(engine, second, catalog, synonyms)
    assert (report.count("new"), report.count("changed")) == (1, 1)


def test_the_report_says_per_file_where_it_went_and_what_was_indexed_masked_and_wrong(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, tmp_path: Path
) -> None:
    folder = tmp_path / "published"
    (folder / "14 公租房承租资格审核").mkdir(parents=True)
    make_csv(
        folder / "14 公租房承租资格审核" / "审核结果.csv",
        [
            ["山阴县2026年第一批公租房承租资格审核结果", "", "", ""],
            ["申请人姓名", "身份证号码", "家庭人口", "是否审核通过"],
            ["王秀英", "140621195803120021", "3", "是"],
            ["李静", "140621198503070741", "2", "否"],
            ["注：公示期5个工作日。", "", "", ""],
        ],
    )
    (folder / "14 公租房承租资格审核" / "扫描件.pdf").write_bytes(b"%PDF-1.4")
    report = run(engine, folder, catalog, synonyms)
    table = next(f for f in report.files if f.path.endswith("审核结果.csv"))
    assert (table.status, table.item, table.kind) == ("new", "14 公租房承租资格审核", "table")
    assert (table.rows, table.passages, table.identity_numbers_masked) == (2, 1, 2)
    assert [(c.header, c.elements) for c in table.columns] == [
        ("申请人姓名", ("申请对象姓名",)),
        ("身份证号码", ("身份证号",)),
        ("家庭人口", ()),
        ("是否审核通过", ("是否审核通过",)),
    ]
    assert [p.kind for p in table.problems] == ["undated"]
    text_report = render_text(report)
    for line in (
        "14 公租房承租资格审核/审核结果.csv  →  14 公租房承租资格审核  (新增)",
        "段落 1，表格行 2",
        "列 申请人姓名 → 申请对象姓名",
        "列 家庭人口 → （保留为附加列）",
        "已隐藏身份证号码 2 个",
        "[提示] 没有找到发布日期，按未注明日期保存",
        "扫描件.pdf  →  未归入公开事项  (失败)",
        "共 2 个文件：新增 1，更新 0，未变 0，失败 1；错误 1；隐藏身份证号码 2 个",
    ):
        assert line in text_report
    assert "140621195803120021" not in text_report
    with Session(engine) as session:
        stored_report = session.exec(select(ImportRun.report_text)).one()
    assert stored_report == text_report


def test_the_report_does_not_claim_a_dropped_serial_column_was_kept(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, tmp_path: Path
) -> None:
    folder = tmp_path / "published"
    (folder / "19").mkdir(parents=True)
    make_csv(
        folder / "19" / "分配结果.csv",
        [["序号", "保障对象姓名", "所在建设项目名称"], ["1", "陈丽", "幸福里"]],
    )
    report = run(engine, folder, catalog, synonyms)
    with Session(engine) as session:
        extras = session.exec(select(TableRow.extras)).one()
    assert "序号" not in extras
    assert "列 序号 → （保留为附加列）" not in render_text(report)


def test_two_folders_of_one_item_with_same_file_name_are_both_kept(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, tmp_path: Path
) -> None:
    folder = tmp_path / "published"
    for name, body in (("17 房源信息", "幸福里还有房。"), ("房源", "朝阳新居还有房。")):
        (folder / name).mkdir(parents=True)
        (folder / name / "说明.md").write_text(f"# 房源说明\n\n发布日期：2026-03-05\n\n{body}\n")
    report = run(engine, folder, catalog, synonyms)
    assert [f.status for f in report.files] == ["new", "new"]
    with Session(engine) as session:
        material = load_material(session, read_revision(engine))
    assert len(material.documents) == 2
