"""Answers quoted from documents: the best passage, the whole list it belongs to, tightly.

A passage that is one item of a list (materials, conditions, steps) is shown with its lead-in
and its sibling items, because "要交啥材料" wants the list, not its third line. A second or
third passage is added only when it covers words of the question the first one missed (an
address and the office hours, asked in one breath).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.passage_search import (
    DRAFT_ITEMS,
    Query,
    ScoredPassage,
    coverage,
    restates_concern,
    titled_section_words,
)
from knowledge.features import FEATURE_PREFIX
from knowledge.index import PASSAGE, QA, Entry, SearchIndex

# A list longer than this is cut (the reply must stay within WeChat's limits).
_MAX_LIST_ITEMS = 12
_MAX_EXTRA_PASSAGES = 2
_SEPARATOR = " › "
_LIST_MARKER = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|[-•·])\s*")
_MIN_GROUPS = 2
_MAX_GROUPS = 6
_GROUP_LINE_CHARS = 110
_REPEATED_QUESTION = 0.8
_SHORT_SECTION_LINES = 8
# Other questions get a list whole only when it is this short.
_SHORT_LIST_ITEMS = 8
_SHORT_LINE_CHARS = 60
# An extra passage must add this much coverage (less when it is from the same document).
_EXTRA_MIN_GAIN = 0.15
_EXTRA_MIN_GAIN_SAME_DOCUMENT = 0.08
# A longer document's other passages are not all weighed as extras (a 100k-word regulation).
_MAX_DOCUMENT_CANDIDATES = 200
_TITLED_SECTION_EDGE = 0.01
# A word weighing less than this (a lone character, a bare number) names no particular case.
_PARTICULAR_MIN_WEIGHT = 1.0


@dataclass(frozen=True)
class Quote:
    """What will be quoted: passages in order, and how much of the question they cover."""

    entries: tuple[Entry, ...]
    coverage: float
    lead: str = ""


def _siblings(index: SearchIndex, entry: Entry) -> list[Entry]:
    """The passages of the same document under the same heading, in order."""
    if entry.doc is None or entry.kind != PASSAGE:
        return [entry]
    return [p for p in index.document_passages(entry.doc.document_id) if p.heading == entry.heading]


def _is_list_member(entry: Entry, siblings: Sequence[Entry]) -> bool:
    """True when the passage belongs to a list worth showing whole."""
    lead_in = entry.heading.rsplit(" › ", 1)[-1]
    if lead_in.endswith(("：", ":")):
        return True
    numbered = sum(1 for s in siblings if s.text[:1].isdigit() or s.text.startswith(("（", "-")))
    if len(siblings) > 1 and numbered >= len(siblings) - 1:
        return True
    return _is_short_section(siblings)


def _is_short_section(siblings: Sequence[Entry]) -> bool:
    """A small section of short lines (office hours: morning, summer, winter) reads as one."""
    return len(siblings) <= _SHORT_SECTION_LINES and all(
        len(s.text) <= _SHORT_LINE_CHARS for s in siblings
    )


def quote_for(
    index: SearchIndex,
    query: Query,
    ranked: Sequence[ScoredPassage],
    *,
    whole_lists: bool,
    max_list_items: int = _SHORT_LIST_ITEMS,
) -> Quote | None:
    """The passages to quote for the best-ranked candidate (None when nothing was found)."""
    if not ranked:
        return None
    best = ranked[0]
    chosen: list[Entry] = [best.entry]
    lead = ""
    siblings = _siblings(index, best.entry)
    whole = whole_lists or len(siblings) <= max_list_items
    if whole and len(siblings) > 1 and _is_list_member(best.entry, siblings):
        chosen = siblings[:_MAX_LIST_ITEMS]
        lead = best.entry.heading.rsplit(" › ", 1)[-1]
    covered = _terms_of(index, chosen)
    score = coverage(index, query, covered)
    # A resident who all but repeated a published question gets that answer alone.
    repeated = best.coverage >= _REPEATED_QUESTION and (
        best.entry.kind == QA or best.entry.text.startswith(("问：", "问:"))
    )
    extras = _MAX_EXTRA_PASSAGES if repeated else 0
    candidates = _extra_candidates(index, ranked) if extras < _MAX_EXTRA_PASSAGES else []
    titled = titled_section_words(query)
    while extras < _MAX_EXTRA_PASSAGES:
        # Each extra is the candidate that adds most of what is still missing (earlier ranked
        # first among equals), not merely the first that adds something.
        best_gain, pick = 0.0, None
        for entry, terms in candidates:
            if entry in chosen:
                continue
            gain = coverage(index, query, covered | terms) - score
            # Among equal gains, a section titled for what is asked (签约时间) beats a passage
            # that merely holds a date (a notice's opening).
            if entry.heading and any(word in entry.heading for word in titled):
                gain += _TITLED_SECTION_EDGE
            if gain > best_gain and _wanted(query, best.entry, entry, covered, terms, gain):
                best_gain, pick = gain, (entry, terms)
        if pick is None:
            break
        added = _whole_short_section(index, pick[0])
        chosen.extend(entry for entry in added if entry not in chosen)
        covered = covered | pick[1] | _terms_of(index, added)
        score = coverage(index, query, covered)
        extras += 1
    return Quote(tuple(chosen), min(score, 1.0), lead)


def _whole_short_section(index: SearchIndex, entry: Entry) -> list[Entry]:
    """An extra passage with the rest of its section when that section reads as one (office
    hours: morning, summer, winter), else the passage alone."""
    siblings = _siblings(index, entry)
    if len(siblings) > 1 and _is_short_section(siblings):
        return siblings
    return [entry]


def _extra_candidates(
    index: SearchIndex, ranked: Sequence[ScoredPassage]
) -> list[tuple[Entry, frozenset[str]]]:
    """The other passages found, then the rest of the best passage's document: a guide's
    address section answers "在哪" beside its hours even when the search did not bring it up."""
    found = [(c.entry, index.terms_of(c.hit)) for c in ranked[1:]]
    best = ranked[0].entry
    if best.doc is None or best.kind != PASSAGE:
        return found
    seen = {id(entry) for entry, _ in found} | {id(best)}
    same_document = index.document_passages(best.doc.document_id)
    if len(same_document) > _MAX_DOCUMENT_CANDIDATES:
        return found
    found.extend(
        (entry, index.terms_of_entry(entry))
        for entry in same_document
        # A response's restatement of the question is no answer to it.
        if id(entry) not in seen and not restates_concern(entry.text)
    )
    return found


def _wanted(
    query: Query,
    best: Entry,
    entry: Entry,
    covered: frozenset[str],
    terms: frozenset[str],
    gain: float,
) -> bool:
    """Whether a candidate adds enough to be quoted beside the best passage."""
    doc = entry.doc
    if _is_draft(entry) and not _is_draft(best):
        # A draft for comment beside a decision would give superseded figures as current.
        return False
    if doc is not None and doc == best.doc:
        return gain >= _EXTRA_MIN_GAIN_SAME_DOCUMENT
    # A passage from elsewhere must bring something asked about, not only a date or a place
    # (any notice has those).
    return gain >= _EXTRA_MIN_GAIN and _adds_content(query, covered, terms)


def _is_draft(entry: Entry) -> bool:
    return entry.doc is not None and entry.doc.item_number in DRAFT_ITEMS


def _adds_content(query: Query, covered: frozenset[str], terms: frozenset[str]) -> bool:
    """True when terms cover a concept of the question that is not a feature (#date ...)
    and that the passages chosen so far do not cover."""
    for concept, alternatives in query.concepts:
        if concept.startswith(FEATURE_PREFIX) or all(
            a.startswith(FEATURE_PREFIX) for a in alternatives
        ):
            continue
        if alternatives & terms and not alternatives & covered:
            return True
    return False


def _terms_of(index: SearchIndex, entries: Sequence[Entry]) -> frozenset[str]:
    terms: set[str] = set()
    for entry in entries:
        terms |= index.terms_of_entry(entry)
    return frozenset(terms)


def quote_lines(index: SearchIndex, quote: Quote) -> list[str]:
    """The reply lines for a quote: the lead-in once, then each passage."""
    lines: list[str] = []
    for number, group in enumerate(_runs_of_one_section(quote.entries)):
        if number == 0 and quote.lead:
            lines.append(quote.lead)
            lines.extend(index.render(entry) for entry in group)
        elif len(group) > 1:
            # A whole section quoted beside the first: its title once, then its lines.
            lines.append(group[0].heading.rsplit(_SEPARATOR, 1)[-1])
            lines.extend(index.render(entry) for entry in group)
        else:
            text = index.render(group[0])
            section = _section_label(group[0])
            if section and section not in text:
                text = f"{section}：{text}" if not text.startswith(section) else text
            lines.append(text)
    return lines


def _runs_of_one_section(entries: Sequence[Entry]) -> list[list[Entry]]:
    """Consecutive passages of one document under one heading, grouped."""
    runs: list[list[Entry]] = []
    for entry in entries:
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and entry.heading
            and entry.heading == last.heading
            and entry.doc == last.doc
        ):
            runs[-1].append(entry)
        else:
            runs.append([entry])
    return runs


def overview_lines(index: SearchIndex, entry: Entry) -> list[str]:
    """Every sibling section of the passage's section, one line each (the tiers of a rule when
    no category was named); [] when the passage stands in no such group."""
    if entry.doc is None or _SEPARATOR not in entry.heading:
        return []
    parent = entry.heading.rsplit(_SEPARATOR, 1)[0]
    groups: dict[str, list[str]] = {}
    for passage in index.document_passages(entry.doc.document_id):
        if not passage.heading.startswith(parent + _SEPARATOR):
            continue
        child = passage.heading[len(parent) + len(_SEPARATOR) :].split(_SEPARATOR)[0]
        groups.setdefault(child, []).append(_LIST_MARKER.sub("", passage.text).rstrip("；;。"))
    if len(groups) < _MIN_GROUPS:
        return []
    lines = []
    for child, items in list(groups.items())[:_MAX_GROUPS]:
        joined = "；".join(items)
        if len(joined) > _GROUP_LINE_CHARS:
            joined = joined[:_GROUP_LINE_CHARS] + "…"
        lines.append(f"{child.rstrip('：:')}：{joined}")
    return lines


def answers_a_particular_case(index: SearchIndex, query: Query, entry: Entry) -> bool:
    """True when the passage matches a word of the question that most of its sibling sections
    lack: 房改房 asked and met in the rule on who may not apply is that rule's case, not a
    question for the overview of every tier."""
    if entry.doc is None or _SEPARATOR not in entry.heading:
        return False
    parent = entry.heading.rsplit(_SEPARATOR, 1)[0]
    groups: dict[str, set[str]] = {}
    for passage in index.document_passages(entry.doc.document_id):
        if passage.heading.startswith(parent + _SEPARATOR):
            child = passage.heading[len(parent) + len(_SEPARATOR) :].split(_SEPARATOR)[0]
            groups.setdefault(child, set()).update(index.terms_of_entry(passage))
    if len(groups) < _MIN_GROUPS:
        return False
    own = index.terms_of_entry(entry)
    weights = query.weights or (1.0,) * len(query.concepts)
    primary = query.primary or tuple(a for _, a in query.concepts)
    for (concept, _), words, weight in zip(query.concepts, primary, weights, strict=True):
        if concept.startswith(FEATURE_PREFIX) or weight < _PARTICULAR_MIN_WEIGHT:
            continue
        if words & own:
            holding = sum(1 for terms in groups.values() if words & terms)
            if holding * 2 < len(groups):
                return True
    return False


def _section_label(entry: Entry) -> str:
    """The nearest heading, when it names a topic (一、受理时间 → 受理时间)."""
    if not entry.heading:
        return ""
    last = entry.heading.rsplit(" › ", 1)[-1]
    if last.endswith(("：", ":")) or len(last) > 24:
        return ""
    for prefix_end in ("、", "）", ")"):
        if prefix_end in last[:6]:
            last = last.split(prefix_end, 1)[1]
            break
    return last.strip()
