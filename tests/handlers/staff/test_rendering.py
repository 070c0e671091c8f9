"""Tests for handlers.staff.rendering: the names staff pages give to stored codes."""

from __future__ import annotations

import pytest

from handlers.staff.rendering import (
    calendar_label,
    calendar_note,
    channel_label,
    kind_label,
    status_badge,
    status_label,
    working_days_phrase,
)


@pytest.mark.parametrize(
    "days, phrase",
    [(3, "还剩3个工作日"), (1, "还剩1个工作日"), (0, "今天到期"), (-2, "已逾期2个工作日")],
)
def test_working_days_in_words(days: int, phrase: str) -> None:
    assert working_days_phrase(days) == phrase


@pytest.mark.parametrize(
    "function, code, shown",
    [
        (status_label, "needs_review", "待处理"),
        (status_label, "archived", "archived"),
        (status_badge, "needs_review", "badge-warn"),
        (status_badge, "archived", "badge-muted"),
        (channel_label, "wecom", "企业微信"),
        (kind_label, "not_found", "未找到答案"),
        (kind_label, "", "—"),
        (calendar_label, "weekends_only", "仅按周末计算（该年节假日安排尚未录入）"),
        (calendar_label, "moon", "未知"),
        (calendar_note, "package", ""),
    ],
)
def test_codes_in_words(function: object, code: str, shown: str) -> None:
    assert callable(function)
    assert function(code) == shown


def test_a_calendar_without_the_packages_data_warns() -> None:
    assert "仅按周末计算" in calendar_note("weekends_only")
    assert "节假日文件" in calendar_note("holiday_file")
