"""Eligibility replies: the resident's figures checked against the published limits.

Which limits apply depends on who asks: a category the resident named (低保, 新就业 …), or
else every group with an income line (so 3200 a month is shown against both 1140 and 2460).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot import phrases
from bot.eligibility import KIND_LABELS, Limit, Verdict, applicable, compare, group_label
from bot.slots import Figures
from bot.subsidy import SubsidyRule, estimate_subsidy

_CATEGORY_GROUP_WORDS = {
    "低保": ("低保", "第一档"),
    "低收入": ("低收入", "第一档"),
    "中等偏下收入": ("中等偏下",),
    "新就业无房职工": ("新就业",),
    "外来务工人员": ("外来务工",),
}
_HOUSING_TYPE_GROUP_WORDS = {"经适房": ("经济适用住房",)}


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def groups_for(category: str, housing_type: str) -> list[str]:
    """Words naming the groups whose limits apply."""
    words = list(_CATEGORY_GROUP_WORDS.get(category, ()))
    words.extend(_HOUSING_TYPE_GROUP_WORDS.get(housing_type, ()))
    return words


def _monthly_per_person(figures: Figures) -> float | None:
    if figures.income is None:
        return None
    income = figures.income / 12 if figures.income_yearly else figures.income
    if figures.income_scope == "household" and figures.household_size:
        return income / figures.household_size
    return income


def precheck_lines(
    limits: Sequence[Limit], figures: Figures, category: str, housing_type: str
) -> tuple[list[str], list[Limit]]:
    """Lines comparing the figures with the limits, and the limits used (for citations)."""
    if housing_type != "经适房":
        limits = [lim for lim in limits if "经济适用住房" not in lim.applies_to + lim.sentence]
    groups = groups_for(category, housing_type)
    relevant = applicable(limits, groups) if groups else list(limits)
    verdicts: list[Verdict] = []
    lines: list[str] = []
    per_person = _monthly_per_person(figures)
    if per_person is not None:
        kind = "monthly_wage" if category == "新就业无房职工" else "monthly_income_per_person"
        if housing_type == "经适房":
            kind, per_person = "yearly_income_per_person", per_person * 12
        found = compare(relevant, kind, per_person)
        if found:
            lines.append(_income_line(figures, per_person, kind))
            verdicts.extend(found)
        else:
            label = KIND_LABELS[kind]
            lines.append(phrases.ELIGIBILITY_UNKNOWN_LIMIT.format(what=label))
    # 毕业第3年 means fewer than 3 full years have passed.
    graduation = figures.years_since_graduation
    years = None if graduation is None else max(graduation - 1, 0)
    unstated: list[str] = []
    for kind, figure in (
        ("vehicle_price", figures.vehicle_price),
        ("area_per_person", figures.per_capita_area),
        ("age", figures.age),
        ("insurance_months", figures.insurance_months),
        ("years_since_graduation", years),
    ):
        if figure is None:
            continue
        found_verdicts = compare(relevant, kind, figure)
        verdicts.extend(found_verdicts)
        if not found_verdicts:
            unstated.append(KIND_LABELS[kind])
    for verdict in verdicts:
        lines.append(_verdict_line(verdict))
    for what in unstated:
        # Spec: where the material does not state a limit, say so.
        lines.append(phrases.ELIGIBILITY_UNKNOWN_LIMIT.format(what=what))
    if figures.no_home and not verdicts and figures.income is None:
        area_limits = compare(relevant, "area_per_person", 0)
        lines.extend(_verdict_line(v) for v in area_limits[:1])
        verdicts.extend(area_limits[:1])
    return lines, [v.limit for v in verdicts]


def _income_line(figures: Figures, per_person: float, kind: str) -> str:
    if kind == "yearly_income_per_person":
        return f"家庭人均年收入约{_fmt(per_person)}元"
    if figures.income_scope == "household" and figures.household_size and figures.income:
        total = _fmt(figures.income)
        return (
            phrases.INCOME_PER_PERSON.format(amount=_fmt(per_person))
            + f"（{total}元÷{figures.household_size}人）"
        )
    return phrases.INCOME_PER_PERSON.format(amount=_fmt(per_person))


def _verdict_line(verdict: Verdict) -> str:
    limit = verdict.limit
    group = group_label(limit)
    rule = re.sub(r"^\d+[.、．]\s*|^[（(][一二三四五六七八九十\d]+[）)]\s*", "", limit.sentence)
    label = phrases.ELIGIBILITY_MEETS if verdict.meets else phrases.ELIGIBILITY_MISSES
    who = f"{group}：" if group else ""
    return f"{who}“{rule.rstrip('。；;')}”——{label}"


def subsidy_lines(rule: SubsidyRule | None, figures: Figures, category: str) -> list[str]:
    """The estimated monthly subsidy when the resident gave household size and category."""
    if rule is None or not figures.household_size:
        return []
    estimate = estimate_subsidy(rule, category, figures.household_size, figures.per_capita_area)
    if estimate is None:
        return []
    formula, amount = estimate
    return [phrases.SUBSIDY_ESTIMATE.format(formula=formula, amount=_fmt(amount))]
