"""Item-41 statistics: the questions received and what became of them, by week, topic, channel.

One set of definitions serves the staff page, its xlsx export and the public page:

- received: residents' questions asked in the period (China dates; topics.is_question: no
  "更多", ratings, fixed sentences or pleasantries).
- Each question is in exactly one of: answered by the bot (status auto_answered and the bot
  found an answer), answered by staff (a staff reply, or published as Q&A), waiting for staff
  (status needs_review), not answered (closed without a reply, or not found and never sent to
  staff).
- sent to staff: questions with a reply deadline. Of those, on time: handled (replied or
  closed) by the deadline; overdue: handled after it, or still waiting past it. The rest are
  still within their deadline.
- not found: the bot found no answer in the published material (rate: of received).
- satisfied / dissatisfied: ratings residents gave (rate: satisfied of those rated).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, select

from knowledge.record_dates import CHINA_TIME, china_date
from knowledge.record_models import Interaction, RecordStatus, Topic
from knowledge.satisfaction import Rating
from knowledge.topics import NO_TOPIC, NOT_QUESTION_KINDS, QUESTION_TYPES

NOT_FOUND_KIND = "not_found"
#: The group of questions without a topic (no keywords, or not assigned yet).
UNSORTED_LABEL = "未归入主题"
_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
_TOPIC = Topic.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Tally:
    """Counts of one group of questions (see the module's definitions)."""

    received: int = 0
    by_bot: int = 0
    by_staff: int = 0
    waiting: int = 0
    unanswered: int = 0
    not_found: int = 0
    sent_to_staff: int = 0
    on_time: int = 0
    overdue: int = 0
    satisfied: int = 0
    dissatisfied: int = 0

    def plus(self, other: Tally) -> Tally:
        """The counts of both groups."""
        return Tally(
            *(
                a + b
                for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)
            )
        )

    @property
    def answered(self) -> int:
        """Answered by the bot or by staff."""
        return self.by_bot + self.by_staff

    @property
    def rated(self) -> int:
        """Questions whose answer residents rated."""
        return self.satisfied + self.dissatisfied

    @property
    def within_deadline(self) -> int:
        """Sent to staff and neither on time nor overdue yet."""
        return self.sent_to_staff - self.on_time - self.overdue

    @property
    def answered_rate(self) -> float | None:
        """Answered, of received (None when nothing was received)."""
        return _rate(self.answered, self.received)

    @property
    def not_found_rate(self) -> float | None:
        """Not found, of received."""
        return _rate(self.not_found, self.received)

    @property
    def on_time_rate(self) -> float | None:
        """On time, of those whose deadline is settled (on time or overdue)."""
        return _rate(self.on_time, self.on_time + self.overdue)

    @property
    def satisfaction_rate(self) -> float | None:
        """Satisfied, of those rated."""
        return _rate(self.satisfied, self.rated)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Period:
    """China dates from start to end, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """The period as UTC times [from, to)."""
        first = datetime.combine(self.start, time(), CHINA_TIME)
        after = datetime.combine(self.end + timedelta(days=1), time(), CHINA_TIME)
        return first.astimezone(UTC), after.astimezone(UTC)


def week_start(day: date) -> date:
    """The Monday of day's week."""
    return day - timedelta(days=day.weekday())


def recent_weeks(today: date, weeks: int) -> Period:
    """The last `weeks` calendar weeks, this one included (Monday to today)."""
    return Period(week_start(today) - timedelta(weeks=weeks - 1), today)


@dataclass(frozen=True)
class WeekRow:
    """One calendar week (Monday to Sunday) and its counts."""

    start: date
    tally: Tally

    @property
    def end(self) -> date:
        """The Sunday."""
        return self.start + timedelta(days=6)


@dataclass(frozen=True)
class GroupRow:
    """A topic or channel and its counts (key None: questions without a topic)."""

    key: int | str | None
    label: str
    tally: Tally


@dataclass(frozen=True)
class Statistics:
    """Everything the statistics pages and the export show for one period."""

    period: Period
    today: date
    total: Tally
    weeks: tuple[WeekRow, ...]
    topics: tuple[GroupRow, ...]
    channels: tuple[GroupRow, ...]


def outcome(row: Any, today: date) -> Tally:
    """What one question counts for (row: the columns statistics() reads)."""
    waiting = row.status == RecordStatus.NEEDS_REVIEW.value
    staff = not waiting and (bool(row.staff_reply) or row.status == RecordStatus.PUBLISHED.value)
    bot = (
        not waiting
        and not staff
        and row.status == RecordStatus.AUTO_ANSWERED.value
        and row.answer_kind != NOT_FOUND_KIND
    )
    on_time = overdue = False
    if row.deadline is not None:
        if waiting:
            overdue = today > row.deadline
        else:
            handled = row.replied_at or row.closed_at
            if handled is not None:
                on_time = china_date(handled) <= row.deadline
                overdue = not on_time
    return Tally(
        received=1,
        by_bot=int(bot),
        by_staff=int(staff),
        waiting=int(waiting),
        unanswered=int(not (waiting or staff or bot)),
        not_found=int(row.answer_kind == NOT_FOUND_KIND),
        sent_to_staff=int(row.deadline is not None),
        on_time=int(on_time),
        overdue=int(overdue),
        satisfied=int(row.satisfaction == Rating.SATISFIED.value),
        dissatisfied=int(row.satisfaction == Rating.DISSATISFIED.value),
    )


def _rows(connection: Connection, period: Period, channel: str) -> Iterable[Any]:
    table = _INTERACTION
    first, after = period.utc_bounds()
    conditions = [
        table.c.asked_at >= first,
        table.c.asked_at < after,
        table.c.message_type.in_(QUESTION_TYPES),
        table.c.answer_kind.not_in(sorted(NOT_QUESTION_KINDS)),
    ]
    if channel:
        conditions.append(table.c.channel == channel)
    return connection.execute(
        select(
            table.c.asked_at,
            table.c.channel,
            table.c.topic_id,
            table.c.status,
            table.c.answer_kind,
            table.c.staff_reply != "",
            table.c.replied_at,
            table.c.closed_at,
            table.c.deadline,
            table.c.satisfaction,
        ).where(*conditions)
    )


@dataclass(frozen=True)
class _Row:
    asked_at: datetime
    channel: str
    topic_id: int | None
    status: str
    answer_kind: str
    staff_reply: bool
    replied_at: datetime | None
    closed_at: datetime | None
    deadline: date | None
    satisfaction: str


def statistics(
    connection: Connection,
    period: Period,
    today: date,
    *,
    channel: str = "",
    channel_labels: dict[str, str] | None = None,
) -> Statistics:
    """Count the period's questions (of one channel, when given) every way the pages show."""
    size = len(dataclasses.fields(Tally))
    weeks: dict[date, list[int]] = defaultdict(lambda: [0] * size)
    topics: dict[int | None, list[int]] = defaultdict(lambda: [0] * size)
    channels: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    total = [0] * size
    for raw in _rows(connection, period, channel):
        row = _Row(*raw)
        # Plain lists: a hundred thousand records, each added into four groups.
        counted = dataclasses.astuple(outcome(row, today))
        topic = None if row.topic_id in (None, NO_TOPIC) else row.topic_id
        for group in (
            total,
            weeks[week_start(china_date(row.asked_at))],
            topics[topic],
            channels[row.channel],
        ):
            for position, value in enumerate(counted):
                group[position] += value
    week_rows = []
    start = week_start(period.start)
    while start <= period.end:
        week_rows.append(WeekRow(start, Tally(*weeks.get(start, [0] * size))))
        start += timedelta(weeks=1)
    labels = topic_labels(connection, [t for t in topics if t is not None])
    topic_rows = _sorted_groups(
        GroupRow(key, labels.get(key, "") if key is not None else UNSORTED_LABEL, Tally(*counts))
        for key, counts in topics.items()
    )
    names = channel_labels or {}
    channel_rows = _sorted_groups(
        GroupRow(key, names.get(key, key), Tally(*counts)) for key, counts in channels.items()
    )
    return Statistics(period, today, Tally(*total), tuple(week_rows), topic_rows, channel_rows)


def _sorted_groups(rows: Iterable[GroupRow]) -> tuple[GroupRow, ...]:
    """Most questions first; ties by key, so the order never changes between requests."""
    return tuple(sorted(rows, key=lambda r: (-r.tally.received, r.key is None, str(r.key))))


def topic_labels(connection: Connection, topic_ids: Iterable[int]) -> dict[int, str]:
    """Each topic's label: its keywords joined by "、"."""
    wanted = sorted(set(topic_ids))
    labels: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        for topic_id, keywords in connection.execute(
            select(_TOPIC.c.id, _TOPIC.c.keywords).where(
                _TOPIC.c.id.in_(wanted[start : start + 500])
            )
        ):
            labels[int(topic_id)] = label_of(str(keywords))
    return labels


def label_of(keywords: str) -> str:
    """A topic's stored keywords as a label: "公租房 申请" → "公租房、申请"."""
    return "、".join(keywords.split())
