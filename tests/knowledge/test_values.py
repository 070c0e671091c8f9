"""Tests for knowledge/values.py: numbers with units and separators, and their display."""

from __future__ import annotations

import pytest

from knowledge.values import format_number, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60.5", 60.5),
        ("60.5㎡", 60.5),
        ("60.5平方米", 60.5),
        ("60.5 m2", 60.5),
        ("60.5m²", 60.5),
        ("1,200", 1200.0),
        ("1，200元", 1200.0),
        ("4.5元/㎡·月", 4.5),
        ("12套", 12.0),
        ("12 套", 12.0),
        ("98.6%", 98.6),
        ("98.6％", 98.6),
        ("约104.14万元", 1041400.0),
        ("3亿元", 300000000.0),
        ("１２０", 120.0),  # noqa: RUF001 (full-width input is the case under test)
        ("－3", -3.0),
        (240, 240.0),
        (42.6, 42.6),
    ],
)
def test_parse_number(text: str | float, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "两室一厅",
        "3-2-501",
        "2024年9月",
        "1,2",
        "1.2.3",
        "60.5㎡ / 两室一厅",
        "第二十条",
        "0349-0000111",
        "约",
        True,
    ],
)
def test_parse_number_rejects_what_is_not_a_number_with_a_unit(text: str | bool) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (42.6, "42.6"),
        (240.0, "240"),
        (240, "240"),
        (190.26, "190.26"),
        (3093.6000000000004, "3093.6"),
        (0.1 + 0.2, "0.3"),
        (-0.0, "0"),
        (1041400.0, "1041400"),
        (140621199003070012, "140621199003070012"),
    ],
)
def test_format_number(value: float, expected: str) -> None:
    assert format_number(value) == expected
