"""Tests for handlers.wechat.menu: the packaged menu, checks of menu files, `anju wechat-menu`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot import phrases
from handlers.cli import main
from handlers.wechat.menu import MenuError, load_menu

BUREAU_BUTTONS = ["申请条件", "房源信息", "摇号公告", "结果查询", "联系我们"]


def test_the_packaged_menu_has_the_bureaus_buttons() -> None:
    menu = load_menu()
    assert [entry.name for entry in menu.entries()] == BUREAU_BUTTONS
    contact = menu.entry_for("CONTACT_US")
    assert contact is not None and "电话" in contact.question
    lookup = menu.entry_for("RESULT_LOOKUP")
    assert lookup is not None and lookup.fixed_text() == phrases.ASK_FOR_TAIL
    notice = menu.entry_for("LOTTERY_NOTICE")
    assert notice is not None and notice.reply == "news"
    assert menu.entry_for("NOT_A_KEY") is None
    assert menu.entry_for(None) is None


def test_the_menu_create_body_follows_wechats_limits() -> None:
    body = load_menu().create_body()
    assert 1 <= len(body["button"]) <= 3
    for button in body["button"]:
        assert len(button["name"].encode("utf-8")) <= 16
        for child in button.get("sub_button", [button]):
            assert child["type"] == "click"
            assert len(child["name"].encode("utf-8")) <= 60
            assert child["key"]


@pytest.mark.parametrize(
    ("text", "more"),
    [("更多", True), (" 更多。", True), ("查看更多", True), ("更多房源", False), ("多", False)],
)
def test_more_keywords(text: str, more: bool) -> None:
    assert load_menu().is_more(text) is more


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "menu.toml"
    path.write_text(text, encoding="utf-8")
    return path


CLICK = '[[button]]\nname = "联系我们"\nkey = "CONTACT"\nquestion = "电话多少"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("button = 3", "1 to 3 [[button]]"),
        (CLICK * 4, "1 to 3 [[button]]"),
        (CLICK * 2, "keys used twice: CONTACT"),
        ('[[button]]\nname = "联系我们"\nkey = "K"\n', "exactly one of question or phrase"),
        (
            '[[button]]\nname = "联系我们"\nkey = "K"\nquestion = "q"\nphrase = "GREETING"\n',
            "exactly one of question or phrase",
        ),
        ('[[button]]\nname = "联系我们"\nkey = "K"\nphrase = "NO_SUCH"\n', "no sentence named"),
        ('[[button]]\nname = "我们的联系方式"\nkey = "K"\nquestion = "q"\n', "16 bytes"),
        ('[[button]]\nname = "联系"\nkey = "K"\nquestion = "q"\nreply = "card"\n', "reply must"),
        ('[[button]]\nname = "组"\nsub_button = []\n', "1 to 5 sub-buttons"),
        ("more_keywords = 1\n" + CLICK, "more_keywords"),
        ("[[button]\n", "not valid TOML"),
    ],
    ids=[
        "no-buttons",
        "four-buttons",
        "duplicate-key",
        "no-answer",
        "two-answers",
        "unknown-phrase",
        "long-name",
        "bad-reply",
        "empty-group",
        "bad-keywords",
        "bad-toml",
    ],
)
def test_a_bad_menu_file_is_refused_with_the_reason(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(MenuError, match=re.escape(message)):
        load_menu(write(tmp_path, text))


def test_anju_wechat_menu_prints_the_menu_create_body(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["wechat-menu"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body == load_menu().create_body()


def test_anju_wechat_menu_reads_another_menu_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, CLICK)
    assert main(["wechat-menu", "--menu", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "button": [{"type": "click", "name": "联系我们", "key": "CONTACT"}]
    }
    assert main(["wechat-menu", "--menu", str(tmp_path / "missing.toml")]) == 2
    assert "菜单文件有误" in capsys.readouterr().err
