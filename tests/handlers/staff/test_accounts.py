"""Tests for handlers.staff.accounts: users and roles, and sign-in throttling in the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from handlers.staff.accounts import (
    ADDRESS_FAILURE_LIMIT,
    FAILURE_WINDOW,
    NAME_FAILURE_LIMIT,
    AccountError,
    Role,
    create_user,
    list_users,
    set_active,
    set_role,
    sign_in,
)
from handlers.staff.passwords import PasswordError

PASSWORD = "correct horse battery"
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "role, may",
    [
        (Role.REVIEWER, {Role.REVIEWER}),
        (Role.PUBLISHER, {Role.REVIEWER, Role.PUBLISHER}),
        (Role.ADMIN, {Role.REVIEWER, Role.PUBLISHER, Role.ADMIN}),
    ],
)
def test_roles_include_the_ones_below(role: Role, may: set[Role]) -> None:
    assert {required for required in Role if role.allows(required)} == may


def test_users_are_created_once_by_name(engine: Engine) -> None:
    create_user(engine, "王芳", Role.PUBLISHER, PASSWORD)
    with pytest.raises(AccountError, match="已存在"):
        create_user(engine, "王芳", Role.REVIEWER, PASSWORD)
    with pytest.raises(PasswordError):
        create_user(engine, "李静", Role.REVIEWER, "short")
    with pytest.raises(AccountError, match="空格"):
        create_user(engine, "李 静", Role.REVIEWER, PASSWORD)
    assert [(u.name, u.role) for u in list_users(engine)] == [("王芳", Role.PUBLISHER)]


def test_a_right_password_signs_in_and_a_wrong_one_does_not(engine: Engine) -> None:
    create_user(engine, "王芳", Role.PUBLISHER, PASSWORD)
    assert sign_in(engine, "王芳", PASSWORD, "10.0.0.1", NOW).account is not None
    assert sign_in(engine, "王芳", "wrong password!", "10.0.0.1", NOW).account is None
    assert sign_in(engine, "没有这个人", PASSWORD, "10.0.0.1", NOW).account is None


def test_a_disabled_user_cannot_sign_in(engine: Engine) -> None:
    create_user(engine, "王芳", Role.PUBLISHER, PASSWORD)
    set_active(engine, "王芳", False)
    assert sign_in(engine, "王芳", PASSWORD, "10.0.0.1", NOW).account is None


def test_a_role_change_is_seen_at_the_next_sign_in(engine: Engine) -> None:
    create_user(engine, "王芳", Role.REVIEWER, PASSWORD)
    set_role(engine, "王芳", Role.ADMIN)
    signed = sign_in(engine, "王芳", PASSWORD, "10.0.0.1", NOW).account
    assert signed is not None and signed.role is Role.ADMIN


def test_failures_for_one_name_lock_it_even_with_the_right_password(engine: Engine) -> None:
    create_user(engine, "王芳", Role.PUBLISHER, PASSWORD)
    for attempt in range(NAME_FAILURE_LIMIT):
        at = NOW + timedelta(seconds=attempt)
        outcome = sign_in(engine, "王芳", "guess number one", f"10.0.0.{attempt}", at)
        assert outcome.account is None and outcome.locked_minutes == 0
    locked = sign_in(engine, "王芳", PASSWORD, "10.0.0.99", NOW + timedelta(minutes=1))
    assert locked.account is None
    assert locked.locked_minutes == 14
    # Another name from the same addresses is not locked.
    create_user(engine, "李静", Role.REVIEWER, PASSWORD)
    assert sign_in(engine, "李静", PASSWORD, "10.0.0.1", NOW).account is not None


def test_the_lock_ends_when_the_failures_leave_the_window(engine: Engine) -> None:
    create_user(engine, "王芳", Role.PUBLISHER, PASSWORD)
    for attempt in range(NAME_FAILURE_LIMIT):
        sign_in(engine, "王芳", "guess number one", "10.0.0.1", NOW + timedelta(seconds=attempt))
    later = NOW + FAILURE_WINDOW + timedelta(seconds=1)
    assert sign_in(engine, "王芳", PASSWORD, "10.0.0.1", later).account is not None


def test_a_success_clears_the_names_failures(engine: Engine) -> None:
    create_user(engine, "王芳", Role.PUBLISHER, PASSWORD)
    for attempt in range(NAME_FAILURE_LIMIT - 1):
        sign_in(engine, "王芳", "guess number one", "10.0.0.1", NOW + timedelta(seconds=attempt))
    assert sign_in(engine, "王芳", PASSWORD, "10.0.0.1", NOW + timedelta(seconds=10)).account
    again = sign_in(engine, "王芳", "guess number two", "10.0.0.1", NOW + timedelta(seconds=11))
    assert again.locked_minutes == 0


def test_failures_from_one_address_lock_that_address(engine: Engine) -> None:
    create_user(engine, "王芳", Role.PUBLISHER, PASSWORD)
    for attempt in range(ADDRESS_FAILURE_LIMIT):
        sign_in(engine, f"猜测{attempt}", "guess", "203.0.113.9", NOW + timedelta(seconds=attempt))
    from_there = sign_in(engine, "王芳", PASSWORD, "203.0.113.9", NOW + timedelta(minutes=2))
    assert from_there.account is None and from_there.locked_minutes == 13
    elsewhere = sign_in(engine, "王芳", PASSWORD, "198.51.100.1", NOW + timedelta(minutes=2))
    assert elsewhere.account is not None
