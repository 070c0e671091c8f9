"""The statistics as an Excel workbook (item 42: the reports superiors ask for).

One workbook per period: 汇总 (the same figures as the page, in the same words), 按周, 按主题,
按渠道 (each with a 合计 row equal to 汇总), and 记录 (every question counted, one per row). The
figures and their names are defined once here (SUMMARY, COLUMNS) and the page shows them too.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from handlers.staff.rendering import channel_label, kind_label, status_label
from handlers.templating import cn_date
from knowledge.record_dates import china_time
from knowledge.record_export import RecordLine
from knowledge.record_stats import GroupRow, Statistics, Tally
from knowledge.satisfaction import Rating

Figure = Callable[[Tally], int | float | None]

#: The headline figures, in the order the page and the 汇总 sheet show them.
SUMMARY: tuple[tuple[str, str, Figure], ...] = (
    ("received", "收到咨询", lambda t: t.received),
    ("by_bot", "机器人答复", lambda t: t.by_bot),
    ("by_staff", "工作人员答复", lambda t: t.by_staff),
    ("waiting", "待处理", lambda t: t.waiting),
    ("unanswered", "未答复（已关闭等）", lambda t: t.unanswered),
    ("not_found", "未找到答案", lambda t: t.not_found),
    ("not_found_rate", "未找到答案比例", lambda t: t.not_found_rate),
    ("sent_to_staff", "转工作人员", lambda t: t.sent_to_staff),
    ("on_time", "按时答复", lambda t: t.on_time),
    ("overdue", "逾期", lambda t: t.overdue),
    ("on_time_rate", "按时答复率", lambda t: t.on_time_rate),
    ("satisfied", "满意", lambda t: t.satisfied),
    ("dissatisfied", "不满意", lambda t: t.dissatisfied),
    ("satisfaction_rate", "满意率", lambda t: t.satisfaction_rate),
)
#: The columns of the tables by week, topic and channel.
COLUMNS: tuple[tuple[str, Figure], ...] = tuple(
    (label, figure)
    for key, label, figure in SUMMARY
    if key not in ("unanswered", "sent_to_staff", "on_time_rate")
)
#: The records sheet's columns and their widths.
RECORD_COLUMNS = (
    ("编号", 18),
    ("提问时间", 17),
    ("渠道", 12),
    ("主题", 18),
    ("问题", 48),
    ("类型", 14),
    ("状态", 10),
    ("答复期限", 12),
    ("答复时间", 17),
    ("期限", 8),
    ("评价", 8),
)
RATES = frozenset(key for key, _, _ in SUMMARY if key.endswith("_rate"))
_RATE_FORMAT = "0.0%"
_DATE_FORMAT = "yyyy-mm-dd"
_TIME_FORMAT = "yyyy-mm-dd hh:mm"
_RATING_LABELS = {Rating.SATISFIED.value: "满意", Rating.DISSATISFIED.value: "不满意"}
_BOLD = Font(bold=True)


def _cell(
    sheet: WriteOnlyWorksheet, value: object, *, bold: bool = False, rate: bool = False
) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = _BOLD
    if rate:
        cell.number_format = _RATE_FORMAT
    return cell


def _dated(sheet: WriteOnlyWorksheet, value: object, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _header(sheet: WriteOnlyWorksheet, names: Sequence[str]) -> None:
    sheet.append([_cell(sheet, name, bold=True) for name in names])


def _figures(sheet: WriteOnlyWorksheet, tally: Tally) -> list[WriteOnlyCell]:
    return [
        _cell(sheet, figure(tally), rate=label.endswith("率") or label.endswith("比例"))
        for label, figure in COLUMNS
    ]


def _summary(workbook: Workbook, found: Statistics, title: str, made: datetime) -> None:
    sheet = workbook.create_sheet("汇总")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 16
    sheet.append([_cell(sheet, title, bold=True)])
    period = f"{cn_date(found.period.start)}至{cn_date(found.period.end)}"
    sheet.append(["统计期间", period])
    sheet.append(["导出时间", china_time(made).strftime("%Y-%m-%d %H:%M")])
    sheet.append([])
    _header(sheet, ("指标", "数值"))
    for key, label, figure in SUMMARY:
        sheet.append([label, _cell(sheet, figure(found.total), rate=key in RATES)])


def _groups(
    workbook: Workbook, name: str, first: str, rows: Iterable[GroupRow], total: Tally
) -> None:
    sheet = workbook.create_sheet(name)
    sheet.column_dimensions["A"].width = 28
    _header(sheet, (first, *(label for label, _ in COLUMNS)))
    for row in rows:
        sheet.append([row.label, *_figures(sheet, row.tally)])
    sheet.append([_cell(sheet, "合计", bold=True), *_figures(sheet, total)])


def _records(workbook: Workbook, lines: Iterable[RecordLine]) -> None:
    sheet = workbook.create_sheet("记录")
    for column, width in zip(
        "ABCDEFGHIJK", (18, 17, 12, 18, 48, 14, 10, 12, 17, 8, 8), strict=True
    ):
        sheet.column_dimensions[column].width = width
    _header(
        sheet,
        (
            "编号",
            "提问时间",
            "渠道",
            "主题",
            "问题",
            "类型",
            "状态",
            "答复期限",
            "答复时间",
            "期限",
            "评价",
        ),
    )
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in lines:
        question = WriteOnlyCell(sheet, value=line.question)
        question.alignment = wrap
        counted = line.counted
        timing = "按时" if counted.on_time else "逾期" if counted.overdue else ""
        replied = china_time(line.replied_at).replace(tzinfo=None) if line.replied_at else None
        sheet.append(
            [
                line.number,
                _dated(sheet, china_time(line.asked_at).replace(tzinfo=None), _TIME_FORMAT),
                channel_label(line.channel),
                line.topic,
                question,
                kind_label(line.answer_kind),
                status_label(line.status),
                _dated(sheet, line.deadline, _DATE_FORMAT),
                _dated(sheet, replied, _TIME_FORMAT),
                timing,
                _RATING_LABELS.get(line.satisfaction, ""),
            ]
        )


def statistics_workbook(
    found: Statistics, lines: Iterable[RecordLine], *, title: str, made: datetime
) -> bytes:
    """The workbook's bytes (write-only: a hundred thousand records in little memory)."""
    workbook = Workbook(write_only=True)
    _summary(workbook, found, title, made)
    weeks = [
        GroupRow(
            str(week.start),
            f"{cn_date(week.start)}至{week.end.month}月{week.end.day}日",
            week.tally,
        )
        for week in found.weeks
    ]
    _groups(workbook, "按周", "周（周一至周日）", weeks, found.total)
    _groups(workbook, "按主题", "主题", found.topics, found.total)
    _groups(workbook, "按渠道", "渠道", found.channels, found.total)
    _records(workbook, lines)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
