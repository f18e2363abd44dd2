"""Tag blocks: numbers a device reserved for a client's pre-printed labels.

Revision ID: 0004_tag_blocks
Revises: 0003_login_throttle
Create Date: 2026-12-01 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_tag_blocks"
down_revision = "0003_login_throttle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tag_blocks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("space_id", sa.String(length=36), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("first", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.Column("unused_from", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_tag_blocks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_blocks")),
    )
    op.create_index(op.f("ix_tag_blocks_space_id"), "tag_blocks", ["space_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tag_blocks_space_id"), table_name="tag_blocks")
    op.drop_table("tag_blocks")
