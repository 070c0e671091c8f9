"""Turning found facts into the reply: short lines, the source at the end, phones masked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from bot import phrases
from bot.answer import Answer, AnswerKind, Source
from knowledge.index import Entry, SearchIndex
from knowledge.masking import mask_phone_numbers
from knowledge.material import DocumentInfo

_MAX_SOURCES = 3


def format_date(value: date | None) -> str:
    """2026-11-20 → '2026年11月20日'."""
    if value is None:
        return phrases.UNDATED
    return f"{value.year}年{value.month}月{value.day}日"


def source_of(info: DocumentInfo) -> Source:
    """The citation of a document."""
    return Source(
        title=info.title,
        published_on=info.published_on,
        item_number=info.item_number,
        document_id=info.document_id,
        page_path=info.page_path,
    )


def sources_of(entries: Iterable[Entry]) -> tuple[Source, ...]:
    """Distinct citations of the entries, in order (published answers cite themselves)."""
    found: dict[tuple[int | None, int | None], Source] = {}
    for entry in entries:
        if entry.doc is not None:
            source = source_of(entry.doc)
        elif entry.qa is not None:
            source = Source(
                title=f"问答：{entry.qa.question}",
                published_on=entry.qa.published_on,
                item_number=41,
                document_id=None,
                page_path=f"/qa/{entry.qa.qa_id}",
                qa_id=entry.qa.qa_id,
            )
        else:
            continue
        found.setdefault((source.document_id, source.qa_id), source)
    return tuple(found.values())


def sources_line(sources: Sequence[Source]) -> str:
    """'来源：《…》（2026年11月20日）；《…》（…）'."""
    if not sources:
        return ""
    parts = [
        phrases.SOURCE_ITEM.format(title=s.title, date=format_date(s.published_on))
        for s in sources[:_MAX_SOURCES]
    ]
    return phrases.SOURCE_PREFIX + phrases.MORE_SOURCES_SEPARATOR.join(parts)


def contact_sentence(index: SearchIndex) -> str:
    """'如需咨询，可拨打0349-0000111。' from the bureau's published enquiry number."""
    if index.contacts.enquiry:
        return phrases.CONTACT.format(contact=index.contacts.enquiry)
    return phrases.CONTACT_UNKNOWN


def finish(
    index: SearchIndex,
    lines: Sequence[str],
    *,
    kind: AnswerKind,
    sources: Sequence[Source] = (),
    score: float = 1.0,
    intent: str = "",
    needs_review: bool = False,
    needs_ticket: bool = False,
    topic: str = "",
) -> Answer:
    """Assemble the reply: the lines, then the source line; personal phone numbers masked."""
    # The same sentence can come from two routes (the merger rule and the quote): once is enough.
    body = list(dict.fromkeys(line.strip() for line in lines if line and line.strip()))
    cited = sources_line(sources)
    if cited:
        body.append(cited)
    text = mask_phone_numbers("\n".join(body), keep=index.contacts.service_digits)
    return Answer(
        text=text,
        kind=kind,
        sources=tuple(sources),
        score=round(score, 3),
        intent=intent,
        needs_review=needs_review,
        needs_ticket=needs_ticket,
        topic=topic,
    )


def with_ticket(answer: Answer, number: str, days: int, deadline: date) -> Answer:
    """Put the record number and reply deadline into a complaint or hand-off reply."""
    pending = phrases.TICKET_PENDING.format(days=days)
    ticket = phrases.TICKET.format(number=number, days=days, deadline=format_date(deadline))
    if pending in answer.text:
        text = answer.text.replace(pending, ticket)
    else:
        text = answer.text + "\n" + ticket
    return replace(answer, text=text)
