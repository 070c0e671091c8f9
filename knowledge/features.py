"""Features of a passage that a question can ask for without naming them: a date, a time of
day, a place, an amount of money, a phone number, a span of time.

"几点开始？在哪儿" holds no word of "上午9:00 … 四楼多功能厅", but asks for a time and a place.
Passages get marker terms for what they state (#date, #clock, #place, #money, #phone,
#duration); the question's words for when/where/how much/how long expand to the same markers.
"""

from __future__ import annotations

import re

FEATURE_PREFIX = "#"
_FEATURES = (
    (
        "#date",
        re.compile(
            r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|\d{4}-\d{1,2}-\d{1,2}|星期[一二三四五六日天]"
            r"|(?<![个\d])\d{1,2}\s*月(?!份?\d)|\d{1,2}\s*日[前后起]"
        ),
    ),
    # A year alone ("2026年计划保障410户") says when only roughly.
    ("#year", re.compile(r"\d{4}\s*年")),
    (
        "#deadline",
        re.compile(r"\d{1,2}\s*[月日](?:\s*\d{1,2}\s*日)?\s*(?:前|之前|以前|截止|为止)|截止|逾期"),
    ),
    ("#clock", re.compile(r"\d{1,2}[:：]\d{2}|[上下]午\s*\d{1,2}\s*点")),
    (
        "#place",
        re.compile(
            r"[路街道巷]\s*\d+\s*号|\d+\s*号楼|\d+\s*[楼层]|[室厅]（|窗口|多功能厅|会议室|服务中心|居委会"
        ),
    ),
    ("#money", re.compile(r"\d+(?:\.\d+)?\s*(?:万)?元")),
    ("#phone", re.compile(r"0\d{2,3}-\d{7,8}|1[3-9]\d{9}")),
    # A span of time counted from an event: "30日内入住", "满1年后", "3个工作日". "How long"
    # is answered by such a span, not by the word 期限 ("合同期限3年" sets no time to act).
    (
        "#duration",
        re.compile(
            r"(?:\d+|[一二两三四五六七八九十半]+)\s*个?\s*(?:工作日|自然日|日|天|周|星期|个?月|年)"
            r"\s*(?:内|以内|之内|后|以后|之后|以上)|\d+\s*个\s*工作日|满\s*(?:\d+|[一二两三四五六七八九十半]+)\s*个?(?:日|天|月|年)"
        ),
    ),
)


def feature_terms(text: str) -> list[str]:
    """The feature markers a passage's text earns."""
    return [name for name, pattern in _FEATURES if pattern.search(text)]
