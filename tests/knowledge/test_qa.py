"""Tests for knowledge.qa: publishing, editing and withdrawing Q&A with history and revisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from knowledge import qa
from knowledge.database import read_revision, session_scope
from knowledge.record_models import Interaction
from knowledge.records import NewInteraction, record_batch

BUREAU_LINE = frozenset({"03491234567"})
QUESTION = "外地户籍可以申请公租房吗？"
ANSWER = "持本县居住证、连续缴纳社会保险满1年的外来务工人员可以申请。"
NOW = datetime(2026, 11, 26, 16, 30, tzinfo=UTC)


def _publish(engine: Engine, question: str = QUESTION, answer: str = ANSWER) -> qa.QAEntry:
    with session_scope(engine) as session:
        return qa.publish(session, question, answer, "王芳", keep=BUREAU_LINE, now=NOW)


def test_publishing_stores_version_one_and_moves_the_revision(engine: Engine) -> None:
    before = read_revision(engine)
    entry = _publish(engine)
    assert read_revision(engine) == before + 1
    with Session(engine) as session:
        detail = qa.get(session, entry.id)
        answers = qa.published_answers(session)
    assert detail is not None
    assert (detail.entry.question, detail.entry.version, detail.entry.withdrawn) == (
        QUESTION,
        1,
        False,
    )
    assert [(v.version, v.change, v.changed_by) for v in detail.versions] == [
        (1, "published", "王芳")
    ]
    assert [(a.qa_id, a.question, a.answer) for a in answers] == [(entry.id, QUESTION, ANSWER)]
    # 16:30 UTC is already the next day in China.
    assert answers[0].published_on == NOW.date() + timedelta(days=1)


def test_editing_keeps_the_earlier_wording_in_the_history(engine: Engine) -> None:
    entry = _publish(engine)
    revision = read_revision(engine)
    with session_scope(engine) as session:
        edited = qa.edit(session, entry.id, QUESTION, ANSWER + "详见申请须知。", "李静")
    assert edited.version == 2
    assert read_revision(engine) == revision + 1
    with Session(engine) as session:
        detail = qa.get(session, entry.id)
    assert detail is not None
    assert [(v.version, v.change, v.answer) for v in detail.versions] == [
        (1, "published", ANSWER),
        (2, "edited", ANSWER + "详见申请须知。"),
    ]


def test_an_edit_that_changes_nothing_writes_no_version(engine: Engine) -> None:
    entry = _publish(engine)
    revision = read_revision(engine)
    with pytest.raises(qa.QAUnchanged), session_scope(engine) as session:
        qa.edit(session, entry.id, f" {QUESTION} ", ANSWER, "李静")
    assert read_revision(engine) == revision


def test_withdrawing_removes_it_from_the_bot_and_the_list(engine: Engine) -> None:
    entry = _publish(engine)
    kept = _publish(engine, "公租房租金多少？", "每月每平方米4.5元。")
    with session_scope(engine) as session:
        qa.withdraw(session, entry.id, "王芳")
    with Session(engine) as session:
        assert [a.qa_id for a in qa.published_answers(session)] == [kept.id]
        listed = qa.list_published(session)
        everything = qa.list_published(session, include_withdrawn=True)
        detail = qa.get(session, entry.id)
    assert [e.id for e in listed.entries] == [kept.id] and listed.total == 1
    assert everything.total == 2
    assert detail is not None and detail.entry.withdrawn
    assert detail.versions[-1].change == "withdrawn"
    with pytest.raises(qa.QAError, match="已撤回"), session_scope(engine) as session:
        qa.edit(session, entry.id, QUESTION, "新的答复", "王芳")


def test_publishing_from_a_record_marks_it_published(engine: Engine) -> None:
    stored = record_batch(
        engine,
        [
            NewInteraction(
                channel="web",
                resident_key="web-user-1",
                asked_at=NOW,
                question=QUESTION,
                needs_review=True,
            )
        ],
    )
    with session_scope(engine) as session:
        qa.publish(session, QUESTION, ANSWER, "王芳", interaction_id=stored[0].id)
    with Session(engine) as session:
        record = session.get(Interaction, stored[0].id)
    assert record is not None and record.status == "published"


@pytest.mark.parametrize(
    "question, answer, reason",
    [
        ("我身份证140624199003070012能申请吗", ANSWER, "140624********0012"),
        ("我身份证140624********0012能申请吗", ANSWER, "140624********0012"),
        (QUESTION, "请拨打13812345678联系", "138****5678"),
        (QUESTION, "请联系138****5678", "138****5678"),
        (QUESTION, "请拨打0349-7654321", "034****4321"),
        ("", ANSWER, "问题不能为空"),
        (QUESTION, "   ", "答复不能为空"),
        ("问" * 501, ANSWER, "500字以内"),
    ],
)
def test_text_that_could_identify_the_resident_is_refused(
    engine: Engine, question: str, answer: str, reason: str
) -> None:
    revision = read_revision(engine)
    with pytest.raises(qa.QAError) as refused, session_scope(engine) as session:
        qa.publish(session, question, answer, "王芳", keep=BUREAU_LINE)
    assert reason in str(refused.value)
    assert "1990" not in str(refused.value)
    assert read_revision(engine) == revision
    with Session(engine) as session:
        assert qa.list_published(session, include_withdrawn=True).total == 0


def test_the_bureaus_own_service_number_may_be_published(engine: Engine) -> None:
    entry = _publish(engine, QUESTION, "可拨打咨询电话0349-1234567。")
    assert "0349-1234567" in entry.answer


def test_search_needs_every_word_and_escapes_wildcards(engine: Engine) -> None:
    _publish(engine)
    _publish(engine, "公租房租金多少？", "每月每平方米4.5元，100%按面积计算。")
    with Session(engine) as session:
        assert qa.list_published(session, search="公租房 租金").total == 1
        assert qa.list_published(session, search="公租房").total == 2
        assert qa.list_published(session, search="100%").total == 1
        assert qa.list_published(session, search="%").total == 1
        assert qa.list_published(session, search="_").total == 0
