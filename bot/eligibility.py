"""The eligibility pre-check: a resident's figures against the limits the published rules state.

Limits are read from the rules' own sentences (家庭人均月收入低于2460元, 本人月工资收入不高于
4500元, 机动车购置价合计不超过10万元, 人均住房建筑面积低于15平方米 …) together with whom
they apply to (the section or list they stand in). Following the usual drafting rule (以上/以下/
不超过 include the figure, 低于/超过/不满 exclude it), each figure is compared and the verdict
quotes the rule and its source. The review office decides; the bot says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.index import PASSAGE, Entry, SearchIndex

RULE_ITEMS = frozenset({13, 2})
_AMOUNT = r"(\d+(?:\.\d+)?)\s*(万)?\s*(元|平方米|㎡|周岁)"
_COMPARATOR = r"(低于|不高于|不超过|不足|高于|超过|以下|以上|少于|不满|满)"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("monthly_income_per_person", re.compile(rf"人均月收入\s*{_COMPARATOR}\s*{_AMOUNT}")),
    ("monthly_wage", re.compile(rf"月工资收入\s*{_COMPARATOR}\s*{_AMOUNT}")),
    (
        "yearly_income_per_person",
        re.compile(rf"人均年收入\s*{_COMPARATOR}[^0-9（(]{{0,30}}[（(]?\s*{_AMOUNT}"),
    ),
    ("area_per_person", re.compile(rf"人均住房建筑面积\s*{_COMPARATOR}\s*{_AMOUNT}")),
    ("vehicle_price", re.compile(rf"机动车购置价合计\s*{_COMPARATOR}\s*{_AMOUNT}")),
    ("assets", re.compile(rf"家庭资产总额\s*{_COMPARATOR}\s*{_AMOUNT}")),
    ("age", re.compile(rf"年满\s*{_AMOUNT}")),
    ("insurance_months", re.compile(r"社会保险\s*(满|不少于|不满)\s*(\d+)\s*()(个月)")),
    (
        "years_since_graduation",
        re.compile(r"毕业[^，。；]{0,12}?(未满|不满|不超过)\s*(\d+)\s*()(年)"),
    ),
)
# Words in a comparator that let the figure itself pass (the drafting rule of 第三十八条-style
# clauses: 以上, 以下, 不超过 include the number; 低于, 超过, 不满 do not).
_INCLUSIVE_UPPER = ("不高于", "不超过", "以下")
_STRICT_UPPER = ("低于", "不足", "少于", "不满", "未满")
_LOWER = ("高于", "超过", "以上", "满")
KIND_LABELS = {
    "monthly_income_per_person": "家庭人均月收入",
    "monthly_wage": "本人月工资收入",
    "yearly_income_per_person": "家庭人均年收入",
    "area_per_person": "人均住房建筑面积",
    "vehicle_price": "机动车购置价",
    "assets": "家庭资产",
    "age": "年龄",
    "insurance_months": "社会保险缴纳月数",
    "years_since_graduation": "毕业年限",
}


@dataclass(frozen=True)
class Limit:
    """A limit a rule states, with whom it applies to and where it is written."""

    kind: str
    value: float
    comparator: str
    applies_to: str  # the heading/lead-in naming the group (城镇中等偏下收入住房困难家庭 …)
    sentence: str
    entry: Entry

    def admits(self, figure: float) -> bool:
        """True when figure is within the limit."""
        if self.comparator in _INCLUSIVE_UPPER:
            return figure <= self.value
        if self.comparator in _STRICT_UPPER:
            return figure < self.value
        if self.comparator in ("满", "不少于") or self.kind == "age":
            return figure >= self.value
        return figure > self.value


@dataclass(frozen=True)
class Verdict:
    """One comparison of a figure with a limit."""

    limit: Limit
    figure: float
    meets: bool


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(ch, 0, start) for ch in "。；;\n") + 1
    rights = [p for p in (text.find(ch, end) for ch in "。；;\n") if p >= 0]
    right = min(rights) + 1 if rights else len(text)
    return text[left:right].strip()


def find_limits(index: SearchIndex) -> list[Limit]:
    """Every limit stated in the rule passages (items 13 and 2, else any document)."""
    entries = [e for e in index.entries if e.kind == PASSAGE and e.doc is not None]
    rules = [e for e in entries if e.doc is not None and e.doc.item_number in RULE_ITEMS]
    limits = []
    for entry in rules or entries:
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(entry.text):
                groups = match.groups()
                if kind == "age":
                    comparator, amount, magnitude = "满", groups[0], groups[1]
                else:
                    comparator, amount, magnitude = groups[0], groups[1], groups[2]
                value = float(amount) * (10000 if magnitude == "万" else 1)
                sentence = _sentence_around(entry.text, match.start(), match.end())
                limits.append(Limit(kind, value, comparator, entry.heading, sentence, entry))
    return limits


def applicable(limits: Iterable[Limit], groups: Sequence[str]) -> list[Limit]:
    """Limits whose heading or sentence names one of groups (all when groups is empty)."""
    chosen = []
    for limit in limits:
        context = limit.applies_to + limit.sentence
        if not groups or any(group in context for group in groups):
            chosen.append(limit)
    return chosen


def compare(limits: Iterable[Limit], kind: str, figure: float) -> list[Verdict]:
    """Verdicts for a figure against the limits of one kind, one per distinct limit."""
    seen: set[tuple[float, str]] = set()
    verdicts = []
    for limit in limits:
        if limit.kind != kind or (limit.value, limit.applies_to) in seen:
            continue
        seen.add((limit.value, limit.applies_to))
        verdicts.append(Verdict(limit, figure, limit.admits(figure)))
    return verdicts


_NUMBERING = re.compile(
    r"^(?:[（(][^）)]*[）)]|第\S+?条|[一二三四五六七八九十]+[、.．]|\d+[.、．])\s*"
)
_TIER = re.compile(r"[（(]第[一二三]档[）)]")
_ASKING = re.compile(r"^(?:申请购买|申请承租|申请)|(?:申请公租房|申请购买|申请)?[，,].*$|应当.*$")


def group_label(limit: Limit) -> str:
    """A short name of whom a limit applies to, from its heading path ('城镇中等偏下收入住房
    困难家庭', '经济适用住房')."""
    for part in reversed(limit.applies_to.split(" › ")):
        cleaned = _TIER.sub("", _NUMBERING.sub("", part.strip())).strip("：: ")
        cleaned = _ASKING.sub("", cleaned).removesuffix("申请公租房").removeprefix("购买").strip()
        if cleaned:
            return cleaned[:24]
    return ""
