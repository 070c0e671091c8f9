"""Staff password hashes: scrypt from the standard library, parameters stored with the hash.

Format: ``scrypt$<log2 n>$<r>$<p>$<salt, base64>$<hash, base64>``. Storing the cost with each
hash lets the cost be raised later: a sign-in with an older cost rehashes (needs_rehash).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
_SCHEME = "scrypt"
_SALT_BYTES = 16
_KEY_BYTES = 32


@dataclass(frozen=True)
class ScryptCost:
    """scrypt's work factors; memory used is 128 * r * 2**log2_n bytes."""

    log2_n: int = 16
    r: int = 8
    p: int = 1

    @property
    def max_memory(self) -> int:
        """The memory limit scrypt is allowed, with headroom over what the cost needs."""
        return 2 * 128 * self.r * (1 << self.log2_n) * self.p


# 64 MiB and about a fifth of a second per hash on the bureau's kind of machine (OWASP asks
# for at least 2**17 with r=8 when scrypt is the only defence; throttling sign-ins adds one).
DEFAULT_COST = ScryptCost()


class PasswordError(ValueError):
    """A password that cannot be used; the message says why, in Chinese for staff."""


def check_new_password(password: str) -> None:
    """Raise PasswordError unless password is acceptable as a new password."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordError(f"密码至少需要{MIN_PASSWORD_CHARS}个字符")
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordError(f"密码不能超过{MAX_PASSWORD_CHARS}个字符")
    if password.strip() != password:
        raise PasswordError("密码首尾不能是空格")
    if len(set(password)) < 4:
        raise PasswordError("密码太简单，请使用更多不同的字符")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, cost: ScryptCost) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=1 << cost.log2_n,
        r=cost.r,
        p=cost.p,
        maxmem=cost.max_memory,
        dklen=_KEY_BYTES,
    )


def hash_password(password: str, cost: ScryptCost = DEFAULT_COST) -> str:
    """A new salted hash of password (slow on purpose: call it from a thread)."""
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _derive(password, salt, cost)
    return f"{_SCHEME}${cost.log2_n}${cost.r}${cost.p}${_b64(salt)}${_b64(key)}"


def _parse(stored: str) -> tuple[ScryptCost, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    try:
        cost = ScryptCost(int(parts[1]), int(parts[2]), int(parts[3]))
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    if not (10 <= cost.log2_n <= 22 and 1 <= cost.r <= 32 and 1 <= cost.p <= 16):
        return None
    return cost, salt, key


def verify_password(password: str, stored: str) -> bool:
    """True when password matches the stored hash (compared in constant time)."""
    parsed = _parse(stored)
    if parsed is None or len(password) > MAX_PASSWORD_CHARS:
        return False
    cost, salt, key = parsed
    return hmac.compare_digest(_derive(password, salt, cost), key)


def needs_rehash(stored: str, cost: ScryptCost = DEFAULT_COST) -> bool:
    """True when the hash was made with another cost than the current one."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != cost


@functools.cache
def dummy_hash(cost: ScryptCost = DEFAULT_COST) -> str:
    """A hash no password matches, verified for unknown names so they take as long as known ones.

    Made once per process: only verifying it needs to cost what a real check costs.
    """
    return hash_password(secrets.token_urlsafe(24), cost)
