"""The slow path: answers not ready within the budget, stored and pushed as customer-service text.

By the time a job is scheduled the question is already stored (pending_delivery) and WeChat has
been answered "success", which retries of the message get too. When the answer is ready it is
stored with its delivery opened (complete_late_answer: one transaction), then sent through the
customer-service API (公众号 kf message, or WeCom app message), and the delivery row records
the outcome: delivered, or why not (45015: outside the 48-hour window; 45047: quota; …) for
staff to follow up. A send whose outcome is unknown is never repeated (it could duplicate).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from bot import phrases
from bot.answer import Answer, AnswerKind
from handlers.answer_records import FAILED_KIND, ReplyDeadlines, late_answer, utc_now
from handlers.wechat.customer_service import CustomerServiceClient, DeliveryResult
from knowledge.records import complete_late_answer, finish_delivery

log = logging.getLogger(__name__)

#: An answer still not ready after this long is given up: staff answer the question instead.
MAX_ANSWER_WAIT_SECONDS = 120.0
NOT_CONFIGURED = "未配置客服消息接口（AppID/AppSecret），答案已保存，未能送达"
TRANSPORT_FAILURE = -999


@dataclass(frozen=True)
class LateJob:
    """A stored question whose answer is still being worked out."""

    record_id: int
    number: str
    channel: str
    resident: str
    asked_at: datetime
    reviewable: bool
    answer: asyncio.Future[Answer]


class LateDelivery:
    """Finishes late answers in background tasks; close() ends the ones still running."""

    def __init__(
        self,
        engine: Engine,
        senders: Mapping[str, CustomerServiceClient],
        deadlines: ReplyDeadlines,
        *,
        max_wait_seconds: float = MAX_ANSWER_WAIT_SECONDS,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._engine = engine
        self._senders = dict(senders)
        self._deadlines = deadlines
        self._max_wait = max_wait_seconds
        self._now = now
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> int:
        """How many late answers are still being finished."""
        return len(self._tasks)

    def schedule(self, job: LateJob) -> None:
        """Finish job in the background."""
        task = asyncio.create_task(self._finish(job), name=f"late-answer-{job.record_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Cancel what is still running (those records stay pending for staff to see)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _finish(self, job: LateJob) -> None:
        try:
            answer = await self._wait_for_answer(job)
            late = late_answer(
                answer, job.number, job.asked_at, self._deadlines, reviewable=job.reviewable
            )
            delivery_id = await asyncio.to_thread(
                complete_late_answer, self._engine, job.record_id, late, self._now()
            )
            result = await self._send(job, late.answer_text)
            await asyncio.to_thread(
                finish_delivery,
                self._engine,
                delivery_id,
                delivered=result.delivered,
                attempts=result.attempts,
                errcode=result.errcode,
                reason=result.reason,
                at=self._now(),
            )
        except Exception:
            # The record stays pending_delivery (or its delivery unfinished): staff see it.
            log.exception("finishing the late answer of record %d failed", job.record_id)

    async def _wait_for_answer(self, job: LateJob) -> Answer:
        try:
            return await asyncio.wait_for(asyncio.shield(job.answer), self._max_wait)
        except Exception:
            log.exception("no answer for record %d; handing it to staff", job.record_id)
            return Answer(
                text=phrases.NOT_FOUND,
                kind=AnswerKind.NOT_FOUND,
                score=0.0,
                intent=FAILED_KIND,
                needs_review=True,
            )

    async def _send(self, job: LateJob, text: str) -> DeliveryResult:
        sender = self._senders.get(job.channel)
        if sender is None:
            return DeliveryResult(False, 0, "not configured", 0, False, NOT_CONFIGURED, 0, 1)
        return await sender.send_text(job.resident, text)
