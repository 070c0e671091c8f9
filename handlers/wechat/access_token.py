"""WeChat and WeCom access_token fetching, caching, single-flight refresh and invalidation."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp

logger = logging.getLogger(__name__)

OFFICIAL_ACCOUNT_API = "https://api.weixin.qq.com"
WECOM_API = "https://qyapi.weixin.qq.com"

#: Errors on any API call that mean "this access_token is no longer good": 40001 invalid
#: credential (superseded or wrong secret), 40014 invalid access_token, 42001 expired.
TOKEN_REJECTED_ERRCODES = frozenset({40001, 40014, 42001})
#: Token-endpoint errors worth another try later: system busy and rate limits.
_RETRYABLE_FETCH_ERRCODES = frozenset({-1, 45009, 45011, 45033})
#: Used when the token endpoint does not say how long the token lives (documented: 7200 s).
_DEFAULT_LIFETIME_SECONDS = 7200


@dataclass(frozen=True)
class OfficialAccountTarget:
    """A 公众号: its AppID and AppSecret, and the API base URL (a fake one in tests)."""

    appid: str
    secret: str = field(repr=False)
    base_url: str = OFFICIAL_ACCOUNT_API

    @property
    def cache_key(self) -> str:
        return f"wechat:{self.appid}"


@dataclass(frozen=True)
class WeComTarget:
    """A WeCom (企业微信) self-built app: CorpID, the app's Secret and AgentId, and the base URL."""

    corpid: str
    corpsecret: str = field(repr=False)
    agentid: int
    base_url: str = WECOM_API

    @property
    def cache_key(self) -> str:
        # Each WeCom app has its own secret and therefore its own token.
        return f"wecom:{self.corpid}:{self.agentid}"


Target = OfficialAccountTarget | WeComTarget


@dataclass(frozen=True)
class CachedToken:
    """An access_token and when it stops working, in wall-clock seconds (``time.time()``)."""

    value: str = field(repr=False)
    expires_at: float


class TokenStore(Protocol):
    """Where tokens live between calls; a shared store lets several workers reuse one token."""

    async def get(self, key: str) -> CachedToken | None: ...

    async def put(self, key: str, token: CachedToken) -> None: ...

    async def invalidate(self, key: str, token: str) -> None:
        """Drop the entry only if it still holds ``token`` (compare-and-delete).

        A worker that saw ``token`` rejected must not drop a fresher token that another
        worker stored meanwhile.
        """
        ...


class MemoryTokenStore:
    """A per-process TokenStore.

    Each method runs without awaiting, so under asyncio every read-modify-write below is
    atomic and no lock is needed.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, CachedToken] = {}

    async def get(self, key: str) -> CachedToken | None:
        return self._tokens.get(key)

    async def put(self, key: str, token: CachedToken) -> None:
        self._tokens[key] = token

    async def invalidate(self, key: str, token: str) -> None:
        current = self._tokens.get(key)
        if current is not None and current.value == token:
            del self._tokens[key]


class TokenUnavailable(Exception):
    """No access_token could be obtained; ``retryable`` says whether trying later may help."""

    def __init__(self, errcode: int, errmsg: str, *, retryable: bool) -> None:
        super().__init__(f"access_token unavailable: {errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg
        self.retryable = retryable


#: errcode reported by TokenUnavailable when the failure had no WeChat errcode (network, HTTP).
TOKEN_TRANSPORT_FAILURE = -999


class AccessTokens:
    """Hands out a valid access_token for one target, fetching it only when needed.

    For a 公众号 the token comes from ``/cgi-bin/stable_token``, not ``/cgi-bin/token``: every
    plain ``/cgi-bin/token`` call invalidates the previous token (spec section 12 item 8,
    rememberber/WePush #213/#216), so two workers or a restart would keep knocking out each
    other's tokens. stable_token without ``force_refresh`` returns the current token while it is
    valid and leaves tokens other processes hold working. WeCom's ``gettoken`` likewise returns
    the same token while it is valid.

    Tokens are refreshed ``refresh_margin_seconds`` before they expire. Within one process,
    concurrent callers share a single fetch; across processes a shared TokenStore lets workers
    reuse the token, and an occasional duplicate fetch is harmless for the reasons above.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        target: Target,
        store: TokenStore,
        *,
        refresh_margin_seconds: float = 180.0,
        timeout_seconds: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if refresh_margin_seconds < 0 or timeout_seconds <= 0:
            raise ValueError("refresh margin must be >= 0 and timeout > 0")
        self.target = target
        self._session = session
        self._store = store
        # Below stable_token's own 5-minute early renewal, so a token it hands out is never
        # already inside our margin (which would make every call fetch again).
        self._margin = refresh_margin_seconds
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._clock = clock
        self._inflight: asyncio.Task[CachedToken] | None = None

    async def get(self) -> str:
        """A token that is valid for at least the refresh margin; raises TokenUnavailable."""
        cached = await self._store.get(self.target.cache_key)
        if cached is not None and cached.expires_at - self._margin > self._clock():
            return cached.value
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.create_task(self._fetch_and_store())
            self._inflight.add_done_callback(_consume_outcome)
        # Shielded: one caller giving up must not cancel the fetch the others are waiting for.
        fetched = await asyncio.shield(self._inflight)
        return fetched.value

    async def invalidate(self, token: str) -> None:
        """Forget ``token`` after WeChat rejected it; a newer cached token is kept."""
        await self._store.invalidate(self.target.cache_key, token)

    async def _fetch_and_store(self) -> CachedToken:
        fetched_at = self._clock()
        payload = await self._request_token()
        value = payload.get("access_token")
        if not isinstance(value, str) or not value:
            raise TokenUnavailable(
                _errcode(payload), str(payload.get("errmsg", "no access_token")), retryable=False
            )
        lifetime = payload.get("expires_in")
        if not isinstance(lifetime, int) or lifetime <= 0:
            lifetime = _DEFAULT_LIFETIME_SECONDS
        token = CachedToken(value=value, expires_at=fetched_at + lifetime)
        await self._store.put(self.target.cache_key, token)
        logger.info("fetched access_token for %s, valid %d s", self.target.cache_key, lifetime)
        return token

    async def _request_token(self) -> dict[str, Any]:
        target = self.target
        try:
            if isinstance(target, OfficialAccountTarget):
                body = {
                    "grant_type": "client_credential",
                    "appid": target.appid,
                    "secret": target.secret,
                    "force_refresh": False,
                }
                request = self._session.post(
                    f"{target.base_url}/cgi-bin/stable_token", json=body, timeout=self._timeout
                )
            else:
                query = {"corpid": target.corpid, "corpsecret": target.corpsecret}
                request = self._session.get(
                    f"{target.base_url}/cgi-bin/gettoken", params=query, timeout=self._timeout
                )
            async with request as response:
                if response.status != 200:
                    raise TokenUnavailable(
                        TOKEN_TRANSPORT_FAILURE,
                        f"HTTP {response.status}",
                        retryable=response.status >= 500,
                    )
                raw = await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            # Fetching a token changes nothing on WeChat's side, so any transport failure
            # is safe to retry. The exception text may contain the secret in a URL: not logged.
            logger.warning("token fetch for %s failed: %s", target.cache_key, type(error).__name__)
            raise TokenUnavailable(
                TOKEN_TRANSPORT_FAILURE, type(error).__name__, retryable=True
            ) from None
        payload = _json_object(raw)
        errcode = _errcode(payload)
        if errcode != 0:
            logger.warning("token fetch for %s refused: errcode %d", target.cache_key, errcode)
            raise TokenUnavailable(
                errcode,
                str(payload.get("errmsg", "")),
                retryable=errcode in _RETRYABLE_FETCH_ERRCODES,
            )
        return payload


def _consume_outcome(task: asyncio.Task[CachedToken]) -> None:
    # Marks a failed fetch's exception as retrieved even if every waiter was cancelled,
    # so asyncio does not report "Task exception was never retrieved".
    if not task.cancelled():
        task.exception()


def _json_object(raw: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise TokenUnavailable(
            TOKEN_TRANSPORT_FAILURE, "response is not JSON", retryable=True
        ) from None
    if not isinstance(parsed, dict):
        raise TokenUnavailable(
            TOKEN_TRANSPORT_FAILURE, "response is not a JSON object", retryable=True
        )
    return parsed


def _errcode(payload: dict[str, Any]) -> int:
    errcode = payload.get("errcode", 0)
    return errcode if isinstance(errcode, int) else TOKEN_TRANSPORT_FAILURE
