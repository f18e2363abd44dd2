"""search documents carry their project and client; prefix index for short terms

Revision ID: 0004_search
Revises: 0003_indexes
Create Date: 2026-11-26 02:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0004_search"
down_revision = "0003_indexes"
branch_labels = None
depends_on = None

COLS = "tag, serial, hostname, model, person, location, notes"
NEW = ", ".join(f"new.{c.strip()}" for c in COLS.split(","))
OLD = ", ".join(f"old.{c.strip()}" for c in COLS.split(","))


def _drop_index() -> None:
    for name in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS asset_search_docs_{name}")
    op.execute("DROP TABLE IF EXISTS asset_search")


def _create_index(prefix: str) -> None:
    op.execute(
        f"""CREATE VIRTUAL TABLE asset_search USING fts5(
            {COLS},
            content='asset_search_docs', content_rowid='rowid',{prefix}
            tokenize="unicode61 remove_diacritics 2")"""
    )
    op.execute(
        f"CREATE TRIGGER asset_search_docs_ai AFTER INSERT ON asset_search_docs BEGIN "
        f"INSERT INTO asset_search(rowid, {COLS}) VALUES (new.rowid, {NEW}); END"
    )
    op.execute(
        f"CREATE TRIGGER asset_search_docs_ad AFTER DELETE ON asset_search_docs BEGIN "
        f"INSERT INTO asset_search(asset_search, rowid, {COLS}) VALUES ('delete', old.rowid, {OLD}); END"
    )
    op.execute(
        f"CREATE TRIGGER asset_search_docs_au AFTER UPDATE ON asset_search_docs BEGIN "
        f"INSERT INTO asset_search(asset_search, rowid, {COLS}) VALUES ('delete', old.rowid, {OLD}); "
        f"INSERT INTO asset_search(rowid, {COLS}) VALUES (new.rowid, {NEW}); END"
    )
    # Index the documents that are already there (SQLite reads them from the content table).
    op.execute("INSERT INTO asset_search(asset_search) VALUES ('rebuild')")


def upgrade() -> None:
    # The index goes first so that filling the new columns does not re-index every document twice.
    _drop_index()
    # A search then counts its hits in a project or client from the documents alone, never reading the assets.
    op.execute("ALTER TABLE asset_search_docs ADD COLUMN project_id TEXT NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE asset_search_docs ADD COLUMN client_id TEXT NOT NULL DEFAULT ''")
    op.execute(
        "UPDATE asset_search_docs SET "
        "project_id = coalesce((SELECT a.project_id FROM assets a WHERE a.id = asset_search_docs.asset_id), ''), "
        "client_id = coalesce((SELECT a.client_id FROM assets a WHERE a.id = asset_search_docs.asset_id), '')"
    )
    # One- and two-character prefixes ("10.1.2", "sn") read a prefix index instead of scanning every term.
    _create_index("\n            prefix='1 2',")


def downgrade() -> None:
    _drop_index()
    op.execute("ALTER TABLE asset_search_docs DROP COLUMN client_id")
    op.execute("ALTER TABLE asset_search_docs DROP COLUMN project_id")
    _create_index("")
