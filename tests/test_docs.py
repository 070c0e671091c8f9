"""Guard test: every setting and every `anju` sub-command is documented in README.md."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from handlers.cli import build_parser
from handlers.settings import SETTINGS

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_text() -> str:
    assert README.is_file(), "README.md is missing"
    return README.read_text("utf-8")


def settings_table_variables(readme: str) -> set[str]:
    """The ANJU_* names in the first cell of the README's table rows."""
    return set(re.findall(r"^\|\s*`?(ANJU_[A-Z0-9_]+)`?\s*\|", readme, flags=re.MULTILINE))


def sub_commands() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(name for action in actions for name in action.choices)


@pytest.mark.parametrize("variable", [s.variable for s in SETTINGS])
def test_every_setting_is_in_the_readme_settings_table(variable: str) -> None:
    assert variable in settings_table_variables(readme_text())


def test_the_readme_documents_no_setting_that_does_not_exist() -> None:
    assert settings_table_variables(readme_text()) <= {s.variable for s in SETTINGS}


@pytest.mark.parametrize("command", sub_commands())
def test_every_sub_command_is_in_the_readme(command: str) -> None:
    assert re.search(rf"\banju {command}\b", readme_text()), f"`anju {command}` is not in README.md"


def test_the_sub_commands_are_read_from_the_parser() -> None:
    # The parametrization above is only as good as this list: it must not come out empty.
    assert {"import", "ask", "serve"} <= set(sub_commands())
