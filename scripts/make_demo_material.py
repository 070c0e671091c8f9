"""Render the demo bureau folder's .xlsx, .docx and GB18030 files from their plain-text sources.

The demo folder (knowledge/demo/published) ships with the package so that a fresh install shows
a working bot. Most of its files are plain text and are edited in place; the files that cannot be
edited as text are rendered from knowledge/demo/sources, which mirrors the published tree:

    sources/<folder>/<name>.xlsx.tsv     → published/<folder>/<name>.xlsx
    sources/<folder>/<name>.docx.txt     → published/<folder>/<name>.docx
    sources/<folder>/<name>.gb18030.csv  → published/<folder>/<name>.csv  (GB18030, CRLF)
    sources/<folder>/<name>.gb18030.txt  → published/<folder>/<name>.txt  (GB18030, CRLF)

.xlsx.tsv and .docx.txt sources open with `key: value` lines closed by a `---` line; `date`
(YYYY-MM-DD) is required and stamps the file's properties, so that rendering twice gives the same
bytes (the import deduplicates by content hash).

.xlsx.tsv body: one line per sheet row, cells separated by tabs, a blank line is a blank row.
Cells that look like numbers are written as numbers, `@2026-05-29` as an Excel date serial
number (a plain number, as exports from older systems arrive). Meta keys: `sheet` (sheet name),
`merge: single` (merge rows holding only a first cell across the table), `widths` (column widths).

.docx.txt body: one line per paragraph. `# ` Title style, `## ` Heading 1, `### ` Heading 2,
`^` centred bold plain paragraph (a title without a title style), `> ` right-aligned paragraph,
`~` an empty paragraph, `|a|b|` table rows (consecutive rows form one table), anything else Normal.

Usage: python scripts/make_demo_material.py [--check]
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

DEMO = Path(__file__).resolve().parent.parent / "knowledge" / "demo"
PUBLISHER = "山阴县住房和城乡建设管理局"
BODY_FONT = "仿宋_GB2312"
EXCEL_EPOCH = date(1899, 12, 30)

_INTEGER = re.compile(r"0|-?[1-9]\d{0,8}")
_DECIMAL = re.compile(r"-?(0|[1-9]\d{0,8})\.\d+")
_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


class DemoSourceError(ValueError):
    """A source file that cannot be rendered; the message names the file and the problem."""


@dataclass(frozen=True)
class Source:
    """A source with front matter: its path, its `key: value` meta and its body lines."""

    path: Path
    meta: Mapping[str, str]
    body: tuple[str, ...]

    @property
    def issued(self) -> date:
        return date.fromisoformat(self.meta["date"])


def read_source(path: Path) -> Source:
    """Split a source into front matter and body; reject a missing `---` or `date`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if "---" not in lines:
        raise DemoSourceError(f"{path.name}: no front matter (a line '---' must close it)")
    end = lines.index("---")
    meta: dict[str, str] = {}
    for line in lines[:end]:
        key, separator, value = line.partition(":")
        if not separator:
            raise DemoSourceError(f"{path.name}: front matter line without ':': {line!r}")
        meta[key.strip()] = value.strip()
    try:
        date.fromisoformat(meta.get("date", ""))
    except ValueError:
        raise DemoSourceError(f"{path.name}: front matter needs 'date: YYYY-MM-DD'") from None
    return Source(path=path, meta=meta, body=tuple(lines[end + 1 :]))


def excel_serial(day: date) -> int:
    """Excel's day number for a date (1900 date system), e.g. 2026-05-29 → 46171."""
    return (day - EXCEL_EPOCH).days


def parse_cell(text: str) -> str | int | float | None:
    """A tsv cell as the value to store: None, an int, a float, a date serial or the text.

    Long digit runs (identity numbers) and leading zeros stay text, as they would in Excel.
    """
    if not text:
        return None
    if text.startswith("@"):
        return excel_serial(date.fromisoformat(text[1:]))
    if _INTEGER.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text)
    return text


def freeze_zip(data: bytes, stamp: date) -> bytes:
    """Rewrite an OOXML package with fixed entry times and document dates (reproducible bytes)."""
    stamp_text = f"{stamp.isoformat()}T09:00:00Z".encode()
    stamp_tuple = (stamp.year, stamp.month, stamp.day, 9, 0, 0)
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as package,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as frozen,
    ):
        for entry in package.infolist():
            content = package.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                content = _CORE_DATE.sub(rb"\g<1>" + stamp_text + rb"\g<3>", content)
            info = zipfile.ZipInfo(entry.filename, date_time=stamp_tuple)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            frozen.writestr(info, content)
    return output.getvalue()


def render_workbook(source: Source) -> bytes:
    """A .xlsx.tsv source as workbook bytes: title, header, data and footer rows as written."""
    rows = [[parse_cell(cell.strip()) for cell in line.split("\t")] for line in source.body]
    width = max((len(row) for row in rows), default=1)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = source.meta.get("sheet", "Sheet1")
    header_index = next(
        (index for index, row in enumerate(rows) if sum(cell is not None for cell in row) >= 2),
        None,
    )
    for row_number, row in enumerate(rows, start=1):
        for column_number, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=row_number, column=column_number, value=value)
        if row_number - 1 == header_index:
            for column_number in range(1, len(row) + 1):
                sheet.cell(row=row_number, column=column_number).font = Font(bold=True)
        elif _is_single_cell_row(row) and source.meta.get("merge") == "single":
            sheet.merge_cells(
                start_row=row_number, start_column=1, end_row=row_number, end_column=width
            )
            sheet.cell(row=row_number, column=1).alignment = Alignment(wrap_text=True)
    if rows and _is_single_cell_row(rows[0]):
        sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
        sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    for column_number, column_width in enumerate(source.meta.get("widths", "").split(), start=1):
        sheet.column_dimensions[get_column_letter(column_number)].width = float(column_width)
    issued = datetime.combine(source.issued, time(9))
    workbook.properties.creator = PUBLISHER
    workbook.properties.lastModifiedBy = PUBLISHER
    workbook.properties.created = issued
    buffer = io.BytesIO()
    workbook.save(buffer)
    return freeze_zip(buffer.getvalue(), source.issued)


def _is_single_cell_row(row: Sequence[object]) -> bool:
    return bool(row) and row[0] is not None and all(cell is None for cell in row[1:])


def render_document(source: Source) -> bytes:
    """A .docx.txt source as document bytes, paragraph by paragraph, tables where marked."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    properties = document.core_properties
    properties.title = source.meta.get("title", "")
    properties.author = PUBLISHER
    properties.last_modified_by = PUBLISHER
    properties.comments = ""
    properties.revision = 1
    properties.created = datetime.combine(source.issued, time(9))
    properties.modified = datetime.combine(source.issued, time(9))
    table_rows: list[list[str]] = []
    for line in source.body:
        if line.startswith("|"):
            table_rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if table_rows:
            _add_table(document, table_rows)
            table_rows = []
        _add_paragraph(document, line)
    if table_rows:
        _add_table(document, table_rows)
    buffer = io.BytesIO()
    document.save(buffer)
    return freeze_zip(buffer.getvalue(), source.issued)


def _add_paragraph(document: WordDocument, line: str) -> None:
    add = document.add_paragraph
    if not line.strip():
        return
    if line.startswith("### "):
        add(line[4:], style="Heading 2")
    elif line.startswith("## "):
        add(line[3:], style="Heading 1")
    elif line.startswith("# "):
        add(line[2:], style="Title")
    elif line == "~":
        add("")
    elif line.startswith("^"):
        paragraph = add()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(line[1:]).bold = True
    elif line.startswith("> "):
        add(line[2:]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        add(line)


def _add_table(document: WordDocument, rows: list[list[str]]) -> None:
    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for row_index, row in enumerate(rows):
        for column_index, text in enumerate(row):
            cell = table.cell(row_index, column_index)
            cell.text = text
            if row_index == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True


def render_gb18030(path: Path) -> bytes:
    """A UTF-8 source as a Windows export: GB18030 with CRLF line ends."""
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    return text.replace("\n", "\r\n").encode("gb18030")


Renderer = Callable[[Path], bytes]

RENDERERS: tuple[tuple[str, str, Renderer], ...] = (
    (".xlsx.tsv", ".xlsx", lambda path: render_workbook(read_source(path))),
    (".docx.txt", ".docx", lambda path: render_document(read_source(path))),
    (".gb18030.csv", ".csv", render_gb18030),
    (".gb18030.txt", ".txt", render_gb18030),
)


def render_all(sources: Path, published: Path) -> Iterator[tuple[Path, bytes]]:
    """Every (target path, bytes) the sources render to; an unknown source kind is an error."""
    for path in sorted(sources.rglob("*")):
        if not path.is_file():
            continue
        for source_suffix, target_suffix, render in RENDERERS:
            if path.name.endswith(source_suffix):
                name = path.name[: -len(source_suffix)] + target_suffix
                yield published / path.parent.relative_to(sources) / name, render(path)
                break
        else:
            suffixes = ", ".join(suffix for suffix, _, _ in RENDERERS)
            raise DemoSourceError(f"{path.name}: not a source kind ({suffixes})")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="only report rendered files that are stale or missing"
    )
    arguments = parser.parse_args(argv)
    sources, published = DEMO / "sources", DEMO / "published"
    stale: list[str] = []
    try:
        rendered = list(render_all(sources, published))
    except (DemoSourceError, OSError, UnicodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for target, data in rendered:
        shown = target.relative_to(DEMO).as_posix()
        if target.exists() and target.read_bytes() == data:
            continue
        stale.append(shown)
        if not arguments.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"wrote {shown}")
    if arguments.check and stale:
        print("stale or missing (run scripts/make_demo_material.py):", *stale, sep="\n  ")
        return 1
    print(f"{len(rendered)} files rendered, {len(stale)} changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
