"""Tombstone purges: per space, the highest version of a purged tombstone (older cursors get 410).

Revision ID: 0002_purge_floor
Revises: 0001_server
Create Date: 2026-11-26 02:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_purge_floor"
down_revision = "0001_server"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purge_floor", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("spaces", schema=None) as batch_op:
        batch_op.drop_column("purge_floor")
