"""Pushing text answers to residents through the 公众号 kf API or a WeCom app, with safe retries."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from handlers.wechat.access_token import (
    TOKEN_REJECTED_ERRCODES,
    AccessTokens,
    OfficialAccountTarget,
    TokenUnavailable,
)

logger = logging.getLogger(__name__)

#: errcode of a DeliveryResult whose failure happened below WeChat's API (network, HTTP status).
TRANSPORT_FAILURE = -999
#: Developers measured 2048 UTF-8 bytes for passive text replies (spec section 6); WeCom
#: documents the same cap for app text messages. Longer text is split into several messages.
MAX_TEXT_BYTES = 2048

DELIVERED = "已送达"
OUTCOME_UNKNOWN = "结果未知：微信未及时答复，为免重复未自动重发"
UNAVAILABLE = "微信接口暂不可用"
RATE_LIMITED = "发送频率受限，稍后重试"
TOKEN_REJECTED = "微信访问凭证失效，稍后重试"

#: WeChat refused to execute these sends; they were not delivered and retrying now cannot help.
_FINAL_REASONS: dict[int, str] = {
    45015: "超出48小时回复时限，无法通过微信送达（45015）",
    45047: "已达客服消息条数上限，须等居民再次留言（45047）",
    43004: "用户已取消关注（43004）",
    43019: "该用户在公众号黑名单中（43019）",
    40003: "居民的 openid 无效（40003）",
    48001: "公众号没有客服消息接口权限（48001）",
    40164: "服务器 IP 不在微信白名单中（40164）",
    45002: "消息过长，微信拒收（45002）",
    81013: "接收人不在企业微信应用可见范围内（81013）",
}
#: WeChat says these sends were not executed and may succeed later.
_BUSY_REASONS: dict[int, str] = {
    -1: "微信系统繁忙，稍后重试",
    45009: RATE_LIMITED,
    45011: RATE_LIMITED,
    45033: RATE_LIMITED,
}

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class DeliverySettings:
    """Retry and size limits; the defaults suit an answer pushed after the 5-second window."""

    max_attempts: int = 4
    deadline_seconds: float = 30.0
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 10.0
    backoff_base_seconds: float = 0.5
    backoff_cap_seconds: float = 8.0
    max_text_bytes: int = MAX_TEXT_BYTES

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if min(self.deadline_seconds, self.connect_timeout_seconds, self.read_timeout_seconds) <= 0:
            raise ValueError("deadline and timeouts must be positive")
        if self.backoff_base_seconds < 0 or self.backoff_cap_seconds < self.backoff_base_seconds:
            raise ValueError("backoff needs 0 <= base <= cap")
        if self.max_text_bytes < 16:
            raise ValueError("max_text_bytes must be at least 16")


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to one text, over all its parts.

    ``errcode``/``errmsg`` come from WeChat, or are TRANSPORT_FAILURE and a short description.
    ``retryable`` means sending again later may succeed and WeChat did not execute the failed
    part. ``reason`` is a sentence for staff. ``parts_delivered`` of ``parts_total`` were
    delivered, in order, so a later retry must resend only the rest.
    """

    delivered: bool
    errcode: int
    errmsg: str
    attempts: int
    retryable: bool
    reason: str
    parts_delivered: int
    parts_total: int


@dataclass(frozen=True)
class _Outcome:
    """One try of one part: ``retry_now`` is set only when WeChat surely did not execute it."""

    delivered: bool
    errcode: int
    errmsg: str
    reason: str
    retry_now: bool = False
    retryable_later: bool = False
    token_rejected: bool = False


class CustomerServiceClient:
    """Sends text to one resident (公众号 openid, or WeCom userid) outside the passive reply.

    A request is retried only when WeChat (or the network) says it was not executed: a read
    timeout after sending is reported as unknown, because an automatic retry there duplicated
    messages in binarywang/WxJava #2098.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        tokens: AccessTokens,
        *,
        settings: DeliverySettings | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._session = session
        self._tokens = tokens
        self._settings = settings or DeliverySettings()
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        target = tokens.target
        self._agentid: int | None = None
        if isinstance(target, OfficialAccountTarget):
            self._url = f"{target.base_url}/cgi-bin/message/custom/send"
        else:
            self._url = f"{target.base_url}/cgi-bin/message/send"
            self._agentid = target.agentid
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            connect=self._settings.connect_timeout_seconds,
            sock_connect=self._settings.connect_timeout_seconds,
            sock_read=self._settings.read_timeout_seconds,
        )

    async def send_text(self, openid: str, content: str) -> DeliveryResult:
        """Deliver ``content``, split at sentence boundaries into messages sent in order."""
        if not openid.strip():
            raise ValueError("openid is empty")
        parts = split_text(content, self._settings.max_text_bytes)
        if not parts:
            raise ValueError("content is empty")
        deadline = self._clock() + self._settings.deadline_seconds
        attempts = 0
        for index, part in enumerate(parts):
            outcome, used = await self._send_part(openid, part, deadline)
            attempts += used
            if not outcome.delivered:
                reason = outcome.reason
                if index:
                    reason = f"已送达前{index}段（共{len(parts)}段），其余未送达：{reason}"
                return DeliveryResult(
                    delivered=False,
                    errcode=outcome.errcode,
                    errmsg=outcome.errmsg,
                    attempts=attempts,
                    retryable=outcome.retryable_later,
                    reason=reason,
                    parts_delivered=index,
                    parts_total=len(parts),
                )
        return DeliveryResult(True, 0, "ok", attempts, False, DELIVERED, len(parts), len(parts))

    async def _send_part(self, openid: str, text: str, deadline: float) -> tuple[_Outcome, int]:
        attempts = 0
        token_retried = False
        while True:
            attempts += 1
            outcome = await self._try_once(openid, text)
            _log_outcome(openid, attempts, outcome)
            if outcome.delivered or attempts >= self._settings.max_attempts:
                return outcome, attempts
            if outcome.token_rejected and not token_retried:
                # A fresh token, not a busy server: retry at once, but only once.
                token_retried = True
                continue
            if not outcome.retry_now:
                return outcome, attempts
            delay = self._backoff(attempts)
            if self._clock() + delay > deadline:
                return outcome, attempts
            await self._sleep(delay)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(
            self._settings.backoff_cap_seconds,
            self._settings.backoff_base_seconds * 2.0 ** (attempt - 1),
        )
        # "Equal jitter": at least half the ceiling, so retries still spread out exponentially.
        return ceiling / 2 + self._jitter() * ceiling / 2

    async def _try_once(self, openid: str, text: str) -> _Outcome:
        try:
            token = await self._tokens.get()
        except TokenUnavailable as error:
            reason = UNAVAILABLE if error.retryable else f"无法获取微信访问凭证（{error.errcode}）"
            if error.errcode == 40164:
                reason = _FINAL_REASONS[40164]
            return _Outcome(
                False,
                error.errcode,
                error.errmsg,
                reason,
                retry_now=error.retryable,
                retryable_later=error.retryable,
            )
        outcome = await self._post(token, self._message(openid, text))
        if outcome.token_rejected:
            await self._tokens.invalidate(token)
        return outcome

    def _message(self, openid: str, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {"touser": openid, "msgtype": "text"}
        if self._agentid is not None:
            message["agentid"] = self._agentid
        message["text"] = {"content": text}
        return message

    async def _post(self, token: str, message: dict[str, Any]) -> _Outcome:
        # Raw UTF-8 rather than \u escapes: what WeChat measures is UTF-8 bytes.
        body = json.dumps(message, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        try:
            async with self._session.post(
                self._url,
                params={"access_token": token},
                data=body,
                headers=headers,
                timeout=self._timeout,
            ) as response:
                status = response.status
                raw = await response.read()
        except (aiohttp.ConnectionTimeoutError, aiohttp.ClientConnectorError) as error:
            # No connection was made, so nothing reached WeChat.
            return _transport(type(error).__name__, UNAVAILABLE, retry=True)
        except (aiohttp.ClientError, TimeoutError) as error:
            # The request may have been sent and executed (read timeout, dropped connection).
            return _transport(type(error).__name__, OUTCOME_UNKNOWN, retry=False, later=False)
        return _interpret(status, raw)


def _interpret(status: int, raw: bytes) -> _Outcome:
    if status == 504:
        # A gateway timeout means WeChat's back end may still have executed the send.
        return _transport("HTTP 504", OUTCOME_UNKNOWN, retry=False, later=False)
    if status >= 500:
        return _transport(f"HTTP {status}", UNAVAILABLE, retry=True)
    if status != 200:
        reason = f"微信接口返回异常（HTTP {status}）"
        return _transport(f"HTTP {status}", reason, retry=False, later=False)
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("errcode", 0), int):
        # A 200 we cannot read: WeChat handled the request, the outcome is unknowable.
        return _transport("unreadable response", OUTCOME_UNKNOWN, retry=False, later=False)
    errcode: int = payload.get("errcode", 0)
    errmsg = str(payload.get("errmsg", ""))
    if errcode == 0 and not payload.get("invaliduser"):
        return _Outcome(True, 0, errmsg or "ok", DELIVERED)
    if errcode == 0:
        # WeCom answers 0 and lists recipients it could not reach in "invaliduser".
        return _Outcome(False, 81013, f"invaliduser: {errmsg}", _FINAL_REASONS[81013])
    if errcode in TOKEN_REJECTED_ERRCODES:
        return _Outcome(
            False,
            errcode,
            errmsg,
            TOKEN_REJECTED,
            retryable_later=True,
            token_rejected=True,
        )
    if errcode in _BUSY_REASONS:
        reason = _BUSY_REASONS[errcode]
        return _Outcome(False, errcode, errmsg, reason, retry_now=True, retryable_later=True)
    reason = _FINAL_REASONS.get(errcode, f"微信拒绝发送（错误码 {errcode}）")
    return _Outcome(False, errcode, errmsg, reason)


def _transport(errmsg: str, reason: str, *, retry: bool, later: bool = True) -> _Outcome:
    return _Outcome(
        False, TRANSPORT_FAILURE, errmsg, reason, retry_now=retry, retryable_later=later
    )


def _log_outcome(openid: str, attempt: int, outcome: _Outcome) -> None:
    # Only a prefix of the openid: the message text and the token never go to the log.
    who = f"{openid[:6]}…"
    if outcome.delivered:
        logger.info("kf text to %s delivered on attempt %d", who, attempt)
    else:
        logger.warning(
            "kf text to %s attempt %d failed: errcode %d (%s)",
            who,
            attempt,
            outcome.errcode,
            outcome.errmsg,
        )


# A sentence runs up to its end mark (with any closing quotes or brackets) or a line break.
_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”\u2019」』）)\]\"']*|\n+)?")
# Inside an overlong sentence, the next best place to cut is after a clause mark.
_CLAUSE = re.compile(r"[^，,、：:]*[，,、：:]?")


def split_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """Cut ``text`` into pieces of at most ``max_bytes`` UTF-8 bytes, in order.

    Cuts fall after sentence ends (。！？；, line breaks) where possible, else after clause
    marks (，、：), else between characters. Whitespace at a cut is dropped; nothing else is.
    """
    if max_bytes < 4:
        raise ValueError("max_bytes must fit any one character (4 bytes)")
    pieces: list[str] = []
    current = ""
    for sentence in _pieces(_SENTENCE, text):
        for fragment in _fitting_fragments(sentence, max_bytes):
            if _size(current + fragment) <= max_bytes:
                current += fragment
            else:
                pieces.append(current)
                current = fragment
    pieces.append(current)
    return [stripped for piece in pieces if (stripped := piece.strip())]


def _fitting_fragments(sentence: str, max_bytes: int) -> list[str]:
    if _size(sentence) <= max_bytes:
        return [sentence]
    fragments: list[str] = []
    for clause in _pieces(_CLAUSE, sentence):
        if _size(clause) <= max_bytes:
            fragments.append(clause)
            continue
        chunk = ""
        for character in clause:
            if _size(chunk + character) > max_bytes:
                fragments.append(chunk)
                chunk = ""
            chunk += character
        fragments.append(chunk)
    return fragments


def _pieces(pattern: re.Pattern[str], text: str) -> list[str]:
    return [match.group() for match in pattern.finditer(text) if match.group()]


def _size(text: str) -> int:
    return len(text.encode("utf-8"))
