"""Unfinished resumable uploads as rows (locked per part), so that any server instance may take the next part.

Revision ID: 0005_upload_sessions
Revises: 0004_tag_blocks
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_upload_sessions"
down_revision = "0004_tag_blocks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upload_sessions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("multipart_id", sa.String(length=1024), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("pending", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_upload_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "sha256", name=op.f("pk_upload_sessions")),
    )
    op.create_index(op.f("ix_upload_sessions_updated_at"), "upload_sessions", ["updated_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_upload_sessions_updated_at"), table_name="upload_sessions")
    op.drop_table("upload_sessions")
