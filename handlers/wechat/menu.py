"""The 公众号 menu as data (menu.toml): CLICK keys → what to answer, and the menu/create body."""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot import phrases
from handlers.settings import Settings

# WeChat's documented limits for menu/create.
MAX_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_BUTTON_NAME_BYTES = 16
MAX_SUB_BUTTON_NAME_BYTES = 60
MAX_KEY_BYTES = 128
REPLY_STYLES = ("text", "news")


class MenuError(ValueError):
    """The menu file cannot be used; the message says where and why."""


@dataclass(frozen=True)
class MenuEntry:
    """A click button: its name and key, and the question or fixed sentence it answers with."""

    name: str
    key: str
    question: str = ""
    phrase: str = ""
    reply: str = "text"

    def fixed_text(self) -> str:
        """The fixed sentence of bot/phrases.py this button answers with ('' for a question)."""
        return str(getattr(phrases, self.phrase)) if self.phrase else ""


@dataclass(frozen=True)
class MenuButton:
    """A button of the bar: a click button itself, or a group of sub-buttons."""

    name: str
    entry: MenuEntry | None
    children: tuple[MenuEntry, ...] = ()


@dataclass(frozen=True)
class Menu:
    """The whole menu and the words that ask for the rest of a long answer."""

    buttons: tuple[MenuButton, ...]
    more_keywords: frozenset[str]

    def entries(self) -> list[MenuEntry]:
        """Every click button, in the order residents see them."""
        found: list[MenuEntry] = []
        for button in self.buttons:
            found.extend([button.entry] if button.entry else button.children)
        return found

    def entry_for(self, key: str | None) -> MenuEntry | None:
        """The click button WeChat reports as EventKey, or None for a key no longer in use."""
        for entry in self.entries():
            if entry.key == key:
                return entry
        return None

    def is_more(self, text: str) -> bool:
        """True when a message asks for the rest of the last answer ("更多")."""
        return text.strip().rstrip("。.!！~～").strip() in self.more_keywords

    def create_body(self) -> dict[str, Any]:
        """The JSON body of WeChat's menu/create API."""
        bar: list[dict[str, Any]] = []
        for button in self.buttons:
            if button.entry is not None:
                bar.append(_click(button.entry))
            else:
                children = [_click(child) for child in button.children]
                bar.append({"name": button.name, "sub_button": children})
        return {"button": bar}


def _click(entry: MenuEntry) -> dict[str, Any]:
    return {"type": "click", "name": entry.name, "key": entry.key}


def load_menu(path: Path | None = None) -> Menu:
    """Read and check a menu file (default: the packaged menu.toml)."""
    if path is None:
        source = resources.files("handlers.wechat").joinpath("menu.toml")
        text, where = source.read_text(encoding="utf-8"), "menu.toml"
    else:
        try:
            text, where = path.read_text(encoding="utf-8"), str(path)
        except (OSError, UnicodeDecodeError) as error:
            raise MenuError(f"cannot read the menu file {path}: {error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise MenuError(f"{where}: not valid TOML: {error}") from None
    return _menu(data, where)


def _menu(data: Mapping[str, Any], where: str) -> Menu:
    raw_buttons = data.get("button", [])
    if not isinstance(raw_buttons, list) or not 1 <= len(raw_buttons) <= MAX_BUTTONS:
        raise MenuError(f"{where}: the menu needs 1 to {MAX_BUTTONS} [[button]] entries")
    buttons = tuple(_button(raw, f"{where}, button {n}") for n, raw in enumerate(raw_buttons, 1))
    keywords = data.get("more_keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise MenuError(f"{where}: more_keywords must be a list of words")
    menu = Menu(buttons, frozenset(keywords))
    keys = [entry.key for entry in menu.entries()]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise MenuError(f"{where}: keys used twice: {', '.join(duplicates)}")
    return menu


def _button(raw: Any, where: str) -> MenuButton:
    if not isinstance(raw, dict):
        raise MenuError(f"{where}: expected a table")
    name = _name(raw, where, MAX_BUTTON_NAME_BYTES)
    children = raw.get("sub_button")
    if children is None:
        return MenuButton(name, _entry(raw, where, MAX_BUTTON_NAME_BYTES))
    if "key" in raw or not isinstance(children, list):
        raise MenuError(f"{where} ({name}): either a key or sub-buttons, not both")
    if not 1 <= len(children) <= MAX_SUB_BUTTONS:
        raise MenuError(f"{where} ({name}): 1 to {MAX_SUB_BUTTONS} sub-buttons allowed")
    entries = tuple(
        _entry(child, f"{where} ({name}), sub-button {n}", MAX_SUB_BUTTON_NAME_BYTES)
        for n, child in enumerate(children, 1)
    )
    return MenuButton(name, None, entries)


def _entry(raw: Any, where: str, name_bytes: int) -> MenuEntry:
    if not isinstance(raw, dict):
        raise MenuError(f"{where}: expected a table")
    name = _name(raw, where, name_bytes)
    key = raw.get("key")
    if not isinstance(key, str) or not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
        raise MenuError(f"{where} ({name}): key must be 1 to {MAX_KEY_BYTES} bytes")
    question = raw.get("question", "")
    phrase = raw.get("phrase", "")
    if not isinstance(question, str) or not isinstance(phrase, str):
        raise MenuError(f"{where} ({name}): question and phrase are text")
    if bool(question.strip()) == bool(phrase):
        raise MenuError(f"{where} ({name}): give exactly one of question or phrase")
    if phrase and not isinstance(getattr(phrases, phrase, None), str):
        raise MenuError(f"{where} ({name}): bot/phrases.py has no sentence named {phrase}")
    reply = raw.get("reply", "text")
    if reply not in REPLY_STYLES:
        raise MenuError(f"{where} ({name}): reply must be one of {', '.join(REPLY_STYLES)}")
    return MenuEntry(name, key, question.strip(), phrase, reply)


def _name(raw: Mapping[str, Any], where: str, limit: int) -> str:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise MenuError(f"{where}: every button needs a name")
    if len(name.encode("utf-8")) > limit:
        raise MenuError(f"{where}: the name {name!r} is longer than WeChat's {limit} bytes")
    return name


def menu_path(settings: Settings) -> Path | None:
    """The menu file the settings name (None: the packaged one)."""
    return Path(settings.wechat_menu_file) if settings.wechat_menu_file else None


def command_wechat_menu(args: argparse.Namespace, settings: Callable[[], Settings]) -> int:
    """anju wechat-menu: print the menu/create JSON body of the menu in use."""
    path = Path(args.menu) if args.menu else menu_path(settings())
    try:
        menu = load_menu(path)
    except MenuError as error:
        print(f"菜单文件有误：{error}", file=sys.stderr)
        return 2
    print(json.dumps(menu.create_body(), ensure_ascii=False, indent=2))
    return 0


def add_menu_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    settings: Callable[[], Settings],
) -> None:
    """Register `anju wechat-menu` on the command line's sub-commands."""
    menu = commands.add_parser(
        "wechat-menu", help="print the 公众号 menu as the JSON body of WeChat's menu/create API"
    )
    menu.add_argument("--menu", help="a menu TOML file (default: ANJU_WECHAT_MENU_FILE)")
    menu.set_defaults(run=lambda args: command_wechat_menu(args, settings))
