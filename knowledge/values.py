"""Numbers in published material: with units, separators and 万/亿 (60.5㎡, 1,200元, 约104.14万元).

Spec (published-material.md): numbers arrive as 60.5, 60.5㎡, 60.5平方米, 1,200.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Full-width digits and separators from Chinese input methods.
_WIDE_TO_NARROW = str.maketrans(
    {0xFF10 + digit: str(digit) for digit in range(10)}
    | {0xFF0C: ",", 0xFF0E: ".", 0xFF0D: "-", 0xFF0B: "+", 0xFF05: "%"}
)

_NUMBER = re.compile(
    r"(?P<approx>约|大约|共|计)?\s*"
    r"(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*"
    r"(?P<scale>万|亿)?\s*"
    r"(?P<unit>.*)"
)
# A unit is a short run of letters, CJK characters and unit marks (㎡, m², %, /, ·); a digit is
# only allowed in m2 / m³ style exponents. "2024年9月" is a partial date, not 2024 with a unit.
_UNIT = re.compile(r"(?:[^\W\d_]|[%‰㎡㎥°℃/·・()（）]|(?<=m)[²³23])*")
_MAX_UNIT_LENGTH = 10
_SCALES = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}

# format_number: enough decimals for money and areas, none of float's representation noise.
_DECIMALS = 10


def parse_number(text: str | float | int) -> float | None:
    """A number with an optional unit, else None.

    >>> parse_number("1，200元"), parse_number("约104.14万元"), parse_number("98.6%")
    (1200.0, 1041400.0, 98.6)
    >>> parse_number("3-2-501") is None
    True
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text)
    match = _NUMBER.fullmatch(text.translate(_WIDE_TO_NARROW).strip())
    if match is None:
        return None
    unit = match.group("unit").strip()
    if len(unit) > _MAX_UNIT_LENGTH or not _UNIT.fullmatch(unit):
        return None
    try:
        value = Decimal(match.group("number").replace(",", ""))
    except InvalidOperation:
        return None
    scale = match.group("scale")
    if scale:
        value *= _SCALES[scale]
    return float(value)


def format_number(value: float) -> str:
    """42.6 → '42.6', 240.0 → '240', 3093.6000000000004 → '3093.6'."""
    if isinstance(value, int):
        # An int may be longer than a float can hold exactly (an 18-digit identity number).
        return str(value)
    if value.is_integer():
        return str(int(value))
    text = f"{value:.{_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
