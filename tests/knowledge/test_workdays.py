"""Tests for knowledge/workdays.py: 调休, holidays, the holiday file and its fallbacks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest

from knowledge.workdays import (
    CalendarSource,
    HolidayFileError,
    WorkingCalendar,
    load_holiday_file,
)

D = dt.date


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(D(year, 7, 1))
    except NotImplementedError:
        return False
    return True


# The 2027 tests describe the fallback; they hold while the installed package stops at 2026.
needs_uncovered_2027 = pytest.mark.skipif(
    _package_covers(2027), reason="the installed chinese_calendar already covers 2027"
)


def _holiday_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def calendar(tmp_path: Path) -> WorkingCalendar:
    """The package's data and an empty holiday file: what the code does, not what data says."""
    return WorkingCalendar(_holiday_file(tmp_path, "# no years\n"))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 1), False),  # 元旦
        (D(2026, 1, 4), True),  # Sunday worked for 元旦
        (D(2026, 2, 13), True),  # Friday before 春节
        (D(2026, 2, 14), True),  # Saturday worked for 春节
        (D(2026, 2, 16), False),  # 春节, a Monday
        (D(2026, 2, 23), False),  # last day of 春节, a Monday
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday worked for 春节
        (D(2026, 3, 1), False),  # an ordinary Sunday
        (D(2026, 5, 9), True),  # Saturday worked for 劳动节
        (D(2026, 9, 20), True),  # Sunday worked for 国庆
        (D(2026, 9, 25), False),  # 中秋, a Friday
        (D(2026, 10, 1), False),  # 国庆
        (D(2026, 10, 7), False),  # last day of 国庆, a Wednesday
        (D(2026, 10, 8), True),  # back at work on Thursday
        (D(2026, 10, 10), True),  # Saturday worked for 国庆
        (D(2026, 10, 11), False),
    ],
)
def test_is_working_day_follows_the_2026_arrangement(
    calendar: WorkingCalendar, day: dt.date, working: bool
) -> None:
    assert calendar.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "deadline"),
    [
        (D(2026, 9, 30), 0, D(2026, 9, 30)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # over 国庆
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # the make-up Saturday counts
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # the make-up Sunday counts
        (D(2026, 9, 15), 20, D(2026, 10, 19)),  # 中秋 and 国庆 inside a 20-day deadline
        (D(2026, 2, 12), 1, D(2026, 2, 13)),
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # 春节 make-up Saturday
        (D(2026, 2, 13), 2, D(2026, 2, 24)),  # over 春节
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # 春节 make-up Saturday after the holiday
        (D(2026, 10, 1), 1, D(2026, 10, 8)),  # a start inside a holiday
        (D(2026, 10, 3), 1, D(2026, 10, 8)),
    ],
)
def test_add_working_days_over_holidays_and_make_up_days(
    calendar: WorkingCalendar, start: dt.date, n: int, deadline: dt.date
) -> None:
    assert calendar.add_working_days(start, n) == deadline


def test_a_datetime_counts_as_its_day(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_days(dt.datetime(2026, 9, 30, 17, 45), 1) == D(2026, 10, 8)
    assert calendar.is_working_day(dt.datetime(2026, 10, 10, 9, 0)) is True


def test_a_negative_count_is_refused(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(D(2026, 3, 2), -1)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (D(2026, 9, 30), D(2026, 10, 8), 1),
        (D(2026, 9, 30), D(2026, 10, 7), 0),
        (D(2026, 9, 15), D(2026, 10, 19), 20),
        (D(2026, 10, 19), D(2026, 9, 15), -20),
        (D(2026, 3, 2), D(2026, 3, 2), 0),
    ],
)
def test_working_days_between(
    calendar: WorkingCalendar, start: dt.date, end: dt.date, count: int
) -> None:
    assert calendar.working_days_between(start, end) == count


def test_working_days_between_inverts_add_working_days(calendar: WorkingCalendar) -> None:
    for offset in range(0, 400, 7):
        start = D(2025, 12, 1) + dt.timedelta(days=offset)
        for n in (1, 5, 20):
            deadline = calendar.add_working_days(start, n)
            assert calendar.working_days_between(start, deadline) == n
            assert calendar.is_working_day(deadline)


@needs_uncovered_2027
def test_across_the_end_of_2026_without_2027_data_counts_weekends(
    calendar: WorkingCalendar,
) -> None:
    # 2026-12-31 is a Thursday; 2027-01-01 (元旦) counts as working for want of data.
    assert calendar.add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 4)
    assert calendar.is_working_day(D(2027, 1, 2)) is False  # a Saturday
    assert calendar.source_for(2027) is CalendarSource.WEEKENDS_ONLY
    assert calendar.covers(2027) is False


@needs_uncovered_2027
def test_a_bureau_holiday_file_supplies_2027(tmp_path: Path) -> None:
    path = _holiday_file(
        tmp_path,
        "[2027]\nholidays = [2027-01-01, 2027-01-04]\nworkdays = [2027-01-09]\n",
    )
    calendar = WorkingCalendar(path)
    assert calendar.source_for(2027) is CalendarSource.HOLIDAY_FILE
    assert calendar.covers(2027) is True
    assert calendar.is_working_day(D(2027, 1, 1)) is False
    assert calendar.is_working_day(D(2027, 1, 9)) is True  # a Saturday, worked
    assert calendar.is_working_day(D(2027, 1, 10)) is False  # an ordinary Sunday
    assert calendar.add_working_days(D(2026, 12, 30), 3) == D(2027, 1, 6)
    assert calendar.add_working_days(D(2027, 1, 8), 1) == D(2027, 1, 9)


def test_holiday_file_days_win_over_the_package(tmp_path: Path) -> None:
    calendar = WorkingCalendar(_holiday_file(tmp_path, "[2026]\nholidays = [2026-10-08]\n"))
    assert calendar.source_for(2026) is CalendarSource.HOLIDAY_FILE
    assert calendar.is_working_day(D(2026, 10, 8)) is False
    assert calendar.is_working_day(D(2026, 10, 7)) is False  # still the package's 国庆
    assert calendar.is_working_day(D(2026, 10, 10)) is True  # still the package's make-up day
    assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 9)


@pytest.mark.parametrize(
    ("year", "source"),
    [
        (2004, CalendarSource.PACKAGE),
        (2026, CalendarSource.PACKAGE),
        (2003, CalendarSource.WEEKENDS_ONLY),
        (2099, CalendarSource.WEEKENDS_ONLY),
    ],
)
def test_source_for(calendar: WorkingCalendar, year: int, source: CalendarSource) -> None:
    assert calendar.source_for(year) is source
    assert calendar.covers(year) is (source is not CalendarSource.WEEKENDS_ONLY)
    assert source.label


def test_the_packaged_holiday_file_loads() -> None:
    arrangements = load_holiday_file()
    calendar = WorkingCalendar()
    for year, arrangement in arrangements.items():
        assert calendar.source_for(year) is CalendarSource.HOLIDAY_FILE
        assert all(day.year == year for day in arrangement.holidays | arrangement.workdays)
    assert calendar.source_for(2026) in (CalendarSource.PACKAGE, CalendarSource.HOLIDAY_FILE)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[twenty27]\nholidays = []\n", "is not a year"),
        ("[2027]\nholidays = [2026-12-31]\n", "not in 2027"),
        ("[2027]\nholidays = [2027-01-09]\nworkdays = [2027-01-09]\n", "both"),
        ("[2027]\nworkdays = [2027-01-04]\n", "a weekday"),
        ('[2027]\nholidays = ["2027-01-01"]\n', "write dates as"),
        ("[2027]\nholidays = [2027-01-01T08:00:00]\n", "no time"),
        ("[2027]\nholiday = [2027-01-01]\n", "unknown key"),
        ("[2027]\nholidays = 2027-01-01\n", "must be a list"),
        ("[2027\nholidays = []\n", "not valid TOML"),
        ("2027 = 1\n", "must be a table"),
    ],
)
def test_a_bad_holiday_file_is_refused_with_a_clear_error(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(HolidayFileError, match=message) as raised:
        WorkingCalendar(_holiday_file(tmp_path, text))
    assert "holidays.toml" in str(raised.value)


def test_a_missing_holiday_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HolidayFileError, match="cannot read"):
        WorkingCalendar(tmp_path / "absent.toml")
