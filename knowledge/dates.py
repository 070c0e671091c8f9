"""Dates in published material: single values, Excel serials, a notice's publication date.

Spec (published-material.md): notices end with the issuing body and a date on their own lines,
or carry 发布日期：… / 发布时间：… near the top; Chinese numerals (二〇二六年三月五日) and Arabic
ones must both be read. Table cells hold 2026-03-05, 2026/3/5, 2026年3月5日 or Excel serials.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

DateHow = Literal["labelled", "signature", "issued"]

_CHINESE_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_YEAR = r"[0-9〇○零一二三四五六七八九]{4}"
_MONTH_OR_DAY = r"[0-9一二三四五六七八九十]{1,3}"
_CHINESE_STYLE = (
    rf"(?<!\d)(?P<cy>{_YEAR})\s*年"
    rf"\s*(?P<cm>{_MONTH_OR_DAY})\s*月\s*(?P<cd>{_MONTH_OR_DAY})\s*[日号]"
)
_NUMERIC_STYLE = (
    r"(?<![\d.])(?P<ny>\d{4})\s*(?P<sep>[-/.])\s*(?P<nm>\d{1,2})\s*(?P=sep)\s*(?P<nd>\d{1,2})(?!\d)"
)
_FULL_DATE = rf"(?:{_CHINESE_STYLE}|{_NUMERIC_STYLE})"
_FULL_DATE_RE = re.compile(_FULL_DATE)

# Suffixes a single date value may carry: a weekday in brackets, or a time of day.
_WEEKDAY_SUFFIX = re.compile(r"\s*\(\s*(?:星期|周|礼拜)[一二三四五六日天]\s*\)$")
_TIME_SUFFIX = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")

# A date range whose end leaves out the year (2026年9月1日至9月30日): the end inherits it.
_RANGE_END = re.compile(
    rf"\s*(?:至|到|—|\u2013|-|~)\s*(?:(?P<m>{_MONTH_OR_DAY})\s*月)?\s*(?P<d>{_MONTH_OR_DAY})\s*[日号]"
)

# Labels before a publication date. A bare 日期 only counts at the start of a field, so that
# 竣工日期：… or 分配日期：… in a footer is never taken for the publication date.
_PUBLICATION_LABEL = r"(?:(?:发布|发文|成文|公布|公开|印发|生成)(?:日期|时间)|日期)"
_LABELLED = re.compile(rf"(?:^|(?<=[\s,;。|、]))(?:{_PUBLICATION_LABEL})\s*:\s*{_FULL_DATE}")
# A signature line: the issuing body (no digits, no colon) and the date on the same line.
_BODY_AND_DATE = re.compile(rf"^[^\d:]*[\u4e00-\u9fff)][^\d:]*\s+{_FULL_DATE}$")
# "(山住建发[2026]3号 2026年1月8日印发)" under a title (brackets as written vary).
_ISSUED = re.compile(rf"{_FULL_DATE}\s*(?:印发|发布|公布)")

# Where the labelled date and the signature are looked for (non-empty lines).
_LABEL_ZONE_LINES = 10
_SIGNATURE_ZONE_LINES = 3
_ISSUED_ZONE_LINES = 5

_FIRST_PLAUSIBLE_YEAR = 1900
_LAST_PLAUSIBLE_YEAR = 2099

# Excel's 1900 date system counts days from 1899-12-30 for every serial after 60 (Lotus 1-2-3
# counted a 29 February 1900 that never was). Only serials in a plausible range are dates:
# a 120 in a column of flat counts must never turn into 1900-04-29.
_EXCEL_EPOCH = date(1899, 12, 30)
_FIRST_SERIAL = (date(1950, 1, 1) - _EXCEL_EPOCH).days
_LAST_SERIAL = (date(2099, 12, 31) - _EXCEL_EPOCH).days


@dataclass(frozen=True)
class FoundDate:
    """A notice's publication date and how it was found."""

    date: date
    how: DateHow


def parse_date(text: str) -> date | None:
    """One full date value, or None for partial dates and anything else.

    >>> parse_date("二〇二六年十一月二十日")
    datetime.date(2026, 11, 20)
    >>> parse_date("2024年9月") is None
    True
    """
    value = unicodedata.normalize("NFKC", text).strip()
    value = _WEEKDAY_SUFFIX.sub("", value)
    value = _TIME_SUFFIX.sub("", value).strip()
    match = _FULL_DATE_RE.fullmatch(value)
    return _date_of(match) if match else None


def excel_serial_to_date(value: float) -> date | None:
    """An Excel (1900 system) serial to a date, None outside 1950 to 2099: 46201 → 2026-06-28."""
    if isinstance(value, bool) or not math.isfinite(value):
        return None
    days = math.floor(value)
    if not _FIRST_SERIAL <= days <= _LAST_SERIAL:
        return None
    return _EXCEL_EPOCH + timedelta(days=days)


def find_dates(text: str) -> list[date]:
    """Every full date in a text, in order of first appearance, without repeats.

    A range end without a year takes the start's year (and month): 2026年9月1日至30日.
    """
    found: list[date] = []
    for value in _iter_dates(unicodedata.normalize("NFKC", text)):
        if value not in found:
            found.append(value)
    return found


def find_publication_date(lines: Sequence[str]) -> FoundDate | None:
    """A notice's publication date from its lines: labelled, else signature, else issued."""
    texts = [unicodedata.normalize("NFKC", line).strip() for line in lines]
    texts = [text for text in texts if text]
    return _labelled(texts) or _signature(texts) or _issued(texts)


def _labelled(texts: list[str]) -> FoundDate | None:
    head = texts[:_LABEL_ZONE_LINES]
    tail = texts[max(_LABEL_ZONE_LINES, len(texts) - _LABEL_ZONE_LINES) :]
    for text in head + tail:
        for match in _LABELLED.finditer(text):
            value = _date_of(match)
            if value:
                return FoundDate(value, "labelled")
    return None


def _signature(texts: list[str]) -> FoundDate | None:
    for text in reversed(texts[-_SIGNATURE_ZONE_LINES:]):
        value = parse_date(text)
        if value is None:
            match = _BODY_AND_DATE.fullmatch(text)
            value = _date_of(match) if match else None
        if value:
            return FoundDate(value, "signature")
    return None


def _issued(texts: list[str]) -> FoundDate | None:
    for text in texts[:_ISSUED_ZONE_LINES]:
        if not text.startswith("("):
            continue
        match = _ISSUED.search(text)
        value = _date_of(match) if match else None
        if value:
            return FoundDate(value, "issued")
    return None


def _iter_dates(text: str) -> Iterator[date]:
    for match in _FULL_DATE_RE.finditer(text):
        start = _date_of(match)
        if start is None:
            continue
        yield start
        if match.group("cy") is None:
            continue
        end = _RANGE_END.match(text, match.end())
        if end:
            month = _numeral(end.group("m")) if end.group("m") else start.month
            value = _checked_date(start.year, month, _numeral(end.group("d")))
            if value:
                yield value


def _date_of(match: re.Match[str]) -> date | None:
    if match.group("cy") is not None:
        year, month, day = match.group("cy"), match.group("cm"), match.group("cd")
    else:
        year, month, day = match.group("ny"), match.group("nm"), match.group("nd")
    return _checked_date(_numeral(year), _numeral(month), _numeral(day))


def _checked_date(year: int | None, month: int | None, day: int | None) -> date | None:
    if year is None or month is None or day is None:
        return None
    if not _FIRST_PLAUSIBLE_YEAR <= year <= _LAST_PLAUSIBLE_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeral(text: str) -> int | None:
    """'2026' → 2026, '二〇二六' → 2026, '十一' → 11, '三十一' → 31; None if malformed."""
    if text.isascii():
        return int(text)
    if "十" not in text:
        return _digits(text)
    tens, _, units = text.partition("十")
    tens_value = _digits(tens) if tens else 1
    units_value = _digits(units) if units else 0
    if tens_value is None or units_value is None or units_value > 9:
        return None
    return tens_value * 10 + units_value


def _digits(text: str) -> int | None:
    value = 0
    for character in text:
        if character.isascii() and character.isdigit():
            digit = int(character)
        elif character in _CHINESE_DIGITS:
            digit = _CHINESE_DIGITS[character]
        else:
            return None
        value = value * 10 + digit
    return value
