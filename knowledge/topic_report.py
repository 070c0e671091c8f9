"""Hot topics as staff read them: the topics asked about lately, rising ones first, and one
topic's questions, each with the published Q&A that covers it, if any.

Counts come from the records themselves (interaction.topic_id and asked_at, by China date), so
they always agree with the records listed and with the statistics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from knowledge.record_dates import china_date
from knowledge.record_models import Interaction, PublishedQA, Topic
from knowledge.record_stats import Period, label_of, week_start
from knowledge.satisfaction import Rating
from knowledge.topics import NOT_QUESTION_KINDS, QUESTION_TYPES, TopicAssigner

#: The hot topics list compares the last TREND_DAYS days with the TREND_DAYS before them.
TREND_DAYS = 7
DETAIL_DAYS = 28
DETAIL_WEEKS = 8
QUESTIONS_PER_PAGE = 30
# How the Q&A covering a question was found.
PUBLISHED_FROM_RECORD = "record"
ANSWERED_WITH = "answered"
ALIKE = "alike"

_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
_TOPIC = Topic.__table__  # type: ignore[attr-defined]
_QA = PublishedQA.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CoveringQA:
    """A published Q&A that answers a question, and how that was found."""

    qa_id: int
    question: str
    how: str


@dataclass(frozen=True)
class TopicTrend:
    """A topic with its questions per day over the last two TREND_DAYS periods."""

    topic_id: int
    label: str
    days: tuple[int, ...]
    total: int
    satisfied: int
    dissatisfied: int
    covered_by: CoveringQA | None

    @property
    def recent(self) -> int:
        """Questions in the last TREND_DAYS days."""
        return sum(self.days[-TREND_DAYS:])

    @property
    def before(self) -> int:
        """Questions in the TREND_DAYS days before those."""
        return sum(self.days[:-TREND_DAYS])

    @property
    def change(self) -> int:
        """recent minus before (above 0: rising)."""
        return self.recent - self.before


@dataclass(frozen=True)
class TopicQuestion:
    """One question of a topic as the topic page lists it."""

    record_id: int
    number: str
    asked_at: datetime
    question: str
    channel: str
    status: str
    answer_kind: str
    satisfaction: str
    covered_by: CoveringQA | None


@dataclass(frozen=True)
class TopicDetail:
    """A topic: its label, counts per day and per week, ratings and a page of its questions."""

    topic_id: int
    label: str
    created_at: datetime
    total: int
    days: tuple[tuple[date, int], ...]
    weeks: tuple[tuple[date, int], ...]
    satisfied: int
    dissatisfied: int
    questions: tuple[TopicQuestion, ...]
    page: int
    pages: int


def _question_conditions() -> list[Any]:
    return [
        _INTERACTION.c.message_type.in_(QUESTION_TYPES),
        _INTERACTION.c.answer_kind.not_in(sorted(NOT_QUESTION_KINDS)),
    ]


def _published(connection: Connection) -> list[tuple[int, str, int | None]]:
    """Every Q&A not withdrawn: (id, question, record it was published from)."""
    rows = connection.execute(
        select(_QA.c.id, _QA.c.question, _QA.c.interaction_id)
        .where(_QA.c.withdrawn.is_(False))
        .order_by(_QA.c.id)
    ).all()
    return [(int(r.id), str(r.question), r.interaction_id) for r in rows]


def hot_topics(
    connection: Connection, assigner: TopicAssigner, today: date, *, limit: int = 50
) -> list[TopicTrend]:
    """Topics asked about in the last 2 × TREND_DAYS days: rising first, then the busiest."""
    window = Period(today - timedelta(days=2 * TREND_DAYS - 1), today)
    first, after = window.utc_bounds()
    per_day: dict[int, list[int]] = defaultdict(lambda: [0] * (2 * TREND_DAYS))
    ratings: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for topic_id, asked_at, satisfaction in connection.execute(
        select(_INTERACTION.c.topic_id, _INTERACTION.c.asked_at, _INTERACTION.c.satisfaction).where(
            _INTERACTION.c.asked_at >= first,
            _INTERACTION.c.asked_at < after,
            _INTERACTION.c.topic_id > 0,
            *_question_conditions(),
        )
    ):
        day = (china_date(asked_at) - window.start).days
        if 0 <= day < 2 * TREND_DAYS:
            per_day[int(topic_id)][day] += 1
        if satisfaction == Rating.SATISFIED.value:
            ratings[int(topic_id)][0] += 1
        elif satisfaction == Rating.DISSATISFIED.value:
            ratings[int(topic_id)][1] += 1
    if not per_day:
        return []
    ids = sorted(per_day)
    labels, totals = _labels_and_totals(connection, ids)
    covering = _topic_coverage(connection, assigner)
    trends = [
        TopicTrend(
            topic_id=topic_id,
            label=labels.get(topic_id, ""),
            days=tuple(per_day[topic_id]),
            total=totals.get(topic_id, 0),
            satisfied=ratings[topic_id][0],
            dissatisfied=ratings[topic_id][1],
            covered_by=covering.get(topic_id),
        )
        for topic_id in ids
    ]
    # Rising topics first (the biggest rise first), then the busiest lately.
    trends.sort(key=lambda t: (-max(t.change, 0), -t.recent, -t.total, t.topic_id))
    return trends[:limit]


def _labels_and_totals(
    connection: Connection, ids: Sequence[int]
) -> tuple[dict[int, str], dict[int, int]]:
    labels: dict[int, str] = {}
    totals: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for topic_id, keywords in connection.execute(
            select(_TOPIC.c.id, _TOPIC.c.keywords).where(_TOPIC.c.id.in_(chunk))
        ):
            labels[int(topic_id)] = label_of(str(keywords))
        for topic_id, count in connection.execute(
            select(_INTERACTION.c.topic_id, func.count())
            .where(_INTERACTION.c.topic_id.in_(chunk), *_question_conditions())
            .group_by(_INTERACTION.c.topic_id)
        ):
            totals[int(topic_id)] = int(count)
    return labels, totals


def _topic_coverage(connection: Connection, assigner: TopicAssigner) -> dict[int, CoveringQA]:
    """For each topic, the first published Q&A whose question belongs with it."""
    found: dict[int, CoveringQA] = {}
    for qa_id, question, _record in _published(connection):
        match = assigner.match(question)
        if match is not None and match.topic_id not in found:
            found[match.topic_id] = CoveringQA(qa_id, question, ALIKE)
    return found


def topic_detail(
    connection: Connection,
    assigner: TopicAssigner,
    topic_id: int,
    today: date,
    *,
    page: int = 1,
) -> TopicDetail | None:
    """One topic with its counts and one page of its questions (newest first), or None."""
    topic = connection.execute(
        select(_TOPIC.c.keywords, _TOPIC.c.created_at).where(_TOPIC.c.id == topic_id)
    ).first()
    if topic is None:
        return None
    mine = [_INTERACTION.c.topic_id == topic_id, *_question_conditions()]
    total = int(connection.execute(select(func.count()).where(*mine)).scalar() or 0)
    days, weeks, satisfied, dissatisfied = _counts(connection, mine, today)
    pages = max(1, -(-total // QUESTIONS_PER_PAGE))
    page = min(max(page, 1), pages)
    rows = connection.execute(
        select(
            _INTERACTION.c.id,
            _INTERACTION.c.asked_at,
            _INTERACTION.c.question,
            _INTERACTION.c.channel,
            _INTERACTION.c.status,
            _INTERACTION.c.answer_kind,
            _INTERACTION.c.satisfaction,
            _INTERACTION.c.sources,
        )
        .where(*mine)
        .order_by(_INTERACTION.c.asked_at.desc(), _INTERACTION.c.id.desc())
        .offset((page - 1) * QUESTIONS_PER_PAGE)
        .limit(QUESTIONS_PER_PAGE)
    ).all()
    published = _published(connection)
    questions = tuple(
        TopicQuestion(
            record_id=int(r.id),
            number=f"HD{r.asked_at:%Y%m%d}{int(r.id):06d}",
            asked_at=r.asked_at,
            question=str(r.question),
            channel=str(r.channel),
            status=str(r.status),
            answer_kind=str(r.answer_kind),
            satisfaction=str(r.satisfaction),
            covered_by=covering_qa(
                assigner, int(r.id), str(r.question), list(r.sources or []), published
            ),
        )
        for r in rows
    )
    return TopicDetail(
        topic_id=topic_id,
        label=label_of(str(topic.keywords)),
        created_at=topic.created_at,
        total=total,
        days=days,
        weeks=weeks,
        satisfied=satisfied,
        dissatisfied=dissatisfied,
        questions=questions,
        page=page,
        pages=pages,
    )


def _counts(
    connection: Connection, mine: list[Any], today: date
) -> tuple[tuple[tuple[date, int], ...], tuple[tuple[date, int], ...], int, int]:
    """Questions per day (DETAIL_DAYS) and per week (DETAIL_WEEKS), and all ratings."""
    first_week = week_start(today) - timedelta(weeks=DETAIL_WEEKS - 1)
    first_day = today - timedelta(days=DETAIL_DAYS - 1)
    since, after = Period(min(first_week, first_day), today).utc_bounds()
    per_day: dict[date, int] = defaultdict(int)
    per_week: dict[date, int] = defaultdict(int)
    for (asked_at,) in connection.execute(
        select(_INTERACTION.c.asked_at).where(
            *mine, _INTERACTION.c.asked_at >= since, _INTERACTION.c.asked_at < after
        )
    ):
        day = china_date(asked_at)
        per_day[day] += 1
        per_week[week_start(day)] += 1
    ratings: dict[str, int] = defaultdict(int)
    for satisfaction, count in connection.execute(
        select(_INTERACTION.c.satisfaction, func.count())
        .where(*mine, _INTERACTION.c.satisfaction != "")
        .group_by(_INTERACTION.c.satisfaction)
    ):
        ratings[str(satisfaction)] = int(count)
    days = tuple(
        (first_day + timedelta(days=n), per_day.get(first_day + timedelta(days=n), 0))
        for n in range(DETAIL_DAYS)
    )
    weeks = tuple(
        (first_week + timedelta(weeks=n), per_week.get(first_week + timedelta(weeks=n), 0))
        for n in range(DETAIL_WEEKS)
    )
    return days, weeks, ratings[Rating.SATISFIED.value], ratings[Rating.DISSATISFIED.value]


def covering_qa(
    assigner: TopicAssigner,
    record_id: int,
    question: str,
    sources: Sequence[dict[str, Any]],
    published: Sequence[tuple[int, str, int | None]],
) -> CoveringQA | None:
    """The published Q&A covering a question: published from it, used to answer it, or alike."""
    for qa_id, qa_question, from_record in published:
        if from_record == record_id:
            return CoveringQA(qa_id, qa_question, PUBLISHED_FROM_RECORD)
    live = {qa_id: qa_question for qa_id, qa_question, _ in published}
    for source in sources:
        cited = source.get("qa_id")
        if isinstance(cited, int) and cited in live:
            return CoveringQA(cited, live[cited], ANSWERED_WITH)
    position = assigner.closest(question, [q for _, q, _ in published])
    if position is None:
        return None
    qa_id, qa_question, _ = published[position]
    return CoveringQA(qa_id, qa_question, ALIKE)
