"""The requests of bench/webhook.py: safe-mode messages, each encrypted and signed on its own.

Built with tools/wechat_peer.py from the shared folder beside the repository (wechatpy: an
implementation nobody on the project wrote) when it is there, else with the project's own
MessageCrypto. Every message has its own MsgId and sender, so the webhook never answers one
from its dedup cache or its rate limiter.
"""

from __future__ import annotations

import importlib.util
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

PEER = Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "wechat_peer.py"
TOKEN = "benchtoken"
AES_KEY = "Bench0123456789abcdefghijklmnopqrstuvwxyzAB"
APPID = "wxbench0000000001"
ACCOUNT = "gh_bench00000001"
# What residents ask (a mix of the kinds of questions in the bureau's sample file).
QUESTIONS = (
    "公租房申请条件是什么",
    "申请公租房需要什么材料",
    "公组房怎么申请",
    "什么时候摇号",
    "幸福里那边现在还有房没",
    "两居室还有吗",
    "租金标准是多少",
    "租赁补贴怎么申请",
    "经济适用住房多少钱一平",
    "审核要多长时间",
    "外地人能申请公租房吗",
    "住建局电话多少",
    "最近有什么公告",
    "家里3口人月收入5000能申请吗",
    "摇号结果在哪里看",
    "年审需要带什么",
    "政府出了新政策，多久之内得公开出来",
    "户口从村里迁到县城咋办",
    "你好",
    "王秀英，后四位5949，第二批审核通过没",
)

Build = Callable[[str, str, int], tuple[str, str]]


def load_peer() -> ModuleType | None:
    """tools/wechat_peer.py of the shared folder (wechatpy), when it is there."""
    if not PEER.is_file():
        return None
    spec = importlib.util.spec_from_file_location("wechat_peer", PEER)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up by name while the file runs.
    sys.modules["wechat_peer"] = module
    spec.loader.exec_module(module)
    return module


def request_builder() -> tuple[str, Build]:
    """Who builds the requests, and a function (resident, question, msg_id) → (target, body)."""
    peer = load_peer()
    if peer is not None:

        def with_peer(resident: str, question: str, msg_id: int) -> tuple[str, str]:
            built = peer.build_request(
                "http://127.0.0.1/wechat",
                token=TOKEN,
                aes_key=AES_KEY,
                appid=APPID,
                mode="safe",
                from_user=resident,
                to_user=ACCOUNT,
                text=question,
                msg_id=msg_id,
            )
            return built.url.split("127.0.0.1", 1)[1], built.body.decode("utf-8")

        return "wechat_peer (wechatpy)", with_peer
    from handlers.wechat.crypto import MessageCrypto
    from handlers.wechat.messages import text_reply
    from handlers.wechat.signature import random_nonce, sign

    crypto = MessageCrypto(TOKEN, AES_KEY, APPID)

    def with_own(resident: str, question: str, msg_id: int) -> tuple[str, str]:
        timestamp, nonce = str(int(time.time())), random_nonce()
        # A text reply has the fields of a text message apart from MsgId.
        xml = text_reply(ACCOUNT, resident, question, int(timestamp))
        encrypted = crypto.encrypt(xml.replace("</xml>", f"<MsgId>{msg_id}</MsgId></xml>").encode())
        query = (
            f"signature={sign(TOKEN, timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}"
            f"&openid={resident}&encrypt_type=aes"
            f"&msg_signature={sign(TOKEN, timestamp, nonce, encrypted)}"
        )
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
        )
        return f"/wechat?{query}", body

    return "MessageCrypto (wechat_peer not found)", with_own


def write_requests(path: Path, count: int, build: Build) -> str:
    """count requests, one per line: target TAB body (unique MsgIds and residents).

    Returns the prefix of these requests' senders, to count their records afterwards.
    """
    base = random.randrange(10**17, 9 * 10**17)
    prefix = f"o_bench_{base}_"
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            question = QUESTIONS[number % len(QUESTIONS)]
            target, body = build(f"{prefix}{number:07d}", question, base * 10 + number)
            out.write(f"{target}\t{body}\n")
    return prefix
