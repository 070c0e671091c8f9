"""Tests for handlers/prometheus.py: the text format, counters, histograms and their bound."""

from __future__ import annotations

import math

import pytest

from handlers.prometheus import (
    MAX_SERIES,
    OTHER,
    Counter,
    Family,
    Histogram,
    Sample,
    counter,
    format_value,
    gauge,
    render,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (3.0, "3"),
        (0.25, "0.25"),
        (1e20, "1e+20"),
        (math.inf, "+Inf"),
        (-math.inf, "-Inf"),
        (math.nan, "NaN"),
    ],
)
def test_format_value(value: float, text: str) -> None:
    assert format_value(value) == text


def test_render_writes_help_type_and_escaped_labels() -> None:
    family = Family(
        "anju_answers_24h",
        "gauge",
        "records of the last 24 hours\nby kind",
        (Sample("anju_answers_24h", (("kind", 'say "hi"\\'), ("channel", "web")), 2),),
    )
    assert render([family, gauge("anju_records_open", "waiting", {(): 5})]) == (
        "# HELP anju_answers_24h records of the last 24 hours\\nby kind\n"
        "# TYPE anju_answers_24h gauge\n"
        'anju_answers_24h{kind="say \\"hi\\"\\\\",channel="web"} 2\n'
        "# HELP anju_records_open waiting\n"
        "# TYPE anju_records_open gauge\n"
        "anju_records_open 5\n"
    )


def test_a_counter_from_the_database_is_typed_counter() -> None:
    family = counter("anju_deliveries_total", "deliveries", {(("outcome", "failed"),): 3})
    assert family.kind == "counter"
    assert family.samples == (Sample("anju_deliveries_total", (("outcome", "failed"),), 3),)


def test_a_counter_adds_per_label_set() -> None:
    requests = Counter("anju_http_requests_total", "requests", ("route", "status"))
    requests.inc(("/api/ask", "200"))
    requests.inc(("/api/ask", "200"))
    requests.inc(("/wechat", "403"))
    assert requests.family().samples == (
        Sample("anju_http_requests_total", (("route", "/api/ask"), ("status", "200")), 2),
        Sample("anju_http_requests_total", (("route", "/wechat"), ("status", "403")), 1),
    )


def test_series_beyond_the_bound_are_folded_into_other() -> None:
    requests = Counter("anju_http_requests_total", "requests", ("route",))
    for n in range(MAX_SERIES + 50):
        requests.inc((f"/r{n}",))
    samples = requests.family().samples
    assert len(samples) == MAX_SERIES + 1
    assert Sample("anju_http_requests_total", (("route", OTHER),), 50) in samples


def test_a_histogram_counts_cumulatively_with_sum_and_count() -> None:
    latency = Histogram("anju_latency_seconds", "latency", ("route",), (1.0, 0.25))
    for seconds in (0.25, 0.5, 0.5, 3.0):
        latency.observe(("/api/ask",), seconds)
    route = (("route", "/api/ask"),)
    assert latency.family().samples == (
        Sample("anju_latency_seconds_bucket", (*route, ("le", "0.25")), 1),
        Sample("anju_latency_seconds_bucket", (*route, ("le", "1")), 3),
        Sample("anju_latency_seconds_bucket", (*route, ("le", "+Inf")), 4),
        Sample("anju_latency_seconds_sum", route, 4.25),
        Sample("anju_latency_seconds_count", route, 4),
    )
