"""Bringing a staff reply to the resident on the channel they asked on, and recording how it went.

The customer-service clients (公众号 kf API, WeCom app API) exist only for the channels whose
credentials are configured (for the 公众号: Token, AppID and AppSecret; for WeCom: Token,
Secret and AgentId, as the webhooks need), with their access_tokens in the database, shared
with the webhooks' late answers and every worker.

WeChat lets a 公众号 message a user only within 48 hours of the user's last message: the
window is checked before sending (the resident's last record), and WeChat's own refusal
(45015) is reported the same way. A web chat reply is stored on the record; the web chat
fetches it from /api/replies. Every attempt becomes a Delivery row with a reason staff read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web
from sqlalchemy import Engine
from sqlmodel import Session

from handlers import keys
from handlers.wechat.customer_service import CustomerServiceClient
from handlers.wechat.setup import late_senders
from knowledge.database import session_scope
from knowledge.inbox import RecordRow, last_message_at
from knowledge.record_dates import as_utc, china_time
from knowledge.record_models import Channel
from knowledge.record_review import add_delivery

log = logging.getLogger(__name__)

WECHAT_WINDOW = timedelta(hours=48)
OUTSIDE_WINDOW_ERRCODE = 45015
STORED_FOR_WEB = "已保存，居民在网页咨询中可以看到这条答复"
NOT_CONFIGURED = {
    Channel.WECHAT.value: "未配置微信公众号接口（ANJU_WECHAT_TOKEN / APPID / SECRET），无法送达",
    Channel.WECOM.value: "未配置企业微信应用接口（ANJU_WECOM_TOKEN / SECRET / AGENTID），无法送达",
}
UNKNOWN_CHANNEL = "未知渠道，答复已保存但无法送达"


@dataclass(frozen=True)
class DeliveryOutcome:
    """Whether the reply reached the resident, and a sentence saying why or why not."""

    delivered: bool
    reason: str
    errcode: int = 0
    attempts: int = 0


def outside_window(last_message: datetime | None, now: datetime) -> str:
    """Why WeChat will refuse a message now ('' when the 48-hour window is still open)."""
    if last_message is None:
        return "找不到居民的留言记录，无法确定48小时回复时限，未发送"
    if as_utc(now) - as_utc(last_message) <= WECHAT_WINDOW:
        return ""
    last = china_time(last_message).strftime("%Y-%m-%d %H:%M")
    return (
        f"居民最后一次留言在 {last}，已超过微信允许的48小时回复时限，无法通过微信送达。"
        "可待居民再次留言后回复，或将答复公开为问答"
    )


def _last_message(engine: Engine, record: RecordRow) -> datetime | None:
    with Session(engine) as session:
        return last_message_at(session, record.channel, record.resident_key)


async def send_reply(
    engine: Engine,
    senders: Mapping[str, CustomerServiceClient],
    record: RecordRow,
    text: str,
    *,
    now: datetime | None = None,
) -> DeliveryOutcome:
    """Deliver text to the resident of record (without writing anything).

    senders holds the client of each configured channel (wechat, wecom); WeCom app messages
    have no 48-hour window.
    """
    if record.channel == Channel.WEB.value:
        return DeliveryOutcome(True, STORED_FOR_WEB)
    if record.channel not in NOT_CONFIGURED:
        return DeliveryOutcome(False, UNKNOWN_CHANNEL)
    if record.channel == Channel.WECHAT.value:
        last = await asyncio.to_thread(_last_message, engine, record)
        problem = outside_window(last, now or datetime.now(UTC))
        if problem:
            return DeliveryOutcome(False, problem, OUTSIDE_WINDOW_ERRCODE)
    client = senders.get(record.channel)
    if client is None:
        return DeliveryOutcome(False, NOT_CONFIGURED[record.channel])
    result = await client.send_text(record.resident_key, text)
    return DeliveryOutcome(result.delivered, result.reason, result.errcode, result.attempts)


def store_outcome(
    engine: Engine, record_id: int, outcome: DeliveryOutcome, started_at: datetime
) -> None:
    """Write the Delivery row of one attempt."""
    with session_scope(engine) as session:
        add_delivery(
            session,
            record_id,
            delivered=outcome.delivered,
            reason=outcome.reason,
            attempts=outcome.attempts,
            errcode=outcome.errcode,
            started_at=started_at,
        )


async def deliver_and_record(
    engine: Engine, senders: Mapping[str, CustomerServiceClient], record: RecordRow, text: str
) -> DeliveryOutcome:
    """send_reply(), then its Delivery row."""
    started = datetime.now(UTC)
    outcome = await send_reply(engine, senders, record, text)
    await asyncio.to_thread(store_outcome, engine, record.id, outcome, started)
    return outcome


@contextlib.asynccontextmanager
async def customer_service(app: web.Application) -> AsyncIterator[None]:
    """Create the configured clients at startup (unless set already); close them at shutdown."""
    settings = app[keys.settings_key]
    async with aiohttp.ClientSession() as session:
        senders = late_senders(settings, app[keys.engine_key], session)
        for channel, key in _SENDER_KEYS:
            client = senders.get(channel)
            if client is not None and key not in app:
                app[key] = client
        if not senders:
            log.info("no WeChat or WeCom API credentials: staff replies reach web chat only")
        yield


_SENDER_KEYS = (
    (Channel.WECHAT.value, keys.customer_service_key),
    (Channel.WECOM.value, keys.wecom_service_key),
)


def reply_senders(request: web.Request) -> dict[str, CustomerServiceClient]:
    """The configured customer-service clients by channel."""
    found = {}
    for channel, key in _SENDER_KEYS:
        client = request.config_dict.get(key)
        if client is not None:
            found[channel] = client
    return found
