"""The schema's revision (Alembic): a new database is created at the head, an older one upgraded.

What open_engine() and `anju db upgrade` find, and do:

- empty (no table of the application): every table is created from the models and stamped
  with the head revision; no migration runs, so a new database costs what it always did.
- unversioned (the application's tables, no alembic_version): a database of the first release,
  from before migrations. It is stamped with the baseline and upgraded from there (or with
  the head, when its tables are already exactly this release's).
- behind: the pending migrations run.
- current: nothing happens (two short catalog queries).
- ahead (a revision this release does not know): SchemaError. An older release must not write
  to a schema a newer one changed.

Everything but the "current" check runs in one transaction that holds a PostgreSQL advisory
lock, so several workers starting at once create or upgrade the schema exactly once; the
others wait and then find it current.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import SQLModel

from knowledge import maintenance, models, record_models, worker_state

#: The revision of the first release's tables (see migrations/versions/v0001_baseline.py).
BASELINE_REVISION = "0001"
VERSION_TABLE = "alembic_version"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock key of schema changes ("anju" in ASCII, then 1).
_SCHEMA_LOCK_KEY = 0x616E_6A75_0000_0001


class SchemaError(RuntimeError):
    """The database's schema cannot be used or upgraded by this release."""


class SchemaState(StrEnum):
    """Where a database stands against this release's migrations."""

    EMPTY = "empty"
    UNVERSIONED = "unversioned"
    BEHIND = "behind"
    CURRENT = "current"
    AHEAD = "ahead"


@dataclass(frozen=True)
class SchemaStatus:
    """A database's revision (None when it has no alembic_version) and this release's head."""

    revision: str | None
    head: str
    has_tables: bool

    @property
    def state(self) -> SchemaState:
        """What open_engine() would do with this database."""
        if self.revision is None:
            return SchemaState.UNVERSIONED if self.has_tables else SchemaState.EMPTY
        if self.revision == self.head:
            return SchemaState.CURRENT
        if self.revision in known_revisions():
            return SchemaState.BEHIND
        return SchemaState.AHEAD


@dataclass(frozen=True)
class Upgrade:
    """What bring_to_head() found and the revision it left."""

    before: SchemaStatus
    revision: str

    @property
    def changed(self) -> bool:
        """True when the schema was created or migrations ran."""
        return self.before.state is not SchemaState.CURRENT


def application_tables() -> frozenset[str]:
    """The names of every table the models define."""
    # Importing the modules registers their tables on SQLModel.metadata.
    _ = (maintenance, models, record_models, worker_state)
    return frozenset(SQLModel.metadata.tables)


@functools.cache
def _scripts() -> ScriptDirectory:
    # The migrations are package data: read once per process.
    return ScriptDirectory(str(_MIGRATIONS))


def head_revision() -> str:
    """The newest revision this release knows."""
    head = _scripts().get_current_head()
    if head is None:
        raise SchemaError("the packaged migrations have no head revision")
    return head


def known_revisions() -> frozenset[str]:
    """Every revision this release's migrations know."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


def _alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _stored_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    revisions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    if len(revisions) > 1:
        found = ", ".join(sorted(str(row[0]) for row in revisions))
        raise SchemaError(f"{VERSION_TABLE} holds several revisions ({found})")
    return str(revisions[0][0]) if revisions else None


def schema_status(connection: Connection) -> SchemaStatus:
    """The database's revision and whether it holds any table of the application."""
    revision = _stored_revision(connection)
    has_tables = bool(set(inspect(connection).get_table_names()) & application_tables())
    return SchemaStatus(revision, head_revision(), has_tables)


def read_status(engine: Engine) -> SchemaStatus:
    """schema_status() in a short read of its own (changes nothing)."""
    with engine.connect() as connection:
        return schema_status(connection)


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Held until the transaction ends: one worker creates or upgrades, the others wait.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})


def _stamp(connection: Connection, revision: str) -> None:
    MigrationContext.configure(connection).stamp(_scripts(), revision)


def migrate(connection: Connection, target: str = "head") -> None:
    """Run the migrations from the stored revision up to target, in the caller's transaction."""
    command.upgrade(_alembic_config(connection), target)


def differences(connection: Connection) -> list[Any]:
    """How the database's tables differ from the models (Alembic's diff; empty when equal)."""
    application_tables()  # every model's table registered on the metadata compared
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    found: list[Any] = compare_metadata(context, SQLModel.metadata)
    return found


def bring_to_head(engine: Engine) -> Upgrade:
    """Create, stamp or upgrade the schema to this release's head (see the module's states)."""
    head = head_revision()
    with engine.connect() as connection:
        if _stored_revision(connection) == head:
            return Upgrade(SchemaStatus(head, head, True), head)
    with engine.begin() as connection:
        _lock(connection)
        # Read again under the lock: another worker may have finished meanwhile.
        before = schema_status(connection)
        state = before.state
        if state is SchemaState.AHEAD:
            raise SchemaError(
                f"the database is at revision {before.revision}, newer than this release "
                f"knows (its newest is {head}): run the newer release"
            )
        if state is SchemaState.EMPTY:
            SQLModel.metadata.create_all(connection)
            _stamp(connection, head)
        elif state is not SchemaState.CURRENT:
            if state is SchemaState.UNVERSIONED:
                # Tables made from this release's models without a stamp are at the head
                # already; anything else is the first release's.
                _stamp(connection, BASELINE_REVISION if differences(connection) else head)
            migrate(connection)
    return Upgrade(before, head)
