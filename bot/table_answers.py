"""Replies from published tables that describe housing: 房源 listings and project lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.answer import Source
from bot.compose import source_of
from bot.conversation import Context
from bot.listings import describe, find_listing_rows, relevant_notes
from bot.passage_search import Query, coverage
from bot.slots import Slots
from bot.understanding import Understanding
from knowledge import elements as el
from knowledge.index import ROW, Entry, Hit, SearchIndex

# Items whose tables list projects (plans, starts, completions, facilities).
PROJECT_ITEMS = frozenset({6, 7, 8, 9, 10, 11, 12})
_ADDRESS_WORDS = ("在哪", "地址", "位置", "哪儿", "什么地方")
_COMPLETION_WORDS = ("哪年", "盖好", "建好", "竣工", "交工", "完工", "建成", "什么时候建", "交房")
_MAX_PROJECT_ROWS = 5


@dataclass(frozen=True)
class TableReply:
    """Lines from tables, their citations and a confidence."""

    lines: list[str]
    sources: list[Source]
    score: float
    project: str = ""


def asked_projects(understanding: Understanding, context: Context) -> list[str]:
    """Projects named now, or (in a follow-up) the one the conversation was about."""
    named = [m.name for m in understanding.slots.projects]
    if named:
        return named
    if understanding.reading.follow_up and context.project:
        return [context.project]
    return []


def listing_reply(understanding: Understanding, context: Context, index: SearchIndex) -> TableReply:
    """Rows of the newest listings filtered by project, type, 套型, area and price."""
    slots = understanding.slots
    projects = asked_projects(understanding, context)
    slots = _carried_slots(understanding, context, bool(projects))
    rows = find_listing_rows(index, slots, projects)
    if not rows:
        return TableReply([], [], 0.0)
    text = understanding.text
    with_address = any(w in text for w in _ADDRESS_WORDS)
    with_completion = any(w in text for w in _COMPLETION_WORDS)
    lines = [describe(r, with_address=with_address, with_completion=with_completion) for r in rows]
    lines.extend(relevant_notes(rows, projects)[:3])
    tables = {id(r.table): r.table for r in rows}.values()
    sources = [source_of(t.doc) for t in tables]
    project = projects[0] if len(projects) == 1 else ""
    return TableReply(lines, sources, 1.0, project)


def _carried_slots(understanding: Understanding, context: Context, has_project: bool) -> Slots:
    """In a follow-up, the housing type and 套型 of the last turn still apply."""
    slots = understanding.slots
    if not understanding.reading.follow_up:
        return slots
    if not slots.housing_type and context.housing_type:
        slots = replace(slots, housing_type=context.housing_type)
    if not slots.unit_type and context.unit_type and has_project:
        slots = replace(slots, unit_type=context.unit_type)
    return slots


def project_rows_reply(
    understanding: Understanding, context: Context, index: SearchIndex, query: Query
) -> TableReply:
    """Rows of project lists (plans, starts, completions) that best match the question."""
    projects = asked_projects(understanding, context)

    def accept(entry: Entry) -> bool:
        if entry.kind != ROW or entry.doc is None:
            return False
        table = index.tables[entry.table]
        if table.about_people:
            return False
        if projects:
            name = el.first_present(table.row_values(entry.row), el.PROJECT_NAME)
            return any(p in name or name in p for p in projects)
        return True

    hits = index.search_terms(query.search_terms, _MAX_PROJECT_ROWS * 3, accept, rows=True)
    if not hits:
        return TableReply([], [], 0.0)
    best_items = _preferred_order(hits)
    chosen = best_items[:_MAX_PROJECT_ROWS]
    covered: set[str] = set()
    for hit in chosen:
        covered |= index.terms_of(hit)
    score = coverage(index, query, frozenset(covered))
    lines = [_row_line(index, hit) for hit in chosen]
    seen: dict[int, Source] = {}
    for hit in chosen:
        if hit.entry.doc is not None:
            seen.setdefault(hit.entry.doc.document_id, source_of(hit.entry.doc))
    return TableReply(lines, list(seen.values()), score, projects[0] if len(projects) == 1 else "")


def _preferred_order(hits: list[Hit]) -> list[Hit]:
    """Project-list rows first, then other tables; the BM25 order within each."""
    return sorted(
        hits,
        key=lambda h: (
            h.entry.doc is None or h.entry.doc.item_number not in PROJECT_ITEMS,
            -h.score,
        ),
    )


_EXTRA_PREFIX = re.compile(r"^extra:")


def _row_line(index: SearchIndex, hit: Hit) -> str:
    table = index.tables[hit.entry.table]
    values = table.row_values(hit.entry.row)
    parts = []
    for column, value in values.items():
        label = _EXTRA_PREFIX.sub("", column)
        if label in ("序号",):
            continue
        parts.append(f"{label}：{value}")
    return "；".join(parts)
