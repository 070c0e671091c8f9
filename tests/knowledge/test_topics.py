"""Hot topics: incremental assignment when questions are recorded, stable across runs, shared by
workers, and caught up for questions recorded without one (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from knowledge.database import open_engine
from knowledge.record_models import Interaction, Topic
from knowledge.records import NewInteraction, record_batch
from knowledge.retention import REMOVED_TEXT
from knowledge.tokenizer import DomainTokenizer
from knowledge.topic_keywords import KeywordExtractor
from knowledge.topics import NO_TOPIC, TopicAssigner, assign_unassigned, is_question, recompute

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
# What residents asked one week, in the order they asked it.
WEEK = (
    "公租房怎么申请",
    "什么时候摇号",
    "申请公组房要啥条件",
    "公租房租金多少",
    "摇号什么时候开始",
    "等了半年没消息",
    "gzf怎么申请",
    "公租房可以养宠物吗",
    "申请了半年还没消息",
    "公共租赁住房租金多少钱一个月",
    "你好",
)


@pytest.fixture(scope="module")
def extractor(tokenizer: DomainTokenizer) -> KeywordExtractor:
    return KeywordExtractor(tokenizer)


def question(
    text: str, n: int, *, kind: str = "answered", message_type: str = "text"
) -> NewInteraction:
    return NewInteraction(
        channel="wechat",
        resident_key=f"oResident{n:04d}",
        asked_at=START + timedelta(minutes=n),
        question=text,
        answer_text="答复",
        reply_text="答复",
        answer_kind=kind,
        message_type=message_type,
    )


def record(engine: Engine, assigner: TopicAssigner, texts: Sequence[str], first: int = 0) -> None:
    batch = [question(text, first + n) for n, text in enumerate(texts)]
    record_batch(engine, batch, after_insert=assigner.after_insert)


def topics_of(engine: Engine) -> dict[str, int | None]:
    with Session(engine) as session:
        rows = session.execute(select(col(Interaction.question), col(Interaction.topic_id))).all()
    return {str(text): topic for text, topic in rows}


def groups(engine: Engine) -> set[frozenset[str]]:
    """The questions that share a topic (topic ids differ between runs; groups must not)."""
    found: dict[int, set[str]] = {}
    for text, topic in topics_of(engine).items():
        if topic:
            found.setdefault(topic, set()).add(text)
    return {frozenset(members) for members in found.values()}


def test_similar_phrasings_share_a_topic_and_unrelated_ones_do_not(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    record(engine, TopicAssigner(extractor), WEEK)
    topic = topics_of(engine)
    assert topic["公租房怎么申请"] == topic["申请公组房要啥条件"] == topic["gzf怎么申请"]
    assert topic["什么时候摇号"] == topic["摇号什么时候开始"]
    assert topic["等了半年没消息"] == topic["申请了半年还没消息"]
    assert topic["公租房租金多少"] == topic["公共租赁住房租金多少钱一个月"]
    apart = (
        "公租房怎么申请",
        "什么时候摇号",
        "公租房租金多少",
        "等了半年没消息",
        "公租房可以养宠物吗",
    )
    assert len({topic[text] for text in apart}) == len(apart)
    assert topic["你好"] == NO_TOPIC


def test_topics_are_the_same_in_every_run_and_after_recompute(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, extractor: KeywordExtractor
) -> None:
    runs = []
    for run in range(2):
        url = database_url if run == 0 else f"sqlite:///{tmp_path_factory.mktemp('run')}/a.db"
        engine = open_engine(url)
        try:
            # Recorded in small batches in the first run, all at once in the second.
            assigner = TopicAssigner(extractor)
            if run == 0:
                for start in range(0, len(WEEK), 3):
                    record(engine, assigner, WEEK[start : start + 3], first=start)
            else:
                record(engine, assigner, WEEK)
            runs.append(groups(engine))
            recompute(engine, TopicAssigner(extractor))
            runs.append(groups(engine))
        finally:
            engine.dispose()
    assert runs[0] == runs[1] == runs[2] == runs[3]
    assert len(runs[0]) == 5  # "你好" has no topic


def test_a_topic_keeps_the_keywords_of_the_question_that_opened_it(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    record(engine, TopicAssigner(extractor), ["申请公组房要啥条件", "公租房怎么申请"])
    with Session(engine) as session:
        topics = session.execute(select(col(Topic.signature), col(Topic.keywords))).all()
    assert [tuple(t) for t in topics] == [("公租房 条件 申请", "申请 公租房 条件")]


@pytest.mark.parametrize(
    ("kind", "message_type", "counted"),
    [
        ("answered", "text", True),
        ("not_found", "voice", True),
        ("", "text", True),  # an answer still being made
        ("satisfaction", "text", False),
        ("more", "text", False),
        ("fixed", "text", False),
        ("greeting", "text", False),
        ("answered", "event:click", False),
    ],
)
def test_only_residents_questions_get_a_topic(
    engine: Engine, extractor: KeywordExtractor, kind: str, message_type: str, counted: bool
) -> None:
    assert is_question(kind, message_type) is counted
    batch = [question("公租房怎么申请", 1, kind=kind, message_type=message_type)]
    record_batch(engine, batch, after_insert=TopicAssigner(extractor).after_insert)
    assert (topics_of(engine)["公租房怎么申请"] is not None) is counted


def test_a_second_worker_joins_the_topics_the_first_opened(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    first, second = TopicAssigner(extractor), TopicAssigner(extractor)
    record(engine, first, ["公租房怎么申请"])
    record(engine, second, ["申请公组房要啥条件"], first=1)
    record(engine, first, ["什么时候摇号"], first=2)
    record(engine, second, ["摇号什么时候开始"], first=3)
    topic = topics_of(engine)
    assert topic["公租房怎么申请"] == topic["申请公组房要啥条件"]
    assert topic["什么时候摇号"] == topic["摇号什么时候开始"]
    assert second.topic_count == 2


def test_a_rolled_back_batch_leaves_no_topic_behind(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    assigner = TopicAssigner(extractor)
    with pytest.raises(RuntimeError), engine.begin() as connection:
        on_commit = assigner.assign(connection, [(1, "公租房怎么申请", START)])
        assert on_commit is not None
        raise RuntimeError("the batch failed")
    assert assigner.topic_count == 0
    record(engine, assigner, ["公租房怎么申请"])
    assert assigner.topic_count == 1
    assert set(topics_of(engine).values()) != {None}


def test_questions_recorded_without_a_topic_are_caught_up(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    record_batch(engine, [question(text, n) for n, text in enumerate(WEEK)])
    assert set(topics_of(engine).values()) == {None}
    assert assign_unassigned(engine, TopicAssigner(extractor), chunk=4) == len(WEEK)
    assert None not in topics_of(engine).values()
    assert assign_unassigned(engine, TopicAssigner(extractor)) == 0


def test_matching_never_records(engine: Engine, extractor: KeywordExtractor) -> None:
    assigner = TopicAssigner(extractor)
    record(engine, assigner, ["公租房怎么申请"])
    match = assigner.match("申请公组房要啥条件")
    assert match is not None and match.score == 75.0
    assert assigner.match("可以养宠物吗") is None
    assert assigner.closest("公租房咋申请", ["摇号时间", "公租房怎么申请"]) == 1
    assert assigner.topic_count == 1
    with Session(engine) as session:
        assert len(session.execute(select(col(Topic.id))).all()) == 1


def test_the_closest_topic_is_the_best_of_all_topics(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    """Comparing with the topics sharing the rarest keywords finds what comparing with all does."""
    subjects = ("公租房", "经适房", "租赁补贴", "")
    asks = ("申请条件", "怎么申请", "租金多少", "摇号时间", "审核结果", "需要什么材料", "退租手续")
    extras = ("", "电梯", "物业", "暖气漏水", "停车位")
    questions = [f"{s}{a}{e}" for s in subjects for a in asks for e in extras]
    assigner = TopicAssigner(extractor)
    record(engine, assigner, questions)
    with Session(engine) as session:
        keywords = [str(k) for k in session.execute(select(col(Topic.keywords))).scalars()]
    for probe in (
        "公租房的申请条件是什么",
        "物业和电梯",
        "摇号",
        "暖气漏水的租赁补贴",
        "经适房审核",
    ):
        scores = [assigner.similarity(probe, k) for k in keywords]
        best = max((s for s in scores if s >= assigner.threshold), default=None)
        match = assigner.match(probe)
        assert (match.score if match else None) == best, probe


def test_a_question_asked_again_is_known_without_matching(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    assigner = TopicAssigner(extractor)
    assert assigner.known("公租房怎么申请") is None
    record(engine, assigner, ["公租房怎么申请", "申请公组房要啥条件", "你好"])
    topic = topics_of(engine)
    # Exactly a topic's keywords (or none at all): settled for good.
    assert assigner.known("公租房怎么申请") == topic["公租房怎么申请"]
    assert assigner.known("你好") == NO_TOPIC
    # Only alike: the same topic while no topic is added, if every earlier question has one.
    assert assigner.known("申请公组房要啥条件") is None
    assert assigner.known("申请公组房要啥条件", in_order=True) == topic["公租房怎么申请"]
    record(engine, assigner, ["什么时候摇号"], first=3)
    assert assigner.known("申请公组房要啥条件", in_order=True) is None
    assert assigner.known("公租房怎么申请") == topic["公租房怎么申请"]


def test_a_record_that_has_a_topic_keeps_it(engine: Engine, extractor: KeywordExtractor) -> None:
    assigner = TopicAssigner(extractor)
    record(engine, assigner, ["公租房怎么申请"])
    [(text, topic)] = topics_of(engine).items()
    assert topic is not None
    with engine.begin() as connection:
        assigner.assign(connection, [(1, "什么时候摇号", START)])
    assert topics_of(engine) == {text: topic}


def test_recompute_keeps_the_topics_of_records_whose_text_retention_removed(
    engine: Engine, extractor: KeywordExtractor
) -> None:
    record(engine, TopicAssigner(extractor), WEEK)
    before = topics_of(engine)
    applying = before["公租房怎么申请"]
    with engine.begin() as connection:
        connection.execute(
            update(Interaction)
            .where(col(Interaction.question) == "公租房怎么申请")
            .values(question=REMOVED_TEXT)
        )
    recompute(engine, TopicAssigner(extractor))
    after = topics_of(engine)
    assert after[REMOVED_TEXT] == applying
    # The kept topic still gathers the questions like the one whose words are gone.
    assert after["申请公组房要啥条件"] == after["gzf怎么申请"] == applying
    with Session(engine) as session:
        assert session.get(Topic, applying) is not None
