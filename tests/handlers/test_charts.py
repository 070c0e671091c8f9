"""Bar chart geometry: stacked segments, a round axis, labels that fit, and a summary."""

from __future__ import annotations

import pytest

from handlers.charts import bar_chart, bar_charts, nice_ceiling


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(0, 4), (3, 4), (5, 8), (9, 20), (37, 40), (41, 80), (130, 200), (999, 2000)],
)
def test_nice_ceiling(value: int, ceiling: int) -> None:
    assert nice_ceiling(value) == ceiling


def test_segments_stack_from_the_axis_up() -> None:
    chart = bar_chart(
        ["第1周", "第2周"],
        [("机器人答复", [3, 0]), ("工作人员答复", [1, 2])],
        title="每周",
        width=200,
        height=120,
        unit="件",
    )
    first, second, third = chart.bars
    assert (first.series, second.series, third.series) == (0, 1, 1)
    # Each bar's top is where the next one starts; heights are proportional to the values.
    assert first.y + first.height == pytest.approx(chart.plot_bottom)
    assert second.y + second.height == pytest.approx(first.y, abs=0.11)
    assert first.height == pytest.approx(3 * second.height, abs=0.2)
    assert third.title == "第2周 工作人员答复：2件"
    assert [tick.label for tick in chart.ticks] == ["0", "1", "2", "3", "4"]
    assert chart.summary == "每周：共6件，最多为第1周（4件）"
    assert chart.legend == (("机器人答复", 0), ("工作人员答复", 1))


def test_colours_can_be_chosen_per_series() -> None:
    chart = bar_chart(["一"], [("满意", [1]), ("不满意", [1])], title="评价", colours=(1, 4))
    assert [bar.series for bar in chart.bars] == [1, 4]
    assert chart.legend == (("满意", 1), ("不满意", 4))


def test_series_must_fit_the_categories() -> None:
    with pytest.raises(ValueError):
        bar_chart(["一", "二"], [("提问", [1])], title="提问")
    with pytest.raises(ValueError):
        bar_chart(["一"], [("提问", [1])], title="提问", colours=(1, 2))


def test_the_narrow_chart_labels_fewer_categories() -> None:
    days = [f"11/{day}" for day in range(1, 29)]
    charts = bar_charts(days, [("提问", [1] * 28)], title="每天")
    assert len(charts.wide.labels) == 14
    assert len(charts.narrow.labels) == 6
    assert charts.narrow.width < charts.wide.width


def test_an_empty_chart_draws_no_bars() -> None:
    chart = bar_chart(["一", "二"], [("提问", [0, 0])], title="提问")
    assert chart.bars == ()
    assert chart.summary == "提问：共0"
