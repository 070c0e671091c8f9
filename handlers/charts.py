"""Bar charts as server-rendered SVG: the geometry here, the markup in templates/charts.html.

No chart library and no script: the page's CSP allows neither inline scripts nor styles, and
SVG presentation needs neither (colours come from the site's stylesheet by series class). Each
bar carries a <title> with its exact figure, and every chart sits beside a table of the same
numbers for screen readers and for copying.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Room for the axis labels around the plot.
_LEFT = 44
_RIGHT = 12
_TOP = 14
_BOTTOM = 34
_TICKS = 4
_BAR_SHARE = 0.68
_NARROW_WIDTH = 360
# How many category labels fit under the axis.
_WIDE_LABELS = 14
_NARROW_LABELS = 6


@dataclass(frozen=True)
class Bar:
    """One rectangle: a series' value in one category (stacked on the series below it)."""

    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass(frozen=True)
class Tick:
    """A horizontal grid line and its value."""

    y: float
    label: str


@dataclass(frozen=True)
class Label:
    """A category's name under the axis."""

    x: float
    text: str


@dataclass(frozen=True)
class Chart:
    """Everything the SVG template draws."""

    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[Label, ...]
    legend: tuple[tuple[str, int], ...]
    title: str
    summary: str


@dataclass(frozen=True)
class Charts:
    """One chart drawn twice: wide for screens, narrow for phones (and for narrow columns).

    An SVG scales as a whole, text included: a wide chart on a phone has unreadable labels.
    """

    wide: Chart
    narrow: Chart


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10^n that holds value and divides into _TICKS steps."""
    if value <= _TICKS:
        return _TICKS
    step = value / _TICKS
    magnitude = 10 ** math.floor(math.log10(step))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= step:
            return int(factor * magnitude * _TICKS)
    return int(10 * magnitude * _TICKS)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    width: int = 720,
    height: int = 240,
    label_every: int = 1,
    unit: str = "",
    colours: Sequence[int] = (),
) -> Chart:
    """Stacked bars: one bar per category, one segment per series (in the order given).

    colours: the palette entry (charts.css series-N) of each series; by default 0, 1, 2...
    """
    palette = tuple(colours) or tuple(range(len(series)))
    if len(palette) != len(series):
        raise ValueError(f"{len(palette)} colours for {len(series)} series")
    for name, values in series:
        if len(values) != len(categories):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(categories)}")
    totals = [sum(values[i] for _, values in series) for i in range(len(categories))]
    top = nice_ceiling(max(totals, default=0))
    plot_width = width - _LEFT - _RIGHT
    plot_height = height - _TOP - _BOTTOM
    bottom = _TOP + plot_height
    slot = plot_width / max(len(categories), 1)
    bar_width = slot * _BAR_SHARE
    bars = []
    labels = []
    for i, category in enumerate(categories):
        x = _LEFT + slot * i + (slot - bar_width) / 2
        base = float(bottom)
        for number, (name, values) in enumerate(series):
            value = values[i]
            if value <= 0:
                continue
            size = plot_height * value / top
            base -= size
            bars.append(
                Bar(
                    round(x, 1),
                    round(base, 1),
                    round(bar_width, 1),
                    round(size, 1),
                    palette[number],
                    f"{category} {name}：{value}{unit}",
                )
            )
        if i % max(label_every, 1) == 0:
            labels.append(Label(round(x + bar_width / 2, 1), category))
    ticks = tuple(
        Tick(round(bottom - plot_height * step / _TICKS, 1), str(top * step // _TICKS))
        for step in range(_TICKS + 1)
    )
    busiest = max(range(len(totals)), key=lambda i: totals[i]) if totals else None
    summary = f"{title}：共{sum(totals)}{unit}"
    if busiest is not None and totals[busiest]:
        summary += f"，最多为{categories[busiest]}（{totals[busiest]}{unit}）"
    return Chart(
        width=width,
        height=height,
        plot_left=_LEFT,
        plot_right=width - _RIGHT,
        plot_bottom=bottom,
        bars=tuple(bars),
        ticks=ticks,
        labels=tuple(labels),
        legend=tuple((name, colour) for (name, _), colour in zip(series, palette, strict=True)),
        title=title,
        summary=summary,
    )


def bar_charts(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    title: str,
    unit: str = "",
    height: int = 240,
    colours: Sequence[int] = (),
) -> Charts:
    """bar_chart() at two widths, each with as many category labels as fit."""
    wide = bar_chart(
        categories,
        series,
        title=title,
        unit=unit,
        height=height,
        colours=colours,
        label_every=_label_step(len(categories), _WIDE_LABELS),
    )
    narrow = bar_chart(
        categories,
        series,
        title=title,
        unit=unit,
        width=_NARROW_WIDTH,
        height=height,
        colours=colours,
        label_every=_label_step(len(categories), _NARROW_LABELS),
    )
    return Charts(wide, narrow)


def _label_step(count: int, room: int) -> int:
    return max(1, -(-count // room))
