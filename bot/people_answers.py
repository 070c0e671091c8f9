"""Replies about people: result look-ups and every privacy refusal (see bot.results)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import phrases
from bot.answer import Answer, AnswerKind, Source
from bot.compose import contact_sentence, finish, format_date, source_of, sources_of
from bot.conversation import Context
from bot.intents import Intent
from bot.results import (
    PersonMatch,
    allocation_missing,
    describe_row,
    find_person,
    is_allocation_question,
)
from bot.slots import find_words
from bot.understanding import Understanding
from knowledge import elements as el
from knowledge.dates import find_dates
from knowledge.index import PASSAGE, SearchIndex

LOTTERY_ITEMS = frozenset({18})
_REJECTED_VALUES = frozenset({"否", "不通过", "未通过", "不予批准", "不批准", "不合格"})
_APPEAL_TOPIC = "复核 异议 未通过"
_MAX_RESULT_ROWS = 4


def privacy_reply(index: SearchIndex, understanding: Understanding) -> tuple[Answer, Context]:
    """A typed full ID, a request for a list or for someone's ID: refuse, ask for the tail."""
    slots = understanding.slots
    if slots.full_id_given:
        text = phrases.FULL_ID_REFUSED
    elif slots.person_name:
        text = phrases.ASK_FOR_TAIL
    else:
        text = phrases.NO_LISTS + phrases.ASK_FOR_TAIL
    answer = finish(index, [text], kind=AnswerKind.PRIVACY_REFUSED, intent=Intent.PRIVACY.value)
    return answer, Context(intent=Intent.RESULT.value)


def result_reply(
    index: SearchIndex,
    understanding: Understanding,
    context: Context,
    housing_types: dict[str, tuple[str, ...]] | None = None,
) -> tuple[Answer, Context]:
    """Name + tail → the published rows; name alone → ask for the tail; nothing revealed.

    housing_types (canonical name → words) read the housing type off the rows found, so that
    "那啥时候摇号" after a 公租房 result asks about the 公租房 lottery.
    """
    slots = understanding.slots
    name = slots.person_name or context.pending_name
    tail = slots.id_tail
    intent = Intent.RESULT.value
    if name and not tail:
        answer = finish(index, [phrases.ASK_FOR_TAIL], kind=AnswerKind.ASK_FOR_TAIL, intent=intent)
        return answer, Context(intent=intent, pending_name=name)
    if tail and not name:
        answer = finish(index, [phrases.ASK_FOR_NAME], kind=AnswerKind.ASK_FOR_TAIL, intent=intent)
        return answer, Context(intent=intent)
    if not name:
        answer = finish(index, [phrases.ASK_FOR_TAIL], kind=AnswerKind.ASK_FOR_TAIL, intent=intent)
        return answer, Context(intent=intent)
    matches = find_person(index, name, tail)
    if not matches:
        lines = [phrases.RESULT_NOT_FOUND, contact_sentence(index)]
        answer = finish(index, lines, kind=AnswerKind.RESULT, intent=intent, score=0.0)
        return answer, Context(intent=intent)
    lines = [phrases.RESULT_FOUND_INTRO]
    lines.extend(describe_row(m) for m in matches[:_MAX_RESULT_ROWS])
    if slots.full_id_given:
        lines.append(phrases.FULL_ID_NOTE)
    sources = [source_of(m.table.doc) for m in matches[:_MAX_RESULT_ROWS]]
    asks_allocation = is_allocation_question(understanding.text)
    if asks_allocation and allocation_missing(matches):
        lines.append(phrases.RESULT_NO_ALLOCATION_YET)
        lottery = _latest_lottery_line(index)
        if lottery is not None:
            line, entry_source = lottery
            lines.append(phrases.RESULT_NEXT_STEP.format(line=line))
            sources.append(entry_source)
    answer = finish(index, lines, kind=AnswerKind.RESULT, sources=sources, intent=intent, score=1.0)
    # A rejection makes "what now?" the likely next question: carry the appeal words.
    rejected = any(_is_rejection(m.values) for m in matches)
    housing = _housing_type_of_rows(matches, housing_types or {})
    topic = _APPEAL_TOPIC if rejected else ""
    return answer, Context(intent=intent, topic=topic, housing_type=housing)


def _housing_type_of_rows(matches: Sequence[PersonMatch], types: dict[str, tuple[str, ...]]) -> str:
    """The one housing type the resident's rows name (公租房·两室一厅 → 公租房), else ''."""
    found = {find_words(" ".join(m.values.values()), types) for m in matches} - {""}
    return found.pop() if len(found) == 1 else ""


def _is_rejection(values: dict[str, str]) -> bool:
    outcome = el.first_present(values, el.APPROVED)
    return outcome.strip() in _REJECTED_VALUES


def _latest_lottery_line(index: SearchIndex) -> tuple[str, Source] | None:
    """The first dated line of the newest lottery notice, e.g. its 摇号时间."""
    for info in index.documents:
        if info.item_number not in LOTTERY_ITEMS:
            continue
        for entry in index.document_passages(info.document_id):
            if entry.kind == PASSAGE and find_dates(entry.text):
                heading = entry.heading.rsplit(" › ", 1)[-1]
                line = f"《{info.title}》{heading}：{entry.text}" if heading else entry.text
                return f"{line}（{format_date(info.published_on)}发布）", sources_of([entry])[0]
        return None
    return None
