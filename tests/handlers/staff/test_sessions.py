"""Tests for handlers.staff.sessions: signed cookies, expiry, and the CSRF token they carry."""

from __future__ import annotations

import pytest

from handlers.settings import Secret, Settings
from handlers.staff.sessions import (
    SESSION_SECONDS,
    csrf_matches,
    csrf_token,
    decode_session,
    encode_session,
    new_session,
    session_secret,
)

SECRET = b"k" * 32
NOW = 1_790_000_000.0


def test_a_cookie_round_trips() -> None:
    session = new_session(7, 3, now=NOW)
    assert decode_session(SECRET, encode_session(SECRET, session), now=NOW + 60) == session


@pytest.mark.parametrize(
    "damage",
    [
        lambda value: value[:-2] + "AA",
        lambda value: value.replace("v1.", "v2."),
        lambda value: value.split(".")[0] + ".e30." + value.split(".")[2],
        lambda value: "",
        lambda value: "v1.用户.签名",
    ],
    ids=["signature", "version", "payload", "empty", "non-ascii"],
)
def test_a_damaged_cookie_is_no_session(damage: object) -> None:
    value = encode_session(SECRET, new_session(7, 3, now=NOW))
    assert callable(damage)
    assert decode_session(SECRET, damage(value), now=NOW) is None


def test_another_secret_does_not_accept_the_cookie() -> None:
    value = encode_session(SECRET, new_session(7, 3, now=NOW))
    assert decode_session(b"o" * 32, value, now=NOW) is None


def test_a_session_expires() -> None:
    value = encode_session(SECRET, new_session(7, 3, now=NOW))
    assert decode_session(SECRET, value, now=NOW + SESSION_SECONDS - 1) is not None
    assert decode_session(SECRET, value, now=NOW + SESSION_SECONDS + 1) is None


def test_the_csrf_token_belongs_to_one_session() -> None:
    first, second = new_session(7, 3, now=NOW), new_session(7, 3, now=NOW)
    token = csrf_token(SECRET, first)
    assert csrf_matches(SECRET, first, token)
    assert not csrf_matches(SECRET, second, token)
    assert not csrf_matches(SECRET, first, "")


def test_a_missing_secret_is_replaced_by_a_random_one_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert session_secret(Settings(session_secret=Secret("configured secret value!"))) == (
        b"configured secret value!"
    )
    generated = session_secret(Settings())
    assert len(generated) == 32
    assert generated != session_secret(Settings())
    assert "ANJU_SESSION_SECRET is not set" in caplog.text
