"""Dates of item-41 records: China dates of stored times, and how a reply deadline stands today.

The service stores times in UTC (naive times read back from SQLite are UTC); the bureau works
on China time, which has no daylight saving, so a fixed offset is exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from knowledge.workdays import CalendarSource, WorkingCalendar

CHINA_TIME = timezone(timedelta(hours=8), "CST")
# A deadline this many working days away (or nearer) is "due soon" in the inbox.
DUE_SOON_WORKING_DAYS = 2


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def china_time(moment: datetime) -> datetime:
    """A stored time on the clock of the bureau."""
    return as_utc(moment).astimezone(CHINA_TIME)


def china_date(moment: datetime) -> date:
    """The date in China of a stored time."""
    return china_time(moment).date()


def china_today(now: datetime | None = None) -> date:
    """Today's date in China."""
    return china_date(now or datetime.now(UTC))


@dataclass(frozen=True)
class DeadlineStatus:
    """A reply deadline as of today, with the calendar data that counted its working days."""

    deadline: date
    working_days_left: int
    overdue: bool
    due_soon: bool
    sources: tuple[CalendarSource, ...]

    @property
    def uncertain(self) -> bool:
        """True when some year of the count did not come from the package's data."""
        return any(source is not CalendarSource.PACKAGE for source in self.sources)

    @property
    def weakest_source(self) -> CalendarSource:
        """The least reliable data used: weekends only, then the holiday file, then the package."""
        for source in (CalendarSource.WEEKENDS_ONLY, CalendarSource.HOLIDAY_FILE):
            if source in self.sources:
                return source
        return CalendarSource.PACKAGE


def calendar_sources(
    calendar: WorkingCalendar, start: date, end: date
) -> tuple[CalendarSource, ...]:
    """The data deciding each year from start to end, in order, each once.

    A deadline counted from late December runs into the next year, whose holidays may be
    unknown: the year the question was asked alone does not tell.
    """
    first, last = sorted((start, end))
    found: list[CalendarSource] = []
    for year in range(first.year, last.year + 1):
        source = calendar.source_for(year)
        if source not in found:
            found.append(source)
    return tuple(found)


def due_soon_until(calendar: WorkingCalendar, today: date) -> date:
    """The last date an open record's deadline may fall on to count as due soon."""
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)


def deadline_status(
    calendar: WorkingCalendar,
    asked_on: date,
    deadline: date,
    today: date,
    *,
    still_open: bool,
) -> DeadlineStatus:
    """How the deadline stands: working days left (negative once passed), overdue, due soon.

    Only a record still waiting for staff can be overdue or due soon.
    """
    if deadline >= today:
        left = calendar.working_days_between(today, deadline)
    else:
        left = -max(calendar.working_days_between(deadline, today), 1)
    overdue = still_open and deadline < today
    due_soon = still_open and not overdue and deadline <= due_soon_until(calendar, today)
    return DeadlineStatus(
        deadline=deadline,
        working_days_left=left,
        overdue=overdue,
        due_soon=due_soon,
        sources=calendar_sources(calendar, asked_on, deadline),
    )
