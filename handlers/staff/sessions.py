"""Staff session cookies signed with HMAC, the per-session CSRF token, and the request keys.

Nothing is kept in process memory: the cookie carries the user id, the user's session epoch,
a random nonce and when it was issued; any worker holding the same secret can check it. A
session ends when the cookie expires or when the user's epoch moves on (logout, a password
change, deactivation), which every worker sees in the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass

from aiohttp import web

from handlers.settings import Settings
from handlers.staff.accounts import StaffAccount

log = logging.getLogger(__name__)

COOKIE_NAME = "anju_staff"
COOKIE_PATH = "/staff/"
# A working day, with some slack: staff sign in again each morning.
SESSION_SECONDS = 12 * 3600
_VERSION = "v1"
_MIN_SECRET_CHARS = 16


@dataclass(frozen=True)
class SessionData:
    """What a session cookie says: who (0 before sign-in), their epoch, a nonce, when issued."""

    user_id: int
    epoch: int
    nonce: str
    issued_at: int

    @property
    def signed_in(self) -> bool:
        """True for a signed-in user's session (an anonymous one only carries a CSRF nonce)."""
        return self.user_id > 0


# The staff sub-application's signing secret, and each request's session and signed-in user.
secret_key = web.AppKey("staff_session_secret", bytes)
session_key = web.RequestKey("staff_session", SessionData)
staff_key = web.RequestKey("staff_account", StaffAccount)


def session_secret(settings: Settings) -> bytes:
    """The signing key: ANJU_SESSION_SECRET, or a random one for this process (with a warning)."""
    configured = str(settings.session_secret)
    if configured:
        if len(configured) < _MIN_SECRET_CHARS:
            log.warning("ANJU_SESSION_SECRET is short; use at least 32 random characters")
        return configured.encode("utf-8")
    log.warning(
        "ANJU_SESSION_SECRET is not set: using a random key, so staff sessions end when the "
        "server restarts and do not work across several workers"
    )
    return secrets.token_bytes(32)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, f"session|{payload}".encode("ascii"), hashlib.sha256).digest()
    return _b64encode(digest)


def new_session(user_id: int = 0, epoch: int = 0, now: float | None = None) -> SessionData:
    """A fresh session with a new nonce (a new CSRF token): issued on every sign-in."""
    issued = int(time.time() if now is None else now)
    return SessionData(user_id, epoch, secrets.token_urlsafe(18), issued)


def encode_session(secret: bytes, session: SessionData) -> str:
    """The cookie value for session."""
    body = json.dumps(
        {"u": session.user_id, "e": session.epoch, "n": session.nonce, "t": session.issued_at},
        separators=(",", ":"),
    )
    payload = _b64encode(body.encode("utf-8"))
    return f"{_VERSION}.{payload}.{_signature(secret, payload)}"


def decode_session(secret: bytes, value: str, now: float | None = None) -> SessionData | None:
    """The session in a cookie value, or None when it is forged, damaged or expired."""
    parts = value.split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        return None
    _, payload, signature = parts
    try:
        payload.encode("ascii")
        signature.encode("ascii")
    except UnicodeEncodeError:
        return None
    if not hmac.compare_digest(_signature(secret, payload), signature):
        return None
    try:
        data = json.loads(_b64decode(payload))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(data, dict):
        return None
    user_id, epoch, nonce, issued = data.get("u"), data.get("e"), data.get("n"), data.get("t")
    if not (isinstance(user_id, int) and isinstance(epoch, int) and isinstance(issued, int)):
        return None
    if not isinstance(nonce, str) or not nonce:
        return None
    current = time.time() if now is None else now
    if not issued - 60 <= current <= issued + SESSION_SECONDS:
        return None
    return SessionData(user_id, epoch, nonce, issued)


def csrf_token(secret: bytes, session: SessionData) -> str:
    """The CSRF token of a session: bound to its nonce, so it changes at every sign-in."""
    digest = hmac.new(secret, f"csrf|{session.nonce}".encode(), hashlib.sha256).digest()
    return _b64encode(digest)


def csrf_matches(secret: bytes, session: SessionData, presented: str) -> bool:
    """True when presented is this session's CSRF token (constant-time comparison)."""
    return hmac.compare_digest(csrf_token(secret, session).encode(), presented.encode())


def set_session_cookie(
    response: web.StreamResponse, secret: bytes, session: SessionData, settings: Settings
) -> None:
    """Set the session cookie: HttpOnly, SameSite=Strict, and Secure when the site is https."""
    response.set_cookie(
        COOKIE_NAME,
        encode_session(secret, session),
        path=COOKIE_PATH,
        httponly=True,
        samesite="Strict",
        secure=settings.base_url.startswith("https://"),
        max_age=SESSION_SECONDS,
    )
