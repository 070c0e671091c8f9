"""The rental subsidy formula as the rules publish it, read from their text.

National practice writes it as 月补贴额＝补贴标准×（人均保障面积标准－人均现住房建筑面积）×家庭
人口数, with a standard per group (低保家庭每月每平方米8元 …) and often a cap on the area per
household. Only what the text states is used; when a part is missing there is no estimate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.index import PASSAGE, Entry, SearchIndex

_STANDARD = re.compile(
    r"(低保|低收入|中等偏下收入|中等偏下)(?:住房困难)?家庭(?:每月每平方米)?\s*(\d+(?:\.\d+)?)\s*元"
)
_AREA_STANDARD = re.compile(
    r"(?:人均保障面积标准\s*(\d+(?:\.\d+)?)\s*(?:平方米|㎡)|[（(]\s*(\d+(?:\.\d+)?)\s*(?:平方米|㎡)\s*[－-]\s*人均现住房)"
)
_AREA_CAP = re.compile(r"每户[^。；]{0,10}?最多(?:按|不超过)?\s*(\d+(?:\.\d+)?)\s*(?:平方米|㎡)")
_FORMULA_WORDS = ("补贴标准", "人口数")


@dataclass(frozen=True)
class SubsidyRule:
    """Standards per group (元/㎡·月), the per-person area standard and an optional cap."""

    standards: dict[str, float]
    area_standard: float
    area_cap: float | None
    entry: Entry


def read_subsidy_rule(index: SearchIndex) -> SubsidyRule | None:
    """The first passage stating the formula with its standards (None when none does)."""
    for entry in index.entries:
        if entry.kind != PASSAGE or not all(w in entry.text for w in _FORMULA_WORDS):
            continue
        context = _with_neighbours(index, entry)
        standards = {_group(m.group(1)): float(m.group(2)) for m in _STANDARD.finditer(context)}
        area = _AREA_STANDARD.search(context)
        if not standards or area is None:
            continue
        cap = _AREA_CAP.search(context)
        return SubsidyRule(
            standards=standards,
            area_standard=float(area.group(1) or area.group(2)),
            area_cap=float(cap.group(1)) if cap else None,
            entry=entry,
        )
    return None


def _group(word: str) -> str:
    return "中等偏下收入" if word.startswith("中等偏下") else word


def _with_neighbours(index: SearchIndex, entry: Entry) -> str:
    """The passage with the two after it (standards often follow the formula's line)."""
    if entry.doc is None:
        return entry.text
    passages = index.document_passages(entry.doc.document_id)
    position = passages.index(entry) if entry in passages else 0
    return "\n".join(p.text for p in passages[position : position + 3])


def estimate_subsidy(
    rule: SubsidyRule, category: str, household_size: int, per_capita_area: float | None
) -> tuple[str, float] | None:
    """('8×（15－0）×3', 360.0) for a 低保 family of 3 with no housing; None without a standard."""
    standard = rule.standards.get(category)
    if standard is None:
        return None
    current = per_capita_area or 0.0
    gap = max(rule.area_standard - current, 0.0)
    area = gap * household_size
    formula = f"{_fmt(standard)}×（{_fmt(rule.area_standard)}－{_fmt(current)}）×{household_size}"
    if rule.area_cap is not None and area > rule.area_cap:
        # The rule caps the area counted per household: the formula shows where it bit.
        area = rule.area_cap
        formula = f"{_fmt(standard)}×{_fmt(rule.area_cap)}（每户最多按{_fmt(rule.area_cap)}㎡计算）"
    amount = round(standard * area, 2)
    return formula, amount


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
