"""Tests for handlers.staff.qa_views: publishing a record's answer as Q&A, refusals, editing
with history, withdrawing, and the bot's index picking each change up without a restart."""

from __future__ import annotations

import re

from sqlalchemy import Engine
from sqlmodel import Session, select

from handlers import keys
from handlers.settings import Settings
from knowledge.index import QA
from knowledge.record_models import AuditEntry, Interaction
from tests.handlers.staff.conftest import HOSTILE_QUESTION, AppFactory, StaffClient, add_record

QUESTION = "外地户籍可以申请公租房吗？"
ANSWER = "持本县居住证、连续缴纳社会保险满1年的外来务工人员可以申请。"


def _qa_answers(staff: StaffClient) -> list[str]:
    index = staff.app[keys.live_index_key].current()
    return [entry.text for entry in index.entries if entry.kind == QA]


async def _publish(staff: StaffClient, record: int, question: str, answer: str) -> int:
    await staff.get(f"/staff/records/{record}/publish")
    page = await staff.post(
        f"/staff/records/{record}/publish", {"question": question, "answer": answer}
    )
    found = re.search(r"/staff/qa/(\d+)/edit", page.path)
    assert found is not None, page.text
    return int(found.group(1))


async def test_the_publish_form_starts_from_the_record(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, "我是外地的，电话13812345678，能申请公租房吗")
    await staff.login(users["publisher"])
    page = await staff.get(f"/staff/records/{record}/publish")
    assert page.status == 200
    assert "我是外地的，电话138****5678，能申请公租房吗" in page.text
    assert "去掉姓名、住址、身份证号、电话号码" in page.text


async def test_publishing_reaches_the_index_at_once_and_is_audited(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, "外地人能申请公租房吗")
    await staff.login(users["publisher"])
    assert _qa_answers(staff) == []
    qa_id = await _publish(staff, record, QUESTION, ANSWER)
    assert _qa_answers(staff) == [ANSWER]
    with Session(staff_engine) as session:
        stored = session.get(Interaction, record)
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "publish_qa")).all()
    assert stored is not None and stored.status == "published"
    assert [(e.staff_name, e.target) for e in entries] == [("publisher1", f"问答{qa_id}")]
    public = await staff.client.get(f"/qa/{qa_id}")
    assert public.status == 200 and ANSWER in await public.text()


async def test_another_worker_picks_the_answer_up_on_its_next_check(
    start_app: AppFactory, staff_settings: Settings, staff_engine: Engine, users: dict[str, str]
) -> None:
    first, second = await start_app(staff_settings), await start_app(staff_settings)
    record = add_record(staff_engine, "外地人能申请公租房吗")
    await first.login(users["publisher"])
    await _publish(first, record, QUESTION, ANSWER)
    assert _qa_answers(second) == []
    assert await second.app[keys.live_index_key].refresh_if_stale()
    assert _qa_answers(second) == [ANSWER]


async def test_text_holding_personal_numbers_is_refused_with_the_reason(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, "我身份证140624199003070012能申请吗")
    await staff.login(users["publisher"])
    await staff.get(f"/staff/records/{record}/publish")
    question = "我身份证140624********0012能申请吗"
    page = await staff.post(
        f"/staff/records/{record}/publish", {"question": question, "answer": ANSWER}
    )
    assert page.status == 400
    assert "问题中含有身份证号码或电话号码（140624********0012）" in page.text
    # What the clerk typed is still there to correct.
    assert question in page.text and ANSWER in page.text
    page = await staff.post(
        f"/staff/records/{record}/publish",
        {"question": QUESTION, "answer": "请致电13812345678咨询"},
    )
    assert page.status == 400 and "答复中含有身份证号码或电话号码（138****5678）" in page.text
    assert _qa_answers(staff) == []


async def test_editing_keeps_a_public_history(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, "外地人能申请公租房吗")
    await staff.login(users["publisher"])
    qa_id = await _publish(staff, record, QUESTION, ANSWER)
    revised = ANSWER + "具体见《公租房申请须知》。"
    page = await staff.post(f"/staff/qa/{qa_id}/edit", {"question": QUESTION, "answer": revised})
    assert "问答已修改" in page.text and "第2版" in page.text
    assert _qa_answers(staff) == [revised]
    public = await (await staff.client.get(f"/qa/{qa_id}")).text()
    assert "修改记录" in public and "第 1 版" in public and ANSWER in public
    assert "publisher1" not in public
    unchanged = await staff.post(
        f"/staff/qa/{qa_id}/edit", {"question": QUESTION, "answer": revised}
    )
    assert unchanged.status == 400 and "没有改动" in unchanged.text


async def test_withdrawing_removes_it_from_the_bot_and_the_list(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, "外地人能申请公租房吗")
    await staff.login(users["publisher"])
    qa_id = await _publish(staff, record, QUESTION, ANSWER)
    page = await staff.post(f"/staff/qa/{qa_id}/withdraw", {"confirm": "1"})
    assert "问答已撤回" in page.text and "已撤回" in page.text
    assert _qa_answers(staff) == []
    listing = await (await staff.client.get("/qa")).text()
    assert QUESTION not in listing
    gone = await staff.client.get(f"/qa/{qa_id}")
    assert gone.status == 410
    text = await gone.text()
    assert "该问答已撤回" in text and ANSWER not in text
    staff_list = await staff.get("/staff/qa")
    assert QUESTION in staff_list.text and "已撤回" in staff_list.text


async def test_a_fresh_qa_without_a_record(staff: StaffClient, users: dict[str, str]) -> None:
    await staff.login(users["publisher"])
    await staff.get("/staff/qa/new")
    page = await staff.post("/staff/qa/new", {"question": QUESTION, "answer": ANSWER})
    assert "问答已公开" in page.text
    assert _qa_answers(staff) == [ANSWER]


async def test_reviewers_see_the_list_without_edit_links(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    await staff.login(users["publisher"])
    await staff.get("/staff/qa/new")
    await staff.post("/staff/qa/new", {"question": QUESTION, "answer": ANSWER})
    await staff.post("/staff/logout", {})
    await staff.login(users["reviewer"])
    page = await staff.get("/staff/qa")
    assert QUESTION in page.text
    assert "/edit" not in page.text and "新建问答" not in page.text


async def test_hostile_text_renders_inert_through_publishing(
    staff: StaffClient, staff_engine: Engine, users: dict[str, str]
) -> None:
    record = add_record(staff_engine, HOSTILE_QUESTION)
    await staff.login(users["publisher"])
    form = await staff.get(f"/staff/records/{record}/publish")
    pages = [form.text]
    qa_id = await _publish(staff, record, HOSTILE_QUESTION, f"答复{HOSTILE_QUESTION}")
    for path in ("/staff/qa", f"/staff/qa/{qa_id}/edit", f"/staff/records/{record}"):
        pages.append((await staff.get(path)).text)
    for path in ("/qa", f"/qa/{qa_id}"):
        pages.append(await (await staff.client.get(path)).text())
    for text in pages:
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in text
