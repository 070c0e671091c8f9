"""Alembic's environment: runs the migrations on the connection knowledge/schema.py hands over.

Migrations never open a connection of their own: knowledge.schema (open_engine, `anju db
upgrade`) passes its connection in config.attributes["connection"], so an upgrade runs inside
the caller's transaction and, on PostgreSQL, under its advisory lock.

A new migration is a file in versions/ (copy the latest, set revision and down_revision): the
test tests/knowledge/test_schema.py fails until the migrations build exactly the models'
tables, and prints the difference. SQLite cannot alter a column in place: use
op.batch_alter_table for anything beyond adding a column or an index.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from knowledge import maintenance, models, record_models, worker_state

# Importing the modules registers their tables on SQLModel.metadata (compared by tests).
_ = (maintenance, models, record_models, worker_state)


def run_migrations() -> None:
    """Run the pending migrations on the caller's connection."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("migrations run through knowledge.schema (`anju db upgrade`)")
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
