"""Tests for knowledge/data_export.py: records and material as CSV files, as stored (masked)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.catalog import Catalog
from knowledge.data_export import MANIFEST, SHEETS, ExportError, cell, export_all
from knowledge.database import session_scope
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.record_models import Delivery, Interaction, PublishedQA
from knowledge.records import NewInteraction, record_batch
from knowledge.schema import head_revision

ASKED = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
# Already the 27th in China: the record number keeps the stored date, as residents were told.
LATE_EVENING = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)
RESIDENT = "oAbC-resident_0000000000001"


def read(folder: Path, name: str) -> list[list[str]]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as sheet:
        return list(csv.reader(sheet))


@pytest.fixture
def filled(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, published_folder: Path
) -> Engine:
    """Material, two records (one with an identity number), a delivery and a published Q&A."""
    import_folder(engine, published_folder, catalog, synonyms)
    stored = record_batch(
        engine,
        [
            NewInteraction(
                "wechat",
                RESIDENT,
                ASKED,
                "我身份证140621198503120741，公租房审核过了吗",
                dedup_key="m1",
                answer_kind="not_found",
                needs_review=True,
                deadline=date(2026, 12, 3),
            ),
            NewInteraction("web", RESIDENT, LATE_EVENING, "=1+1 租金多少", dedup_key="m2"),
        ],
    )
    with session_scope(engine) as session:
        session.add(
            Delivery(
                interaction_id=stored[0].id,
                purpose="staff_reply",
                created_at=ASKED,
                finished_at=ASKED,
                delivered=False,
                attempts=3,
                errcode=45015,
                reason="超过48小时未互动",
            )
        )
        session.add(
            PublishedQA(
                question="外地人可以申请公租房吗",
                answer="持本县居住证可以申请。",
                interaction_id=stored[1].id,
                created_at=ASKED,
                updated_at=ASKED,
                published_by="王芳",
            )
        )
    return engine


def test_every_sheet_and_the_manifest_are_written(filled: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "导出"
    counts = export_all(filled, folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [s.file_name for s in SHEETS] + [MANIFEST]
    )
    for sheet in SHEETS:
        rows = read(folder, sheet.file_name)
        assert tuple(rows[0]) == sheet.headers
        assert len(rows) - 1 == counts[sheet.file_name]
        assert all(len(row) == len(sheet.headers) for row in rows)
    manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    assert manifest["rows"] == counts and manifest["schema_revision"] == head_revision()
    assert counts["records.csv"] == 2 and counts["deliveries.csv"] == 1
    assert counts["documents.csv"] == 9 and counts["passages.csv"] > 9


def test_records_are_written_as_stored_without_the_residents_key(
    filled: Engine, tmp_path: Path
) -> None:
    export_all(filled, tmp_path / "out")
    header, first, second = read(tmp_path / "out", "records.csv")
    record = dict(zip(header, first, strict=True))
    assert record["编号"] == "HD20261126000001"
    assert record["提问时间"] == "2026-11-26 10:30:00+08:00"
    assert record["问题"] == "我身份证140621********0741，公租房审核过了吗"
    assert (record["答复类型"], record["状态"], record["答复期限"]) == (
        "not_found",
        "needs_review",
        "2026-12-03",
    )
    later = dict(zip(header, second, strict=True))
    assert (later["编号"], later["提问时间"]) == ("HD20261126000002", "2026-11-27 04:00:00+08:00")
    with Session(filled) as session:
        assert [
            r.number for r in session.exec(select(Interaction).order_by(col(Interaction.id)))
        ] == [
            record["编号"],
            later["编号"],
        ]
    # A cell a spreadsheet would compute is shown as text.
    assert later["问题"] == "'=1+1 租金多少"
    everything = "".join(p.read_text("utf-8-sig") for p in (tmp_path / "out").glob("*.csv"))
    assert RESIDENT not in everything
    assert "198503120741" not in everything and "140621200001019101" not in everything
    [delivery] = read(tmp_path / "out", "deliveries.csv")[1:]
    assert delivery[0] == "HD20261126000001" and delivery[4] == "否"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (True, "是"),
        (False, "否"),
        (datetime(2026, 11, 26, 16, 0, tzinfo=UTC), "2026-11-27 00:00:00+08:00"),
        (date(2026, 12, 3), "2026-12-03"),
        ({"项目": "幸福里", "套型": "一室一厅"}, '{"套型": "一室一厅", "项目": "幸福里"}'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("公租房", "公租房"),
        (42, "42"),
    ],
)
def test_cell(value: object, shown: str) -> None:
    assert cell(value) == shown


def test_a_folder_with_files_in_it_is_refused(filled: Engine, tmp_path: Path) -> None:
    folder = tmp_path / "已有"
    folder.mkdir()
    (folder / "上次的.csv").write_text("留着", "utf-8")
    with pytest.raises(ExportError, match="不是空文件夹"):
        export_all(filled, folder)
    assert [p.name for p in folder.iterdir()] == ["上次的.csv"]


def test_an_empty_folder_is_used(filled: Engine, tmp_path: Path) -> None:
    (tmp_path / "空").mkdir()
    assert export_all(filled, tmp_path / "空")["records.csv"] == 2
