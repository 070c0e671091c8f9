"""Tests for knowledge.record_dates: China dates of stored times, and reply deadlines as they
stand, across 国庆 and 春节 with their make-up working days and past the package's data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from knowledge.record_dates import (
    calendar_sources,
    china_date,
    deadline_status,
    due_soon_until,
)
from knowledge.workdays import CalendarSource, WorkingCalendar

PACKAGE = CalendarSource.PACKAGE
FILE = CalendarSource.HOLIDAY_FILE
WEEKENDS = CalendarSource.WEEKENDS_ONLY


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize(
    "stored, expected",
    [
        (datetime(2026, 11, 26, 15, 59), date(2026, 11, 26)),
        (datetime(2026, 11, 26, 16, 0), date(2026, 11, 27)),
        (datetime(2026, 11, 26, 16, 0, tzinfo=UTC), date(2026, 11, 27)),
    ],
    ids=["naive-utc-same-day", "naive-utc-next-day", "aware"],
)
def test_a_stored_time_has_its_china_date(stored: datetime, expected: date) -> None:
    assert china_date(stored) == expected


@pytest.mark.parametrize(
    "asked, days, deadline",
    [
        # 国庆 2025: 10月1日至8日 off, Sunday 9月28日 and Saturday 10月11日 worked.
        (date(2025, 9, 26), 5, date(2025, 10, 10)),
        (date(2025, 9, 30), 15, date(2025, 10, 28)),
        # 国庆 2026: 10月1日至7日 off, Sunday 9月20日 and Saturday 10月10日 worked.
        (date(2026, 9, 30), 5, date(2026, 10, 13)),
        # 春节 2026: 2月15日至23日 off, Saturdays 2月14日 and 2月28日 worked.
        (date(2026, 2, 12), 5, date(2026, 2, 26)),
        (date(2026, 2, 12), 15, date(2026, 3, 11)),
    ],
    ids=["国庆2025-5", "国庆2025-15", "国庆2026-5", "春节2026-5", "春节2026-15"],
)
def test_deadlines_skip_holidays_and_count_make_up_days(
    calendar: WorkingCalendar, asked: date, days: int, deadline: date
) -> None:
    assert calendar.add_working_days(asked, days) == deadline
    assert calendar_sources(calendar, asked, deadline) == (PACKAGE,)


def test_past_the_packages_data_weekends_only_and_says_so(calendar: WorkingCalendar) -> None:
    # 2027-01-01 is 元旦, but nothing tells the program so: it counts as a working day.
    deadline = calendar.add_working_days(date(2026, 12, 25), 5)
    assert deadline == date(2027, 1, 1)
    assert calendar_sources(calendar, date(2026, 12, 25), deadline) == (PACKAGE, WEEKENDS)


def test_the_bureaus_holiday_file_fills_the_gap(tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.toml"
    holidays.write_text("[2027]\nholidays = [2027-01-01]\nworkdays = []\n", encoding="utf-8")
    calendar = WorkingCalendar(holidays)
    deadline = calendar.add_working_days(date(2026, 12, 25), 5)
    assert deadline == date(2027, 1, 4)
    assert calendar_sources(calendar, date(2026, 12, 25), deadline) == (PACKAGE, FILE)


@pytest.mark.parametrize(
    "today, left, overdue, due_soon",
    [
        (date(2026, 2, 12), 5, False, False),
        (date(2026, 2, 14), 3, False, False),
        (date(2026, 2, 24), 2, False, True),
        (date(2026, 2, 25), 1, False, True),
        (date(2026, 2, 26), 0, False, True),
        (date(2026, 2, 27), -1, True, False),
        (date(2026, 3, 2), -3, True, False),
    ],
)
def test_the_deadline_as_it_stands_each_day(
    calendar: WorkingCalendar, today: date, left: int, overdue: bool, due_soon: bool
) -> None:
    status = deadline_status(calendar, date(2026, 2, 12), date(2026, 2, 26), today, still_open=True)
    assert (status.working_days_left, status.overdue, status.due_soon) == (left, overdue, due_soon)
    assert not status.uncertain


def test_an_answered_record_is_never_overdue(calendar: WorkingCalendar) -> None:
    status = deadline_status(
        calendar, date(2026, 2, 12), date(2026, 2, 26), date(2026, 3, 2), still_open=False
    )
    assert not status.overdue and not status.due_soon


def test_due_soon_counts_working_days(calendar: WorkingCalendar) -> None:
    # Friday 2月13日 before 春节: two working days on is Tuesday 2月24日 (Saturday 14日 worked).
    assert due_soon_until(calendar, date(2026, 2, 13)) == date(2026, 2, 24)


def test_an_uncertain_deadline_names_its_weakest_data(calendar: WorkingCalendar) -> None:
    status = deadline_status(
        calendar, date(2026, 12, 25), date(2027, 1, 1), date(2026, 12, 28), still_open=True
    )
    assert status.uncertain and status.weakest_source is WEEKENDS
