"""Tests for handlers.staff.commands: `anju staff add|passwd|disable|enable|list`."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import Engine

from handlers.cli import main
from handlers.staff.accounts import sign_in
from handlers.staff.commands import PasswordInputError, read_password

GOOD = "办公室的新密码2026"


class Terminal(io.StringIO):
    """Standard input that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


def _run(monkeypatch: pytest.MonkeyPatch, url: str, *arguments: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["staff", "--db", url, *arguments])


def test_add_then_sign_in(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sqlite_url: str,
    staff_engine: Engine,
) -> None:
    assert (
        _run(monkeypatch, sqlite_url, "add", "王芳", "--role", "publisher", stdin=GOOD + "\n") == 0
    )
    assert "已添加发布员 王芳" in capsys.readouterr().out
    assert sign_in(staff_engine, "王芳", GOOD, "127.0.0.1").account is not None
    assert _run(monkeypatch, sqlite_url, "list") == 0
    assert "王芳\tpublisher\t发布员" in capsys.readouterr().out


def test_a_weak_password_or_a_taken_name_fails_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    sqlite_url: str,
    staff_engine: Engine,
) -> None:
    assert _run(monkeypatch, sqlite_url, "add", "王芳", "--role", "admin", stdin="短\n") == 1
    assert "密码至少需要10个字符" in capsys.readouterr().err
    _run(monkeypatch, sqlite_url, "add", "王芳", "--role", "admin", stdin=GOOD)
    assert _run(monkeypatch, sqlite_url, "add", "王芳", "--role", "admin", stdin=GOOD) == 1
    assert "已存在" in capsys.readouterr().err
    assert _run(monkeypatch, sqlite_url, "passwd", "没有这个人", stdin=GOOD) == 1
    assert "没有用户" in capsys.readouterr().err


def test_passwd_and_disable(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, staff_engine: Engine
) -> None:
    _run(monkeypatch, sqlite_url, "add", "王芳", "--role", "reviewer", stdin=GOOD)
    assert _run(monkeypatch, sqlite_url, "passwd", "王芳", stdin="另一个足够长的新密码吧\n") == 0
    assert sign_in(staff_engine, "王芳", "另一个足够长的新密码吧", "127.0.0.1").account is not None
    assert _run(monkeypatch, sqlite_url, "disable", "王芳") == 0
    assert sign_in(staff_engine, "王芳", "另一个足够长的新密码吧", "127.0.0.1").account is None
    assert _run(monkeypatch, sqlite_url, "enable", "王芳") == 0
    assert sign_in(staff_engine, "王芳", "另一个足够长的新密码吧", "127.0.0.2").account is not None


def test_on_a_terminal_the_password_is_asked_twice() -> None:
    answers = iter([GOOD, GOOD])
    assert read_password(Terminal(), lambda prompt: next(answers)) == GOOD
    mismatched = iter([GOOD, "别的"])
    with pytest.raises(PasswordInputError, match="不一致"):
        read_password(Terminal(), lambda prompt: next(mismatched))


def test_empty_stdin_is_no_password() -> None:
    with pytest.raises(PasswordInputError, match="没有密码"):
        read_password(io.StringIO(""))
