"""The loop of issue 5 in headless Chromium: a question arrives through the WeChat webhook, shows
in the inbox with its deadline, a reviewer answers it (the fake customer-service API receives
the reply), a publisher publishes it, /qa shows it, and the same question is then answered
with it. Screenshots of the inbox, the record page and /qa go to screenshots/ (git-ignored).

Debian's chromium drives the pages (Playwright never downloads a browser of its own).
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import xmltodict
from aiohttp import web
from playwright.async_api import Browser, Page
from sqlalchemy import Engine
from wechatpy.utils import check_signature

from handlers.app import create_app
from handlers.settings import Secret, Settings
from tests.fakes.wechat_api import FakeWeChatApi
from tests.handlers.staff.conftest import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[3] / "screenshots"
TOKEN = "anjuLoopToken"
RESIDENT = "oLoopResident-0000000000001"
QUESTION = "公租房可以养宠物吗"
STAFF_REPLY = "公租房小区允许饲养小型宠物，须办理登记并遵守小区物业管理规定，不得影响邻居。"

pytestmark = pytest.mark.browser


def _signed(token: str) -> dict[str, str]:
    """The query WeChat signs a push with (sha1 over the sorted token, timestamp and nonce)."""
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    check_signature(token, signature, timestamp, nonce)
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce}


def _push(content: str, msg_id: int) -> str:
    return (
        "<xml><ToUserName><![CDATA[gh_3b8c51d2e4f6]]></ToUserName>"
        f"<FromUserName><![CDATA[{RESIDENT}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


async def _ask_on_wechat(base: str, question: str, msg_id: int) -> str:
    """The text the bot replies to a resident's WeChat message."""
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            f"{base}/wechat", params=_signed(TOKEN), data=_push(question, msg_id).encode()
        )
        body = await response.text()
    assert response.status == 200, body
    reply: str = xmltodict.parse(body)["xml"]["Content"]
    return reply


@pytest.fixture
async def site(
    staff_settings: Settings,
    staff_engine: Engine,
    users: dict[str, str],
    fake_wechat_api: FakeWeChatApi,
) -> AsyncIterator[str]:
    """The whole service on a loopback port, with the webhook and the kf API configured."""
    settings = dataclasses.replace(
        staff_settings,
        load_demo="always",
        wechat_token=Secret(TOKEN),
        wechat_appid=fake_wechat_api.appid,
        wechat_secret=Secret(fake_wechat_api.secret),
        wechat_api_base=fake_wechat_api.base_url,
    )
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}"
    await runner.cleanup()


async def _sign_in(page: Page, base: str, name: str) -> None:
    await page.goto(f"{base}/staff/login")
    await page.fill("#name", name)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/staff/")


async def _sign_out(page: Page) -> None:
    await page.click("form[action='/staff/logout'] button")
    await page.wait_for_url("**/staff/login?done=signed_out")


async def test_a_question_becomes_a_published_answer(
    site: str, browser: Browser, fake_wechat_api: FakeWeChatApi, users: dict[str, str]
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    first_reply = await _ask_on_wechat(site, QUESTION, 7001)
    assert "没有找到" in first_reply

    page = await browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    # The reviewer finds it in the inbox, with its deadline.
    await _sign_in(page, site, users["reviewer"])
    row = page.locator("table.records tbody tr", has_text=QUESTION)
    await row.wait_for()
    deadline = (await row.locator("td.deadline-cell").inner_text()).strip()
    assert "年" in deadline and "月" in deadline, deadline
    await page.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)

    # ... opens the record and answers the resident through the customer-service API.
    await row.locator("a.question-link").click()
    await page.wait_for_url("**/staff/records/*")
    await page.screenshot(path=str(SCREENSHOTS / "record.png"), full_page=True)
    await page.fill("#reply-text", STAFF_REPLY)
    await page.click("#reply button[type=submit]")
    await page.wait_for_url("**/staff/records/*?done=replied")
    assert [(m.touser, m.content) for m in fake_wechat_api.received] == [(RESIDENT, STAFF_REPLY)]
    record_url = page.url.split("?")[0]
    await _sign_out(page)

    # The publisher publishes it as Q&A, the question reworded for the public.
    await _sign_in(page, site, users["publisher"])
    await page.goto(record_url)
    await page.click("text=公开为问答…")
    await page.fill("#question", "公租房可以养宠物吗？")
    assert await page.input_value("#answer") == STAFF_REPLY
    await page.click("form.stacked button[type=submit]")
    await page.wait_for_url("**/staff/qa/*/edit?done=published")

    # The public list shows it.
    await page.goto(f"{site}/qa")
    await page.locator(".qa-card", has_text="公租房可以养宠物吗？").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "qa.png"), full_page=True)
    await page.click("text=公租房可以养宠物吗？")
    assert STAFF_REPLY in await page.inner_text(".qa-answer")
    assert errors == []

    # The same question asked again is answered with the published answer.
    second_reply = await _ask_on_wechat(site, QUESTION, 7002)
    assert STAFF_REPLY in second_reply
