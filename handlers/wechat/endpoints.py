"""The configured webhook endpoints (/wechat, /wecom) and what their views share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from handlers.settings import Settings
from handlers.wechat.crypto import MessageCrypto
from handlers.wechat.exchange import Exchange
from handlers.wechat.signature import timestamp_is_fresh
from knowledge.record_models import Channel


@dataclass(frozen=True)
class Endpoint:
    """One account's callback: its channel, Token, and cipher (None: plaintext mode).

    A 公众号 with an EncodingAESKey accepts only encrypted pushes (compatible or safe mode);
    without one, only plaintext pushes. WeCom is always encrypted, with the CorpID as the
    receive id, and has no ``signature`` or ``encrypt_type`` in its query.
    """

    channel: str
    token: str
    crypto: MessageCrypto | None
    wecom: bool = False

    @property
    def encrypted(self) -> bool:
        return self.crypto is not None


@dataclass(frozen=True)
class Webhook:
    """Everything the webhook views need, created at startup."""

    wechat: Endpoint | None
    wecom: Endpoint | None
    exchange: Exchange
    clock: Callable[[], float]
    window_seconds: int
    max_body_bytes: int

    def fresh(self, timestamp: str) -> bool:
        """Whether a push's timestamp is within the replay window (0: no window)."""
        if self.window_seconds == 0:
            return True
        return timestamp_is_fresh(timestamp, self.clock(), self.window_seconds)


def wechat_endpoint(settings: Settings) -> Endpoint | None:
    """The 公众号 endpoint, or None while ANJU_WECHAT_TOKEN is empty."""
    if not settings.wechat_token:
        return None
    crypto = None
    if settings.wechat_aes_key:
        crypto = MessageCrypto(
            str(settings.wechat_token), str(settings.wechat_aes_key), settings.wechat_appid
        )
    return Endpoint(Channel.WECHAT.value, str(settings.wechat_token), crypto)


def wecom_endpoint(settings: Settings) -> Endpoint | None:
    """The WeCom endpoint, or None while ANJU_WECOM_TOKEN is empty."""
    if not settings.wecom_token:
        return None
    crypto = MessageCrypto(
        str(settings.wecom_token), str(settings.wecom_aes_key), settings.wecom_corpid
    )
    return Endpoint(Channel.WECOM.value, str(settings.wecom_token), crypto, wecom=True)
