"""GET /metrics in Prometheus' format: this process's requests, and the database's figures.

Requests and their latency are counted per process by a middleware (labelled by route
template, never by the path a client sent). Answers by kind, open and overdue records and
deliveries are read from the database when scraped, at most every CACHE_SECONDS, so every
worker reports the same figures. ANJU_METRICS_TOKEN, when set, is required as a Bearer token.
Metric names are listed in the README.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from handlers import keys
from handlers.prometheus import (
    CONTENT_TYPE,
    CONTENT_VERSION,
    Counter,
    Family,
    Histogram,
    Labels,
    counter,
    gauge,
    render,
)
from knowledge.operational_counts import OperationalCounts, read_counts

log = logging.getLogger(__name__)

CACHE_SECONDS = 10.0
UNMATCHED_ROUTE = "unmatched"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A client that hung up before the reply: nginx's name for it.
CLIENT_CLOSED = 499

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class CachedCounts:
    """The database's figures, read at most once per CACHE_SECONDS by one scrape at a time."""

    engine: Engine
    seconds: float = CACHE_SECONDS
    clock: Callable[[], float] = time.monotonic
    _value: OperationalCounts | None = field(default=None, init=False)
    _read_at: float = field(default=float("-inf"), init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    async def get(self) -> OperationalCounts | None:
        """The figures (None when the database could not be read)."""
        async with self._lock:
            if self.clock() - self._read_at >= self.seconds:
                try:
                    self._value = await asyncio.to_thread(
                        read_counts, self.engine, datetime.now(UTC)
                    )
                except SQLAlchemyError as error:
                    log.warning("metrics could not read the database: %s", type(error).__name__)
                    self._value = None
                self._read_at = self.clock()
            return self._value


@dataclass
class ProcessMetrics:
    """What this process counts itself, and the cache of the database's figures."""

    started_at: float = field(default_factory=time.time)
    requests: Counter = field(
        default_factory=lambda: Counter(
            "anju_http_requests_total",
            "HTTP requests this process answered, by route template and status code",
            ("route", "status"),
        )
    )
    latency: Histogram = field(
        default_factory=lambda: Histogram(
            "anju_http_request_duration_seconds",
            "time from a request's arrival to its reply, by route template",
            ("route",),
            LATENCY_BUCKETS,
        )
    )
    counts: CachedCounts | None = None

    def observe(self, route: str, status: int, seconds: float) -> None:
        """Count one finished request."""
        self.requests.inc((route, str(status)))
        self.latency.observe((route,), seconds)


metrics_key = web.AppKey("metrics", ProcessMetrics)


def route_of(request: web.Request) -> str:
    """The template of the route that matched ("/documents/{id}"), or "unmatched"."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED_ROUTE


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count every request and time it, whatever the handler returns or raises."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    except asyncio.CancelledError:
        status = CLIENT_CLOSED
        raise
    finally:
        request.app[metrics_key].observe(route_of(request), status, time.perf_counter() - started)


def _authorized(request: web.Request, token: str) -> bool:
    if not token:
        return True
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        value.strip().encode("utf-8"), token.encode("utf-8")
    )


def database_families(counts: OperationalCounts | None) -> list[Family]:
    """The families read from the database (only anju_database_up when it could not be)."""
    up_help = "1 when the last read of the database's figures succeeded, else 0"
    if counts is None:
        return [gauge("anju_database_up", up_help, {(): 0.0})]
    answers: dict[Labels, float] = {
        (("channel", channel), ("kind", kind or "none")): count
        for (channel, kind), count in counts.recent_answers.items()
    }
    deliveries: dict[Labels, float] = {
        (("purpose", purpose), ("outcome", outcome)): count
        for (purpose, outcome), count in counts.deliveries.items()
    }
    ratio = counts.not_found_ratio
    return [
        gauge("anju_database_up", up_help, {(): 1.0}),
        gauge(
            "anju_answers_24h", "records of the last 24 hours, by channel and answer kind", answers
        ),
        gauge(
            "anju_questions_24h",
            "residents' questions of the last 24 hours (as the statistics count them)",
            {(): counts.recent_questions},
        ),
        gauge(
            "anju_not_found_ratio_24h",
            "share of the last 24 hours' questions the bot found no answer for",
            {(): ratio} if ratio is not None else {},
        ),
        gauge("anju_records_open", "records waiting for staff", {(): counts.open_records}),
        gauge(
            "anju_records_overdue",
            "records waiting for staff past their reply deadline",
            {(): counts.overdue_records},
        ),
        counter(
            "anju_deliveries_total",
            "late answers and staff replies sent to residents, by purpose and outcome "
            "(delivered, failed, unfinished)",
            deliveries,
        ),
    ]


async def metrics_view(request: web.Request) -> web.Response:
    """The exposition text (401 without the configured token)."""
    settings = request.app[keys.settings_key]
    if not _authorized(request, str(settings.metrics_token)):
        raise web.HTTPUnauthorized(
            text="metrics need a token", headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
        )
    metrics = request.app[metrics_key]
    if metrics.counts is None:
        metrics.counts = CachedCounts(request.app[keys.engine_key])
    counts = await metrics.counts.get()
    families = [
        gauge(
            "anju_process_start_time_seconds",
            "when this process started (Unix time)",
            {(): metrics.started_at},
        ),
        metrics.requests.family(),
        metrics.latency.family(),
        *database_families(counts),
    ]
    return web.Response(
        body=render(families).encode("utf-8"),
        headers={"Content-Type": f"{CONTENT_TYPE}; version={CONTENT_VERSION}; charset=utf-8"},
    )


def add_metrics(app: web.Application) -> None:
    """Register /metrics and the request-counting middleware (outermost, so it times all)."""
    app[metrics_key] = ProcessMetrics()
    app.middlewares.insert(0, count_requests)
    app.router.add_get("/metrics", metrics_view)
