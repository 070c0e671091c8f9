"""The public site and the insight pages in headless Chromium: the web chat answers on a phone,
its sources open the document pages, its buttons rate the answer and staff replies appear; the
catalog, a document, the Q&A list, the statistics and the staff's hot topics and statistics
render without a console error. Screenshots go to screenshots/ (git-ignored).

Debian's chromium drives the pages (Playwright never downloads a browser of its own).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser, Page, ViewportSize
from sqlalchemy import Engine, text
from sqlmodel import Session

from bot import phrases
from handlers.app import create_app
from handlers.settings import Settings
from handlers.staff.accounts import Role, create_user
from knowledge import qa
from knowledge.database import session_scope
from knowledge.record_models import Interaction
from knowledge.record_review import save_staff_reply
from knowledge.records import NewInteraction, record_batch
from tests.handlers.staff.conftest import PASSWORD, SESSION_SECRET

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}
STAFF_REPLY = "您好，申请材料可以在社区居委会领取，填写后一并提交即可。"
# A few weeks of questions, so that the statistics and the hot topics have something to show.
PAST_QUESTIONS = (
    "公租房怎么申请",
    "申请公组房要啥条件",
    "什么时候摇号",
    "摇号什么时候开始",
    "公租房租金多少",
    "两居室还有吗",
    "等了半年没消息",
)

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        load_demo="always",
        session_secret=SESSION_SECRET,
        index_poll_seconds=3600,
    )


@pytest.fixture
def seeded(settings: Settings, engine: Engine, users: dict[str, str]) -> Engine:
    """Earlier questions (rated, some waiting for staff) and a published answer."""
    now = datetime.now(UTC)
    batch = [
        NewInteraction(
            channel="wechat" if n % 3 else "web",
            resident_key=f"oEarlier{n % 11}",
            asked_at=now - timedelta(days=n % 40, hours=n % 7),
            question=PAST_QUESTIONS[n % len(PAST_QUESTIONS)],
            answer_text="答复",
            reply_text="答复",
            answer_kind="not_found" if n % 9 == 0 else "answered",
            needs_review=n % 9 == 0,
        )
        for n in range(120)
    ]
    record_batch(engine, sorted(batch, key=lambda new: new.asked_at))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE interaction SET satisfaction = 'satisfied' WHERE id % 5 = 0")
        )
        connection.execute(
            text("UPDATE interaction SET satisfaction = 'dissatisfied' WHERE id % 13 = 0")
        )
    with session_scope(engine) as session:
        qa.publish(
            session, "公租房可以养宠物吗？", "可以饲养小型宠物，须登记。", users["publisher"]
        )
    return engine


@pytest.fixture
async def site(settings: Settings, seeded: Engine) -> AsyncIterator[str]:
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    # The earlier questions get their topics in the background once the service starts.
    deadline = time.monotonic() + 30
    while _unassigned(seeded):
        assert time.monotonic() < deadline, "topics were not assigned in time"
        await asyncio.sleep(0.1)
    yield f"http://{host}:{port}"
    await runner.cleanup()


def _unassigned(engine: Engine) -> int:
    with engine.connect() as connection:
        count = connection.exec_driver_sql(
            "SELECT count(*) FROM interaction WHERE topic_id IS NULL"
        ).scalar()
    return int(count or 0)


@pytest.fixture
def users(engine: Engine) -> dict[str, str]:
    names = {}
    for role in (Role.REVIEWER, Role.PUBLISHER):
        names[role.value] = f"{role.value}1"
        create_user(engine, names[role.value], role, PASSWORD)
    return names


async def open_page(browser: Browser, viewport: ViewportSize, errors: list[str]) -> Page:
    """A page that records every console error and uncaught exception (CSP refusals too)."""
    page = await browser.new_page(
        viewport=viewport,
        locale="zh-CN",
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


async def ask(page: Page, question: str) -> None:
    """Type a question as a resident would and wait for the answer under it."""
    answered = await page.locator(".msg-bot .record-number").count()
    await page.fill("#chat-input", question)
    await page.click("#chat-send")
    await page.locator(".msg-bot .record-number").nth(answered).wait_for()


def record(engine: Engine, number: str) -> Interaction:
    with Session(engine) as session:
        found = session.get(Interaction, int(number[10:]))
        assert found is not None
        return found


async def test_the_web_chat_works_on_a_phone(
    site: str, browser: Browser, seeded: Engine, users: dict[str, str]
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = await open_page(browser, PHONE, errors)
    await page.goto(site + "/")
    await ask(page, "公租房申请条件是什么")
    answers = page.locator(".msg-bot", has=page.locator(".record-number"))
    answer = answers.first
    assert "条件" in await answer.locator(".bubble").inner_text()
    source = answer.locator(".sources a").first
    assert (await source.get_attribute("href") or "").startswith("/documents/")
    number = (await answer.locator(".record-number").inner_text()).split()[-1]
    await ask(page, "那需要带什么材料")
    await page.screenshot(path=str(SCREENSHOTS / "public-chat-phone.png"))

    # 不满意 under the first answer sends it back to staff, who reply; the reply shows up.
    await answer.locator(".rating button", has_text="不满意").click()
    await answer.locator(".rated").wait_for()
    assert phrases.DISSATISFIED_ACK in await answer.locator(".rated").inner_text()
    assert record(seeded, number).status == "needs_review"
    with session_scope(seeded) as session:
        save_staff_reply(session, int(number[10:]), STAFF_REPLY, users["reviewer"])
    await page.reload()
    await page.locator(".msg-staff", has_text=STAFF_REPLY).wait_for()

    # A source opens the document page the answer cites.
    await page.goto(site + "/")
    await ask(page, "公租房申请条件是什么")
    link = page.locator(".msg-bot .sources a").last
    title = (await link.inner_text()).strip("《》")
    await link.click()
    await page.wait_for_url("**/documents/*")
    assert title in await page.locator("h1").inner_text()
    await page.screenshot(path=str(SCREENSHOTS / "public-document-phone.png"), full_page=True)
    assert errors == []


@pytest.mark.parametrize(
    ("path", "viewport", "name", "heading"),
    [
        ("/", DESKTOP, "public-home", "住房保障咨询"),
        ("/catalog", DESKTOP, "public-catalog", "保障性住房领域基层政务公开标准目录"),
        ("/catalog", PHONE, "public-catalog-phone", "保障性住房领域基层政务公开标准目录"),
        ("/qa", DESKTOP, "public-qa", "问答"),
        ("/qa?q=宠物", PHONE, "public-qa-phone", "问答"),
        ("/stats", DESKTOP, "public-stats", "咨询统计"),
        ("/stats", PHONE, "public-stats-phone", "咨询统计"),
    ],
)
async def test_public_pages_render_without_errors(
    site: str, browser: Browser, path: str, viewport: ViewportSize, name: str, heading: str
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = await open_page(browser, viewport, errors)
    response = await page.goto(site + path)
    assert response is not None and response.status == 200
    assert heading in await page.locator("h1").first.inner_text()
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert errors == []


@pytest.mark.parametrize(
    ("title", "name"),
    [("分配结果公示", "public-document-table"), ("摇号选房的公告", "public-document-text")],
)
async def test_document_pages_open_from_the_catalog(
    site: str, browser: Browser, title: str, name: str
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = await open_page(browser, DESKTOP, errors)
    await page.goto(site + "/catalog")
    await page.locator(".doc-list a", has_text=title).first.click()
    await page.wait_for_url("**/documents/*")
    assert title in await page.locator("h1").inner_text()
    assert await page.locator(".document-history li").count() >= 1
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert errors == []


async def test_staff_insight_pages_render_without_errors(
    site: str, browser: Browser, users: dict[str, str]
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page = await open_page(browser, DESKTOP, errors)
    await page.goto(site + "/staff/login")
    await page.fill("#name", users["reviewer"])
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(site + "/staff/")
    await page.click("nav.staff-nav >> text=热点")
    await page.locator("a.topic-link").first.wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "staff-topics.png"), full_page=True)
    await page.locator("a.topic-link").first.click()
    await page.wait_for_url("**/staff/topics/*")
    await page.screenshot(path=str(SCREENSHOTS / "staff-topic.png"), full_page=True)
    await page.click("nav.staff-nav >> text=统计")
    await page.locator("#totals").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "staff-stats.png"), full_page=True)
    async with page.expect_download() as download:
        await page.click("text=导出 Excel")
    assert (await download.value).suggested_filename.endswith(".xlsx")
    assert errors == []
