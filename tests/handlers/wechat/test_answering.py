"""Tests for handlers.wechat.answering: the budget is real in threads, inline is immediate."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from bot.answer import Answer, AnswerKind
from handlers.wechat.answering import BudgetedAnswers


class Bot:
    """Answers after a delay, remembering the thread it ran in."""

    def __init__(self, seconds: float = 0.0, fail: bool = False) -> None:
        self.seconds = seconds
        self.fail = fail
        self.threads: list[str] = []

    def answer(self, text: str, user: str = "") -> Answer:
        self.threads.append(threading.current_thread().name)
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("the bot broke")
        return Answer(text=f"答：{text}", kind=AnswerKind.ANSWERED)


async def test_a_slow_answer_misses_the_budget_but_still_completes() -> None:
    answers = BudgetedAnswers(Bot(0.5), threads=1)
    try:
        future = answers.start("公租房", "o_a")
        started = time.monotonic()
        assert await answers.within(future, 0.1) is False
        assert time.monotonic() - started < 0.4
        assert not future.cancelled()
        assert (await future).text == "答：公租房"
    finally:
        answers.close()


async def test_a_fast_answer_is_ready_within_the_budget() -> None:
    bot = Bot()
    answers = BudgetedAnswers(bot, threads=2)
    try:
        future = answers.start("租金", "o_a")
        assert await answers.within(future, 2.0) is True
        assert future.result().text == "答：租金"
        assert bot.threads[0].startswith("answer")
    finally:
        answers.close()


async def test_inline_answers_run_on_the_event_loop_and_are_done_at_once() -> None:
    bot = Bot()
    answers = BudgetedAnswers(bot, threads=0)
    assert answers.inline
    future = answers.start("租金", "o_a")
    assert future.done()
    assert bot.threads == [threading.current_thread().name]
    assert await answers.within(future, 0) is True


@pytest.mark.parametrize("threads", [0, 1])
async def test_a_failing_bot_fails_the_future_not_the_caller(threads: int) -> None:
    answers = BudgetedAnswers(Bot(fail=True), threads=threads)
    try:
        future = answers.start("租金", "o_a")
        assert await answers.within(future, 2.0) is True
        with pytest.raises(RuntimeError, match="the bot broke"):
            future.result()
    finally:
        answers.close()


async def test_other_answers_go_on_while_one_is_slow() -> None:
    class Mixed(Bot):
        def answer(self, text: str, user: str = "") -> Answer:
            self.seconds = 0.6 if text == "慢" else 0.0
            return super().answer(text, user)

    answers = BudgetedAnswers(Mixed(), threads=2)
    try:
        slow = answers.start("慢", "o_a")
        fast = answers.start("快", "o_b")
        assert await answers.within(fast, 0.3) is True
        assert not slow.done()
        await asyncio.wait_for(slow, 2.0)
    finally:
        answers.close()


def test_negative_threads_are_refused() -> None:
    with pytest.raises(ValueError, match="threads"):
        BudgetedAnswers(Bot(), threads=-1)


class RememberingBot(Bot):
    """Remembers the answers it gave (as the Answerer does)."""

    def __init__(self, broken_memory: bool = False) -> None:
        super().__init__()
        self.memory: dict[str, Answer] = {}
        self.broken_memory = broken_memory

    def answer(self, text: str, user: str = "") -> Answer:
        self.memory[text] = super().answer(text, user)
        return self.memory[text]

    def answer_from_memory(self, text: str, user: str = "") -> Answer | None:
        if self.broken_memory:
            raise RuntimeError("the memory broke")
        return self.memory.get(text)


@pytest.mark.parametrize("threads", [0, 2])
async def test_a_remembered_answer_is_told_at_once_and_a_new_one_is_started(threads: int) -> None:
    bot = RememberingBot()
    answers = BudgetedAnswers(bot, threads=threads)
    try:
        assert answers.remembered("租金", "o_a") is None
        first = await answers.start("租金", "o_a")
        assert answers.remembered("租金", "o_b") is first
        assert len(bot.threads) == 1
    finally:
        answers.close()


@pytest.mark.parametrize(("bot", "expected"), [(Bot(), None), (RememberingBot(True), None)])
def test_a_bot_without_a_working_memory_remembers_nothing(bot: Bot, expected: None) -> None:
    answers = BudgetedAnswers(bot, threads=0)
    bot.answer("租金", "o_a")
    assert answers.remembered("租金", "o_b") is expected


def test_memory_stays_off_the_loop_when_contexts_are_in_the_database() -> None:
    bot = RememberingBot()
    answers = BudgetedAnswers(bot, threads=0, memory_on_loop=False)
    bot.answer("租金", "o_a")
    assert answers.remembered("租金", "o_b") is None
