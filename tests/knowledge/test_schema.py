"""Tests for knowledge/schema.py: new databases at the head, older ones upgraded in place."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, SQLModel, select

from knowledge.database import open_engine, read_revision, session_scope
from knowledge.models import ContentRevision
from knowledge.record_models import Interaction
from knowledge.schema import (
    BASELINE_REVISION,
    VERSION_TABLE,
    SchemaError,
    SchemaState,
    SchemaStatus,
    application_tables,
    bring_to_head,
    differences,
    head_revision,
    known_revisions,
    migrate,
    read_status,
)

ASKED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
# The tables later migrations add (0002, 0003): a database of the first release lacks them.
ADDED_AFTER_BASELINE = frozenset({"maintenance_run", "conversation_context", "rate_bucket"})


def empty_engine(url: str) -> Engine:
    return open_engine(url, create=False)


def stored_revisions(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [
            str(r) for r in connection.execute(text(f"SELECT * FROM {VERSION_TABLE}")).scalars()
        ]


def build_first_release(engine: Engine) -> None:
    """The tables as the release before migrations created them (create_all, no version)."""
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name not in ADDED_AFTER_BASELINE]
    assert len(tables) == len(application_tables()) - len(ADDED_AFTER_BASELINE)
    SQLModel.metadata.create_all(engine, tables=tables)
    with session_scope(engine) as session:
        session.add(ContentRevision(id=1, number=7))
        session.add(
            Interaction(
                channel="wechat",
                resident_key="o_resident",
                asked_at=ASKED,
                question="公租房租金怎么交",
                answer_kind="answered",
            )
        )


@pytest.mark.parametrize(
    ("revision", "has_tables", "state"),
    [
        (None, False, SchemaState.EMPTY),
        (None, True, SchemaState.UNVERSIONED),
        (BASELINE_REVISION, True, SchemaState.BEHIND),
        ("head", True, SchemaState.CURRENT),
        ("9999", True, SchemaState.AHEAD),
    ],
)
def test_schema_states(revision: str | None, has_tables: bool, state: SchemaState) -> None:
    head = head_revision()
    status = SchemaStatus(head if revision == "head" else revision, head, has_tables)
    assert status.state is state


def test_the_baseline_is_the_oldest_revision_and_not_the_head() -> None:
    assert BASELINE_REVISION in known_revisions()
    assert head_revision() != BASELINE_REVISION


def test_a_new_database_is_created_at_the_head_and_stamped(database_url: str) -> None:
    engine = open_engine(database_url)
    status = read_status(engine)
    assert (status.state, status.revision) == (SchemaState.CURRENT, head_revision())
    assert stored_revisions(engine) == [head_revision()]
    assert application_tables() <= set(inspect(engine).get_table_names())
    assert read_revision(engine) == 0
    engine.dispose()


def test_opening_a_current_database_again_changes_nothing(database_url: str) -> None:
    engine = open_engine(database_url)
    assert not bring_to_head(engine).changed
    assert stored_revisions(engine) == [head_revision()]
    engine.dispose()


def test_the_migrations_build_exactly_the_models_tables(database_url: str) -> None:
    # A model changed without a migration fails here: the diff names what to migrate.
    engine = empty_engine(database_url)
    with engine.begin() as connection:
        migrate(connection)
    with engine.connect() as connection:
        assert differences(connection) == []
    assert stored_revisions(engine) == [head_revision()]
    engine.dispose()


def test_a_new_database_created_from_the_models_equals_the_migrated_one(database_url: str) -> None:
    engine = open_engine(database_url)
    with engine.connect() as connection:
        assert differences(connection) == []
    engine.dispose()


def test_the_comparison_sees_a_missing_index(database_url: str) -> None:
    engine = open_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_interaction_status_deadline"))
    with engine.connect() as connection:
        found = differences(connection)
    assert [(d[0], d[1].name) for d in found] == [("add_index", "ix_interaction_status_deadline")]
    engine.dispose()


def test_a_database_of_the_first_release_is_stamped_and_upgraded(database_url: str) -> None:
    engine = empty_engine(database_url)
    build_first_release(engine)
    assert read_status(engine).state is SchemaState.UNVERSIONED
    engine.dispose()

    upgraded = open_engine(database_url)
    status = read_status(upgraded)
    assert (status.state, status.revision) == (SchemaState.CURRENT, head_revision())
    assert set(inspect(upgraded).get_table_names()) >= ADDED_AFTER_BASELINE
    with upgraded.connect() as connection:
        assert differences(connection) == []
    # The data of the first release is all still there.
    assert read_revision(upgraded) == 7
    with Session(upgraded) as session:
        [record] = session.exec(select(Interaction)).all()
    assert (record.question, record.asked_at) == ("公租房租金怎么交", ASKED)
    upgraded.dispose()


def test_unstamped_tables_of_this_release_are_stamped_with_the_head(database_url: str) -> None:
    engine = empty_engine(database_url)
    SQLModel.metadata.create_all(engine)
    assert read_status(engine).state is SchemaState.UNVERSIONED
    upgrade = bring_to_head(engine)
    assert upgrade.changed and stored_revisions(engine) == [head_revision()]
    engine.dispose()


def test_a_database_behind_is_upgraded_when_opened(database_url: str) -> None:
    engine = empty_engine(database_url)
    with engine.begin() as connection:
        migrate(connection, BASELINE_REVISION)
    assert read_status(engine).state is SchemaState.BEHIND
    upgrade = bring_to_head(engine)
    assert upgrade.changed
    assert (upgrade.before.revision, upgrade.revision) == (BASELINE_REVISION, head_revision())
    assert stored_revisions(engine) == [head_revision()]
    engine.dispose()


def test_a_database_of_a_newer_release_is_refused_and_left_alone(database_url: str) -> None:
    engine = open_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    with pytest.raises(SchemaError, match="9999"):
        open_engine(database_url)
    assert stored_revisions(engine) == ["9999"]
    engine.dispose()


@pytest.mark.postgres
def test_workers_opening_a_new_database_at_once_create_it_once(postgres_url: str) -> None:
    errors: list[BaseException] = []
    engines: list[Engine] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        try:
            start.wait()
            engines.append(open_engine(postgres_url))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stored_revisions(engines[0]) == [head_revision()]
    with Session(engines[0]) as session:
        assert len(session.exec(select(ContentRevision)).all()) == 1
    for engine in engines:
        engine.dispose()
