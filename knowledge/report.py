"""What an import did, per file: where it went, what it indexed, what it masked, what went wrong."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Severity = Literal["error", "warning"]
Status = Literal["new", "changed", "unchanged", "failed"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file or folder; errors mean something was not imported as such."""

    kind: str
    message: str
    severity: Severity = "error"


@dataclass(frozen=True)
class ColumnReport:
    """A table column and the element(s) it was matched to ('extra' when none)."""

    header: str
    elements: tuple[str, ...]
    how: str


@dataclass
class FileReport:
    """The outcome for one file."""

    path: str
    status: Status = "failed"
    item: str | None = None
    kind: str | None = None
    title: str | None = None
    published_on: date | None = None
    passages: int = 0
    rows: int = 0
    identity_numbers_masked: int = 0
    columns: list[ColumnReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        """The problems of severity error."""
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class ImportReport:
    """The outcome of one import run."""

    source: str
    files: list[FileReport] = field(default_factory=list)
    folder_problems: list[Problem] = field(default_factory=list)
    run_id: int | None = None
    revision: int | None = None

    def count(self, status: Status) -> int:
        """How many files ended with status."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def errors(self) -> list[Problem]:
        """Every error, of the folders and of the files."""
        found = [p for p in self.folder_problems if p.severity == "error"]
        for file in self.files:
            found.extend(file.errors)
        return found

    @property
    def imported_anything(self) -> bool:
        """False only when no file could be imported (the CLI then exits non-zero)."""
        return any(f.status != "failed" for f in self.files)

    @property
    def identity_numbers_masked(self) -> int:
        """Identity numbers masked over all files."""
        return sum(f.identity_numbers_masked for f in self.files)


def render_text(report: ImportReport) -> str:
    """The report as plain text for the terminal and the staff page (no personal data in it)."""
    lines = [f"导入 {report.source}"]
    for problem in report.folder_problems:
        lines.append(f"  [{_severity_label(problem.severity)}] {problem.message}")
    for file in report.files:
        lines.append("")
        lines.append(
            f"{file.path}  →  {file.item or '未归入公开事项'}  ({_status_label(file.status)})"
        )
        if file.title:
            dated = file.published_on.isoformat() if file.published_on else "未注明日期"
            lines.append(f"  标题：{file.title}（{dated}）")
        if file.status in ("new", "changed"):
            lines.append(f"  段落 {file.passages}，表格行 {file.rows}")
        for column in file.columns:
            if column.how == "serial":
                target = "（序号）"
            elif column.elements:
                target = "、".join(column.elements)
            else:
                target = "（保留为附加列）"
            lines.append(f"  列 {column.header} → {target}")
        if file.identity_numbers_masked:
            lines.append(f"  已隐藏身份证号码 {file.identity_numbers_masked} 个")
        for problem in file.problems:
            lines.append(f"  [{_severity_label(problem.severity)}] {problem.message}")
    lines.append("")
    counts = (
        f"新增 {report.count('new')}，更新 {report.count('changed')}，"
        f"未变 {report.count('unchanged')}，失败 {report.count('failed')}"
    )
    lines.append(
        f"共 {len(report.files)} 个文件：{counts}；错误 {len(report.errors)}；"
        f"隐藏身份证号码 {report.identity_numbers_masked} 个"
    )
    return "\n".join(lines)


def _severity_label(severity: Severity) -> str:
    return "错误" if severity == "error" else "提示"


def _status_label(status: Status) -> str:
    return {"new": "新增", "changed": "已更新", "unchanged": "未变", "failed": "失败"}[status]
