"""Tests for knowledge/index.py: a SearchIndex built from Material values, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.index import PASSAGE, QA, ROW, PublishedAnswer, SearchIndex
from knowledge.material import DocumentInfo, LoadedDocument, LoadedTable, Material, table_from_rows
from knowledge.tokenizer import DomainTokenizer

# A project name no other test uses, so the session tokenizer cannot know it beforehand.
PROJECT = "翠微桑榆苑"


def info(document_id: int, title: str, item: int | None, kind: str, day: int) -> DocumentInfo:
    return DocumentInfo(
        document_id=document_id,
        version_id=document_id * 10,
        title=title,
        published_on=date(2026, 3, day),
        item_number=item,
        kind=kind,
        file_name=f"{title}.md",
    )


def listing() -> LoadedDocument:
    table = table_from_rows(
        [
            ({"项目名称": PROJECT, "套型": "两室一厅", "待分配套数": "6"}, {"备注": "电梯房"}),
            ({"项目名称": "朝阳新居", "套型": "一室一厅", "待分配套数": "3"}, {}),
        ],
        {
            "title": "2026年第二批公租房房源信息表",
            "columns": [
                {"header": "项目名称", "elements": ["项目名称"], "how": "exact"},
                {"header": "套型", "elements": ["套型"], "how": "exact"},
                {"header": "待分配套数", "elements": ["待分配套数"], "how": "exact"},
                {"header": "备注", "elements": [], "how": "extra"},
            ],
            "notes": ["注：租金按建筑面积计算。"],
        },
    )
    return LoadedDocument(
        info(1, "2026年第二批公租房房源信息表", 17, "table", 18),
        (("说明", "注：租金按建筑面积计算。"),),
        table,
    )


def results(item: int | None, columns: tuple[str, ...]) -> LoadedDocument:
    rows = (("李静", "140621********0741", PROJECT), ("王秀英", "140621********0021", "朝阳新居"))
    table = LoadedTable(columns=columns, element_count=len(columns), rows=rows)
    return LoadedDocument(info(2, "2026年第一批分配结果公示", item, "table", 10), (), table)


NOTICE = LoadedDocument(
    info(3, "关于2026年第一批公共租赁住房摇号配租的公告", 18, "text", 5),
    (
        ("一、摇号时间", "2026年3月18日上午9时在县政务服务中心举行摇号。"),
        ("联系方式", "咨询电话：0349-0000111"),
        ("联系方式", "监督电话：0349-0000125"),
    ),
)


@pytest.fixture
def index(tokenizer: DomainTokenizer) -> SearchIndex:
    material = Material(
        revision=7,
        documents=(
            listing(),
            results(19, ("保障对象姓名", "身份证号", "所在建设项目名称")),
            NOTICE,
        ),
    )
    answers = [PublishedAnswer(1, "外地人能申请公租房吗", "持本县居住证的可以申请。", None)]
    return SearchIndex.build(material, tokenizer, answers)


def test_passages_rows_and_published_answers_are_searchable(index: SearchIndex) -> None:
    assert index.revision == 7
    [hit, *_] = index.search("摇号时间")
    assert hit.entry.kind == PASSAGE
    assert hit.entry.doc is not None and hit.entry.doc.document_id == 3
    row = index.search(f"{PROJECT}两室一厅", rows=True)[0]
    assert row.entry.kind == ROW
    assert (
        index.render(row.entry)
        == f"项目名称：{PROJECT}；套型：两室一厅；待分配套数：6；备注：电梯房"
    )
    qa = index.search("外地人申请公租房")[0]
    assert qa.entry.kind == QA and qa.entry.qa is not None
    assert qa.entry.qa.answer == "持本县居住证的可以申请。"


def test_extra_columns_are_searchable(index: SearchIndex) -> None:
    hits = index.search("电梯房", rows=True)
    assert [index.render(h.entry).split("；")[0] for h in hits] == [f"项目名称：{PROJECT}"]


def test_rows_of_tables_about_people_are_never_returned_by_search(index: SearchIndex) -> None:
    questions = ("李静", "李静的审核结果", "140621********0741", "0741", "王秀英朝阳新居")
    for question in questions:
        hits = index.search(question, limit=50) + index.search(question, limit=50, rows=True)
        for hit in hits:
            assert hit.entry.kind != ROW or hit.entry.doc is None or hit.entry.doc.document_id != 2
            assert "李静" not in index.render(hit.entry)
    # The name index finds them (callers then ask for the identity number's last four).
    [(table, row)] = index.people_named("李静")
    assert table.about_people
    assert table.row_values(row)["身份证号"] == "140621********0741"
    assert set(index.person_names()) == {"李静", "王秀英"}
    assert index.people_named("李") == []


@pytest.mark.parametrize(
    ("item", "columns", "about_people"),
    [
        (19, ("保障对象姓名", "身份证号", "所在建设项目名称"), True),
        (14, ("申请对象姓名", "是否审核通过", "所在建设项目名称"), True),
        # Any item: a name column with an identity number column lists people.
        (None, ("姓名", "身份证号", "所在建设项目名称"), True),
        (7, ("项目名称", "建设地点", "所在建设项目名称"), False),
    ],
)
def test_which_tables_are_about_people(
    tokenizer: DomainTokenizer, item: int | None, columns: tuple[str, ...], about_people: bool
) -> None:
    index = SearchIndex.build(Material(1, (results(item, columns),)), tokenizer)
    assert index.tables[0].about_people is about_people
    rows_found = [h for h in index.search(PROJECT, rows=True) if h.entry.kind == ROW]
    assert bool(rows_found) is not about_people


def test_project_names_from_the_material_join_the_tokenizer() -> None:
    tokenizer = DomainTokenizer()
    assert PROJECT not in tokenizer.cut(f"{PROJECT}还有房吗")
    index = SearchIndex.build(Material(1, (listing(),)), tokenizer)
    assert PROJECT in tokenizer.cut(f"{PROJECT}还有房吗")
    assert index.projects.find(f"{PROJECT}还有房吗")[0].name == PROJECT
    # The corrector learned it too: a homophone slip of the name is fixed.
    assert index.spelling.correct("翠微桑鱼苑还有房吗").text == f"{PROJECT}还有房吗"


def test_the_bureaus_contacts_are_found(index: SearchIndex) -> None:
    assert index.contacts.enquiry == "0349-0000111"
    assert index.contacts.report == "0349-0000125"
    assert {"03490000111", "03490000125"} <= index.contacts.service_digits


def test_documents_newest_first_and_passages_in_order(index: SearchIndex) -> None:
    assert [d.document_id for d in index.documents] == [1, 2, 3]
    assert index.document_passages(3)[0].text.startswith("2026年3月18日")
    assert index.document_passages(99) == []


def test_accept_filters_hits(index: SearchIndex) -> None:
    hits = index.search("公租房", limit=20, accept=lambda entry: entry.kind == QA)
    assert hits and all(h.entry.kind == QA for h in hits)


def test_terms_of_a_hit(index: SearchIndex) -> None:
    hit = index.search("摇号时间")[0]
    assert "摇号" in index.terms_of(hit)
    row = index.search(f"{PROJECT}两室一厅", rows=True)[0]
    assert "两室一厅" in index.terms_of(row)


def test_an_empty_material_builds_an_empty_index(tokenizer: DomainTokenizer) -> None:
    index = SearchIndex.build(Material(0), tokenizer)
    assert index.entries == ()
    assert index.search("公租房") == []
    assert index.contacts.enquiry == ""
