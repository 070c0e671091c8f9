"""Tests for knowledge.material_overview: an item's documents, versions, and their working-day
ages against the 20-working-day publication deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, update
from sqlmodel import Session

from knowledge.catalog import Catalog
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_uploaded_files
from knowledge.material_overview import item_documents, item_summaries
from knowledge.models import DocumentVersion
from knowledge.workdays import WorkingCalendar

TODAY = date(2026, 11, 26)
IMPORTED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _notice(title: str, dated: str, body: str) -> bytes:
    lines = [title] + ([f"发布日期：{dated}"] if dated else []) + [body]
    return "\n".join(lines).encode("utf-8")


def _upload(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms, files: list[tuple[str, bytes]]
) -> None:
    import_uploaded_files(engine, files, catalog.item(13), catalog, synonyms)
    with Session(engine) as session:
        session.execute(update(DocumentVersion).values(imported_at=IMPORTED))
        session.commit()


def test_ages_and_lateness_of_an_items_documents(
    engine: Engine, catalog: Catalog, synonyms: ElementSynonyms
) -> None:
    _upload(
        engine,
        catalog,
        synonyms,
        [
            ("旧通知.txt", _notice("关于公租房申请的通知", "2026-10-09", "申请条件如下。")),
            ("新通知.txt", _notice("关于租赁补贴的通知", "2026-11-02", "补贴标准如下。")),
            ("无日期.txt", _notice("公租房申请须知", "", "办理地点在政务大厅。")),
        ],
    )
    with Session(engine) as session:
        found = item_documents(session, 13, WorkingCalendar(), TODAY, 20)
    by_title = {document.title: document for document in found}
    late = by_title["关于公租房申请的通知"]
    # 10月9日 → 11月20日: 31 working days (Saturday 10月10日 was worked); 35 to 11月26日.
    assert (late.current.lag_working_days, late.current.late) == (31, True)
    assert (late.age_working_days, late.needs_check) == (35, True)
    timely = by_title["关于租赁补贴的通知"]
    assert (timely.current.lag_working_days, timely.current.late) == (14, False)
    assert (timely.age_working_days, timely.needs_check) == (18, False)
    undated = by_title["公租房申请须知"]
    assert (undated.current.lag_working_days, undated.current.late) == (None, False)
    assert undated.age_working_days == 4


def test_versions_newest_first(engine: Engine, catalog: Catalog, synonyms: ElementSynonyms) -> None:
    _upload(engine, catalog, synonyms, [("通知.txt", _notice("通知", "2026-11-02", "第一稿。"))])
    _upload(engine, catalog, synonyms, [("通知.txt", _notice("通知", "2026-11-03", "第二稿。"))])
    with Session(engine) as session:
        (document,) = item_documents(session, 13, WorkingCalendar(), TODAY)
        summaries = item_summaries(session)
    assert [v.number for v in document.versions] == [2, 1]
    assert document.current.published_on == date(2026, 11, 3)
    assert summaries[13].documents == 1
    assert summaries[13].latest_import is not None
    assert 17 not in summaries


def test_an_item_without_documents(engine: Engine) -> None:
    with Session(engine) as session:
        assert item_documents(session, 17, WorkingCalendar(), TODAY) == []
        assert item_summaries(session) == {}
