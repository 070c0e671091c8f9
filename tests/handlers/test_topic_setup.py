"""Hot topics in the running service: a question asked before is stored with its topic, a new one
gets its topic from the writer's thread soon after, in the order questions were recorded, and
questions stored before start are caught up (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import Connection, Engine

from handlers import keys
from handlers.app import create_app
from handlers.record_writer import RecordWriter
from handlers.settings import Settings
from handlers.topic_setup import TopicWork
from knowledge.catalog import Catalog
from knowledge.element_synonyms import ElementSynonyms
from knowledge.importer import import_folder
from knowledge.records import NewInteraction, record_batch
from knowledge.tokenizer import DomainTokenizer
from knowledge.topic_keywords import KeywordExtractor
from knowledge.topics import NO_TOPIC, TopicAssigner, recompute

Client = TestClient[web.Request, web.Application]
ClientFactory = Callable[[web.Application], Awaitable[Client]]

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
WEEK = (
    "公租房怎么申请",
    "什么时候摇号",
    "申请公组房要啥条件",
    "公租房租金多少",
    "摇号什么时候开始",
    "gzf怎么申请",
    "公租房怎么申请",
    "你好",
    "什么时候摇号",
)


@pytest.fixture(scope="module")
def extractor(tokenizer: DomainTokenizer) -> KeywordExtractor:
    return KeywordExtractor(tokenizer)


def topics(engine: Engine) -> list[tuple[str, int | None]]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT question, topic_id FROM interaction ORDER BY id"
        ).all()
    return [(str(question), topic) for question, topic in rows]


def question(text: str, n: int, *, kind: str = "answered") -> NewInteraction:
    return NewInteraction(
        channel="wechat",
        resident_key=f"oResident{n:04d}",
        asked_at=START + timedelta(minutes=n),
        question=text,
        dedup_key=f"msg:{n}",
        answer_text="答复",
        reply_text="答复",
        answer_kind=kind,
    )


async def eventually(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        await asyncio.sleep(0.02)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_questions_asked_get_their_topic_soon_after_they_are_recorded(
    aiohttp_client: ClientFactory,
    database_url: str,
    engine: Engine,
    catalog: Catalog,
    synonyms: ElementSynonyms,
    published_folder: Path,
) -> None:
    import_folder(engine, published_folder, catalog, synonyms)
    client = await aiohttp_client(
        create_app(Settings(database_url=database_url, load_demo="never"))
    )
    for text in ("公租房怎么申请", "申请公组房要啥条件", "什么时候摇号", "你好"):
        response = await client.post("/api/ask", json={"text": text, "user": "u-topics"})
        assert response.status == 200
    await eventually(lambda: all(topic is not None for _, topic in topics(engine)[:3]))
    (_, applying), (_, conditions), (_, lottery), (_, hello) = topics(engine)
    assert applying == conditions and applying is not None
    assert lottery not in (None, applying)
    assert hello is None  # a greeting is no question
    assert client.app[keys.topic_assigner_key].topic_count == 2


async def test_a_question_asked_again_is_stored_with_its_topic(
    aiohttp_client: ClientFactory, database_url: str, engine: Engine
) -> None:
    client = await aiohttp_client(
        create_app(Settings(database_url=database_url, load_demo="never"))
    )
    first = await client.post("/api/ask", json={"text": "租金怎么交", "user": "u-a"})
    assert first.status == 200
    await eventually(lambda: topics(engine)[0][1] is not None)
    again = await client.post("/api/ask", json={"text": "租金怎么交", "user": "u-b"})
    assert again.status == 200
    # Stored with the reply, not after it.
    [(_, topic), (_, repeated)] = topics(engine)
    assert repeated == topic


async def test_questions_recorded_before_start_are_caught_up(
    aiohttp_client: ClientFactory, database_url: str, engine: Engine
) -> None:
    asked_at = datetime(2026, 11, 20, 2, tzinfo=UTC)
    record_batch(
        engine,
        [
            NewInteraction(
                channel="wechat",
                resident_key=f"oEarlier{n}",
                asked_at=asked_at,
                question=text,
                answer_kind="answered",
            )
            for n, text in enumerate(("公租房怎么申请", "gzf怎么申请", "租金多少"))
        ],
    )
    await aiohttp_client(create_app(Settings(database_url=database_url, load_demo="never")))
    await eventually(lambda: all(topic is not None for _, topic in topics(engine)))
    (_, first), (_, second), (_, rent) = topics(engine)
    assert first == second != rent


async def test_the_writer_forms_the_topics_recompute_forms(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    assigner = TopicAssigner(extractor)
    work = TopicWork(lambda: assigner, idle_seconds=0.01)
    writer = RecordWriter(engine, write=work.write, idle=work)
    writer.start(asyncio.get_running_loop())
    try:
        for n, text in enumerate(WEEK):
            await writer.record(question(text, n))
        await eventually(lambda: work.assigned >= 7 and None not in dict(topics(engine)).values())
    finally:
        await writer.stop()
    live = topics(engine)
    assert dict(live)["你好"] == NO_TOPIC
    recompute(engine, TopicAssigner(extractor))
    again = topics(engine)
    # Topic ids differ after a recompute; which questions share a topic must not.
    assert [[b == a for _, a in live] for _, b in live] == [
        [b == a for _, a in again] for _, b in again
    ]


def test_a_settled_question_is_stored_with_its_topic_and_others_wait(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    assigner = TopicAssigner(extractor)
    clock = Clock()
    work = TopicWork(lambda: assigner, max_lag_seconds=2.0, clock=clock)
    with engine.connect() as connection:
        assert work.waiting() == pytest.approx(0.02)  # the assigner appeared: catch up when idle
        work.step(connection)
        work.step(connection)
        assert work.waiting() is None  # caught up, nothing waits
        work.write(connection, [question("公租房怎么申请", 1)])
        assert topics(engine) == [("公租房怎么申请", None)]
        assert work.waiting() == pytest.approx(0.02)  # when the writer is idle...
        clock.now += 2.5
        assert work.waiting() == 0.0  # ... or now, it is overdue
        work.step(connection)
        [(_, topic)] = topics(engine)
        assert topic is not None and assigner.known("公租房怎么申请") == topic
        work.write(connection, [question("公租房怎么申请", 2), question("租金多少", 3)])
        assert work.waiting() is not None  # 租金多少 waits
        assert [t for _, t in topics(engine)] == [topic, topic, None]


@pytest.mark.parametrize(
    ("kind", "message_type"),
    [("fixed", "text"), ("more", "text"), ("answered", "event:click")],
)
def test_records_that_are_no_question_never_wait_for_a_topic(
    engine: Engine, extractor: KeywordExtractor, kind: str, message_type: str
) -> None:
    assigner = TopicAssigner(extractor)
    work = TopicWork(lambda: assigner)
    record = question("公租房怎么申请", 1, kind=kind)
    record = NewInteraction(**{**record.__dict__, "message_type": message_type})
    with engine.connect() as connection:
        work.step(connection)
        work.step(connection)
        work.write(connection, [record])
        assert work.waiting() is None
    assert topics(engine) == [("公租房怎么申请", None)]


class BrokenAssigner(TopicAssigner):
    """Fails on one question, as a tokenizer might."""

    def assign(
        self, connection: Connection, questions: Sequence[tuple[int, str, datetime]]
    ) -> Callable[[], None] | None:
        if any(text == "坏问题" for _, text, _ in questions):
            raise RuntimeError("the tokenizer broke")
        return super().assign(connection, questions)


def test_a_chunk_that_fails_is_skipped_and_the_next_one_assigned(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    assigner = BrokenAssigner(extractor)
    clock = Clock()
    work = TopicWork(lambda: assigner, chunk=1, clock=clock)
    with engine.connect() as connection:
        work.step(connection)
        work.step(connection)
        work.write(connection, [question("坏问题", 1), question("租金多少", 2)])
        work.step(connection)
        work.step(connection)
        assert work.waiting() is None
    assert [topic is None for _, topic in topics(engine)] == [True, False]
