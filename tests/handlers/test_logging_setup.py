"""Tests for handlers/logging_setup.py, and a scan of real requests' logs for residents' words.

The scan runs the webhook (plain and encrypted, a failing bot, a late answer sent by
customer-service message) and /api/ask with a question holding a name, an identity number and
a phone number, at DEBUG, and then looks for any of them, or the replies, in every record.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.answer import Answer, AnswerKind
from handlers.logging_setup import (
    JsonFormatter,
    MaskingTextFormatter,
    configure_logging,
    formatter_for,
    log_handler,
)
from handlers.settings import Secret, SettingsError
from handlers.wechat.answering import Answering
from tests.fakes.wechat_api import FakeWeChatApi
from tests.handlers.wechat.conftest import (
    FixedAnswering,
    Harness,
    Peer,
    SlowAnswering,
    deliveries,
    eventually,
)

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]

NAME = "张秀兰"
IDENTITY = "140621198503120741"
PHONE = "13812345678"
QUESTION = f"我叫{NAME}，身份证{IDENTITY}，电话{PHONE}，幸福里的租金能不能缓交"
LATE = Answer(
    text="租金缓交须向县住房保障中心书面申请，经审核同意后办理。", kind=AnswerKind.ANSWERED
)
# The access log of the test server is left out: `anju serve` runs without one.
NOT_OURS = ("aiohttp.access",)


def api_settings(fake: FakeWeChatApi) -> dict[str, Any]:
    """The 公众号's customer-service credentials, pointing at the fake WeChat API."""
    return {
        "wechat_appid": fake.appid,
        "wechat_secret": Secret(fake.secret),
        "wechat_api_base": fake.base_url,
    }


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError(f"bad input {IDENTITY}")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("anju.test", logging.WARNING, __file__, 1, message, args, exc_info)


@pytest.mark.parametrize(
    ("message", "args", "shown"),
    [
        ("asked %s", (IDENTITY,), "asked 140621********0741"),
        ("call %s back", (PHONE,), "call 138****5678 back"),
        ("record %d stored", (42,), "record 42 stored"),
        ("msg id %s", ("24512345678901234567",), "msg id 24512345678901234567"),
    ],
)
def test_every_format_masks_personal_numbers(
    message: str, args: tuple[object, ...], shown: str
) -> None:
    text = MaskingTextFormatter().format(record(message, *args))
    assert text.endswith(f"WARNING anju.test {shown}")
    entry = json.loads(JsonFormatter().format(record(message, *args)))
    assert entry["message"] == shown
    assert (entry["level"], entry["logger"]) == ("WARNING", "anju.test")
    assert entry["time"].endswith("+00:00") and isinstance(entry["process"], int)


def test_a_traceback_is_masked_too() -> None:
    entry = json.loads(JsonFormatter().format(record("failed", exc=True)))
    assert "ValueError: bad input 140621********0741" in entry["exception"]
    text = MaskingTextFormatter().format(record("failed", exc=True))
    assert IDENTITY not in text and "140621********0741" in text


@pytest.mark.parametrize("log_format", ["xml", "JSON lines", ""])
def test_an_unknown_format_is_a_settings_error(log_format: str) -> None:
    with pytest.raises(SettingsError, match="ANJU_LOG_FORMAT"):
        formatter_for(log_format)


@pytest.fixture
def private_logger() -> Iterator[logging.Logger]:
    """A logger of this test's own, not passing records on to the root logger."""
    logger = logging.getLogger("anju.test.private")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger
    logger.handlers[:] = []


@pytest.mark.parametrize("log_format", ["json", " JSON ", "Json"])
def test_the_json_handler_writes_one_object_a_line(
    private_logger: logging.Logger, log_format: str
) -> None:
    stream = io.StringIO()
    private_logger.addHandler(log_handler(log_format, stream))
    private_logger.info("answered %d questions for %s", 3, PHONE)
    private_logger.info("第二行")
    first, second = stream.getvalue().splitlines()
    assert json.loads(first)["message"] == "answered 3 questions for 138****5678"
    assert json.loads(second)["message"] == "第二行"


def test_the_text_handler_writes_masked_lines(private_logger: logging.Logger) -> None:
    stream = io.StringIO()
    private_logger.addHandler(log_handler("text", stream))
    private_logger.warning("call %s", PHONE)
    assert stream.getvalue().endswith(" WARNING anju.test.private call 138****5678\n")


def test_configure_logging_refuses_an_unknown_level() -> None:
    with pytest.raises(SettingsError, match="--log-level"):
        configure_logging("chatty", "text", io.StringIO())


class FailingAnswering:
    """A bot that breaks on every question (the webhook hands them to staff)."""

    def answer(self, text: str, user: str = "") -> Answer:
        raise RuntimeError("the bot broke")


def leaks(caplog: pytest.LogCaptureFixture, secrets: list[str]) -> list[str]:
    """Log lines (message and traceback) holding any of secrets."""
    found = []
    for entry in caplog.records:
        if entry.name in NOT_OURS:
            continue
        text = entry.getMessage() + (entry.exc_text or "")
        if entry.exc_info:
            text += logging.Formatter().formatException(entry.exc_info)
        if any(secret in text for secret in secrets):
            found.append(f"{entry.name}: {text}")
    return found


async def test_requests_with_personal_text_leave_none_of_it_in_the_logs(
    aiohttp_client: ClientFactory,
    database_url: str,
    fake_wechat_api: FakeWeChatApi,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    harness = Harness(aiohttp_client, database_url)
    replies: list[str] = []

    plain = await harness.peer("plain")
    replies.append((await plain.text(QUESTION)).content)
    encrypted = await harness.peer("safe")
    replies.append((await encrypted.text(QUESTION + "？")).content)
    response = await plain.client.post("/api/ask", json={"text": QUESTION, "user": "web-1"})
    replies.append((await response.json())["answer"])

    def failing(app: web.Application) -> Answering:
        return FailingAnswering()

    broken = await harness.start(answering=failing, wechat_aes_key=Secret(""))
    replies.append((await Peer(broken, "plain").text(QUESTION + "。")).content)

    def slow(app: web.Application) -> Answering:
        return SlowAnswering(FixedAnswering(LATE), 0.6)

    late_client = await harness.start(
        answering=slow, answer_budget_seconds=0.2, **api_settings(fake_wechat_api)
    )
    late_peer = Peer(late_client, "safe", receive_id=fake_wechat_api.appid)
    assert (await late_peer.text(QUESTION + "！")).kind == "success"
    await eventually(lambda: bool(fake_wechat_api.received))
    await eventually(lambda: bool(deliveries(late_client)[0].finished_at))
    replies.append(fake_wechat_api.received[0].content)

    assert all(replies) and caplog.records
    fragments = [NAME, IDENTITY, PHONE, "缓交"] + [r[:12] for r in replies]
    assert leaks(caplog, fragments) == []


def test_the_scan_would_see_a_leak(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("handlers.test").debug("asked: %s", QUESTION)
    try:
        raise RuntimeError(PHONE)
    except RuntimeError:
        logging.getLogger("handlers.test").exception("failed")
    assert len(leaks(caplog, [NAME, PHONE])) == 2
