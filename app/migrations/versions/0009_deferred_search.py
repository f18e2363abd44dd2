"""search documents written in bulk are indexed in one pass: the insert trigger stands aside while the workspace
holds the "search_deferred" flag (set and cleared inside the bulk writer's own transaction)

Revision ID: 0009_deferred_search
Revises: 0008_lifecycle
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0009_deferred_search"
down_revision = "0008_lifecycle"
branch_labels = None
depends_on = None

COLS = "tag, serial, hostname, model, person, location, notes, inside"
NEW = ", ".join(f"new.{c.strip()}" for c in COLS.split(","))


def upgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS asset_search_docs_ai")
    op.execute(
        "CREATE TRIGGER asset_search_docs_ai AFTER INSERT ON asset_search_docs "
        "WHEN NOT EXISTS (SELECT 1 FROM workspace_meta WHERE key = 'search_deferred') BEGIN "
        f"INSERT INTO asset_search(rowid, {COLS}) VALUES (new.rowid, {NEW}); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS asset_search_docs_ai")
    op.execute(
        f"CREATE TRIGGER asset_search_docs_ai AFTER INSERT ON asset_search_docs BEGIN "
        f"INSERT INTO asset_search(rowid, {COLS}) VALUES (new.rowid, {NEW}); END"
    )
