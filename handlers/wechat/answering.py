"""Running the (synchronous) bot for WeChat within a time budget that is real.

The Answerer is plain synchronous code taking about half a millisecond for a new question. Run
on the event loop, nothing can cut a slow answer short: the loop is blocked until it returns,
every other resident waits, and the 5-second rule is only checked after the fact. Run in a
small pool of threads, a slow answer keeps running while the handler stops waiting at the
budget, replies "success" and hands the still-running answer to the late delivery. The pool is
the default (ANJU_ANSWER_THREADS=2); bench/webhook.py measured it faster than answering on the
loop as well.

A question the bot has answered before (Answerer.answer_from_memory, microseconds) is answered
on the event loop: the hop to a thread and back would cost more than the answer. Not when the
conversations live in the database (several workers): reading a resident's context is then a
round trip to the server, which must not hold up the loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from aiohttp import web

from bot.answer import Answer

log = logging.getLogger(__name__)


class Answering(Protocol):
    """What the webhook needs of the bot: one answer to one message of one resident."""

    def answer(self, text: str, user: str = "") -> Answer: ...


@runtime_checkable
class RememberingAnswering(Answering, Protocol):
    """A bot that can also tell a remembered answer at once (the Answerer)."""

    def answer_from_memory(self, text: str, user: str = "") -> Answer | None: ...


#: Builds the Answering the webhook uses from the started application (tests put a slow one in).
AnsweringFactory = Callable[[web.Application], Answering]


class BudgetedAnswers:
    """Starts answers (in threads; inline when threads is 0) and waits for them up to a budget."""

    def __init__(self, answering: Answering, threads: int, *, memory_on_loop: bool = True) -> None:
        if threads < 0:
            raise ValueError("threads must not be negative")
        self._answering = answering
        self._memory = (
            answering.answer_from_memory
            if memory_on_loop and isinstance(answering, RememberingAnswering)
            else None
        )
        self._pool = (
            concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="answer")
            if threads
            else None
        )

    @property
    def inline(self) -> bool:
        """True when answers run on the event loop (the budget cannot interrupt them)."""
        return self._pool is None

    def remembered(self, text: str, user: str) -> Answer | None:
        """The bot's remembered answer to text, or None (then start() the answer).

        It runs on the event loop and takes microseconds; a failing memory is no answer.
        """
        if self._memory is None:
            return None
        try:
            return self._memory(text, user)
        except Exception:
            log.exception("answering from memory failed; asking the bot afresh")
            return None

    def start(self, text: str, user: str) -> asyncio.Future[Answer]:
        """Begin answering; the future completes with the answer (or the bot's exception)."""
        loop = asyncio.get_running_loop()
        if self._pool is None:
            future: asyncio.Future[Answer] = loop.create_future()
            try:
                future.set_result(self._answering.answer(text, user))
            except Exception as error:
                future.set_exception(error)
            return future
        return asyncio.wrap_future(self._pool.submit(self._answering.answer, text, user), loop=loop)

    @staticmethod
    async def within(future: asyncio.Future[Answer], seconds: float) -> bool:
        """Wait until future is done or seconds have passed; True if it is done.

        The future itself is never cancelled: a late answer is still delivered.
        """
        if future.done():
            return True
        if seconds <= 0:
            return False
        done, _ = await asyncio.wait((future,), timeout=seconds)
        return bool(done)

    def close(self) -> None:
        """Stop the threads once the answers they run are finished."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
