"""The statistics workbook: its sheets, the summary in the page's words, 合计 rows, and records
labelled the way staff pages label them."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl

from handlers.staff.stats_export import COLUMNS, SUMMARY, statistics_workbook
from knowledge.record_export import RecordLine
from knowledge.record_stats import GroupRow, Period, Statistics, Tally, WeekRow

TOTAL = Tally(received=3, by_bot=2, waiting=1, not_found=1, sent_to_staff=1, satisfied=1)
FOUND = Statistics(
    period=Period(date(2026, 11, 16), date(2026, 11, 26)),
    today=date(2026, 11, 26),
    total=TOTAL,
    weeks=(
        WeekRow(date(2026, 11, 16), Tally(received=1, by_bot=1)),
        WeekRow(
            date(2026, 11, 23),
            Tally(received=2, by_bot=1, waiting=1, not_found=1, sent_to_staff=1, satisfied=1),
        ),
    ),
    topics=(GroupRow(4, "公租房、申请", TOTAL),),
    channels=(GroupRow("wechat", "微信公众号", TOTAL),),
)
LINE = RecordLine(
    number="HD20261124000007",
    asked_at=datetime(2026, 11, 24, 1, 30, tzinfo=UTC),
    channel="wechat",
    topic="公租房、申请",
    question="公租房怎么申请",
    answer_kind="not_found",
    status="needs_review",
    deadline=date(2026, 12, 1),
    replied_at=None,
    satisfaction="satisfied",
    counted=Tally(received=1, waiting=1, not_found=1, sent_to_staff=1, satisfied=1),
)


def workbook() -> openpyxl.Workbook:
    data = statistics_workbook(
        FOUND, [LINE], title="山阴县 咨询统计", made=datetime(2026, 11, 26, 2, tzinfo=UTC)
    )
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_summary_names_every_figure_and_formats_rates() -> None:
    sheet = workbook()["汇总"]
    assert sheet["A1"].value == "山阴县 咨询统计"
    assert sheet["B2"].value == "2026年11月16日至2026年11月26日"
    assert sheet["B3"].value == "2026-11-26 10:00"
    rows = {row[0].value: row[1] for row in sheet.iter_rows(min_row=6)}
    assert [label for _, label, _ in SUMMARY] == list(rows)
    assert rows["收到咨询"].value == 3
    assert rows["未找到答案比例"].value == 1 / 3
    assert rows["未找到答案比例"].number_format == "0.0%"
    assert rows["按时答复率"].value is None


def test_each_grouping_ends_with_the_total() -> None:
    book = workbook()
    weeks = list(book["按周"].iter_rows(values_only=True))
    assert weeks[0] == ("周（周一至周日）", *(label for label, _ in COLUMNS))
    assert weeks[1][0] == "2026年11月16日至11月22日"
    assert weeks[-1][:3] == ("合计", 3, 2)
    assert list(book["按主题"].iter_rows(values_only=True))[1][:2] == ("公租房、申请", 3)


def test_records_are_labelled_in_chinese_on_china_time() -> None:
    rows = list(workbook()["记录"].iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "提问时间", "渠道")
    number, asked, channel, topic, question, kind, status, deadline, replied, timing, rating = rows[
        1
    ]
    assert (number, channel, topic, question) == (
        "HD20261124000007",
        "微信公众号",
        "公租房、申请",
        "公租房怎么申请",
    )
    assert asked == datetime(2026, 11, 24, 9, 30)
    assert (kind, status, rating) == ("未找到答案", "待处理", "满意")
    assert deadline == datetime(2026, 12, 1) and replied is None and timing is None
