"""Tests for knowledge/readers: dispatch and the documents (.txt .md .html .docx), on real files.

Spreadsheets (.csv .xlsx) are in test_readers_spreadsheet.py.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest

from knowledge.errors import UndecodableFile, UnreadableFile, UnsupportedFile
from knowledge.readers import SourceDocument, read_file
from knowledge.readers.source import Block, Grid
from tests.builders import make_docx, make_html


def read(path: Path) -> SourceDocument:
    return read_file(path.name, path.read_bytes())


def texts(document: SourceDocument) -> list[str]:
    return [block.text for block in document.blocks]


def test_txt_title_is_the_first_line_and_the_chinese_numeral_signature_dates_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "摇号公告.txt"
    path.write_text(
        "\n关于2026年第二批公共租赁住房摇号配租的公告\n\n"
        "一、摇号时间\n2026年12月18日（星期五）上午9:00开始。\n\n"
        "　　咨询电话：0349-0000111\n\n山阴县住房和城乡建设管理局\n二〇二六年十一月二十日\n",
        encoding="utf-8",
    )
    document = read(path)
    assert document.title == "关于2026年第二批公共租赁住房摇号配租的公告"
    assert document.title_from == "first-line"
    assert (document.published_on, document.date_how) == (date(2026, 11, 20), "signature")
    assert document.encoding == "utf-8"
    # The title is not repeated; indentation is dropped; every block is a paragraph.
    assert texts(document)[0] == "一、摇号时间"
    assert "咨询电话：0349-0000111" in texts(document)
    assert {block.kind for block in document.blocks} == {"paragraph"}
    assert document.grids == ()


@pytest.mark.parametrize(
    ("data", "encoding", "title", "published_on", "date_how"),
    [
        # A Windows export: GB18030 with CRLF, a labelled date at the top.
        (
            "关于公开征求意见的公告\r\n\r\n发布日期：2026-04-10\r\n正文第一段。\r\n".encode(
                "gb18030"
            ),
            "gb18030",
            "关于公开征求意见的公告",
            date(2026, 4, 10),
            "labelled",
        ),
        # A BOM that must not end up in the title.
        (
            b"\xef\xbb\xbf" + "住房保障服务指南\n发布时间：2026年1月5日\n正文\n".encode(),
            "utf-8-sig",
            "住房保障服务指南",
            date(2026, 1, 5),
            "labelled",
        ),
        # An undated file: kept, published_on None.
        (
            "公租房常见问题\n问：可以网上申请吗？\n答：暂不支持。\n".encode(),
            "utf-8",
            "公租房常见问题",
            None,
            None,
        ),
    ],
)
def test_txt_encodings_and_dates(
    data: bytes, encoding: str, title: str, published_on: date | None, date_how: str | None
) -> None:
    document = read_file("通知.txt", data)
    assert (document.encoding, document.title) == (encoding, title)
    assert (document.published_on, document.date_how) == (published_on, date_how)
    assert all("\r" not in text and "\ufeff" not in text for text in texts(document))
    assert len(texts(document)) == 2


def test_an_empty_txt_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "空白.txt"
    path.write_text("\n　\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match=re.escape("空白.txt")):
        read(path)


MARKDOWN = """# 公租房申请条件

发布日期：2026-02-05

> 依据《实施细则》整理。

## 一、申请条件

### （一）低保家庭
1. 本县城镇户籍满3年；
- 已承租公租房的不得申请；

说明：申请人**无需**自行开具无房证明。

## 三、办理程序和期限

| 环节 | 办理单位 | 办理期限 |
|---|---|---|
| 1. 提交申请 | **社区居委会** | 当场受理 |
| 2. 联审 | 县住建局 | 15个工作日 |
"""


def test_markdown_headings_tables_bold_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "申请条件.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    document = read(path)
    assert (document.title, document.title_from) == ("公租房申请条件", "heading")
    assert (document.published_on, document.date_how) == (date(2026, 2, 5), "labelled")
    assert document.blocks == (
        Block("paragraph", "发布日期：2026-02-05", 0),
        Block("paragraph", "依据《实施细则》整理。", 0),
        Block("heading", "一、申请条件", 2),
        Block("heading", "（一）低保家庭", 3),
        Block("paragraph", "1. 本县城镇户籍满3年；", 0),
        Block("paragraph", "- 已承租公租房的不得申请；", 0),
        Block("paragraph", "说明：申请人无需自行开具无房证明。", 0),
        Block("heading", "三、办理程序和期限", 2),
        # Where the table stood among the paragraphs: grids[0].
        Block("table", "三、办理程序和期限", 0),
    )
    assert document.grids == (
        Grid(
            (
                ("环节", "办理单位", "办理期限"),
                ("1. 提交申请", "社区居委会", "当场受理"),
                ("2. 联审", "县住建局", "15个工作日"),
            ),
            "三、办理程序和期限",
        ),
    )


def test_markdown_without_a_top_heading_is_titled_by_its_file_name(tmp_path: Path) -> None:
    path = tmp_path / "常见问题解答.md"
    path.write_text("## 问答\n\n**问：**可以网上申请吗？\n", encoding="utf-8")
    document = read(path)
    assert (document.title, document.title_from) == ("常见问题解答", "file-name")
    assert texts(document) == ["问答", "问：可以网上申请吗？"]


def test_html_keeps_only_the_article_text(tmp_path: Path) -> None:
    path = make_html(
        tmp_path / "通知.html",
        page_title="关于调整公共租赁住房租金标准的通知-山阴县人民政府",
        h1="关于调整公共租赁住房租金标准的通知",
        info="发布时间：2026-06-12",
        paragraphs=["各公租房承租家庭：", "自2026年7月1日起执行。", "山阴县住房和城乡建设管理局"],
    )
    document = read(path)
    assert (document.title, document.title_from) == (
        "关于调整公共租赁住房租金标准的通知",
        "heading",
    )
    assert (document.published_on, document.date_how) == (date(2026, 6, 12), "labelled")
    assert texts(document) == [
        "发布时间：2026-06-12",
        "各公租房承租家庭：",
        "自2026年7月1日起执行。",
        "山阴县住房和城乡建设管理局",
    ]
    everything = " ".join([document.title, *texts(document)])
    chrome = ["首页", "当前位置", "脚本", "分享到", "相关文章", "另一篇", "网站标识码", "统计代码"]
    assert [text for text in [*chrome, "山阴县人民政府"] if text in everything] == []


@pytest.mark.parametrize(
    ("page_title", "title"),
    [
        ("我县住房保障工作获评优秀等次 - 山阴县人民政府", "我县住房保障工作获评优秀等次"),
        ("我县住房保障工作获评优秀等次_山阴县人民政府", "我县住房保障工作获评优秀等次"),
        # Only the site's own name (meta SiteName) is a suffix to drop.
        ("关于供暖问题的回应-互动回应", "关于供暖问题的回应-互动回应"),
    ],
)
def test_html_without_h1_takes_the_title_tag(tmp_path: Path, page_title: str, title: str) -> None:
    path = make_html(
        tmp_path / "表彰.html",
        page_title=page_title,
        h1=None,
        paragraphs=["近日，我县在全市考核中获评优秀等次。"],
        pub_date="2026-03-20 09:30",
    )
    document = read(path)
    assert (document.title, document.title_from) == (title, "html-title")
    # No date in the text: the CMS's PubDate meta is used.
    assert (document.published_on, document.date_how) == (date(2026, 3, 20), "meta")
    assert texts(document) == ["近日，我县在全市考核中获评优秀等次。"]


def test_html_table_in_the_article_becomes_a_grid(tmp_path: Path) -> None:
    path = make_html(
        tmp_path / "房源.html",
        page_title="房源公告",
        h1="房源公告",
        paragraphs=["本批次房源如下："],
        table=[["项目名称", "套数"], ["幸福里", "30"]],
    )
    document = read(path)
    assert document.grids == (Grid((("项目名称", "套数"), ("幸福里", "30")), "table 1"),)
    assert texts(document) == ["本批次房源如下：", "table 1"]
    assert document.blocks[-1] == Block("table", "table 1", 0)


def test_html_with_line_breaks_spans_and_entities(tmp_path: Path) -> None:
    path = tmp_path / "通知.htm"
    path.write_text(
        "<html><body><div class='content'><h1>通知</h1>"
        "<p>公共租赁\n  住房租金<br>每月每平方米&nbsp;4.5元 &amp; 不变</p>"
        "<p><span>发布时间：2026-06-12</span><span>来源：县住建局</span></p>"
        "<h2>二、执行时间</h2><p>自2026年7月1日起执行。</body></html>",
        encoding="utf-8",
    )
    document = read(path)
    assert document.blocks == (
        Block("paragraph", "公共租赁住房租金", 0),
        Block("paragraph", "每月每平方米 4.5元 & 不变", 0),
        Block("paragraph", "发布时间：2026-06-12 来源：县住建局", 0),
        Block("heading", "二、执行时间", 2),
        Block("paragraph", "自2026年7月1日起执行。", 0),
    )


def test_html_with_no_article_text_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "空页面.html"
    path.write_text("<html><body><div class='nav'>首页</div><script>x()</script></body></html>")
    with pytest.raises(UnreadableFile, match=re.escape("空页面.html")):
        read(path)


def test_docx_title_style_headings_and_tables(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "实施细则.docx",
        "山阴县保障性住房管理实施细则",
        [
            "（山住建发〔2026〕3号　2026年1月8日印发）",
            ("Heading 1", "第一章　总则"),
            "第一条　为规范本县公共租赁住房管理，制定本细则。",
            ("Heading 2", "三、年度安排"),
        ],
        tables=[[["年度", "计划开工套数"], ["2026年", "300"]]],
    )
    document = read(path)
    assert (document.title, document.title_from) == ("山阴县保障性住房管理实施细则", "heading")
    assert (document.published_on, document.date_how) == (date(2026, 1, 8), "issued")
    assert document.encoding is None
    assert document.blocks == (
        Block("paragraph", "（山住建发〔2026〕3号 2026年1月8日印发）", 0),
        Block("heading", "第一章 总则", 1),
        Block("paragraph", "第一条 为规范本县公共租赁住房管理，制定本细则。", 0),
        Block("heading", "三、年度安排", 2),
        Block("table", "三、年度安排", 0),
    )
    assert document.grids == (Grid((("年度", "计划开工套数"), ("2026年", "300")), "三、年度安排"),)


def test_docx_without_title_style_takes_the_first_paragraph(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "签约公告.docx",
        "关于2026年第一批公租房签订租赁合同的公告",
        ["一、签约时间", "2026年7月27日至8月7日。", "山阴县住房和城乡建设管理局", "2026年7月24日"],
        title_style=None,
    )
    document = read(path)
    assert (document.title, document.title_from) == (
        "关于2026年第一批公租房签订租赁合同的公告",
        "first-line",
    )
    assert (document.published_on, document.date_how) == (date(2026, 7, 24), "signature")
    assert texts(document)[0] == "一、签约时间"


def test_docx_merged_table_cells_hold_their_text_once(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "规划.docx", "规划", ["正文"], tables=[[["合并标题", ""], ["a", "b"]]]
    )
    word = docx.Document(str(path))
    table = word.tables[0]
    table.cell(0, 0).merge(table.cell(0, 1))
    word.save(str(path))
    assert read(path).grids[0].rows == (("合并标题", None), ("a", "b"))


def test_a_truncated_docx_is_unreadable(tmp_path: Path) -> None:
    data = make_docx(tmp_path / "通知.docx", "通知", ["正文"]).read_bytes()
    with pytest.raises(UnreadableFile, match=re.escape("损坏.docx")):
        read_file("损坏.docx", data[: len(data) // 2])


def test_an_office_file_with_broken_xml_is_unreadable(tmp_path: Path) -> None:
    source = make_docx(tmp_path / "原件.docx", "通知", ["正文"])
    broken = tmp_path / "坏文件.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(broken, "w") as copy:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "word/document.xml":
                content = content[:200]
            copy.writestr(item, content)
    with pytest.raises(UnreadableFile, match=re.escape("坏文件.docx")):
        read(broken)


@pytest.mark.parametrize("name", ["实施细则.pdf", "房源.xls", "通知.doc", "README", "图片.PNG"])
def test_unsupported_suffix(name: str) -> None:
    with pytest.raises(UnsupportedFile, match=re.escape(name.split(".")[0])):
        read_file(name, b"whatever")


@pytest.mark.parametrize(
    ("name", "data", "title_from"),
    [
        ("通知.TXT", "通知\n正文\n".encode(), "first-line"),
        ("通知.Md", "# 通知\n正文\n".encode(), "heading"),
        ("通知.HTM", "<title>页面</title><h1>通知</h1><p>正文</p>".encode(), "heading"),
    ],
)
def test_suffixes_are_case_insensitive(name: str, data: bytes, title_from: str) -> None:
    document = read_file(name, data)
    assert (document.title, document.title_from) == ("通知", title_from)
    assert texts(document) == ["正文"]


@pytest.mark.parametrize("name", ["乱码.txt", "乱码.csv", "乱码.md", "乱码.html"])
def test_undecodable_bytes_name_the_file(name: str) -> None:
    with pytest.raises(UndecodableFile, match=re.escape(name)):
        read_file(name, b"\x81\x40\x81\x41\x81\x42\x81\x43\x00\xff")


@pytest.mark.parametrize(
    "controls",
    [
        '<div class="print-close">【<a href="#">打印</a>】【<a href="#">关闭</a>】</div>',
        "<p>【打印本页】【关闭窗口】</p>",
        "<div>【字体：大 中 小】</div>",
    ],
)
def test_html_page_controls_are_not_article_text(tmp_path: Path, controls: str) -> None:
    path = tmp_path / "通知.html"
    path.write_text(
        "<html><body><h1>关于公布公共租赁住房租金标准的通知</h1>"
        f'<div class="content"><p>自2026年6月1日起执行。</p>{controls}</div>'
        "</body></html>",
        encoding="utf-8",
    )
    assert texts(read(path)) == ["自2026年6月1日起执行。"]
