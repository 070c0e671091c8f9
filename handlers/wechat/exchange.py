"""One WeChat push in, one passive reply out: dedup, rate limit, answer in budget, store, reply.

Exactly once: the record's unique (channel, dedup_key) in the database decides, across
workers: a retry that reaches the database gets the reply stored with the first delivery. In
front of it, a process-local map of recent keys lets a retry reaching the same worker wait for
(or reuse) the first delivery's reply instead of asking the bot again; it is only a shortcut.

Every question is stored (masked) before its reply is returned: the reply sent is the one the
record holds. When the bot is not done within the budget, the question is stored as pending,
WeChat gets "success" (so do retries) and the answer follows as a customer-service message.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import phrases
from bot.answer import Answer, AnswerKind
from handlers.answer_records import (
    FAILED_KIND,
    RATE_LIMITED_KIND,
    ReplyDeadlines,
    answered_record,
    fixed_record,
    source_dicts,
    utc_now,
)
from handlers.ratings import feedback_record
from handlers.record_writer import RecordWriter
from handlers.wechat.answering import BudgetedAnswers
from handlers.wechat.late_delivery import LateDelivery, LateJob
from handlers.wechat.menu import Menu
from handlers.wechat.messages import IncomingMessage
from handlers.wechat.plans import Plan, plan_for
from handlers.wechat.rate_limit import RateLimiter
from handlers.wechat.replies import (
    SUCCESS_REPLY,
    PassiveReply,
    card_as_text,
    continuation,
    fit_answer,
    news_card,
    page_link,
    stored_reply,
)
from knowledge.records import MORE_KIND, NewInteraction, RenderedReply

log = logging.getLogger(__name__)

#: WeChat retries within about 15 s; keys are kept well beyond that (opencrust PR #249: 120 s).
RECENT_SECONDS = 120.0
MAX_RECENT = 50_000
#: An unreadable body is stored up to this many characters.
MAX_UNREADABLE_CHARS = 4000
#: Answers whose reply material is kept (the bot remembers 4096 answers; repeats cluster).
MAX_REMEMBERED_ANSWERS = 1024


@dataclass(frozen=True)
class ExchangeSettings:
    """The budget for answering, where the public pages are, and the reply deadlines."""

    budget_seconds: float
    base_url: str
    deadlines: ReplyDeadlines


@dataclass(frozen=True)
class Asked:
    """Who asked what, when, on which channel: the part every record of a push shares."""

    channel: str
    resident: str
    asked_at: datetime
    question: str
    dedup_key: str
    message_type: str

    def fields(self) -> dict[str, Any]:
        """As keyword arguments of fixed_record() and answered_record()."""
        return {
            "channel": self.channel,
            "resident": self.resident,
            "asked_at": self.asked_at,
            "question": self.question,
            "dedup_key": self.dedup_key,
            "message_type": self.message_type,
        }

    def record(self, **more: Any) -> NewInteraction:
        """A record of this push with more fields (a pending one, a "更多")."""
        return NewInteraction(
            channel=self.channel,
            resident_key=self.resident,
            asked_at=self.asked_at,
            question=self.question,
            dedup_key=self.dedup_key,
            message_type=self.message_type,
            **more,
        )


class RecentReplies:
    """Replies (or replies still being made) of recently seen pushes, by (channel, dedup key)."""

    def __init__(
        self,
        ttl_seconds: float = RECENT_SECONDS,
        max_size: int = MAX_RECENT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_size
        self._clock = clock
        self._items: OrderedDict[tuple[str, str], tuple[float, asyncio.Future[PassiveReply]]] = (
            OrderedDict()
        )

    def get(self, key: tuple[str, str]) -> asyncio.Future[PassiveReply] | None:
        found = self._items.get(key)
        if found is None or self._clock() - found[0] > self._ttl:
            return None
        return found[1]

    def put(self, key: tuple[str, str], future: asyncio.Future[PassiveReply]) -> None:
        now = self._clock()
        self._items[key] = (now, future)
        self._items.move_to_end(key)
        while self._items:
            oldest = next(iter(self._items.values()))
            if len(self._items) <= self._max and now - oldest[0] <= self._ttl:
                break
            self._items.popitem(last=False)

    def forget(self, key: tuple[str, str]) -> None:
        self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class ReplyMaterial:
    """What a record of one answer is made of: its sources, its reply fitted, its news card."""

    text: str
    link: str | None
    fitted: RenderedReply
    sources: list[dict[str, Any]]
    card_fields: dict[str, Any]

    def fit(self, text: str) -> RenderedReply:
        """The answer's text fitted to a reply (an answer quoting its record number: afresh)."""
        return self.fitted if text == self.text else fit_answer(text, self.link)


class ReplyMaterials:
    """ReplyMaterial of the answers given lately, by answer.

    The bot gives the same Answer object to every repeat of a question it remembers; that
    answer's sources, fitted text and card are then the same as the last time.
    """

    def __init__(self, base_url: str, max_size: int = MAX_REMEMBERED_ANSWERS) -> None:
        self._base_url = base_url
        self._max = max_size
        # Keyed by the answer's identity: the answer, kept alive beside its material, keeps
        # its id from being given to another object.
        self._items: OrderedDict[tuple[int, bool], tuple[Answer, ReplyMaterial]] = OrderedDict()

    def of(self, answer: Answer, news: bool) -> ReplyMaterial:
        """The material of answer (as a news card when news is asked and possible)."""
        key = (id(answer), news)
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
            return found[1]
        material = self._make(answer, news)
        self._items[key] = (answer, material)
        if len(self._items) > self._max:
            self._items.popitem(last=False)
        return material

    def _make(self, answer: Answer, news: bool) -> ReplyMaterial:
        sources = source_dicts(answer)
        card_fields: dict[str, Any] = {}
        if news:
            card = news_card(answer.text, sources, self._base_url)
            if card is not None:
                card_fields = {
                    "card": {"title": card.title, "description": card.description, "url": card.url},
                    "card_text": card_as_text(card),
                }
        link = page_link(self._base_url, sources)
        return ReplyMaterial(answer.text, link, fit_answer(answer.text, link), sources, card_fields)


class Exchange:
    """Answers pushes of both channels (WeChat and WeCom) with one pipeline."""

    def __init__(
        self,
        *,
        writer: RecordWriter,
        answers: BudgetedAnswers,
        limiter: RateLimiter,
        late: LateDelivery,
        menu: Menu,
        settings: ExchangeSettings,
    ) -> None:
        self._writer = writer
        self._answers = answers
        self._limiter = limiter
        self._late = late
        self._menu = menu
        self._settings = settings
        self._material = ReplyMaterials(settings.base_url)
        self.recent = RecentReplies()

    async def respond(self, channel: str, message: IncomingMessage, arrived: float) -> PassiveReply:
        """The reply to message; arrived is when its request came in (time.monotonic())."""
        key = (channel, message.dedup_key)
        earlier = self.recent.get(key)
        if earlier is not None:
            return await asyncio.shield(earlier)
        future: asyncio.Future[PassiveReply] = asyncio.get_running_loop().create_future()
        self.recent.put(key, future)
        try:
            reply = await self._respond(channel, message, arrived)
        except BaseException as error:
            self.recent.forget(key)
            future.set_exception(error)
            # Retrieved here, so a failure nobody else waited for is not reported twice.
            future.exception()
            raise
        future.set_result(reply)
        return reply

    async def unreadable(self, channel: str, body: bytes, resident: str) -> PassiveReply:
        """Keep a signed body that is not a readable message (for staff), and answer nothing."""
        text = body.decode("utf-8", "replace")[:MAX_UNREADABLE_CHARS]
        new = fixed_record(
            channel=channel,
            resident=resident,
            asked_at=utc_now(),
            question=text,
            reply_text="",
            dedup_key="raw:" + hashlib.sha256(body).hexdigest(),
            message_type="unreadable",
        )
        await self._writer.record(new)
        return SUCCESS_REPLY

    async def _respond(
        self, channel: str, message: IncomingMessage, arrived: float
    ) -> PassiveReply:
        plan = plan_for(message, self._menu)
        if not plan.record:
            return SUCCESS_REPLY
        asked = Asked(
            channel,
            message.from_user,
            utc_now(),
            plan.question,
            message.dedup_key,
            plan.message_type,
        )
        if plan.rate_limited and not await self._limiter.allow(f"{channel}:{asked.resident}"):
            new = fixed_record(
                **asked.fields(), reply_text=phrases.RATE_LIMITED, kind=RATE_LIMITED_KIND
            )
        elif plan.more:
            new = asked.record(answer_kind=MORE_KIND, continue_previous=self._continuation)
        elif plan.ask and (
            rated := feedback_record(**asked.fields(), deadlines=self._settings.deadlines)
        ):
            # "满意" / "不满意" rate the resident's latest answer (handlers/ratings.py).
            new = rated
        elif plan.ask:
            return await self._answer(plan, asked, arrived)
        else:
            new = fixed_record(**asked.fields(), reply_text=plan.fixed)
        return stored_reply(await self._writer.record(new))

    async def _answer(self, plan: Plan, asked: Asked, arrived: float) -> PassiveReply:
        user = f"{asked.channel}:{asked.resident}"
        answer = self._answers.remembered(plan.ask, user)
        if answer is None:
            future = self._answers.start(plan.ask, user)
            remaining = self._settings.budget_seconds - (time.monotonic() - arrived)
            if not await self._answers.within(future, remaining):
                return await self._too_slow(plan, asked, future)
            try:
                answer = future.result()
            except Exception:
                log.exception("the bot failed on a %s message; staff will answer it", asked.channel)
                answer = _failed_answer()
        material = self._material.of(answer, plan.news)
        new = answered_record(
            **asked.fields(),
            answer=answer,
            deadlines=self._settings.deadlines,
            reviewable=plan.reviewable,
            fit=material.fit,
            sources=material.sources,
            **material.card_fields,
        )
        return stored_reply(await self._writer.record(new))

    async def _too_slow(
        self, plan: Plan, asked: Asked, future: asyncio.Future[Answer]
    ) -> PassiveReply:
        stored = await self._writer.record(asked.record(pending_delivery=True))
        if stored.created:
            job = LateJob(
                record_id=stored.id,
                number=stored.number,
                channel=asked.channel,
                resident=asked.resident,
                asked_at=asked.asked_at,
                reviewable=plan.reviewable,
                answer=future,
            )
            self._late.schedule(job)
        else:
            # Another worker recorded this message first and delivers its answer.
            future.add_done_callback(_discard)
        return stored_reply(stored)

    def _continuation(self, remaining: str, sources: Sequence[dict[str, Any]]) -> RenderedReply:
        return continuation(remaining, sources, self._settings.base_url)


def _failed_answer() -> Answer:
    return Answer(
        text=phrases.NOT_FOUND,
        kind=AnswerKind.NOT_FOUND,
        score=0.0,
        intent=FAILED_KIND,
        needs_review=True,
    )


def _discard(future: asyncio.Future[Answer]) -> None:
    if not future.cancelled():
        future.exception()
