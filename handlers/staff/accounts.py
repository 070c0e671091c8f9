"""Staff accounts: roles, creating and changing users, and signing in with throttling.

Blocking (scrypt and the database): call these from a thread. Failed sign-ins are counted in
the database per name and per client address, so every worker enforces the same lockout.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func
from sqlmodel import Session, col, select

from handlers.staff.passwords import (
    check_new_password,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from knowledge.database import session_scope
from knowledge.record_dates import as_utc
from knowledge.record_models import LoginAttempt, StaffUser

MAX_NAME_CHARS = 40
# Five wrong passwords for one name, or twenty from one address, within the window lock
# sign-in for that name or address until the oldest of them leaves the window.
NAME_FAILURE_LIMIT = 5
ADDRESS_FAILURE_LIMIT = 20
FAILURE_WINDOW = timedelta(minutes=15)


class Role(enum.StrEnum):
    """What a clerk may do: answer; also publish and manage material; also manage users."""

    REVIEWER = "reviewer"
    PUBLISHER = "publisher"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Higher roles include everything lower roles may do."""
        return list(Role).index(self)

    def allows(self, required: Role) -> bool:
        """True when this role may do what required may."""
        return self.rank >= required.rank

    @property
    def label(self) -> str:
        """The role's Chinese name."""
        return {"reviewer": "审核员", "publisher": "发布员", "admin": "管理员"}[self.value]


class AccountError(ValueError):
    """A change to an account that cannot be made; the message is a sentence for staff."""


@dataclass(frozen=True)
class StaffAccount:
    """A staff user without the password hash."""

    id: int
    name: str
    role: Role
    active: bool
    created_at: datetime
    session_epoch: int


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the account, or why not (and minutes to wait when locked)."""

    account: StaffAccount | None
    locked_minutes: int = 0


def _account(user: StaffUser) -> StaffAccount:
    assert user.id is not None
    return StaffAccount(
        user.id, user.name, Role(user.role), user.active, user.created_at, user.session_epoch
    )


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise AccountError(f"用户名须为1到{MAX_NAME_CHARS}个字符")
    if any(char.isspace() or not char.isprintable() for char in name):
        raise AccountError("用户名不能含有空格或控制字符")
    return name


def _user(session: Session, name: str) -> StaffUser:
    user = session.exec(select(StaffUser).where(col(StaffUser.name) == name)).first()
    if user is None:
        raise AccountError(f"没有用户 {name}")
    return user


def create_user(engine: Engine, name: str, role: Role, password: str) -> StaffAccount:
    """Add a user; AccountError when the name is taken, PasswordError for a weak password."""
    name = _check_name(name)
    check_new_password(password)
    hashed = hash_password(password)
    with session_scope(engine) as session:
        taken = session.exec(select(StaffUser.id).where(col(StaffUser.name) == name)).first()
        if taken is not None:
            raise AccountError(f"用户名 {name} 已存在")
        user = StaffUser(
            name=name, password_hash=hashed, role=role.value, created_at=datetime.now(UTC)
        )
        session.add(user)
        session.flush()
        return _account(user)


def set_password(engine: Engine, name: str, password: str) -> StaffAccount:
    """Change a password; every session of the user ends."""
    check_new_password(password)
    hashed = hash_password(password)
    with session_scope(engine) as session:
        user = _user(session, name)
        user.password_hash = hashed
        user.session_epoch += 1
        session.add(user)
        return _account(user)


def set_active(engine: Engine, name: str, active: bool) -> StaffAccount:
    """Enable or disable a user; disabling ends every session of the user."""
    with session_scope(engine) as session:
        user = _user(session, name)
        user.active = active
        user.session_epoch += 1
        session.add(user)
        return _account(user)


def set_role(engine: Engine, name: str, role: Role) -> StaffAccount:
    """Change a user's role (effective on their next request)."""
    with session_scope(engine) as session:
        user = _user(session, name)
        user.role = role.value
        session.add(user)
        return _account(user)


def end_sessions(engine: Engine, user_id: int) -> None:
    """End every session of a user (sign-out: the cookie alone proves nothing afterwards)."""
    with session_scope(engine) as session:
        user = session.get(StaffUser, user_id)
        if user is not None:
            user.session_epoch += 1
            session.add(user)


def list_users(engine: Engine) -> list[StaffAccount]:
    """Every user, by name."""
    with Session(engine) as session:
        users = session.exec(select(StaffUser).order_by(col(StaffUser.name))).all()
        return [_account(user) for user in users]


def session_account(engine: Engine, user_id: int, epoch: int) -> StaffAccount | None:
    """The signed-in user of a session, if the user is active and the session still current."""
    with Session(engine) as session:
        user = session.get(StaffUser, user_id)
        if user is None or not user.active or user.session_epoch != epoch:
            return None
        return _account(user)


def _failures_since(session: Session, column: str, value: str, since: datetime) -> list[datetime]:
    field = col(LoginAttempt.name) if column == "name" else col(LoginAttempt.address)
    rows = session.exec(
        select(LoginAttempt.at).where(field == value, col(LoginAttempt.at) >= since)
    ).all()
    return sorted(as_utc(at) for at in rows)


def _locked_minutes(failures: list[datetime], limit: int, now: datetime) -> int:
    if len(failures) < limit:
        return 0
    frees_at = failures[-limit] + FAILURE_WINDOW
    return max(1, math.ceil((frees_at - now).total_seconds() / 60))


def sign_in(
    engine: Engine, name: str, password: str, address: str, now: datetime | None = None
) -> SignIn:
    """Check a name and password unless the name or address is locked out; count failures."""
    at = as_utc(now or datetime.now(UTC))
    name = name.strip()[:MAX_NAME_CHARS]
    address = address[:64]
    with session_scope(engine) as session:
        since = at - FAILURE_WINDOW
        locked = max(
            _locked_minutes(_failures_since(session, "name", name, since), NAME_FAILURE_LIMIT, at),
            _locked_minutes(
                _failures_since(session, "address", address, since), ADDRESS_FAILURE_LIMIT, at
            ),
        )
        if locked:
            return SignIn(None, locked)
        user = session.exec(select(StaffUser).where(col(StaffUser.name) == name)).first()
        stored = user.password_hash if user is not None else dummy_hash()
        if user is None or not verify_password(password, stored) or not user.active:
            session.add(LoginAttempt(at=at, name=name, address=address))
            return SignIn(None)
        session.execute(delete(LoginAttempt).where(col(LoginAttempt.name) == name))
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            session.add(user)
        return SignIn(_account(user))


def failure_count(engine: Engine) -> int:
    """Failed sign-ins on record (for tests and the admin page)."""
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(LoginAttempt)).one())
