"""Periodic maintenance jobs (retention) claimed by one worker of many: the claim row and its use.

Each job has one row. A worker runs the job only after it moved the row's start time forward
itself, with an UPDATE whose condition is "the last start is old enough": of several workers
trying at once, the database lets exactly one such UPDATE change the row (PostgreSQL re-reads
the row after the first commits; SQLite writes one at a time). No advisory lock, no clock
shared beyond the database's own rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, Executable, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel


class MaintenanceRun(SQLModel, table=True):
    """The last run of one maintenance job: when it started and ended, by whom, what it did."""

    __tablename__ = "maintenance_run"

    job: str = Field(primary_key=True)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    # host:pid of the worker that claimed the last run (for an operator reading the table).
    worker: str = ""
    # How many rows the last finished run changed.
    changed: int = 0


_TABLE = MaintenanceRun.__table__  # type: ignore[attr-defined]


def _insert_missing(engine: Engine, job: str) -> Executable:
    dialect_insert = postgresql_insert if engine.dialect.name == "postgresql" else sqlite_insert
    return (
        dialect_insert(_TABLE)
        .values(job=job, worker="", changed=0)
        .on_conflict_do_nothing(index_elements=["job"])
    )


def claim(engine: Engine, job: str, *, every: timedelta, now: datetime, worker: str) -> bool:
    """Start a run of job unless one started within `every` before now; True when this won.

    now must be an aware time (the column stores UTC).
    """
    with engine.begin() as connection:
        connection.execute(_insert_missing(engine, job))
        result = connection.execute(
            update(_TABLE)
            .where(
                _TABLE.c.job == job,
                or_(_TABLE.c.started_at.is_(None), _TABLE.c.started_at <= now - every),
            )
            .values(started_at=now, finished_at=None, worker=worker)
        )
        return result.rowcount == 1


def finish(engine: Engine, job: str, *, now: datetime, changed: int) -> None:
    """Record that the claimed run of job ended, having changed `changed` rows."""
    with engine.begin() as connection:
        connection.execute(
            update(_TABLE).where(_TABLE.c.job == job).values(finished_at=now, changed=changed)
        )


def last_run(engine: Engine, job: str) -> MaintenanceRun | None:
    """The job's row, or None when it never ran."""
    with engine.connect() as connection:
        row = connection.execute(select(_TABLE).where(_TABLE.c.job == job)).first()
    return MaintenanceRun.model_validate(row._mapping) if row is not None else None
