"""What each kind of push gets: questions, voice, media, location, link, events, menu clicks."""

from __future__ import annotations

import threading

import pytest
from aiohttp import web

from bot import phrases
from bot.answer import Answer
from bot.answerer import Answerer
from handlers import keys
from handlers.wechat.answering import Answering
from tests.handlers.wechat.conftest import (
    PUBLIC_URL,
    RESIDENT,
    Harness,
    Peer,
    message_xml,
    records,
)


class WatchedAnswerer:
    """The real bot, noting where each answer was made: in which thread, or from memory."""

    def __init__(self, answerer: Answerer) -> None:
        self._answerer = answerer
        self.threads: list[str] = []
        self.remembered = 0

    def answer(self, text: str, user: str = "") -> Answer:
        self.threads.append(threading.current_thread().name)
        return self._answerer.answer(text, user)

    def answer_from_memory(self, text: str, user: str = "") -> Answer | None:
        found = self._answerer.answer_from_memory(text, user)
        self.remembered += found is not None
        return found


@pytest.mark.parametrize(
    ("xml", "reply", "message_type", "question"),
    [
        (
            message_xml("voice", MediaId="m1", Format="amr", Recognition=""),
            phrases.VOICE_UNRECOGNISED,
            "voice",
            "[语音]",
        ),
        (
            message_xml("voice", MediaId="m1", Format="amr"),
            phrases.VOICE_UNRECOGNISED,
            "voice",
            "[语音]",
        ),
        (
            message_xml("image", PicUrl="http://mmbiz.qpic.cn/a.jpg", MediaId="m2"),
            phrases.MEDIA_REPLY,
            "image",
            "[图片]",
        ),
        (
            message_xml("video", MediaId="m3", ThumbMediaId="t3"),
            phrases.MEDIA_REPLY,
            "video",
            "[视频]",
        ),
        (
            message_xml("shortvideo", MediaId="m4", ThumbMediaId="t4"),
            phrases.MEDIA_REPLY,
            "shortvideo",
            "[小视频]",
        ),
        (
            message_xml(
                "location",
                Location_X="39.5",
                Location_Y="112.8",
                Scale="15",
                Label="山阴县岱岳镇人民北路",
            ),
            phrases.LOCATION_REPLY,
            "location",
            "[位置] 山阴县岱岳镇人民北路",
        ),
        (
            message_xml("link", Title="公租房新政", Description="解读", Url="https://example.cn/a"),
            phrases.LINK_REPLY,
            "link",
            "[链接] 公租房新政 https://example.cn/a",
        ),
    ],
    ids=["voice-empty", "voice-absent", "image", "video", "shortvideo", "location", "link"],
)
async def test_messages_without_a_question_get_a_short_helpful_reply(
    harness: Harness, xml: str, reply: str, message_type: str, question: str
) -> None:
    peer = await harness.peer("safe")
    answer = await peer.post(xml)
    assert (answer.kind, answer.content) == ("text", reply)
    [stored] = records(peer.client)
    assert (stored.message_type, stored.question, stored.status) == (
        message_type,
        question,
        "auto_answered",
    )


async def test_recognised_voice_is_answered_as_text(harness: Harness) -> None:
    peer = await harness.peer("safe")
    xml = message_xml("voice", MediaId="m1", Format="amr", Recognition="公租房申请条件是什么")
    reply = await peer.post(xml)
    [stored] = records(peer.client)
    assert (stored.message_type, stored.question) == ("voice", "公租房申请条件是什么")
    # The bot answered it (not a fixed sentence), and the resident got the stored reply.
    assert stored.answer_kind == "answered" and stored.sources
    assert reply.content == stored.reply_text


@pytest.mark.parametrize("event_key", [None, "qrscene_bureau_hall"])
async def test_subscribe_is_welcomed_with_what_the_bot_does_and_the_menu(
    harness: Harness, event_key: str | None
) -> None:
    peer = await harness.peer("safe")
    if event_key:
        xml = message_xml("event", event="subscribe", event_key=event_key, Ticket="TICKET_1")
    else:
        xml = message_xml("event", event="subscribe")
    reply = await peer.post(xml)
    assert reply.content.startswith(phrases.GREETING)
    for keyword in ("申请条件", "房源信息", "摇号公告", "结果查询", "联系我们", "帮助", "人工"):
        assert keyword in reply.content
    [stored] = records(peer.client)
    expected = "[关注] 场景：bureau_hall" if event_key else "[关注]"
    assert (stored.message_type, stored.question) == ("event:subscribe", expected)


async def test_a_qr_scan_by_a_follower_gets_the_welcome(harness: Harness) -> None:
    peer = await harness.peer("safe")
    reply = await peer.post(
        message_xml("event", event="SCAN", event_key="window_8", Ticket="TICKET_2")
    )
    assert reply.content.startswith(phrases.GREETING)
    assert records(peer.client)[0].question == "[扫码] 场景：window_8"


@pytest.mark.parametrize(
    "xml",
    [
        message_xml("event", event="unsubscribe"),
        message_xml("event", event="VIEW", event_key="https://zjj.example.cn", MenuId="1"),
        message_xml("event", event="LOCATION", Latitude="39.5", Longitude="112.8", Precision="9"),
        message_xml("event", event="TEMPLATESENDJOBFINISH", MsgID="1", Status="success"),
    ],
    ids=["unsubscribe", "view", "location-report", "template-finished"],
)
async def test_events_needing_no_reply_get_success_and_no_record(
    harness: Harness, xml: str
) -> None:
    peer = await harness.peer("safe")
    assert (await peer.post(xml)).kind == "success"
    assert records(peer.client) == []


async def test_an_unknown_message_type_gets_success_and_is_kept(harness: Harness) -> None:
    peer = await harness.peer("safe")
    xml = message_xml("miniprogrampage", Title="小程序", AppId="wx1")
    assert (await peer.post(xml)).kind == "success"
    assert [(r.message_type, r.question) for r in records(peer.client)] == [
        ("miniprogrampage", "[miniprogrampage]")
    ]


@pytest.mark.parametrize(
    ("key", "expected", "kind"),
    [
        ("APPLY_CONDITIONS", "", "answered"),
        ("RESULT_LOOKUP", phrases.ASK_FOR_TAIL, "fixed"),
        ("NO_LONGER_IN_THE_MENU", phrases.MENU_TITLE, "fixed"),
    ],
)
async def test_menu_clicks_get_their_answers(
    harness: Harness, key: str, expected: str, kind: str
) -> None:
    peer = await harness.peer("safe")
    reply = await peer.post(message_xml("event", event="CLICK", event_key=key))
    assert reply.kind == "text"
    assert expected in reply.content
    [stored] = records(peer.client)
    assert (stored.message_type, stored.answer_kind) == ("event:click", kind)
    assert stored.status == "auto_answered"
    assert reply.content == stored.reply_text


async def test_the_lottery_notice_button_opens_the_notice_page_as_a_card(
    harness: Harness,
) -> None:
    peer = await harness.peer("safe")
    xml = message_xml("event", event="CLICK", event_key="LOTTERY_NOTICE")
    reply = await peer.post(xml)
    assert reply.kind == "news"
    [card] = reply.articles
    assert "摇号" in card["Title"]
    assert card["Url"].startswith(f"{PUBLIC_URL}/documents/")
    assert card["Description"]
    # A retry gets the same card again.
    again = await peer.post(xml)
    assert again.articles == reply.articles
    [stored] = records(peer.client)
    assert stored.reply_card is not None and stored.reply_card["url"] == card["Url"]


async def test_a_resident_writing_too_fast_gets_a_polite_reply(harness: Harness) -> None:
    peer = await harness.peer("safe", rate_limit_burst=2, rate_limit_per_minute=1.0)
    replies = [await peer.text("租金标准是多少") for _ in range(3)]
    assert [r.content == phrases.RATE_LIMITED for r in replies] == [False, False, True]
    # Another resident is not slowed down.
    other = await peer.text("租金标准是多少", from_user="oOther-resident-000000000002")
    assert other.content != phrases.RATE_LIMITED
    kinds = [r.answer_kind for r in records(peer.client)]
    assert kinds.count("rate_limited") == 1 and len(kinds) == 4


async def test_questions_are_stored_masked(harness: Harness) -> None:
    peer = await harness.peer("safe")
    await peer.text("我叫李静，身份证140621198503120741，电话13812345678，审核过了吗")
    [stored] = records(peer.client)
    assert "140621198503120741" not in stored.question
    assert "13812345678" not in stored.question
    assert stored.resident_key == RESIDENT


async def test_plaintext_mode_answers_in_plaintext(harness: Harness) -> None:
    peer = await harness.peer("plain")
    assert peer.mode == "plain"
    reply = await peer.text("租赁补贴怎么申请")
    assert reply.kind == "text" and "Encrypt" not in reply.raw


async def test_a_question_asked_again_is_answered_from_memory_not_in_a_thread(
    harness: Harness,
) -> None:
    watched: list[WatchedAnswerer] = []

    def factory(app: web.Application) -> Answering:
        watched.append(WatchedAnswerer(app[keys.answerer_key]))
        return watched[0]

    peer = Peer(await harness.start(answering=factory), "safe")
    first = await peer.text("公租房申请条件是什么", from_user="oFirstResident")
    again = await peer.text("公租房申请条件是什么", from_user="oSecondResident")
    [bot] = watched
    assert first.kind == again.kind == "text" and first.content == again.content
    assert [name.startswith("answer") for name in bot.threads] == [True]
    assert bot.remembered == 1
    assert [r.resident_key for r in records(peer.client)] == ["oFirstResident", "oSecondResident"]
