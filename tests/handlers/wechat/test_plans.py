"""Tests for handlers.wechat.plans: how each kind of push is answered (a pure table)."""

from __future__ import annotations

import pytest

from bot import phrases
from handlers.wechat.menu import load_menu
from handlers.wechat.messages import parse_message
from handlers.wechat.plans import (
    MAX_QUESTION_CHARS,
    NOTHING,
    Plan,
    help_text,
    plan_for,
    welcome_text,
)

MENU = load_menu()


def push(kind: str, fields: str = "") -> bytes:
    return (
        "<xml><ToUserName>gh_x</ToUserName><FromUserName>o_resident</FromUserName>"
        f"<CreateTime>1714112445</CreateTime><MsgType>{kind}</MsgType>{fields}</xml>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            push("text", "<Content>公租房怎么申请</Content><MsgId>1</MsgId>"),
            Plan(True, "text", "公租房怎么申请", ask="公租房怎么申请", reviewable=True),
        ),
        (
            push("text", "<Content>更多</Content><MsgId>2</MsgId>"),
            Plan(True, "text", "更多", more=True),
        ),
        (
            push("text", "<Content> </Content><MsgId>3</MsgId>"),
            Plan(True, "text", " ", fixed=phrases.EMPTY_MESSAGE),
        ),
        (
            push("voice", "<Recognition>租金多少</Recognition><MsgId>4</MsgId>"),
            Plan(True, "voice", "租金多少", ask="租金多少", reviewable=True),
        ),
        (
            push("file", "<Title>a.pdf</Title><MsgId>5</MsgId>"),
            Plan(True, "file", "[文件]", fixed=phrases.MEDIA_REPLY),
        ),
        (
            push("event", "<Event>CLICK</Event><EventKey>CONTACT_US</EventKey>"),
            Plan(
                True,
                "event:click",
                "[菜单] 联系我们",
                ask=MENU.entry_for("CONTACT_US").question,  # type: ignore[union-attr]
            ),
        ),
        (
            push("event", "<Event>CLICK</Event><EventKey>LOTTERY_NOTICE</EventKey>"),
            Plan(True, "event:click", "[菜单] 摇号公告", ask="最近的摇号公告", news=True),
        ),
        (
            push("event", "<Event>CLICK</Event><EventKey>GONE</EventKey>"),
            Plan(True, "event:click", "[菜单] GONE", fixed=help_text()),
        ),
        (push("event", "<Event>unsubscribe</Event>"), NOTHING),
        (push("event", "<Event>scancode_push</Event><EventKey>k</EventKey>"), NOTHING),
    ],
    ids=[
        "question",
        "more",
        "blank",
        "voice",
        "file",
        "click-question",
        "click-news",
        "click-unknown",
        "unsubscribe",
        "scancode",
    ],
)
def test_plan_for_each_kind_of_push(body: bytes, expected: Plan) -> None:
    assert plan_for(parse_message(body), MENU) == expected


def test_the_bot_reads_at_most_max_question_chars() -> None:
    text = "房" * (MAX_QUESTION_CHARS + 100)
    plan = plan_for(parse_message(push("text", f"<Content>{text}</Content>")), MENU)
    assert plan.question == text
    assert plan.ask == text[:MAX_QUESTION_CHARS]


def test_subscribe_is_not_rate_limited_and_lists_every_button() -> None:
    plan = plan_for(parse_message(push("event", "<Event>subscribe</Event>")), MENU)
    assert (plan.rate_limited, plan.fixed) == (False, welcome_text(MENU))
    for entry in MENU.entries():
        assert entry.name in plan.fixed
    assert len(plan.fixed.encode("utf-8")) <= 2048
