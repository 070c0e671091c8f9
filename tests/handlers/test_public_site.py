"""The public site's pages on the real app: home with the web chat, the catalog with its
documents, each document's page (its table with masked identity numbers only, paging, version
history, 404 and 410), and the public statistics, which never show a resident's words."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from handlers.app import create_app
from handlers.settings import Settings
from knowledge.catalog import Catalog
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.models import Document
from knowledge.records import NewInteraction, record_batch
from tests.builders import make_csv

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]
PRIVATE_QUESTION = "我叫王秀英，住在幸福里3号楼，审核怎么还没过"


@pytest.fixture
def folder(published_folder: Path) -> Path:
    """The shared folder plus a long allocation table (more than one page of rows)."""
    rows = [["保障对象姓名", "身份证号", "所在建设项目名称"]]
    rows += [[f"住户{n}", f"14062119800101{n:04d}", "幸福里"] for n in range(1, 131)]
    make_csv(published_folder / "19-分配结果" / "2026年第二批分配结果.csv", rows, encoding="utf-8")
    return published_folder


@pytest.fixture
async def client(
    aiohttp_client: ClientFactory,
    database_url: str,
    engine: Engine,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    folder: Path,
) -> Client:
    import_folder(engine, folder, catalog, synonyms)
    return await aiohttp_client(create_app(Settings(database_url=database_url, load_demo="never")))


async def page(client: Client, path: str, status: int = 200) -> str:
    response = await client.get(path)
    text = await response.text()
    assert response.status == status, text[:500]
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    return text


async def test_home_offers_the_web_chat_and_the_latest_notices(client: Client) -> None:
    html = await page(client, "/")
    assert 'id="chat-form"' in html and '/static/chat.js"' in html
    # Without JavaScript the box searches the published Q&A.
    assert 'action="/qa"' in html
    assert "关于2026年第二批公共租赁住房摇号配租的公告" in html
    assert re.search(r'href="/documents/\d+"', html)
    assert "<script>" not in html and "style=" not in html


async def test_the_catalog_lists_every_item_with_its_disclosure_rules(
    client: Client, catalog: Catalog
) -> None:
    html = await page(client, "/catalog")
    for item in catalog:
        assert f'id="item-{item.number}"' in html
    seventeen = html[html.index('id="item-17"') : html.index('id="item-18"')]
    assert "房源信息" in seventeen and "●" in seventeen and "○" in seventeen
    assert "山阴县住建局" in seventeen and "政府网站" in seventeen
    assert "20个工作日" in seventeen
    assert "公开依据" in seventeen
    assert "2026年第二批公租房房源信息表" in seventeen or "房源信息表" in seventeen
    assert "其他公开信息" in html and "山阴县住房保障服务指南" in html


def store(engine: Engine, question: str, **fields: object) -> None:
    new = NewInteraction(
        channel="wechat",
        resident_key="oPublic0000000001",
        asked_at=datetime.now(UTC) - timedelta(hours=1),
        question=question,
        answer_text="答复",
        reply_text="答复",
        answer_kind=str(fields.get("kind", "answered")),
    )
    record_batch(engine, [new])
    if fields.get("satisfaction"):
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f"UPDATE interaction SET satisfaction = '{fields['satisfaction']}' "
                "WHERE id = (SELECT max(id) FROM interaction)"
            )


async def test_public_statistics_count_but_never_show_questions(
    client: Client, engine: Engine
) -> None:
    store(engine, PRIVATE_QUESTION, satisfaction="dissatisfied")
    store(engine, "公租房怎么申请", satisfaction="satisfied")
    store(engine, "满意", kind="satisfaction")
    html = await page(client, "/stats")
    assert '<span class="figure-value">2</span>' in html  # received
    assert "50.0%" in html  # satisfied of those rated
    for private in ("王秀英", "幸福里", "公租房怎么申请", "公租房、申请"):
        assert private not in html
    assert "<svg" in html and "<title" in html


def document_id(engine: Engine, title: str) -> int:
    with Session(engine) as session:
        found = session.scalars(select(col(Document.id)).where(col(Document.title) == title)).one()
    assert found is not None
    return int(found)


async def test_a_table_is_shown_as_a_table_with_masked_numbers(
    client: Client, engine: Engine
) -> None:
    path = f"/documents/{document_id(engine, '山阴县2026年第一批公共租赁住房分配结果公示')}"
    response = await client.get(path)
    html = await response.text()
    assert response.status == 200
    assert "<table" in html and '<th scope="col">身份证号</th>' in html
    assert "140621********9101" in html and "140621200001019101" not in html
    assert "第19项 分配结果" in html and "配给管理" in html
    assert "发布记录" in html and "第1版" in html


async def test_a_long_table_is_paged(client: Client, engine: Engine) -> None:
    path = f"/documents/{document_id(engine, '2026年第二批分配结果')}"
    first = await (await client.get(path)).text()
    second = await (await client.get(path + "?page=2")).text()
    assert "住户1<" in first and "住户101<" not in first
    assert "住户101<" in second and "住户1<" not in second
    assert "共 130 行" in first and "第 2 / 2 页" in second
    assert "1406211980010101" not in first + second


async def test_text_documents_show_their_sections(client: Client, engine: Engine) -> None:
    path = f"/documents/{document_id(engine, '关于2026年第一批公共租赁住房摇号配租的公告')}"
    html = await (await client.get(path)).text()
    assert "<h2>一、摇号时间</h2>" in html
    assert "2026年3月18日上午9时" in html


async def test_no_such_document(client: Client) -> None:
    response = await client.get("/documents/987654")
    assert response.status == 404
    assert "页面不存在" in await response.text()


async def test_a_withdrawn_document_answers_gone_without_its_text(
    client: Client, engine: Engine
) -> None:
    title = "关于2026年第一批公共租赁住房摇号配租的公告"
    identifier = document_id(engine, title)
    with Session(engine) as session:
        document = session.get(Document, identifier)
        assert document is not None
        document.withdrawn = True
        session.add(document)
        session.commit()
    response = await client.get(f"/documents/{identifier}")
    html = await response.text()
    assert response.status == 410
    assert title in html and "已撤回" in html
    assert "2026年3月18日上午9时" not in html
