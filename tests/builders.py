"""Quirky published files written in code, so that each quirk is visible in the test using it."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import docx
import openpyxl

from knowledge.readers.source import CellValue

# A paragraph is its text, or (style name, text) for a heading such as ("Heading 1", "第一章").
Paragraph = str | tuple[str, str]


def make_xlsx(
    path: Path,
    rows: Sequence[Sequence[CellValue]],
    merged: Sequence[str] = (),
    sheet_name: str = "Sheet1",
    other_sheets: Mapping[str, Sequence[Sequence[CellValue]]] | None = None,
    hidden_sheets: Sequence[str] = (),
) -> Path:
    """A workbook whose first sheet holds rows; merged ranges like "A1:F1" (a merged title)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    for row in rows:
        sheet.append(list(row))
    for cell_range in merged:
        sheet.merge_cells(cell_range)
    for name, other_rows in (other_sheets or {}).items():
        other = workbook.create_sheet(name)
        for row in other_rows:
            other.append(list(row))
        if name in hidden_sheets:
            other.sheet_state = "hidden"
    workbook.save(path)
    return path


def make_docx(
    path: Path,
    title: str,
    paragraphs: Sequence[Paragraph],
    title_style: str | None = "Title",
    tables: Sequence[Sequence[Sequence[str]]] = (),
) -> Path:
    """A Word file: the title in title_style (None: a plain first paragraph), then paragraphs."""
    word = docx.Document()
    if title_style is None:
        word.add_paragraph(title)
    else:
        word.add_paragraph(title, style=title_style)
    for item in paragraphs:
        if isinstance(item, tuple):
            style, text = item
            word.add_paragraph(text, style=style)
        else:
            word.add_paragraph(item)
    for table_rows in tables:
        width = max(len(row) for row in table_rows)
        table = word.add_table(rows=len(table_rows), cols=width)
        for row, values in zip(table.rows, table_rows, strict=True):
            for cell, value in zip(row.cells, values, strict=False):
                cell.text = value
    word.save(str(path))
    return path


def make_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    encoding: str = "gb18030",
    delimiter: str = ",",
    bom: bool = False,
    line_end: str = "\r\n",
) -> Path:
    """A CSV as a Windows export writes it: GB18030 and CRLF unless told otherwise."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerows(rows)
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    path.write_bytes(text.encode(encoding))
    return path


def make_html(
    path: Path,
    *,
    page_title: str,
    h1: str | None,
    paragraphs: Sequence[str],
    info: str | None = None,
    site_name: str = "山阴县人民政府",
    pub_date: str | None = None,
    table: Sequence[Sequence[str]] = (),
) -> Path:
    """A page as the government CMS serves it: scripts, top bar, logo, nav, crumbs, share
    buttons, related links and a footer around the article."""
    meta = f'<meta name="SiteName" content="{site_name}">'
    if pub_date:
        meta += f'\n<meta name="PubDate" content="{pub_date}">'
    heading = f"<h1>{html.escape(h1)}</h1>" if h1 else ""
    info_line = f'<div class="info"><span>{html.escape(info)}</span></div>' if info else ""
    body = "\n".join(f"<p>{html.escape(text)}</p>" for text in paragraphs)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in table
    )
    table_html = f"<table>{rows}</table>" if table else ""
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(page_title)}</title>
{meta}
<script type="text/javascript">var pageNav = "脚本里的导航文字";</script>
<style>.nav {{ color: red; }}</style>
</head>
<body>
<div class="topbar">欢迎访问门户网站 <a href="/wap/">手机版</a></div>
<div class="header"><h1 class="logo">{site_name}</h1>
<form class="search"><input name="q"><button>搜索</button></form></div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul></div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 保障性住房</div>
<div class="main"><div class="article">
{heading}
{info_line}
<div class="TRS_Editor">
{body}
{table_html}
</div>
<div class="share">分享到：微信 微博 【打印本页】</div>
</div>
<div class="related"><h3>相关文章</h3><ul><li><a href="/1.html">另一篇相关通知</a></li></ul></div>
</div>
<div class="footer"><p>主办：县政府办公室 网站标识码：1406210000</p></div>
<script>document.write("统计代码");</script>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path
