"""WeChat webhook signatures: sha1 over the sorted parts, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# Timestamps are decimal seconds; more digits than this cannot be a real time and would make
# the float arithmetic below overflow.
_MAX_TIMESTAMP_DIGITS = 12


def sign(*parts: str) -> str:
    """Return the lowercase sha1 hex of the parts, sorted and concatenated.

    With (token, timestamp, nonce) this is the query's ``signature``; with
    (token, timestamp, nonce, Encrypt) it is ``msg_signature``. Sorting the str values gives
    the same order as sorting their UTF-8 bytes (what Tencent's samples and wechatpy do),
    because UTF-8 preserves code-point order.
    """
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, token: str, *parts: str) -> bool:
    """Tell whether ``expected`` is the signature of ``token`` and ``parts``.

    The comparison runs in constant time. ``expected`` comes from the query string and may be
    any text; non-ASCII input simply does not match instead of raising.
    """
    computed = sign(token, *parts).encode("ascii")
    return hmac.compare_digest(computed, expected.encode("utf-8", "replace"))


def timestamp_is_fresh(timestamp: str, now: float, window_seconds: int) -> bool:
    """Tell whether ``timestamp`` (decimal seconds) lies within ``window_seconds`` of ``now``.

    Anything that is not a plain ASCII decimal number is not fresh. WeChat documents no
    freshness window, so callers choose one (and vector tests, which carry 2014 and 2024
    timestamps, must not go through it).
    """
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        return False
    return abs(now - int(timestamp)) <= window_seconds


def random_nonce() -> str:
    """Return a fresh nonce for a reply envelope, shaped like WeChat's own (ten decimal digits)."""
    return str(1_000_000_000 + secrets.randbelow(9_000_000_000))
