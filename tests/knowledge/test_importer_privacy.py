"""Tests for knowledge/importer.py and identity numbers: masked before anything is stored.

The scans read the SQLite database file's raw bytes (and its write-ahead log), so that no
table, column or encoding we did not think of can hold a full number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from knowledge.catalog import Catalog
from knowledge.database import open_engine
from knowledge.demo_material import demo_folder
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder, import_uploaded_files
from knowledge.models import DocumentVersion, ImportRun, Passage, TableRow
from knowledge.report import render_text
from tests.builders import make_csv, make_docx, make_xlsx

ID18 = re.compile(rb"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
ID15 = re.compile(rb"(?<![0-9])[1-9][0-9]{14}(?![0-9])")
REPOSITORY = Path(__file__).resolve().parents[2]
SAMPLES = REPOSITORY.parent / "shared" / "samples" / "published"


def everything_stored(engine: Engine) -> str:
    """Every text the import stored, in one string: rows, passages, bodies, layouts, reports."""
    with Session(engine) as session:
        parts: list[str] = []
        for elements, extras in session.exec(select(TableRow.elements, TableRow.extras)):
            parts.append(json.dumps([elements, extras], ensure_ascii=False))
        for heading, text in session.exec(select(Passage.heading, Passage.text)):
            parts.extend((heading, text))
        for version in session.exec(select(DocumentVersion)):
            parts.extend((version.title, version.body_text, version.file_name))
            parts.append(json.dumps(version.table_layout, ensure_ascii=False))
        parts.extend(session.exec(select(ImportRun.report_text)))
    return "\n".join(parts)


def full_identity_numbers(data: bytes) -> list[bytes]:
    return ID18.findall(data) + ID15.findall(data)


def test_full_identity_numbers_are_masked_everywhere_and_counted(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, tmp_path: Path
) -> None:
    folder = tmp_path / "published"
    (folder / "19").mkdir(parents=True)
    (folder / "14").mkdir()
    make_csv(
        folder / "19" / "分配结果.csv",
        [
            ["保障对象姓名", "身份证号", "所在建设项目名称"],
            ["陈丽", "140621200001019101", "幸福里"],
            ["马志明", "14062119760315633x", "朝阳新居"],
            ["王秀英", "140621580312002", "朝阳新居"],
        ],
    )
    # Typed into Excel as a number: it arrives as an int, and must be masked all the same.
    make_xlsx(
        folder / "14" / "审核结果.xlsx",
        [["申请人姓名", "身份证号码", "是否审核通过"], ["李静", 140621198503070741, "是"]],
    )
    make_docx(
        folder / "14" / "补正通知.docx",
        "关于140621198503070741等申请人补正材料的通知",
        ["请身份证号为140621197603156330的申请人补正材料。", "山阴县住房和城乡建设管理局"],
        tables=[[["姓名", "身份证号"], ["张伟", "140621199912319999"]]],
    )
    report = import_folder(engine, folder, catalog, synonyms)
    counted = {f.path: f.identity_numbers_masked for f in report.files}
    assert (counted["14/审核结果.xlsx"], counted["19/分配结果.csv"]) == (1, 3)
    assert counted["14/补正通知.docx"] >= 3
    stored = everything_stored(engine)
    for masked in (
        "140621********9101",
        "140621********633X",
        "140621*****2002",
        "140621********0741",
        "140621********6330",
        "140621********9999",
    ):
        assert masked in stored
    assert full_identity_numbers(stored.encode()) == []
    assert full_identity_numbers(render_text(report).encode()) == []


def test_each_number_in_a_document_is_counted_once(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, tmp_path: Path
) -> None:
    folder = tmp_path / "published"
    (folder / "14").mkdir(parents=True)
    (folder / "14" / "补正通知.txt").write_text(
        "补正通知\n请身份证号为140621197603156330的申请人补正材料。\n", encoding="utf-8"
    )
    report = import_folder(engine, folder, catalog, synonyms)
    assert report.identity_numbers_masked == 1


@pytest.mark.parametrize(
    ("published", "stored"),
    [
        ("140624********0012", "140624********0012"),
        ("1406241990****0012", "140624********0012"),
        # Fewer than four characters left visible at the end: hidden further, never revealed.
        ("140624199003****12", "140624**********12"),
        ("140624*****0012", "140624*****0012"),
        ("14062419900307001X", "140624********001X"),
    ],
)
def test_numbers_masked_in_another_style_are_normalised(
    engine: Engine,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    tmp_path: Path,
    published: str,
    stored: str,
) -> None:
    folder = tmp_path / "published"
    (folder / "21").mkdir(parents=True)
    make_csv(
        folder / "21" / "年审.csv",
        [["姓名", "身份证号", "是否审核通过"], ["李静", published, "是"]],
    )
    import_folder(engine, folder, catalog, synonyms)
    with Session(engine) as session:
        elements = session.exec(select(TableRow.elements)).one()
    assert elements["身份证号"] == stored


def test_staff_uploads_follow_the_same_rules(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, tmp_path: Path
) -> None:
    upload = make_csv(
        tmp_path / "审核结果.csv",
        [["申请人姓名", "身份证号", "是否审核通过"], ["李静", "140621198503070741", "是"]],
    )
    report = import_uploaded_files(
        engine, [(upload.name, upload.read_bytes())], catalog.item(14), catalog, synonyms
    )
    assert report.identity_numbers_masked == 1
    with Session(engine) as session:
        elements = session.exec(select(TableRow.elements)).one()
    assert elements["身份证号"] == "140621********0741"


def assert_no_identity_number_in_database_file(database: Path) -> None:
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            found = full_identity_numbers(path.read_bytes())
            assert found == [], f"{path.name} holds {found[:3]}"


def scan_after_import(
    folder: Path, tmp_path: Path, catalog: Catalog, synonyms: ElementSynonyms
) -> int:
    database = tmp_path / "scan.sqlite3"
    engine = open_engine(f"sqlite:///{database}")
    report = import_folder(engine, folder, catalog, synonyms)
    assert report.errors == []
    # While the engine is open the new pages may sit in the write-ahead log only.
    assert_no_identity_number_in_database_file(database)
    engine.dispose()
    assert_no_identity_number_in_database_file(database)
    return report.identity_numbers_masked


def test_the_demo_material_leaves_no_identity_number_in_the_database_file(
    tmp_path: Path, catalog: Catalog, synonyms: ElementSynonyms
) -> None:
    folder = demo_folder()
    raw = b"".join(p.read_bytes() for p in folder.rglob("*.csv"))
    # The scan can fail: the demo's own files hold full numbers.
    assert full_identity_numbers(raw)
    assert scan_after_import(folder, tmp_path, catalog, synonyms) > 0


@pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="the shared sample folder is not next to the repository"
)
def test_the_sample_folder_leaves_no_identity_number_in_the_database_file(
    tmp_path: Path, catalog: Catalog, synonyms: ElementSynonyms
) -> None:
    assert scan_after_import(SAMPLES, tmp_path, catalog, synonyms) > 0


@pytest.mark.skipif(
    not SAMPLES.is_dir(), reason="the shared sample folder is not next to the repository"
)
def test_the_sample_folder_places_every_file_without_errors(
    sqlite_url: str, catalog: Catalog, synonyms: ElementSynonyms
) -> None:
    engine = open_engine(sqlite_url)
    report = import_folder(engine, SAMPLES, catalog, synonyms)
    engine.dispose()
    files = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
    assert len(report.files) == len(files)
    assert report.errors == []
    assert report.count("failed") == 0
    assert report.count("new") == len(files)
    # Files no item fits are kept as general documents, with a warning.
    general = [f.path for f in report.files if f.item is None]
    assert all("/" not in path for path in general)
