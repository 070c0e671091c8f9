"""Guard test: imports point inwards (handlers → bot → knowledge); only handlers meet the world."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("knowledge", "bot", "handlers")


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported_names(path: Path) -> Iterator[str]:
    """Every module name a file imports (absolute, or resolved from a relative import)."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base)
            elif node.module:
                yield node.module


def top_level(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("knowledge", {"bot", "handlers"}),
        ("bot", {"handlers"}),
    ],
)
def test_imports_point_inwards(package: str, forbidden: set[str]) -> None:
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imported_names(path)
        if top_level(name) in forbidden
    ]
    assert found == []


def test_only_handlers_import_aiohttp() -> None:
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for package in ("knowledge", "bot")
        for path in modules(package)
        for name in imported_names(path)
        if top_level(name) in ("aiohttp", "aiohttp_jinja2")
    ]
    assert found == []


def reads_the_environment(path: Path) -> list[int]:
    """Lines where a file reads os.environ or os.getenv (in any spelling of the import)."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb")) or (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in ("environ", "getenv", "environb") for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("package", ["knowledge", "bot"])
def test_knowledge_and_bot_never_read_the_environment(package: str) -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in modules(package)
        if (lines := reads_the_environment(path))
    }
    assert found == {}


def test_the_guards_can_see_a_violation(tmp_path: Path) -> None:
    # The checks above pass vacuously if they parse nothing: prove they would catch one.
    sample = ROOT / "knowledge" / "tokenizer.py"
    assert "jieba" in set(imported_names(sample))
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom os import getenv\nvalue = os.environ['X']\n")
    assert reads_the_environment(bad) == [2, 3]
    assert all(modules(package) for package in PACKAGES)
