"""Prometheus' text format (0.0.4): metric families, and the counters and histograms of a process.

A process keeps only series whose labels come from a closed set (routes of the router, HTTP
status codes); MAX_SERIES caps them anyway, folding any beyond into one "other" series, so
memory never grows with what clients send.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

CONTENT_TYPE = "text/plain"
CONTENT_VERSION = "0.0.4"
MAX_SERIES = 2000
OTHER = "other"

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Sample:
    """One line: a name (the family's, or with _bucket/_sum/_count), labels and a value."""

    name: str
    labels: Labels
    value: float


@dataclass(frozen=True)
class Family:
    """A metric: its name, type (counter, gauge or histogram), help and samples."""

    name: str
    kind: str
    help: str
    samples: tuple[Sample, ...]


def format_value(value: float) -> str:
    """A sample value as Prometheus writes it (integers without a decimal point)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def render(families: Iterable[Family]) -> str:
    """The exposition text of families, in the order given."""
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {_escape_help(family.help)}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for sample in family.samples:
            labels = ",".join(f'{key}="{_escape_label(value)}"' for key, value in sample.labels)
            shown = f"{sample.name}{{{labels}}}" if labels else sample.name
            lines.append(f"{shown} {format_value(sample.value)}")
    return "\n".join(lines) + "\n"


def gauge(name: str, help_text: str, values: Mapping[Labels, float]) -> Family:
    """A gauge family from label sets to values."""
    samples = tuple(Sample(name, labels, value) for labels, value in sorted(values.items()))
    return Family(name, "gauge", help_text, samples)


def counter(name: str, help_text: str, values: Mapping[Labels, float]) -> Family:
    """A counter family from label sets to totals counted elsewhere (in the database)."""
    return dataclasses.replace(gauge(name, help_text, values), kind="counter")


def _bounded_key(series: Mapping[tuple[str, ...], object], key: tuple[str, ...]) -> tuple[str, ...]:
    if key in series or len(series) < MAX_SERIES:
        return key
    return tuple(OTHER for _ in key)


class Counter:
    """A counter with labels, kept in this process."""

    def __init__(self, name: str, help_text: str, label_names: Sequence[str]) -> None:
        self.name = name
        self.help = help_text
        self.label_names = tuple(label_names)
        self._values: dict[tuple[str, ...], float] = {}

    def inc(self, label_values: tuple[str, ...], amount: float = 1.0) -> None:
        """Add amount to the series of label_values."""
        key = _bounded_key(self._values, label_values)
        self._values[key] = self._values.get(key, 0.0) + amount

    def family(self) -> Family:
        """The counter's samples, sorted by labels."""
        samples = tuple(
            Sample(self.name, tuple(zip(self.label_names, key, strict=True)), value)
            for key, value in sorted(self._values.items())
        )
        return Family(self.name, "counter", self.help, samples)


class Histogram:
    """A histogram with labels and fixed bucket bounds, kept in this process."""

    def __init__(
        self, name: str, help_text: str, label_names: Sequence[str], buckets: Sequence[float]
    ) -> None:
        self.name = name
        self.help = help_text
        self.label_names = tuple(label_names)
        self.bounds = tuple(sorted(buckets))
        # Per series: one count per bucket (not cumulative), then the sum.
        self._series: dict[tuple[str, ...], tuple[list[int], list[float]]] = {}

    def observe(self, label_values: tuple[str, ...], value: float) -> None:
        """Count one observation of value in the series of label_values."""
        key = _bounded_key(self._series, label_values)
        counts, total = self._series.setdefault(key, ([0] * (len(self.bounds) + 1), [0.0]))
        position = next((i for i, b in enumerate(self.bounds) if value <= b), len(self.bounds))
        counts[position] += 1
        total[0] += value

    def family(self) -> Family:
        """_bucket (cumulative, le), _sum and _count samples of every series."""
        samples: list[Sample] = []
        for key, (counts, total) in sorted(self._series.items()):
            labels = tuple(zip(self.label_names, key, strict=True))
            running = 0
            for bound, count in zip((*self.bounds, math.inf), counts, strict=True):
                running += count
                le = (("le", "+Inf" if math.isinf(bound) else format_value(bound)),)
                samples.append(Sample(f"{self.name}_bucket", labels + le, running))
            samples.append(Sample(f"{self.name}_sum", labels, total[0]))
            samples.append(Sample(f"{self.name}_count", labels, running))
        return Family(self.name, "histogram", self.help, tuple(samples))
