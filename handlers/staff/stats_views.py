"""/staff/stats: item-41 statistics for a period, by week, topic and channel, with charts, and
the same statistics (plus every record counted) as an Excel workbook.

Any signed-in clerk may read and export them; each export is written to the audit log.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from aiohttp import web
from sqlalchemy import Engine

from handlers import keys
from handlers.charts import Charts, bar_charts
from handlers.staff.audit import log_action
from handlers.staff.auth import current_account
from handlers.staff.rendering import CHANNEL_LABELS, render
from handlers.staff.stats_export import COLUMNS, RATES, SUMMARY, statistics_workbook
from knowledge.record_dates import china_today
from knowledge.record_export import record_lines
from knowledge.record_stats import Period, Statistics, recent_weeks, statistics

routes = web.RouteTableDef()

DEFAULT_WEEKS = 12
#: A longer period is refused: a year of weeks already makes a chart of 53 bars.
MAX_DAYS = 800
TOP_TOPICS = 30
# charts.css palette: green for satisfied, red for dissatisfied.
SATISFIED_COLOUR = 1
DISSATISFIED_COLOUR = 4
EXPORT_ACTION = "export_stats"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Wanted:
    """The period and channel asked for, and what was wrong with the request ('' if nothing)."""

    period: Period
    channel: str
    problem: str = ""

    def query(self) -> dict[str, str]:
        """As query parameters (for the export link)."""
        found = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        if self.channel:
            found["channel"] = self.channel
        return found


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def parse_wanted(request: web.Request, today: date) -> Wanted:
    """?from=YYYY-MM-DD&to=YYYY-MM-DD&channel=…; the last DEFAULT_WEEKS weeks by default."""
    default = recent_weeks(today, DEFAULT_WEEKS)
    channel = request.query.get("channel", "")
    channel = channel if channel in CHANNEL_LABELS else ""
    start, end = _date(request.query.get("from", "")), _date(request.query.get("to", ""))
    problem = ""
    if ("from" in request.query and start is None) or ("to" in request.query and end is None):
        problem = "日期格式应为 年-月-日，如 2026-11-02；已显示最近12周。"
        start = end = None
    start, end = start or default.start, end or default.end
    if end < start:
        problem = "结束日期早于开始日期，已对调。"
        start, end = end, start
    if (end - start).days > MAX_DAYS:
        problem = f"统计期间最长{MAX_DAYS}天，已从结束日期往前截取。"
        start = end - timedelta(days=MAX_DAYS)
    return Wanted(Period(start, end), channel, problem)


def _count(engine: Engine, wanted: Wanted, today: date) -> Statistics:
    with engine.connect() as connection:
        return statistics(
            connection,
            wanted.period,
            today,
            channel=wanted.channel,
            channel_labels=dict(CHANNEL_LABELS),
        )


def charts(found: Statistics) -> tuple[Charts, Charts]:
    """Questions per week by what became of them, and ratings per week."""
    weeks = found.weeks
    names = [f"{w.start.month}/{w.start.day}" for w in weeks]
    answered = bar_charts(
        names,
        [
            ("机器人答复", [w.tally.by_bot for w in weeks]),
            ("工作人员答复", [w.tally.by_staff for w in weeks]),
            ("待处理", [w.tally.waiting for w in weeks]),
            ("未答复", [w.tally.unanswered for w in weeks]),
        ],
        title="每周收到的咨询",
        unit="件",
    )
    rated = bar_charts(
        names,
        [
            ("满意", [w.tally.satisfied for w in weeks]),
            ("不满意", [w.tally.dissatisfied for w in weeks]),
        ],
        title="每周的满意度评价",
        unit="人",
        colours=(SATISFIED_COLOUR, DISSATISFIED_COLOUR),
    )
    return answered, rated


@routes.get("/stats", name="stats")
async def stats_page(request: web.Request) -> web.Response:
    """The statistics page."""
    today = china_today()
    wanted = parse_wanted(request, today)
    engine = request.config_dict[keys.engine_key]
    found = await asyncio.to_thread(_count, engine, wanted, today)
    answered_chart, rated_chart = charts(found)
    return render(
        request,
        "staff/stats.html",
        {
            "wanted": wanted,
            "found": found,
            "answered_chart": answered_chart,
            "rated_chart": rated_chart,
            "summary": SUMMARY,
            "columns": COLUMNS,
            "rates": RATES,
            "channels": CHANNEL_LABELS,
            "top_topics": found.topics[:TOP_TOPICS],
        },
    )


def _workbook(engine: Engine, wanted: Wanted, today: date, title: str) -> bytes:
    with engine.connect() as connection:
        found = statistics(
            connection,
            wanted.period,
            today,
            channel=wanted.channel,
            channel_labels=dict(CHANNEL_LABELS),
        )
        lines = record_lines(connection, wanted.period, today, channel=wanted.channel)
        return statistics_workbook(found, lines, title=title, made=datetime.now(UTC))


@routes.get("/stats/export.xlsx", name="stats_export")
async def stats_export(request: web.Request) -> web.Response:
    """The workbook of the period shown on the page."""
    today = china_today()
    wanted = parse_wanted(request, today)
    settings = request.config_dict[keys.settings_key]
    engine = request.config_dict[keys.engine_key]
    title = f"{settings.bureau_name} 互动回应咨询统计"
    data = await asyncio.to_thread(_workbook, engine, wanted, today, title)
    period = f"{wanted.period.start:%Y%m%d}-{wanted.period.end:%Y%m%d}"
    account = current_account(request)
    await asyncio.to_thread(
        log_action, engine, account.name, EXPORT_ACTION, period, wanted.channel or "全部渠道"
    )
    return web.Response(
        body=data,
        content_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="anju-stats-{period}.xlsx"',
            "Cache-Control": "no-store",
        },
    )
