"""Hot topic assignment benchmark: time per question once 100,000 questions are recorded.

A database is filled with synthetic questions (--records, default 100,000) through
record_batch with TopicAssigner.after_insert as its hook, in batches like the record writer's;
then --runs times a further --questions questions are recorded the same way, and the time the
hook takes (keywords, closest topic, opening topics, updating the records, inside the
inserting transaction) is divided by the questions. Each run starts a fresh assigner over the
filled database, as a restarted worker would (reading every topic at start: reported apart).
Prints each run's figure, their median, and checks the target (< 2 ms per question).

The questions mix what residents ask most (housing types × what they ask × ways of asking,
with pinyin slips and particles) with a long tail of rarer questions built from random pairs
of ordinary words, so that topics number in the thousands, as months of real questions would.

    .venv/bin/python bench/topics.py [--records 100000] [--runs 5] [--questions 2000]
        [--batch 32] [--tail-words 2] [--database-url postgresql://127.0.0.1:5432/test]
        [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select

from knowledge.database import open_engine
from knowledge.record_models import Interaction, Topic
from knowledge.records import NewInteraction, record_batch
from knowledge.tokenizer import DomainTokenizer
from knowledge.topic_keywords import KeywordExtractor
from knowledge.topics import TopicAssigner

TARGET_MS = 2.0
HOUSING = ("公租房", "公组房", "经适房", "廉租房", "保障房", "gzf", "")
ASPECTS = (
    "申请条件",
    "怎么申请",
    "需要什么材料",
    "租金多少",
    "什么时候摇号",
    "摇号结果",
    "审核结果",
    "审核要多久",
    "还有房源吗",
    "两居室",
    "补贴多少钱",
    "在哪里办理",
    "能不能续租",
    "年审带什么",
    "退租手续",
    "可以养宠物吗",
    "物业费谁交",
    "户口不在本地",
)
ASKING = ("{h}{a}", "请问{h}{a}", "{a}，{h}", "想问问{h}{a}啊", "{h}{a}？？", "我想知道{h}{a}")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Ordinary words for the long tail (rare questions about everything else).
TAIL_WORDS = _words(
    "暖气 漏水 电梯 停车 装修 邻居 噪音 垃圾 物业 维修 电费 水费 燃气 网络 门禁 钥匙 "
    "合同 押金 发票 收据 银行 贷款 公积金 首付 过户 产权 继承 离婚 子女 老人 残疾 "
    "军人 退休 工作 单位 学校 医院 公交 超市 菜市场 健身 绿化 消防 安全 监控 快递 "
    "租客 转租 空置 入住 搬家 家具 家电 窗户 阳台 楼层 朝向 采光 通风 隔音 面积 价格 "
    "优惠 期限 排队 名额 名单 公告 通知 政策 文件 标准 流程 窗口 电话 网站 投诉 举报 "
    "建议 意见 表扬 态度 效率 等待 延期 错误 修改 证明 材料 签字 盖章"
)
TAIL_SHARE = 0.3


def questions(seed: int, tail_words: int = 2) -> Iterator[str]:
    """An endless, reproducible stream of residents' questions."""
    chooser = random.Random(seed)
    while True:
        if chooser.random() < TAIL_SHARE:
            words = chooser.sample(TAIL_WORDS, tail_words)
            pattern = chooser.choice(("{}怎么办", "{}的问题", "请问{}", "{}找谁"))
            yield pattern.format("和".join(words))
        else:
            pattern = chooser.choice(ASKING)
            yield pattern.format(h=chooser.choice(HOUSING), a=chooser.choice(ASPECTS))


def records(stream: Iterator[str], count: int, start: datetime) -> list[NewInteraction]:
    """count questions as the record writer stores them, one second apart."""
    return [
        NewInteraction(
            channel="wechat",
            resident_key=f"oBench{n % 5000:06d}",
            asked_at=start + timedelta(seconds=n),
            question=next(stream),
            answer_text="（基准测试）",
            reply_text="（基准测试）",
            answer_kind="answered",
        )
        for n in range(count)
    ]


class TimedHook:
    """TopicAssigner.after_insert with a stopwatch: the time inside the transaction."""

    def __init__(self, assigner: TopicAssigner) -> None:
        self.assigner = assigner
        self.seconds: list[float] = []
        self.questions = 0

    def __call__(
        self, connection: Connection, created: Sequence[tuple[int, NewInteraction]]
    ) -> object:
        began = time.perf_counter()
        after_commit = self.assigner.after_insert(connection, created)
        self.seconds.append(time.perf_counter() - began)
        self.questions += len(created)
        return after_commit


def fill(
    engine: Engine, extractor: KeywordExtractor, count: int, batch: int, tail_words: int
) -> float:
    """Record count questions with topics; returns the hook's mean milliseconds per question."""
    hook = TimedHook(TopicAssigner(extractor))
    stream = questions(seed=1, tail_words=tail_words)
    start = datetime.now(UTC) - timedelta(days=120)
    done = 0
    with engine.connect() as connection:
        while done < count:
            size = min(500, count - done)
            for offset in range(0, size, batch):
                part = records(stream, min(batch, size - offset), start)
                record_batch(connection, part, after_insert=hook)  # type: ignore[arg-type]
            done += size
            start += timedelta(seconds=size)
            if done % 20_000 == 0:
                print(f"  {done:>7,} recorded, {hook.assigner.topic_count:,} topics", flush=True)
    return 1000 * sum(hook.seconds) / max(hook.questions, 1)


def measure(
    engine: Engine, extractor: KeywordExtractor, run: int, count: int, batch: int, tail_words: int
) -> tuple[float, float, int]:
    """One run: (ms per question, ms to load the topics at start, topics known)."""
    assigner = TopicAssigner(extractor)
    began = time.perf_counter()
    assigner.load(engine)
    loading = 1000 * (time.perf_counter() - began)
    hook = TimedHook(assigner)
    stream = questions(seed=100 + run, tail_words=tail_words)
    start = datetime.now(UTC)
    with engine.connect() as connection:
        for offset in range(0, count, batch):
            part = records(stream, min(batch, count - offset), start)
            record_batch(connection, part, after_insert=hook)  # type: ignore[arg-type]
            start += timedelta(seconds=len(part))
    per_question = 1000 * sum(hook.seconds) / max(hook.questions, 1)
    return per_question, loading, assigner.topic_count


def count_rows(engine: Engine) -> tuple[int, int]:
    """(records, topics) in the database."""
    with engine.connect() as connection:
        records_held = connection.execute(select(func.count()).select_from(Interaction)).scalar()
        topics_held = connection.execute(select(func.count()).select_from(Topic)).scalar()
    return int(records_held or 0), int(topics_held or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Fill, measure, print; exit status 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=32, help="records per transaction")
    parser.add_argument("--database-url", default="", help="default: a SQLite file")
    parser.add_argument("--keep", type=Path, help="put the SQLite file here and keep it")
    parser.add_argument(
        "--tail-words",
        type=int,
        default=2,
        help="words per rare question: 3 makes tens of thousands of topics (a stress test)",
    )
    options = parser.parse_args(argv)
    folder = options.keep or Path(tempfile.mkdtemp(prefix="anju-bench-topics-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = options.database_url or f"sqlite:///{folder / 'topics.sqlite3'}"
    engine = open_engine(url)
    began = time.perf_counter()
    extractor = KeywordExtractor(DomainTokenizer())
    print(f"tokenizer and keywords ready in {time.perf_counter() - began:.2f} s")
    held, _ = count_rows(engine)
    if held < options.records:
        print(
            f"recording {options.records - held:,} questions into {engine.url.render_as_string()}"
        )
        began = time.perf_counter()
        mean = fill(engine, extractor, options.records - held, options.batch, options.tail_words)
        print(
            f"filled in {time.perf_counter() - began:.1f} s; "
            f"hook {mean:.3f} ms per question on average while filling"
        )
    held, topics_held = count_rows(engine)
    print(f"{held:,} records, {topics_held:,} topics")
    figures = []
    for run in range(options.runs):
        per_question, loading, known = measure(
            engine, extractor, run, options.questions, options.batch, options.tail_words
        )
        figures.append(per_question)
        print(
            f"run {run + 1}: {per_question:.3f} ms per question "
            f"(at start, reading {known:,} topics took {loading:.0f} ms)"
        )
    median = statistics.median(figures)
    verdict = "meets" if median < TARGET_MS else "MISSES"
    print(f"median {median:.3f} ms per question: {verdict} the target (< {TARGET_MS} ms)")
    engine.dispose()
    return 0 if median < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
