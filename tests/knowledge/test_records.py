"""Tests for knowledge.records: batches exactly once, numbered replies, "更多", late answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from knowledge.record_models import Delivery, Interaction
from knowledge.records import (
    MORE_KIND,
    LateAnswer,
    NewInteraction,
    RenderedReply,
    complete_delivery,
    complete_late_answer,
    finish_delivery,
    record_batch,
)

ASKED = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)


def new(key: str | None, **fields: Any) -> NewInteraction:
    values: dict[str, Any] = {
        "channel": "wechat",
        "resident_key": "o_resident",
        "asked_at": ASKED,
        "question": "公租房怎么申请",
        "dedup_key": key,
        "answer_text": "答复",
        "reply_text": "答复",
    }
    return NewInteraction(**(values | fields))


def stored(engine: Engine) -> list[Interaction]:
    with Session(engine) as session:
        return list(session.scalars(select(Interaction).order_by(Interaction.id)))  # type: ignore[arg-type]


def test_a_batch_is_stored_and_a_retry_finds_the_first_record(engine: Engine) -> None:
    first = record_batch(engine, [new("msg:1"), new("msg:2"), new(None), new(None)])
    assert [r.created for r in first] == [True] * 4
    again = record_batch(engine, [new("msg:1", reply_text="另一个答复")])
    assert (again[0].created, again[0].id, again[0].reply_text) == (False, first[0].id, "答复")
    assert len(stored(engine)) == 4


def test_questions_are_stored_masked(engine: Engine) -> None:
    record_batch(engine, [new("msg:1", question="我的电话13812345678，身份证140621198503120741")])
    [row] = stored(engine)
    assert "13812345678" not in row.question and "140621198503120741" not in row.question


def test_a_reply_can_quote_its_own_number_and_keep_a_cut_offset(engine: Engine) -> None:
    def render(number: str) -> RenderedReply:
        answer = f"已登记，编号{number}。" + "细则" * 50
        return RenderedReply(answer, answer[:30] + "（更多）", 30)

    [result] = record_batch(engine, [new("msg:1", reply_text="", render_reply=render)])
    [row] = stored(engine)
    assert result.number in row.answer_text and result.number in result.reply_text
    assert (row.reply_text, row.reply_offset) == (result.reply_text, 30)


def test_render_with_number_still_works_as_before(engine: Engine) -> None:
    [result] = record_batch(
        engine, [new("msg:1", render_with_number=lambda n: (f"答{n}", f"回复{n}"))]
    )
    [row] = stored(engine)
    assert (row.answer_text, row.reply_text) == (f"答{result.number}", f"回复{result.number}")
    assert row.reply_offset == len(row.reply_text)


def test_a_card_reply_is_given_back_to_a_retry(engine: Engine) -> None:
    card = {"title": "摇号公告", "description": "12月15日摇号", "url": "https://x/documents/27"}
    record_batch(engine, [new("evt:1", reply_card=card, reply_offset=2)])
    [again] = record_batch(engine, [new("evt:1")])
    assert again.reply_card == card


def split_in_tens(remaining: str, sources: Sequence[dict[str, Any]]) -> RenderedReply:
    if not remaining:
        return RenderedReply("没有了", "没有了", 0)
    part = remaining[:10]
    return RenderedReply(part, part + f"[{sources[0]['url']}]", len(part))


def test_more_serves_the_next_part_of_the_residents_last_answer(engine: Engine) -> None:
    answer = "".join(str(n % 10) for n in range(25))
    record_batch(
        engine,
        [new("msg:1", answer_text=answer, reply_offset=10, sources=[{"url": "/documents/2"}])],
    )
    more = [
        record_batch(
            engine,
            [new(f"msg:{n}", answer_kind=MORE_KIND, continue_previous=split_in_tens)],
        )[0].reply_text
        for n in range(2, 5)
    ]
    assert more == ["0123456789[/documents/2]", "01234[/documents/2]", "没有了"]
    # A retry of a "更多" gets the same part and moves nothing on.
    [retry] = record_batch(engine, [new("msg:2", answer_kind=MORE_KIND)])
    assert retry.reply_text == more[0]
    assert stored(engine)[0].reply_offset == 25


def test_more_only_continues_the_same_residents_answer_on_the_same_channel(
    engine: Engine,
) -> None:
    record_batch(engine, [new("msg:1", answer_text="x" * 30, reply_offset=10)])
    [other] = record_batch(
        engine,
        [
            new(
                "msg:2",
                resident_key="o_other",
                answer_kind=MORE_KIND,
                continue_previous=split_in_tens,
            )
        ],
    )
    assert other.reply_text == "没有了"


def test_a_late_answer_is_stored_and_its_delivery_recorded(engine: Engine) -> None:
    [pending] = record_batch(engine, [new("msg:1", reply_text="", pending_delivery=True)])
    late = LateAnswer(
        answer_text="迟到的答复",
        answer_kind="not_found",
        needs_review=True,
        deadline=date(2026, 12, 3),
        deadline_days=5,
        calendar_source="package",
    )
    delivery_id = complete_late_answer(engine, pending.id, late, ASKED)
    finish_delivery(
        engine, delivery_id, delivered=False, attempts=1, errcode=45015, reason="超时", at=ASKED
    )
    [row] = stored(engine)
    assert (row.answer_text, row.reply_text, row.status) == ("迟到的答复", "", "needs_review")
    assert (row.pending_delivery, row.reply_offset, row.deadline) == (False, 5, date(2026, 12, 3))
    with Session(engine) as session:
        [delivery] = session.scalars(select(Delivery))
    assert (delivery.interaction_id, delivery.purpose, delivery.errcode) == (
        pending.id,
        "late_answer",
        45015,
    )
    assert delivery.finished_at is not None and not delivery.delivered
    # A retry after the late answer still gets "success" (no reply text).
    [retry] = record_batch(engine, [new("msg:1")])
    assert retry.reply_text == ""


@pytest.mark.parametrize("reply_text", ["短答复", ""])
def test_complete_delivery_keeps_its_behaviour(engine: Engine, reply_text: str) -> None:
    [pending] = record_batch(engine, [new("msg:1", reply_text="", pending_delivery=True)])
    complete_delivery(engine, pending.id, "完整答复", reply_text)
    [row] = stored(engine)
    assert (row.reply_text, row.reply_offset, row.pending_delivery) == (
        reply_text,
        len(reply_text),
        False,
    )
