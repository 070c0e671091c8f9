"""Cutting a document's blocks into passages that each carry the headings above them.

A passage is what the bot quotes, so each should stand on its own: a paragraph, with its
section headings, and, for an item of a list ("（二）持有效的…"), the sentence that introduced
the list ("第六条 …应当同时符合下列条件："). Notices written without heading styles mark their
sections with 一、 / （一） / 第X章 lines, which are recognised here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.dates import parse_date
from knowledge.readers.source import Block, Grid

_NUMERAL = "一二三四五六七八九十百零〇"
_CHAPTER = re.compile(rf"^第[{_NUMERAL}\d]+[章节编]")
_SECTION = re.compile(rf"^[{_NUMERAL}]+[、.．]")
_SUBSECTION = re.compile(rf"^[（(][{_NUMERAL}]+[）)]")
_LIST_ITEM = re.compile(rf"^([（(][{_NUMERAL}\d]+[）)]|\d+[.、．)]|[-•·]\s|[①-⑳])")
_QUESTION = re.compile(r"^(问|问题|Q)\s*[:：.、]")
_ANSWER = re.compile(r"^(答|回答|A)\s*[:：.、]")
_CONTACT_LINE = re.compile(r"^[^，。；]{0,12}(电话|热线|邮箱)[:：]\s*[0-9（(]")
_CONTACT_HEADING = "联系方式"
_METADATA = re.compile(r"^(发布(日期|时间|单位|机构)|来源|文号|索引号|字号)[:：]")
_SENTENCE_END = "。；;!！?？"
# A line longer than this is content even when it starts like a heading.
_HEADING_MAX_CHARS = 40
# A lead-in quoted as context of the list items below it is cut to this length.
_LEAD_IN_MAX_CHARS = 60


@dataclass(frozen=True)
class PassageText:
    """A passage: the heading path (joined with ' › ') and the text."""

    heading: str
    text: str


def _heading_level(text: str) -> int:
    """1 or 2 for a line that reads like a section heading of an unstyled notice, else 0."""
    if len(text) > _HEADING_MAX_CHARS or any(ch in text for ch in _SENTENCE_END):
        return 0
    if text.endswith(("：", ":", "，", ",")):
        return 0
    if _CHAPTER.match(text) or _SECTION.match(text):
        return 1
    if _SUBSECTION.match(text) and len(text) <= _HEADING_MAX_CHARS // 2:
        return 2
    return 0


def _is_signature_or_metadata(text: str) -> bool:
    stripped = text.strip()
    if _METADATA.match(stripped):
        return True
    return parse_date(stripped) is not None


def passages_from_blocks(
    title: str, blocks: Sequence[Block], grids: Sequence[Grid] = ()
) -> list[PassageText]:
    """Passages of a text document; metadata lines and the closing signature are left out.

    A table inside the document becomes one passage per row, under the headings it stood under.
    """
    body = _join_questions_and_answers(blocks)
    # The closing signature: a date line, possibly preceded by the issuing body's name(s).
    while body and body[-1].kind == "paragraph" and _closing_line(body[-1].text):
        body.pop()
    headings: list[str] = []
    levels: list[int] = []
    lead_in = ""
    result: list[PassageText] = []
    for block in body:
        if block.kind == "table":
            if 0 <= block.level < len(grids):
                result.extend(passages_from_grid(grids[block.level], " › ".join(headings)))
            lead_in = ""
            continue
        text = block.text.strip()
        if not text or _is_signature_or_metadata(text):
            continue
        if _CONTACT_LINE.match(text):
            # "咨询电话：…" closing a notice belongs to no section (it would answer 逾期处理).
            result.append(PassageText(_CONTACT_HEADING, text))
            continue
        level = block.level if block.kind == "heading" else _heading_level(text)
        if level:
            while levels and levels[-1] >= level:
                levels.pop()
                headings.pop()
            levels.append(level)
            headings.append(text)
            lead_in = ""
            continue
        context = list(headings)
        if _LIST_ITEM.match(text) and lead_in:
            context.append(lead_in)
        else:
            lead_in = ""
        if text.endswith(("：", ":")):
            lead_in = text[:_LEAD_IN_MAX_CHARS]
        result.append(PassageText(" › ".join(context), text))
    if not result and title:
        result.append(PassageText("", title))
    return result


def _join_questions_and_answers(blocks: Sequence[Block]) -> list[Block]:
    """A FAQ's 问：… paragraph and the 答：… after it become one passage."""
    joined: list[Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and block.kind == "paragraph"
            and previous.kind == "paragraph"
            and _ANSWER.match(block.text.strip())
            and _QUESTION.match(previous.text.strip())
        ):
            joined[-1] = Block("paragraph", previous.text.strip() + "\n" + block.text.strip(), 0)
        else:
            joined.append(block)
    return joined


def _closing_line(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return True
    if parse_date(stripped) is not None:
        return True
    # The issuing body's name alone on a line: short, no punctuation, ends like an office.
    return (
        len(stripped) <= 30
        and not any(ch in stripped for ch in "，。；：:,")
        and stripped.endswith(("局", "政府", "中心", "委员会", "办公室", "公司", "厅"))
    )


def passages_from_grid(grid: Grid, heading: str, *, has_header: bool = True) -> list[PassageText]:
    """A table inside a document: one passage per data row, 'header：value；…'.

    Without a header row (a sheet the importer could not read as a table) each row is one
    passage of its cells.
    """
    rows = [[_cell_text(c) for c in row] for row in grid.rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    if not has_header:
        return [PassageText(heading, "；".join(v for v in row if v)) for row in rows]
    header = rows[0]
    result = []
    for row in rows[1:]:
        parts = [
            f"{name}：{value}" if name else value
            for name, value in zip(header, row, strict=False)
            if value
        ]
        if parts:
            result.append(PassageText(heading, "；".join(parts)))
    if len(rows) == 1:
        result.append(PassageText(heading, "；".join(v for v in header if v)))
    return result


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
