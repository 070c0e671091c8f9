"""Baseline: the tables of the first release, before migrations existed.

A database created by that release has exactly these tables and no alembic_version table;
knowledge.schema stamps such a database with this revision and upgrades it from here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the first release's tables."""
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_name", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_audit_entry_at"), "audit_entry", ["at"], unique=False)
    op.create_table(
        "cached_access_token",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "content_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(), nullable=False),
        sa.Column("item_number", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    op.create_index(op.f("ix_document_item_number"), "document", ["item_number"], unique=False)
    op.create_index(op.f("ix_document_source_key"), "document", ["source_key"], unique=False)
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("started_by", sa.String(), nullable=False),
        sa.Column("files_seen", sa.Integer(), nullable=False),
        sa.Column("files_new", sa.Integer(), nullable=False),
        sa.Column("files_changed", sa.Integer(), nullable=False),
        sa.Column("files_unchanged", sa.Integer(), nullable=False),
        sa.Column("files_failed", sa.Integer(), nullable=False),
        sa.Column("report_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "interaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("dedup_key", sa.String(), nullable=True),
        sa.Column("resident_key", sa.String(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("message_type", sa.String(), nullable=False),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("reply_text", sa.Text(), nullable=False),
        sa.Column("reply_offset", sa.Integer(), nullable=False),
        sa.Column("reply_card", sa.JSON(), nullable=True),
        sa.Column("answer_kind", sa.String(), nullable=False),
        sa.Column("intent", sa.String(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("deadline_days", sa.Integer(), nullable=True),
        sa.Column("calendar_source", sa.String(), nullable=False),
        sa.Column("pending_delivery", sa.Boolean(), nullable=False),
        sa.Column("staff_reply", sa.Text(), nullable=False),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("replied_by", sa.String(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.Column("satisfaction", sa.String(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "dedup_key", name="uq_interaction_dedup"),
    )
    op.create_index(op.f("ix_interaction_asked_at"), "interaction", ["asked_at"], unique=False)
    op.create_index(
        "ix_interaction_resident", "interaction", ["resident_key", "asked_at"], unique=False
    )
    op.create_index(op.f("ix_interaction_status"), "interaction", ["status"], unique=False)
    op.create_index(
        "ix_interaction_status_deadline", "interaction", ["status", "deadline"], unique=False
    )
    op.create_index(op.f("ix_interaction_topic_id"), "interaction", ["topic_id"], unique=False)
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_attempt_address_at", "login_attempt", ["address", "at"], unique=False)
    op.create_index("ix_login_attempt_name_at", "login_attempt", ["name", "at"], unique=False)
    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.String(), nullable=False),
        sa.Column("keywords", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("signature", name="uq_topic_signature"),
    )
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("errcode", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["interaction_id"], ["interaction.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_delivery_interaction_id"), "delivery", ["interaction_id"], unique=False
    )
    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("date_how", sa.String(), nullable=True),
        sa.Column("encoding", sa.String(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("import_run_id", sa.Integer(), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("table_layout", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_run.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "number"),
    )
    op.create_index(
        op.f("ix_document_version_document_id"), "document_version", ["document_id"], unique=False
    )
    op.create_table(
        "published_qa",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["interaction_id"], ["interaction.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "passage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("heading", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["document_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_passage_version_id"), "passage", ["version_id"], unique=False)
    op.create_table(
        "qa_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("qa_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("change", sa.String(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["qa_id"], ["published_qa.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("qa_id", "version"),
    )
    op.create_index(op.f("ix_qa_version_qa_id"), "qa_version", ["qa_id"], unique=False)
    op.create_table(
        "table_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("elements", sa.JSON(), nullable=False),
        sa.Column("extras", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["document_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_table_row_version_id"), "table_row", ["version_id"], unique=False)


def downgrade() -> None:
    """Drop every table (back to an empty database)."""
    op.drop_index(op.f("ix_table_row_version_id"), table_name="table_row")
    op.drop_table("table_row")
    op.drop_index(op.f("ix_qa_version_qa_id"), table_name="qa_version")
    op.drop_table("qa_version")
    op.drop_index(op.f("ix_passage_version_id"), table_name="passage")
    op.drop_table("passage")
    op.drop_table("published_qa")
    op.drop_index(op.f("ix_document_version_document_id"), table_name="document_version")
    op.drop_table("document_version")
    op.drop_index(op.f("ix_delivery_interaction_id"), table_name="delivery")
    op.drop_table("delivery")
    op.drop_table("topic")
    op.drop_table("staff_user")
    op.drop_index("ix_login_attempt_name_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_address_at", table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_index(op.f("ix_interaction_topic_id"), table_name="interaction")
    op.drop_index("ix_interaction_status_deadline", table_name="interaction")
    op.drop_index(op.f("ix_interaction_status"), table_name="interaction")
    op.drop_index("ix_interaction_resident", table_name="interaction")
    op.drop_index(op.f("ix_interaction_asked_at"), table_name="interaction")
    op.drop_table("interaction")
    op.drop_table("import_run")
    op.drop_index(op.f("ix_document_source_key"), table_name="document")
    op.drop_index(op.f("ix_document_item_number"), table_name="document")
    op.drop_table("document")
    op.drop_table("content_revision")
    op.drop_table("cached_access_token")
    op.drop_index(op.f("ix_audit_entry_at"), table_name="audit_entry")
    op.drop_table("audit_entry")
