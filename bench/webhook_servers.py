"""The two servers bench/webhook.py needs besides `anju serve`: the bare app and a bot-less anju.

python bench/webhook_servers.py bare PORT   # answers every POST with a fixed 200-byte XML
python bench/webhook_servers.py nobot       # the whole service (ANJU_* settings from the
                                            # environment) with a bot that answers at once,
                                            # to measure the webhook path on its own
"""

from __future__ import annotations

import os
import sys
from datetime import date

from aiohttp import web

from bot.answer import Answer, AnswerKind, Source
from handlers import keys
from handlers.app import create_app
from handlers.settings import Settings

BARE_BODY = (
    "<xml><ToUserName><![CDATA[o_bench]]></ToUserName><FromUserName><![CDATA[gh_bench]]>"
    "</FromUserName><CreateTime>1714112445</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[ok]]></Content></xml>"
).ljust(200)
# A typical answer: a few lines and a source with a public page.
FIXED_ANSWER = Answer(
    text=(
        "城镇中等偏下收入住房困难家庭申请公租房，应当同时符合下列条件：\n"
        "（一）本县城镇户籍满2年；\n（二）家庭人均月收入低于2650元；\n"
        "（三）家庭在本县无住房，或者人均住房建筑面积低于16平方米。\n"
        "来源：《山阴县公共租赁住房和经济适用住房管理实施办法》（2026年1月12日）"
    ),
    kind=AnswerKind.ANSWERED,
    sources=(
        Source(
            "山阴县公共租赁住房和经济适用住房管理实施办法",
            date(2026, 1, 12),
            13,
            12,
            "/documents/12",
        ),
    ),
    score=1.0,
)


class InstantBot:
    """Answers every question at once with FIXED_ANSWER, as if it remembered them all.

    The webhook then answers on its event loop, as it does the Answerer's repeats: what is
    measured is the webhook's own path.
    """

    def answer(self, text: str, user: str = "") -> Answer:
        return FIXED_ANSWER

    def answer_from_memory(self, text: str, user: str = "") -> Answer | None:
        return FIXED_ANSWER


async def _bare_answer(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=BARE_BODY.encode(), content_type="application/xml")


async def _healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


def serve_bare(port: int) -> None:
    app = web.Application()
    app.router.add_post("/{tail:.*}", _bare_answer)
    app.router.add_get("/healthz", _healthz)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


def serve_without_bot() -> None:
    settings = Settings.from_env(os.environ)
    app = create_app(settings)
    app[keys.answering_factory_key] = lambda started: InstantBot()
    web.run_app(app, host=settings.host, port=settings.port, access_log=None, print=None)


if __name__ == "__main__":
    if sys.argv[1:2] == ["bare"]:
        serve_bare(int(sys.argv[2]))
    elif sys.argv[1:2] == ["nobot"]:
        serve_without_bot()
    else:
        raise SystemExit(__doc__)
