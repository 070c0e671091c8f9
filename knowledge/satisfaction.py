"""Residents' ratings of answers (catalog item 43): recognising 满意 / 不满意, and storing them.

A rating is stored on the record it judges (interaction.satisfaction). 不满意 reopens that
record for staff review, with a reply deadline in working days counted from the day of the
rating (a record already waiting for staff keeps the deadline it has). Rating again replaces
the earlier rating; the record is not reopened twice.

On WeChat a rating is a message of its own and judges the resident's latest answer
(rate_latest, run inside the transaction that records the rating message); on the web chat
each answer carries its buttons and names its record (rate_record).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, select, update

from knowledge.record_models import Interaction, RecordStatus
from knowledge.topics import NOT_QUESTION_KINDS

#: A rating judges the resident's latest answer only if it is this recent: "1" sent days later
#: is no rating of it.
RATING_WINDOW = timedelta(hours=48)

_INTERACTION = Interaction.__table__  # type: ignore[attr-defined]
_NOT_WORDS = re.compile(r"[\W_]+")
_SATISFIED = re.compile(
    r"(?:非常|很|挺|比较|十分|特别|还算|还)?满意(?:了|的|啦|呀|哦)?(?:谢谢|感谢)?"
)
_DISSATISFIED = re.compile(r"(?:非常|很|特别|十分)?不(?:太|是很|怎么|大)?满意(?:了|的)?")


class Rating(StrEnum):
    """A resident's judgement of an answer, as stored in interaction.satisfaction."""

    SATISFIED = "satisfied"
    DISSATISFIED = "dissatisfied"


def rating_of(text: str) -> Rating | None:
    """满意, 很满意, 1 → satisfied; 不满意, 不太满意, 2 → dissatisfied; anything else None.

    Only a message that is nothing but a rating counts: "满意度调查在哪看" is a question.
    """
    bare = _NOT_WORDS.sub("", unicodedata.normalize("NFKC", text))
    if bare == "1" or _SATISFIED.fullmatch(bare):
        return Rating.SATISFIED
    if bare == "2" or _DISSATISFIED.fullmatch(bare):
        return Rating.DISSATISFIED
    return None


def parse_rating(value: str) -> Rating | None:
    """A rating as the web chat posts it ("satisfied") or as a resident writes it ("满意")."""
    try:
        return Rating(value)
    except ValueError:
        return rating_of(value)


@dataclass(frozen=True)
class Reopening:
    """The reply deadline a record reopened by 不满意 gets."""

    deadline: date
    days: int
    calendar_source: str


@dataclass(frozen=True)
class Rated:
    """What a rating did: the record it judged (None when there was none) and whether it
    sent that record back to staff."""

    record_id: int | None
    number: str = ""
    reopened: bool = False
    deadline: date | None = None
    deadline_days: int | None = None


NOTHING_RATED = Rated(None)


def _rateable() -> list[ColumnElement[bool]]:
    # Fixed sentences, "更多" and ratings themselves are no answer to rate; "" is an answer
    # still being made.
    return [
        _INTERACTION.c.answer_kind.not_in(sorted(NOT_QUESTION_KINDS)),
        _INTERACTION.c.answer_kind != "",
    ]


def _select() -> Select[Any]:
    table = _INTERACTION
    return select(
        table.c.id, table.c.asked_at, table.c.status, table.c.deadline, table.c.deadline_days
    )


def rate_latest(
    connection: Connection,
    *,
    channel: str,
    resident_key: str,
    before_id: int,
    rating: Rating,
    at: datetime,
    reopening: Reopening,
) -> Rated:
    """Rate the resident's latest answer on this channel (recorded before before_id)."""
    table = _INTERACTION
    row = connection.execute(
        _select()
        .where(
            table.c.channel == channel,
            table.c.resident_key == resident_key,
            table.c.id < before_id,
            table.c.asked_at >= at - RATING_WINDOW,
            *_rateable(),
        )
        .order_by(table.c.id.desc())
        .limit(1)
        # Two ratings at once (two workers) must not both reopen the record.
        .with_for_update()
    ).first()
    if row is None:
        return NOTHING_RATED
    return _apply(connection, row, rating, reopening)


def rate_record(
    connection: Connection,
    record_id: int,
    *,
    channel: str,
    resident_key: str,
    rating: Rating,
    reopening: Reopening,
) -> Rated:
    """Rate one record of this resident (the web chat's buttons); NOTHING_RATED if not theirs."""
    table = _INTERACTION
    row = connection.execute(
        _select()
        .where(
            table.c.id == record_id,
            table.c.channel == channel,
            table.c.resident_key == resident_key,
            *_rateable(),
        )
        .with_for_update()
    ).first()
    if row is None:
        return NOTHING_RATED
    return _apply(connection, row, rating, reopening)


def _apply(connection: Connection, row: Row[Any], rating: Rating, reopening: Reopening) -> Rated:
    record_id = int(row.id)
    status = str(row.status)
    deadline: date | None = row.deadline
    days: int | None = row.deadline_days
    values: dict[str, object] = {"satisfaction": rating.value}
    reopened = False
    if rating is Rating.DISSATISFIED:
        waiting = status == RecordStatus.NEEDS_REVIEW.value
        if not waiting or deadline is None:
            deadline, days = reopening.deadline, reopening.days
            values.update(
                deadline=reopening.deadline,
                deadline_days=reopening.days,
                calendar_source=reopening.calendar_source,
            )
        if not waiting:
            values.update(status=RecordStatus.NEEDS_REVIEW.value, closed_at=None)
            reopened = True
    connection.execute(update(_INTERACTION).where(_INTERACTION.c.id == record_id).values(values))
    return Rated(
        record_id,
        _number(row.asked_at, record_id),
        reopened,
        deadline,
        days,
    )


def _number(asked_at: datetime, record_id: int) -> str:
    return f"HD{asked_at:%Y%m%d}{record_id:06d}"
