"""Web pages (.html, .htm) saved from the government site: the article text only.

Spec: HTML from the government website carries navigation, scripts and footers; only the
article text is indexed. The title is the <h1>, else the <title> without the site's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from knowledge.dates import parse_date
from knowledge.decoding import decode_text
from knowledge.errors import UnreadableFile
from knowledge.readers.html_tree import BLOCK_TAGS, Element, collapse_whitespace, parse_html
from knowledge.readers.source import (
    Block,
    CellValue,
    Grid,
    SourceDocument,
    TitleSource,
    clean_line,
    file_stem,
    heading,
    paragraph,
    publication_date,
    table_marker,
    without_title,
)

# Head, scripts, embedded objects and form controls never hold article text.
_NEVER_TEXT_TAGS = frozenset(
    {"head", "title", "script", "style", "noscript", "template"}
    | {"iframe", "svg", "canvas", "object", "button", "select", "input", "textarea"}
)
_SITE_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside"})
# Class or id words of site chrome: navigation, breadcrumbs, share bars, related links.
_CHROME_WORD = re.compile(
    r"nav|crumb|topbar|header|footer|share|related|search|logo|menu|sidebar|banner|copyright"
    r"|print|close|fontsize|zihao",
    re.IGNORECASE,
)
# Page controls left as text: 【打印】【关闭】, 【字体：大 中 小】.
_PAGE_CONTROLS = re.compile(r"^(?:\s*【[^】]{1,12}】)+\s*$")
# Words that mark the article itself in common government CMS templates (TRS WCM and others).
_ARTICLE_WORD = re.compile(r"article|trs_?editor|content|zoom|detail|正文", re.IGNORECASE)
# Metadata lines are inline fields side by side (<span>发布时间：…</span><span>来源：…</span>);
# a space keeps 2026-06-12 and 来源 apart.
_FIELD_LABEL = re.compile(r"^\s*[\u4e00-\u9fff]{1,6}\s*[：:]")
# Not whitespace, so line-break removal between Chinese characters leaves it alone.
_FIELD_SEPARATOR = "\ue000"
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
# The article container holds "most" of the page's text once the chrome is gone.
_MOST_TEXT_SHARE = 0.6
_PUBLICATION_META = ("pubdate", "publishdate", "article:published_time")
_SITE_SUFFIX_SEPARATORS = "-_|\u2014\u2013\uff0d\u00b7"


def read_web_page(file_name: str, data: bytes) -> SourceDocument:
    """An .html/.htm page: title, article blocks and tables, publication date."""
    decoded = decode_text(data, file_name)
    root = parse_html(decoded.text)
    metas = _meta_values(root)
    page_title = next((element.text() for element in root.find_all("title")), "")
    _drop_chrome(root)
    h1 = next(iter(root.find_all("h1")), None)
    container = _article_container(root, h1)
    article = _Article(skip=h1)
    article.walk(container)
    article.finish()
    title, title_from = _title(h1, page_title, metas.get("sitename", ""), file_name)
    blocks = tuple(
        block
        for block in without_title(article.blocks, title)
        if not _PAGE_CONTROLS.match(block.text)
    )
    if not blocks and not article.grids:
        raise UnreadableFile(file_name, "has no article text")
    found = publication_date(title, blocks)
    meta_date = _meta_date(metas)
    published_on = found.date if found else None
    date_how: str | None = found.how if found else None
    if meta_date and (found is None or found.how != "labelled"):
        published_on, date_how = meta_date, "meta"
    return SourceDocument(
        title=title,
        title_from=title_from,
        published_on=published_on,
        date_how=date_how,
        blocks=blocks,
        grids=tuple(article.grids),
        encoding=decoded.encoding,
    )


def _meta_values(root: Element) -> dict[str, str]:
    values: dict[str, str] = {}
    for meta in root.find_all("meta"):
        name = (meta.attr("name") or meta.attr("property")).strip().lower()
        if name and name not in values:
            values[name] = meta.attr("content").strip()
    return values


def _meta_date(metas: dict[str, str]) -> date | None:
    for name in _PUBLICATION_META:
        value = parse_date(metas.get(name, ""))
        if value:
            return value
    return None


def _title(
    h1: Element | None, page_title: str, site_name: str, file_name: str
) -> tuple[str, TitleSource]:
    if h1 is not None and h1.text():
        return h1.text(), "heading"
    title = page_title
    if site_name and title.endswith(site_name):
        stripped = title.removesuffix(site_name).rstrip()
        if stripped and stripped[-1] in _SITE_SUFFIX_SEPARATORS:
            title = stripped[:-1].rstrip()
    if title:
        return title, "html-title"
    return file_stem(file_name), "file-name"


def _drop_chrome(root: Element) -> None:
    """Remove scripts and site chrome: nav, header, footer and their class/id look-alikes."""
    for element in list(root.iter()):
        if element.parent is not None and _is_chrome(element):
            element.remove()


def _is_chrome(element: Element) -> bool:
    if element.tag in _NEVER_TEXT_TAGS:
        return True
    inside_article = any(ancestor.tag == "article" for ancestor in element.ancestors())
    # HTML5: a <header>/<footer> inside <article> belongs to the article (title, date).
    if element.tag in _SITE_CHROME_TAGS and not inside_article:
        return True
    words = f"{element.attr('class')} {element.attr('id')}".split()
    return any(_CHROME_WORD.search(word) and not _ARTICLE_WORD.search(word) for word in words)


def _article_container(root: Element, h1: Element | None) -> Element:
    """The element holding the h1 and most text; else a CMS article element; else the densest."""
    body = next(iter(root.find_all("body")), root)
    total = body.text_length()
    if h1 is not None:
        for ancestor in h1.ancestors():
            if ancestor.text_length() >= _MOST_TEXT_SHARE * total:
                return ancestor
    hinted = [
        element
        for element in root.iter()
        if _ARTICLE_WORD.search(f"{element.attr('class')} {element.attr('id')}")
    ]
    if hinted:
        richest = max(hinted, key=Element.text_length)
        if richest.text_length() >= _MOST_TEXT_SHARE * total:
            return richest
    densest = max(root.iter(), key=_paragraph_text_length)
    return densest if _paragraph_text_length(densest) else body


def _paragraph_text_length(element: Element) -> int:
    """Text directly in this element or in its <p> children: where an article's body sits."""
    length = 0
    for child in element.children:
        if isinstance(child, str):
            length += len(child.strip())
        elif child.tag == "p":
            length += child.text_length()
    return length


@dataclass
class _Article:
    """Blocks and grids from an article container, in document order."""

    skip: Element | None
    blocks: list[Block] = field(default_factory=list)
    grids: list[Grid] = field(default_factory=list)
    _buffer: list[str] = field(default_factory=list)
    _last_heading: str = ""

    def walk(self, element: Element) -> None:
        for child in element.children:
            if isinstance(child, str):
                self._buffer.append(child)
            elif child is self.skip:
                self._flush()
            elif child.tag == "br":
                self._buffer.append("\n")
                self._flush()
            elif child.tag in _HEADING_TAGS:
                self._heading(child)
            elif child.tag == "table" and _is_data_table(child):
                self._flush()
                self._table(child)
            elif child.tag in BLOCK_TAGS:
                self._flush()
                self.walk(child)
                self._flush()
            else:
                if _FIELD_LABEL.match(child.text()) and self._buffer:
                    self._buffer.append(_FIELD_SEPARATOR)
                self.walk(child)

    def finish(self) -> None:
        self._flush()

    def _heading(self, element: Element) -> None:
        self._flush()
        text = clean_line(element.text())
        if text:
            self.blocks.append(heading(text, _HEADING_TAGS[element.tag]))
            self._last_heading = text

    def _table(self, table: Element) -> None:
        name = self._last_heading or f"table {len(self.grids) + 1}"
        self.blocks.append(table_marker(name, len(self.grids)))
        self.grids.append(Grid(_table_rows(table), name))

    def _flush(self) -> None:
        joined = collapse_whitespace("".join(self._buffer))
        text = clean_line(joined.replace(_FIELD_SEPARATOR, " "))
        self._buffer.clear()
        if text:
            self.blocks.append(paragraph(text))


def _is_data_table(table: Element) -> bool:
    """Two rows of two cells at least, and no table inside: not a layout table."""
    if any(element.tag == "table" for element in table.iter() if element is not table):
        return False
    rows = table.find_all("tr")
    return len(rows) >= 2 and max(len(_cells(row)) for row in rows) >= 2


def _cells(row: Element) -> list[Element]:
    return [
        child for child in row.children if isinstance(child, Element) and child.tag in ("td", "th")
    ]


def _table_rows(table: Element) -> tuple[tuple[CellValue, ...], ...]:
    """Rows of cell texts; a spanned cell's text sits in its first position, None elsewhere."""
    rows: list[list[CellValue]] = []
    # Columns still covered by a rowspan from above: column → rows left.
    pending: dict[int, int] = {}
    for row in table.find_all("tr"):
        values: list[CellValue] = []
        for cell in _cells(row):
            while pending.get(len(values), 0) > 0:
                pending[len(values)] -= 1
                values.append(None)
            span = _span(cell, "colspan")
            down = _span(cell, "rowspan") - 1
            for offset in range(span):
                if down:
                    pending[len(values)] = down
                values.append((clean_line(cell.text()) or None) if offset == 0 else None)
        while pending.get(len(values), 0) > 0:
            pending[len(values)] -= 1
            values.append(None)
        rows.append(values)
    width = max((len(row) for row in rows), default=0)
    return tuple(tuple(row + [None] * (width - len(row))) for row in rows)


def _span(cell: Element, name: str) -> int:
    value = cell.attr(name).strip()
    return max(1, min(int(value), 100)) if value.isdigit() else 1
