"""A resident's message made comparable: widths, spaces, emoji, pleasantries, Chinese numerals.

三口人 → 3口人, 两千五 → 2500, 九千来块 → 9000来块, 月工资三千二 → 月工资3200. Numerals are
rewritten only where they count something (followed by a unit, or with 千/万/百), so names such
as 十五五 (the 15th five-year plan) stay as written.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUMERAL_RUN = re.compile(r"[零〇一二两俩三四五六七八九十百千万]+")
# What may follow a counted numeral (口人, 个月, 平, 元 …); 年 only after 几/多 is a duration,
# and years are written in digits, so 年 is included.
# Dates, batches and unit types (十二月, 第二批, 两室一厅) stay as the material writes them.
_COUNTED = re.compile(
    r"^(个?口|个人|人|口人|位|户|元|块|万|千|百|平|平米|平方|㎡|岁|周岁|年|个月|天|套|次|小时|多|来|左右|余|了)"
)
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\ufe0f\u200d]+"
)
_SPACES = re.compile(r"\s+")
_PLEASANTRIES = re.compile(
    r"^(您好|你好|在吗|在不在|打扰了|麻烦问一下|麻烦问下|请问一下|请问|问一下|问下|问问)[,，!！。、?？\s]*"
)
_PARTICLES_ONLY = re.compile(r"[\W_啊呀哈啦了的吧呢嘛哦~你您]*")
_THANKS_TAIL = re.compile(r"[,，。!！\s]*(谢谢|多谢|感谢|麻烦了|谢了)[啦了呀啊!！。~]*$")


def chinese_number(text: str) -> int | None:
    """'三' → 3, '两千五' → 2500, '三千二' → 3200, '十五' → 15, '一万二' → 12000."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        return None
    total = 0
    section = 0
    digit: int | None = None
    last_unit = 0
    for ch in text:
        if ch in _DIGITS:
            if digit is not None:
                # Two digits in a row (二〇二六 style) are read positionally by the caller.
                return None
            digit = _DIGITS[ch]
            continue
        unit = _UNITS[ch]
        value = 1 if digit is None else digit
        if unit == 10000:
            total = (total + section + (digit or 0)) * unit
            section = 0
        else:
            section += value * unit
        digit = None
        last_unit = unit
    if digit is not None:
        # 两千五 means 2500: a trailing digit counts in the unit below the last one.
        section += digit * (last_unit // 10 if last_unit >= 100 else 1)
    return total + section


def convert_numerals(text: str) -> str:
    """Rewrite counted Chinese numerals as Arabic digits (see the module docstring)."""

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        after = text[match.end() :]
        if run in _UNITS and run != "十":
            return run  # a lone 万/千/百 belongs to a number before it (十来万)
        magnitude = any(ch in "百千万" for ch in run)
        if not magnitude and not _COUNTED.match(after):
            return run
        if run in ("一", "一点") and not _COUNTED.match(after):
            return run
        if run == "一" and after.startswith("个") and not after.startswith("个月"):
            return run  # 一个人, 一个挣钱的: a way of speaking, kept for the phrase patterns
        value = chinese_number(run)
        return run if value is None else str(value)

    return _NUMERAL_RUN.sub(replace, text)


def normalize(text: str) -> str:
    """The message as the bot reads it (the original is kept for names and logs)."""
    text = unicodedata.normalize("NFKC", text)
    text = _EMOJI.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    # NFKC spells ㎡ as "m2"; the material and the patterns write ㎡.
    text = text.replace("m2", "㎡").replace("m²", "㎡")
    stripped = text
    while True:
        shorter = _PLEASANTRIES.sub("", stripped)
        if shorter == stripped:
            break
        stripped = shorter
    stripped = _THANKS_TAIL.sub("", stripped)
    # A message that is only a greeting or thanks stays as it is: that is what it says.
    if _PARTICLES_ONLY.fullmatch(stripped):
        stripped = text
    return convert_numerals(stripped.lower())
