"""indexes for the navigator counts and the sync outbox

Revision ID: 0003_indexes
Revises: 0002_sync
Create Date: 2026-11-26 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_indexes"
down_revision = "0002_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Navigator counts per site and location read this index alone, without touching the asset rows.
    op.create_index("ix_assets_project_place", "assets", ["project_id", "deleted_at", "site_id", "location_id"])
    # The outbox: local changes not pushed yet. Partial, so pulled history (origin "remote") never slows it.
    op.create_index(
        "ix_change_sets_outbox",
        "change_sets",
        ["id"],
        sqlite_where=sa.text("pushed_at IS NULL AND origin = 'local'"),
    )


def downgrade() -> None:
    op.drop_index("ix_change_sets_outbox", table_name="change_sets")
    op.drop_index("ix_assets_project_place", table_name="assets")
