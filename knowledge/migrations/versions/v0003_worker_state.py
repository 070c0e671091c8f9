"""The tables of state workers share: conversation contexts and rate-limit buckets."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add both tables, each with an index on its time of last change (for the purge)."""
    op.create_table(
        "conversation_context",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("context", sa.String(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(
        op.f("ix_conversation_context_updated_at"),
        "conversation_context",
        ["updated_at"],
        unique=False,
    )
    op.create_table(
        "rate_bucket",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_rate_bucket_updated_at"), "rate_bucket", ["updated_at"], unique=False)


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index(op.f("ix_rate_bucket_updated_at"), table_name="rate_bucket")
    op.drop_table("rate_bucket")
    op.drop_index(op.f("ix_conversation_context_updated_at"), table_name="conversation_context")
    op.drop_table("conversation_context")
