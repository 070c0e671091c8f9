"""`anju staff add|passwd|disable|enable|list`: staff accounts from the command line.

Passwords are read from a prompt (asked twice) on a terminal, or as the first line of stdin
otherwise (for scripts: `echo "$PASSWORD" | anju staff add 王芳 --role publisher`). The
database URL comes from the settings the caller builds (the `anju` command owns the
environment).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import TextIO

from sqlalchemy import Engine

from handlers.settings import Settings
from handlers.staff.accounts import (
    AccountError,
    Role,
    create_user,
    list_users,
    set_active,
    set_password,
)
from handlers.staff.passwords import MIN_PASSWORD_CHARS, PasswordError
from knowledge.database import open_engine

SettingsFor = Callable[[argparse.Namespace], Settings]


class PasswordInputError(Exception):
    """No usable password was given."""


def read_password(stdin: TextIO, prompt: Callable[[str], str] = getpass.getpass) -> str:
    """A new password: prompted twice on a terminal, else the first line of stdin."""
    if stdin.isatty():
        first = prompt(f"新密码（至少{MIN_PASSWORD_CHARS}个字符）：")
        if prompt("再次输入：") != first:
            raise PasswordInputError("两次输入的密码不一致")
        return first
    line = stdin.readline()
    if not line:
        raise PasswordInputError("标准输入中没有密码")
    return line.rstrip("\r\n")


def _run(action: Callable[[], str]) -> int:
    try:
        print(action())
    except (AccountError, PasswordError, PasswordInputError) as error:
        print(f"失败：{error}", file=sys.stderr)
        return 1
    return 0


def add_staff_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], settings_for: SettingsFor
) -> None:
    """Register `anju staff …` on the `anju` parser's sub-commands."""
    staff = commands.add_parser("staff", help="manage staff accounts of the workspace")
    staff.add_argument("--db", help="database URL (default: ANJU_DATABASE_URL)")
    actions = staff.add_subparsers(dest="staff_command", required=True)

    adding = actions.add_parser("add", help="add a user (password from a prompt or stdin)")
    adding.add_argument("name")
    adding.add_argument("--role", required=True, choices=[role.value for role in Role])
    changing = actions.add_parser("passwd", help="set a user's password; their sessions end")
    changing.add_argument("name")
    disabling = actions.add_parser("disable", help="disable a user; their sessions end")
    disabling.add_argument("name")
    enabling = actions.add_parser("enable", help="enable a disabled user")
    enabling.add_argument("name")
    actions.add_parser("list", help="list users and roles")

    def run(args: argparse.Namespace) -> int:
        engine = open_engine(settings_for(args).database_url)
        try:
            return _dispatch(args, engine)
        finally:
            engine.dispose()

    staff.set_defaults(run=run)


def _dispatch(args: argparse.Namespace, engine: Engine) -> int:
    command = args.staff_command
    if command == "add":
        role = Role(args.role)
        return _run(
            lambda: (
                f"已添加{role.label} "
                f"{create_user(engine, args.name, role, read_password(sys.stdin)).name}"
            )
        )
    if command == "passwd":
        return _run(
            lambda: (
                f"已修改 {set_password(engine, args.name, read_password(sys.stdin)).name} 的密码"
            )
        )
    if command in ("disable", "enable"):
        active = command == "enable"
        return _run(
            lambda: f"已{'启用' if active else '停用'} {set_active(engine, args.name, active).name}"
        )
    for account in list_users(engine):
        state = "" if account.active else "（已停用）"
        print(f"{account.name}\t{account.role.value}\t{account.role.label}{state}")
    return 0
