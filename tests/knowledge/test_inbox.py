"""Tests for knowledge.inbox: filtering, searching and paging item-41 records, conversations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from knowledge.database import session_scope
from knowledge.inbox import (
    ALL,
    OPEN,
    InboxFilter,
    answer_kinds,
    categories,
    conversation,
    find_records,
    last_message_at,
)
from knowledge.record_review import add_delivery, save_staff_reply
from knowledge.records import NewInteraction, record_batch

TODAY = date(2026, 11, 26)
SOON = date(2026, 11, 30)
ASKED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def _records(engine: Engine) -> dict[str, int]:
    """Six records of three residents; returns their ids by a short name."""
    rows = [
        ("overdue", "wechat", "oAlice", "摇号什么时候开始？", "not_found", date(2026, 11, 25), ""),
        ("soon", "web", "w-bob", "公租房租金多少？我电话13812345678", "not_found", SOON, "咨询"),
        ("later", "wecom", "u-carol", "经适房还有房吗", "handoff", date(2026, 12, 9), "咨询"),
        (
            "complaint",
            "wechat",
            "oAlice",
            "等了半年没消息",
            "complaint",
            date(2026, 12, 16),
            "投诉",
        ),
        ("auto", "wechat", "oAlice", "公租房申请条件", "answered", None, ""),
        ("auto2", "web", "w-bob", "申请要带什么材料", "answered", None, ""),
    ]
    batch = [
        NewInteraction(
            channel=channel,
            resident_key=resident,
            asked_at=ASKED + timedelta(hours=position),
            question=question,
            answer_kind=kind,
            needs_review=deadline is not None,
            deadline=deadline,
            category=category,
        )
        for position, (_, channel, resident, question, kind, deadline, category) in enumerate(rows)
    ]
    stored = record_batch(engine, batch)
    return {row[0]: record.id for row, record in zip(rows, stored, strict=True)}


def _ids(engine: Engine, wanted: InboxFilter, page_size: int = 30) -> list[int]:
    with Session(engine) as session:
        page = find_records(session, wanted, today=TODAY, due_soon_until=SOON, page_size=page_size)
    return [row.id for row in page.rows]


@pytest.mark.parametrize(
    "wanted, expected",
    [
        (InboxFilter(), ["overdue", "soon", "later", "complaint"]),
        (InboxFilter(status=ALL), ["overdue", "soon", "later", "complaint", "auto2", "auto"]),
        (InboxFilter(status="auto_answered"), ["auto2", "auto"]),
        (InboxFilter(overdue=True), ["overdue"]),
        (InboxFilter(due_soon=True), ["soon"]),
        (InboxFilter(channel="wechat"), ["overdue", "complaint"]),
        (InboxFilter(status=ALL, kind="answered"), ["auto2", "auto"]),
        (InboxFilter(category="咨询"), ["soon", "later"]),
        (InboxFilter(status=ALL, search="公租房"), ["soon", "auto"]),
        (InboxFilter(status=ALL, search="公租房 租金"), ["soon"]),
        (InboxFilter(status=ALL, search="13812345678"), []),
        (InboxFilter(status=ALL, search="%"), []),
    ],
    ids=[
        "open",
        "all",
        "auto",
        "overdue",
        "due-soon",
        "channel",
        "kind",
        "category",
        "search",
        "search-all-words",
        "phone-is-masked",
        "wildcard",
    ],
)
def test_filters(engine: Engine, wanted: InboxFilter, expected: list[str]) -> None:
    ids = _records(engine)
    assert _ids(engine, wanted) == [ids[name] for name in expected]


def test_counts_for_the_tabs(engine: Engine) -> None:
    _records(engine)
    with Session(engine) as session:
        page = find_records(session, InboxFilter(), today=TODAY, due_soon_until=SOON)
    counts = page.counts
    assert (counts[OPEN], counts["overdue"], counts["due_soon"], counts[ALL]) == (4, 1, 1, 6)
    assert counts["auto_answered"] == 2 and counts["closed"] == 0


def test_pages(engine: Engine) -> None:
    ids = _records(engine)
    with Session(engine) as session:
        second = find_records(
            session, InboxFilter(status=ALL, page=2), today=TODAY, due_soon_until=SOON, page_size=4
        )
        beyond = find_records(
            session, InboxFilter(status=ALL, page=9), today=TODAY, due_soon_until=SOON, page_size=4
        )
    assert (second.total, second.page, second.pages) == (6, 2, 2)
    assert [row.id for row in second.rows] == [ids["auto2"], ids["auto"]]
    assert beyond.page == 2


def test_the_questions_are_stored_masked(engine: Engine) -> None:
    ids = _records(engine)
    with Session(engine) as session:
        page = find_records(session, InboxFilter(), today=TODAY, due_soon_until=SOON)
    soon = next(row for row in page.rows if row.id == ids["soon"])
    assert soon.question == "公租房租金多少？我电话138****5678"


def test_a_failed_delivery_marks_the_row(engine: Engine) -> None:
    ids = _records(engine)
    with session_scope(engine) as session:
        save_staff_reply(session, ids["overdue"], "已转办，下周答复。", "李静")
        add_delivery(session, ids["overdue"], delivered=False, reason="超出48小时")
        save_staff_reply(session, ids["later"], "有房。", "李静")
        add_delivery(session, ids["later"], delivered=False, reason="未配置")
        add_delivery(session, ids["later"], delivered=True, reason="已送达")
    with Session(engine) as session:
        page = find_records(session, InboxFilter(status=ALL), today=TODAY, due_soon_until=SOON)
    failed = {row.id for row in page.rows if row.delivery_failed}
    assert failed == {ids["overdue"]}


def test_a_residents_conversation_in_time_order(engine: Engine) -> None:
    ids = _records(engine)
    with Session(engine) as session:
        turns = conversation(session, "wechat", "oAlice")
        last = last_message_at(session, "wechat", "oAlice")
        nobody = last_message_at(session, "wechat", "oNobody")
    assert [turn.id for turn in turns] == [ids["overdue"], ids["complaint"], ids["auto"]]
    assert last is not None and last.replace(tzinfo=UTC) == ASKED + timedelta(hours=4)
    assert nobody is None


def test_the_choices_of_the_filter(engine: Engine) -> None:
    _records(engine)
    with Session(engine) as session:
        assert categories(session) == ["咨询", "投诉"]
        assert answer_kinds(session) == ["answered", "complaint", "handoff", "not_found"]
