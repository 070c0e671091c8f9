"""Tests for knowledge/dates.py: single values, Excel serials, all dates, publication dates."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.dates import (
    FoundDate,
    excel_serial_to_date,
    find_dates,
    find_publication_date,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("2026.3.5", date(2026, 3, 5)),
        ("2026年3月5日", date(2026, 3, 5)),
        ("2026年03月05日", date(2026, 3, 5)),
        ("二〇二六年三月五日", date(2026, 3, 5)),
        ("二〇二六年十一月二十日", date(2026, 11, 20)),
        ("二〇二六年十二月三十一日", date(2026, 12, 31)),
        ("二○二六年十月十日", date(2026, 10, 10)),
        ("2026年3月5日（星期三）", date(2026, 3, 5)),
        ("2026年7月15日(周三)", date(2026, 7, 15)),
        ("２０２６年３月５日", date(2026, 3, 5)),
        (" 2026年 3 月 5 日 ", date(2026, 3, 5)),
        ("2026-06-12 16:30", date(2026, 6, 12)),
        ("2026-06-12T16:30:00", date(2026, 6, 12)),
    ],
)
def test_parse_date_reads_one_full_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024年9月",
        "2026年6月",
        "5月9日",
        "2026",
        "2026年2月30日",
        "2026-13-01",
        "二〇二六年十十月一日",
        "0349-0000111",
        "3-2-501",
        "发布日期：2026年3月5日",
        "junk",
        "",
    ],
)
def test_parse_date_rejects_partial_dates_and_junk(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (46201, date(2026, 6, 28)),
        (46374, date(2026, 12, 18)),
        (41233.0, date(2012, 11, 20)),
        (46201.75, date(2026, 6, 28)),
    ],
)
def test_excel_serial_to_date(serial: float, expected: date) -> None:
    assert excel_serial_to_date(serial) == expected


@pytest.mark.parametrize("serial", [0, 60, 120, 480, 3093.6, 9_999_999, float("nan"), True])
def test_excel_serial_outside_the_plausible_range_is_no_date(serial: float) -> None:
    assert excel_serial_to_date(serial) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "摇号时间：2026年12月18日（星期五）上午9:00。",
            [date(2026, 12, 18)],
        ),
        (
            "受理时间：2026年9月1日至9月30日（法定工作日）",
            [date(2026, 9, 1), date(2026, 9, 30)],
        ),
        (
            "征求意见时间：2026年4月10日至2026年5月9日。",
            [date(2026, 4, 10), date(2026, 5, 9)],
        ),
        (
            "签约时间：2026年7月27日至8月7日，逾期可延至8月21日。",
            [date(2026, 7, 27), date(2026, 8, 7)],
        ),
        (
            "开工时间 2026/5/18，竣工 2026-06-28，再次提到 2026/5/18",
            [date(2026, 5, 18), date(2026, 6, 28)],
        ),
        ("落款：二〇二六年十一月二十日", [date(2026, 11, 20)]),
        ("咨询电话：0349-0000111，面积60.5㎡", []),
    ],
)
def test_find_dates_lists_every_full_date_once(text: str, expected: list[date]) -> None:
    assert find_dates(text) == expected


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                "山阴县2026年度城镇住房保障家庭租赁补贴发放计划",
                "",
                "发布日期：2026年1月16日",
                "正文",
            ],
            FoundDate(date(2026, 1, 16), "labelled"),
        ),
        (
            ["标题", "发布时间：2026年11月18日　来源：山阴县住建局", "正文"],
            FoundDate(date(2026, 11, 18), "labelled"),
        ),
        (["标题", "日期：2026-03-05", "正文"], FoundDate(date(2026, 3, 5), "labelled")),
        (
            ["标题", "正文", "发布单位：山阴县住房和城乡建设管理局　发布日期：2026年7月15日"],
            FoundDate(date(2026, 7, 15), "labelled"),
        ),
        (
            ["注：购房满5年方可上市交易。发布日期：2026年11月20日"],
            FoundDate(date(2026, 11, 20), "labelled"),
        ),
        (
            ["关于…的公告", "正文第一段。", "山阴县住房和城乡建设管理局", "二〇二六年十一月二十日"],
            FoundDate(date(2026, 11, 20), "signature"),
        ),
        (
            ["标题", "正文", "山阴县住房和城乡建设管理局　2026年11月5日"],
            FoundDate(date(2026, 11, 5), "signature"),
        ),
        (
            ["标题", "正文", "山阴县住房和城乡建设管理局　山阴县财政局", "2026年1月16日", ""],
            FoundDate(date(2026, 1, 16), "signature"),
        ),
        (
            ["山阴县保障性住房管理实施细则", "（山住建发〔2026〕3号　2026年1月8日印发）", "第一条"],
            FoundDate(date(2026, 1, 8), "issued"),
        ),
        # Labelled wins over the signature, the signature over the issued date.
        (
            ["标题", "发布日期：2026-02-05", "正文", "山阴县住房和城乡建设管理局", "2026年2月6日"],
            FoundDate(date(2026, 2, 5), "labelled"),
        ),
        (
            ["细则", "（山住建发〔2026〕3号　2026年1月8日印发）", "正文", "2026年1月9日"],
            FoundDate(date(2026, 1, 9), "signature"),
        ),
    ],
)
def test_find_publication_date(lines: list[str], expected: FoundDate) -> None:
    assert find_publication_date(lines) == expected


@pytest.mark.parametrize(
    "lines",
    [
        [],
        ["公租房申请常见问题解答", "问：可以在网上申请吗？", "咨询电话：0349-0000111"],
        # Dates inside the text, or labelled as something else, are not publication dates.
        ["标题", "受理时间：2026年9月1日至9月30日", "咨询电话：0349-0000111"],
        ["竣工项目清单", "竣工日期：2025年10月30日", "监督电话：0349-0000125"],
        ["标题", "公示期：2026年5月8日至5月14日；监督电话：0349-0000125"],
        ["征求意见", "征求意见时间：2026年4月10日至2026年5月9日", "附件：方案"],
        ["标题", "（本通知自2026年7月1日起施行）", "正文"],
    ],
)
def test_find_publication_date_none_when_undated(lines: list[str]) -> None:
    assert find_publication_date(lines) is None
