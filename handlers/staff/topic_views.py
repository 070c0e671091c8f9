"""/staff/topics: hot topics (rising first) and each topic's page: its questions, counts per day
and week, ratings, and the published Q&A that covers each question (or that none does yet).
"""

from __future__ import annotations

import asyncio
from datetime import date

from aiohttp import web
from sqlalchemy import Engine

from handlers import keys
from handlers.charts import Charts, bar_charts
from handlers.staff.rendering import render, render_error
from knowledge.record_dates import china_today
from knowledge.topic_report import (
    ALIKE,
    ANSWERED_WITH,
    PUBLISHED_FROM_RECORD,
    TREND_DAYS,
    TopicDetail,
    TopicTrend,
    hot_topics,
    topic_detail,
)
from knowledge.topics import TopicAssigner

routes = web.RouteTableDef()

#: How the page says which Q&A covers a question.
COVERAGE_LABELS = {
    PUBLISHED_FROM_RECORD: "由此记录公开",
    ANSWERED_WITH: "已用问答答复",
    ALIKE: "相近问答",
}


def _hot(engine: Engine, assigner: TopicAssigner, today: date) -> list[TopicTrend]:
    with engine.connect() as connection:
        return hot_topics(connection, assigner, today)


def _detail(
    engine: Engine, assigner: TopicAssigner, topic_id: int, today: date, page: int
) -> TopicDetail | None:
    with engine.connect() as connection:
        return topic_detail(connection, assigner, topic_id, today, page=page)


def _page_number(request: web.Request) -> int:
    raw = request.query.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


@routes.get("/topics", name="topics")
async def topics_page(request: web.Request) -> web.Response:
    """Topics of the last two weeks, rising ones first."""
    today = china_today()
    engine = request.config_dict[keys.engine_key]
    assigner = request.config_dict[keys.topic_assigner_key]
    trends = await asyncio.to_thread(_hot, engine, assigner, today)
    return render(
        request,
        "staff/topics.html",
        {"trends": trends, "today": today, "trend_days": TREND_DAYS},
    )


def detail_charts(detail: TopicDetail) -> tuple[Charts, Charts]:
    """Questions per day and per week."""
    days = bar_charts(
        [f"{day.month}/{day.day}" for day, _ in detail.days],
        [("提问", [count for _, count in detail.days])],
        title="近四周每天的提问",
        unit="件",
        height=200,
    )
    weeks = bar_charts(
        [f"{start.month}/{start.day}" for start, _ in detail.weeks],
        [("提问", [count for _, count in detail.weeks])],
        title="近八周每周的提问",
        unit="件",
        height=200,
    )
    return days, weeks


@routes.get(r"/topics/{topic_id:\d{1,9}}", name="topic")
async def topic_page(request: web.Request) -> web.Response:
    """One topic: its counts and questions, each with the Q&A covering it."""
    topic_id = int(request.match_info["topic_id"])
    engine = request.config_dict[keys.engine_key]
    assigner = request.config_dict[keys.topic_assigner_key]
    detail = await asyncio.to_thread(
        _detail, engine, assigner, topic_id, china_today(), _page_number(request)
    )
    if detail is None:
        return await render_error(request, f"主题 {topic_id} 不存在。", status=404)
    daily, weekly = detail_charts(detail)
    covered = sum(1 for q in detail.questions if q.covered_by is not None)
    return render(
        request,
        "staff/topic.html",
        {
            "detail": detail,
            "daily_chart": daily,
            "weekly_chart": weekly,
            "coverage_labels": COVERAGE_LABELS,
            "covered": covered,
        },
    )
