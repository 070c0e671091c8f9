"""Tests for handlers.staff.passwords: scrypt hashes with their parameters, and password rules."""

from __future__ import annotations

import pytest

from handlers.staff.passwords import (
    PasswordError,
    ScryptCost,
    check_new_password,
    hash_password,
    needs_rehash,
    verify_password,
)

CHEAP = ScryptCost(log2_n=12, r=8, p=1)


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password("住房保障 2026 春", CHEAP)
    assert verify_password("住房保障 2026 春", stored)
    assert not verify_password("住房保障 2026 秋", stored)
    assert not verify_password("", stored)


def test_the_hash_holds_its_parameters_and_a_fresh_salt() -> None:
    first, second = (
        hash_password("同一个密码同一个密码", CHEAP),
        hash_password("同一个密码同一个密码", CHEAP),
    )
    scheme, log2_n, r, p, salt, key = first.split("$")
    assert (scheme, log2_n, r, p) == ("scrypt", "12", "8", "1")
    assert salt and key
    assert first != second


def test_needs_rehash_when_the_cost_changed() -> None:
    stored = hash_password("correct horse battery", CHEAP)
    assert needs_rehash(stored)
    assert not needs_rehash(stored, CHEAP)


@pytest.mark.parametrize(
    "stored",
    ["", "plain-text-password", "md5$abc", "scrypt$12$8$1$!!$!!", "scrypt$40$8$1$AAAA$AAAA"],
)
def test_damaged_or_foreign_hashes_never_verify(stored: str) -> None:
    assert not verify_password("anything at all", stored)
    assert needs_rehash(stored)


@pytest.mark.parametrize(
    "password, reason",
    [
        ("短密码", "至少需要10个字符"),
        (" 前面有空格的密码很长", "首尾不能是空格"),
        ("aaaaaaaaaaaa", "太简单"),
        ("x" * 300, "不能超过"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    with pytest.raises(PasswordError, match=reason):
        check_new_password(password)


def test_a_good_password_passes() -> None:
    check_new_password("公租房审核员的密码 42")
