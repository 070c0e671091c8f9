"""Shared fixtures: databases (SQLite and PostgreSQL), tokenizer, catalog, a published folder."""

from __future__ import annotations

import gc
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp.web_app
import jieba
import pytest
from psycopg.errors import DeadlockDetected
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

import handlers.knowledge_base as knowledge_base_module
import knowledge.tokenizer as tokenizer_module
from knowledge import demo_material
from knowledge.catalog import Catalog, load_catalog
from knowledge.database import normalize_database_url, open_engine
from knowledge.element_synonyms import ElementSynonyms, load_synonyms
from knowledge.report import ImportReport
from knowledge.tokenizer import DomainTokenizer
from tests.builders import make_csv, make_docx, make_html, make_xlsx
from tests.fakes.wechat_api import fake_wechat_api  # noqa: F401

# The PostgreSQL server CI starts (database test, trust auth); never skipped when it is down.
POSTGRES_URL = "postgresql://127.0.0.1:5432/test"
_POSTGRES_CONNECT_TIMEOUT_SECONDS = 5


@pytest.fixture(autouse=True)
def forget_finished_apps() -> Iterator[None]:
    """Let each test's aiohttp application be freed when the test ends.

    aiohttp caches middleware chains per (handler, apps) in a module-level lru_cache of 1,024
    entries, which keeps every app a test built alive for the whole session, each with its own
    ~55 MB tokenizer: a few hundred handler tests then need gigabytes.
    """
    yield
    cache = getattr(aiohttp.web_app, "_cached_build_middleware", None)
    if cache is not None and cache.cache_info().currsize:
        cache.cache_clear()
        # An app is a web of cycles: collect it now, before the next test builds another.
        gc.collect()


@pytest.fixture(autouse=True, scope="session")
def share_costly_starts() -> Iterator[None]:
    """Let the many applications tests start share what every start would rebuild the same.

    Each start loads jieba's dictionary (~0.3 s) and imports the packaged demo material into a
    new in-memory database (~0.4 s): over the suite's hundreds of starts, most of its time.
    Here each is done once per session and then copied: a tokenizer gets its own copy of the
    dictionary (words it adds stay its own), an application its own copy of the demo database.
    Loading into a cache folder a test chose (tests of that cache) still reads the file.
    """
    real_load = tokenizer_module._load_base_dictionary
    real_demo = demo_material.open_demo_engine
    default_cache = Path(tempfile.gettempdir())
    base: list[tuple[dict[str, int], int]] = []
    demo: dict[tuple[str, str], tuple[Engine, ImportReport]] = {}

    def load_shared(tokenizer: jieba.Tokenizer, cache_dir: Path) -> None:
        if cache_dir != default_cache:
            real_load(tokenizer, cache_dir)
            return
        if not base:
            real_load(tokenizer, cache_dir)
            base.append((dict(tokenizer.FREQ), tokenizer.total))
        tokenizer.FREQ, tokenizer.total = dict(base[0][0]), base[0][1]
        tokenizer.initialized = True

    def demo_copy(catalog: Catalog, synonyms: ElementSynonyms) -> tuple[Engine, ImportReport]:
        # Each application loads its own catalog and synonyms: the same when their data is.
        key = (repr(vars(catalog)), repr(synonyms))
        if key not in demo:
            demo[key] = real_demo(catalog, synonyms)
        master, report = demo[key]
        copy = open_engine("sqlite://", create=False)
        with master.connect() as source, copy.connect() as target:
            source_db, target_db = (
                source.connection.driver_connection,
                target.connection.driver_connection,
            )
            assert isinstance(source_db, sqlite3.Connection)
            assert isinstance(target_db, sqlite3.Connection)
            source_db.backup(target_db)
        return copy, report

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokenizer_module, "_load_base_dictionary", load_shared)
        patch.setattr(knowledge_base_module, "open_demo_engine", demo_copy)
        yield
    for master, _ in demo.values():
        master.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database file of this test's own."""
    return f"sqlite:///{tmp_path / 'anju.sqlite3'}"


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """A connection to the test server, used only to create and drop each test's schema."""
    engine = create_engine(
        normalize_database_url(POSTGRES_URL),
        connect_args={"connect_timeout": _POSTGRES_CONNECT_TIMEOUT_SECONDS},
        isolation_level="AUTOCOMMIT",
    )
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url(postgres_admin: Engine) -> Iterator[str]:
    """A fresh schema on the test server, as a URL whose search_path is that schema."""
    schema = f"t_{secrets.token_hex(6)}"
    try:
        with postgres_admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_URL} (trust auth): {error.orig}. "
            "Start it (./scripts/test and .ci/run do) or run `pytest -m 'not postgres'`.",
            pytrace=False,
        )
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    drop_schema(postgres_admin, schema)


def drop_schema(admin: Engine, schema: str, attempts: int = 5) -> None:
    """Drop a test's schema, again when it deadlocks with work still running in it.

    A test that starts its app inside its body has this schema torn down before the app: the
    record writer may be giving the last questions their topics (a short transaction, after
    which it waits for records) when the drop comes. The server then ends one of the two.
    """
    for attempt in range(1, attempts + 1):
        try:
            with admin.connect() as connection:
                # An engine a test forgot to dispose must not hang the run on the drop.
                connection.execute(text("SET lock_timeout = '10s'"))
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            return
        except OperationalError as error:
            if attempt == attempts or not isinstance(error.orig, DeadlockDetected):
                raise
            time.sleep(0.2 * attempt)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test against a SQLite file and against a schema of its own on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'anju.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine over database_url with every table created."""
    opened = open_engine(database_url)
    yield opened
    opened.dispose()


@pytest.fixture(scope="session")
def tokenizer() -> DomainTokenizer:
    """One domain tokenizer for the session (jieba's dictionary takes ~0.5 s to load).

    Building an index adds project names to it; tests must not rely on a word being unknown.
    """
    return DomainTokenizer()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The packaged disclosure catalog."""
    return load_catalog()


@pytest.fixture(scope="session")
def synonyms() -> ElementSynonyms:
    """The packaged header synonyms."""
    return load_synonyms()


@pytest.fixture
def published_folder(tmp_path: Path) -> Path:
    """A small bureau folder with one file per quirk of the spec (see build_published_folder)."""
    return build_published_folder(tmp_path / "published")


def build_published_folder(root: Path) -> Path:
    """Write a published folder under root and return root.

    17 房源信息/   xlsx: merged title row, loose headers, Excel serial date, 注： footer
    19-分配结果/   GB18030 csv: unmasked 18-digit identity numbers, one composite column
    14/            tab-separated csv with BOM: a 15-digit number and one masked in another style
    选房摇号公告/  docx with a Title style, signed 二〇二六年三月五日
    13/            docx without a Title style, 发布日期： label, a table inside
    5-决策结果公开/ html with navigation, scripts and footer around the article
    互动回应/      md with 问/答 pairs and no date (kept, undated)
    (root)         a notice whose title names item 18, and a guide no item fits
    """
    listings = root / "17 房源信息"
    results = root / "19-分配结果"
    reviews = root / "14"
    lottery = root / "选房摇号公告"
    applying = root / "13"
    decisions = root / "5-决策结果公开"
    answers = root / "互动回应"
    for folder in (listings, results, reviews, lottery, applying, decisions, answers):
        folder.mkdir(parents=True)
    make_xlsx(
        listings / "2026年第二批公租房房源信息表.xlsx",
        [
            ["山阴县2026年第二批公共租赁住房房源信息表", None, None, None, None, None],
            [None, None, None, None, None, None],
            ["项目名称", "套型", "面积（㎡）", "待分配套数", "租金标准(元/㎡·月)", "竣工日期"],
            ["幸福里（一期）", "一室一厅", 42.6, 12, 4.5, 46201],
            ["朝阳新居", "两室一厅", "57.6平方米", 8, "4.4", "2024/6/30"],
            ["注：租金按建筑面积计算。监督电话：0349-0000125", None, None, None, None, None],
            ["发布日期：2026年11月18日", None, None, None, None, None],
        ],
        merged=["A1:F1", "A6:F6", "A7:F7"],
    )
    make_csv(
        results / "2026年第一批公租房分配结果公示.csv",
        [
            ["山阴县2026年第一批公共租赁住房分配结果公示", "", "", ""],
            ["保障对象姓名", "身份证号", "所在建设项目名称", "房号面积套型"],
            ["陈丽", "140621200001019101", "幸福里（一期）", "1-1-101 / 42.6㎡ / 一室一厅"],
            ["马志明", "14062119760315633X", "朝阳新居", "3-2-501 / 57.6㎡ / 两室一厅"],
            ["公示期：2026年7月1日至7月7日", "", "", ""],
        ],
    )
    make_csv(
        reviews / "2026年第一批公租房承租资格审核结果.csv",
        [
            ["申请人姓名", "证件号码(隐藏部分号码)", "是否审核通过", "审核未通过原因"],
            ["王秀英", "140621580312002", "是", ""],
            ["李静", "1406211985****0741", "否", "家庭人均收入超过标准"],
        ],
        encoding="utf-8",
        delimiter="\t",
        bom=True,
    )
    make_docx(
        lottery / "关于2026年第一批公共租赁住房摇号配租的公告.docx",
        "关于2026年第一批公共租赁住房摇号配租的公告",
        [
            "一、摇号时间",
            "2026年3月18日上午9时，在县政务服务中心三楼举行。",
            "咨询电话：0349-0000111",
            "山阴县住房和城乡建设管理局",
            "二〇二六年三月五日",
        ],
    )
    make_docx(
        applying / "公租房申请须知.docx",
        "公租房申请须知",
        [
            "发布日期：2026-03-02",
            "申请公共租赁住房应当同时符合下列条件：",
            "（一）本县城镇户籍满2年；",
            "（二）家庭人均月收入低于2650元。",
        ],
        title_style=None,
        tables=[[["材料", "份数"], ["申请表", "2"]]],
    )
    make_html(
        decisions / "租金标准通知.html",
        page_title="关于调整公共租赁住房租金标准的通知_山阴县人民政府",
        h1="关于调整公共租赁住房租金标准的通知",
        paragraphs=[
            "公共租赁住房租金标准调整为每月每平方米4.5元。",
            "本通知自2026年4月1日起施行。",
        ],
        info="发布时间：2026-03-20",
    )
    (answers / "公租房申请常见问题.md").write_text(
        "# 公租房申请常见问题\n\n问：外地人可以申请公租房吗？\n\n"
        "答：持本县居住证、连续缴纳社会保险满1年的外来务工人员可以申请。\n",
        encoding="utf-8",
    )
    (root / "关于2026年第二批公共租赁住房摇号配租的公告.md").write_text(
        "# 关于2026年第二批公共租赁住房摇号配租的公告\n\n发布日期：2026-11-20\n\n"
        "第二批摇号定于2026年12月18日举行。\n",
        encoding="utf-8",
    )
    (root / "山阴县住房保障服务指南.txt").write_text(
        "山阴县住房保障服务指南\n发布日期：2026-01-05\n办公地址：县政务服务中心一楼8号窗口。\n",
        encoding="utf-8",
    )
    return root
