"""Chinese working days, make-up working weekends (调休) included, for counting deadlines."""

from __future__ import annotations

import datetime as dt
import enum
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import chinese_calendar

_PACKAGED_FILE = "holidays.toml"
_ONE_DAY = dt.timedelta(days=1)
_SATURDAY = 5


class CalendarSource(enum.Enum):
    """Which data decided the working days of a year."""

    PACKAGE = "package"
    HOLIDAY_FILE = "holiday_file"
    WEEKENDS_ONLY = "weekends_only"

    @property
    def label(self) -> str:
        """How staff pages name the source of a deadline's dates."""
        return _LABELS[self]


_LABELS = {
    CalendarSource.PACKAGE: "国务院节假日安排（程序内置数据）",
    CalendarSource.HOLIDAY_FILE: "国务院节假日安排（局里维护的节假日文件）",
    CalendarSource.WEEKENDS_ONLY: "仅按周末计算（该年节假日安排尚未录入）",
}


class HolidayFileError(ValueError):
    """The holiday file is not valid; the message names the year and the date or key."""


@dataclass(frozen=True)
class YearArrangement:
    """One year's days off and make-up working weekend days, as the State Council set them."""

    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


def load_holiday_file(path: Path | None = None) -> dict[int, YearArrangement]:
    """Read and validate the holiday file: the packaged one unless a path is given."""
    if path is None:
        source = _PACKAGED_FILE
        text = resources.files("knowledge").joinpath("data", _PACKAGED_FILE).read_text("utf-8")
    else:
        source = path.name
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise HolidayFileError(f"{source}: cannot read the holiday file: {error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise HolidayFileError(f"{source}: not valid TOML: {error}") from error
    return {_year(source, key): _arrangement(source, key, table) for key, table in data.items()}


def _year(source: str, key: str) -> int:
    if not (key.isascii() and key.isdigit() and len(key) == 4):
        raise HolidayFileError(f"{source}: [{key}] is not a year; write tables like [2027]")
    return int(key)


def _arrangement(source: str, key: str, table: Any) -> YearArrangement:
    where = f"{source}, [{key}]"
    if not isinstance(table, dict):
        raise HolidayFileError(f"{where}: must be a table with holidays = [...], workdays = [...]")
    unknown = sorted(set(table) - {"holidays", "workdays"})
    if unknown:
        raise HolidayFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    holidays = _dates(where, key, table, "holidays")
    workdays = _dates(where, key, table, "workdays")
    both = sorted(holidays & workdays)
    if both:
        raise HolidayFileError(f"{where}: {both[0]} is listed both as a holiday and as a workday")
    for day in sorted(workdays):
        if day.weekday() < _SATURDAY:
            raise HolidayFileError(
                f"{where}: workdays lists {day}, a weekday; list only the Saturdays and Sundays "
                "that are worked (调休上班)"
            )
    return YearArrangement(holidays, workdays)


def _dates(where: str, year: str, table: dict[str, Any], key: str) -> frozenset[dt.date]:
    values = table.get(key, [])
    if not isinstance(values, list):
        raise HolidayFileError(f"{where}: {key} must be a list of dates like 2027-01-01")
    for value in values:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise HolidayFileError(
                f"{where}: {key} has {value!r}; write dates as 2027-01-01 (no quotes, no time)"
            )
        if value.year != int(year):
            raise HolidayFileError(f"{where}: {key} has {value}, which is not in {year}")
    return frozenset(values)


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 7, 1))
    except NotImplementedError:
        return False
    return True


class WorkingCalendar:
    """Working days from the chinese_calendar package, the holiday file, or weekends alone.

    A day listed in the holiday file is decided by it; any other day by the package where the
    package covers its year, else by the weekday alone. Answers are cached per date, since
    deadlines are computed for every record.
    """

    def __init__(self, holiday_file: Path | None = None) -> None:
        self._arrangements = load_holiday_file(holiday_file)
        self._package_years: dict[int, bool] = {}
        self._working: dict[dt.date, bool] = {}

    def source_for(self, year: int) -> CalendarSource:
        """Which data decides the working days of this year (the bureau's file first)."""
        if year in self._arrangements:
            return CalendarSource.HOLIDAY_FILE
        if self._package_covers(year):
            return CalendarSource.PACKAGE
        return CalendarSource.WEEKENDS_ONLY

    def covers(self, year: int) -> bool:
        """True when the year's holidays are known (not counted from weekends alone)."""
        return self.source_for(year) is not CalendarSource.WEEKENDS_ONLY

    def is_working_day(self, day: dt.date) -> bool:
        """True on a working day: a weekday that is no holiday, or a make-up working weekend."""
        day = _as_date(day)
        working = self._working.get(day)
        if working is None:
            working = self._decide(day)
            self._working[day] = working
        return working

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after start (start itself is not counted): the deadline."""
        if n < 0:
            raise ValueError(f"cannot count {n} working days: the count must not be negative")
        day = _as_date(start)
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after start up to and including end; negative when end is before start.

        It is the inverse of add_working_days: between(d, add_working_days(d, n)) == n.
        """
        first, last = _as_date(start), _as_date(end)
        if last < first:
            return -self.working_days_between(last, first)
        count = 0
        day = first
        while day < last:
            day += _ONE_DAY
            count += self.is_working_day(day)
        return count

    def _decide(self, day: dt.date) -> bool:
        arrangement = self._arrangements.get(day.year)
        if arrangement is not None:
            if day in arrangement.workdays:
                return True
            if day in arrangement.holidays:
                return False
        if self._package_covers(day.year):
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < _SATURDAY

    def _package_covers(self, year: int) -> bool:
        covered = self._package_years.get(year)
        if covered is None:
            covered = _package_covers(year)
            self._package_years[year] = covered
        return covered


def _as_date(day: dt.date) -> dt.date:
    """A datetime counts as its calendar day (datetimes and dates must share the cache)."""
    return day.date() if isinstance(day, dt.datetime) else day
