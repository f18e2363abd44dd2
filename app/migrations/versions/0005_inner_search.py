"""identifiers found by any part: an indexed column of their inner parts ("90105" finds CZC90105)

Revision ID: 0005_inner_search
Revises: 0004_search
Create Date: 2026-12-01 06:00:00
"""

from __future__ import annotations

from alembic import op

from app.search import inner_parts

revision = "0005_inner_search"
down_revision = "0004_search"
branch_labels = None
depends_on = None

COLS = "tag, serial, hostname, model, person, location, notes"


def _drop_index() -> None:
    for name in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS asset_search_docs_{name}")
    op.execute("DROP TABLE IF EXISTS asset_search")


def _create_index(cols: str) -> None:
    """The FTS5 index over the documents (as 0004 made it, over `cols`), its triggers, and its first build."""
    new = ", ".join(f"new.{c.strip()}" for c in cols.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in cols.split(","))
    op.execute(
        f"""CREATE VIRTUAL TABLE asset_search USING fts5(
            {cols},
            content='asset_search_docs', content_rowid='rowid',
            prefix='1 2',
            tokenize="unicode61 remove_diacritics 2")"""
    )
    op.execute(
        f"CREATE TRIGGER asset_search_docs_ai AFTER INSERT ON asset_search_docs BEGIN "
        f"INSERT INTO asset_search(rowid, {cols}) VALUES (new.rowid, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER asset_search_docs_ad AFTER DELETE ON asset_search_docs BEGIN "
        f"INSERT INTO asset_search(asset_search, rowid, {cols}) VALUES ('delete', old.rowid, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER asset_search_docs_au AFTER UPDATE ON asset_search_docs BEGIN "
        f"INSERT INTO asset_search(asset_search, rowid, {cols}) VALUES ('delete', old.rowid, {old}); "
        f"INSERT INTO asset_search(rowid, {cols}) VALUES (new.rowid, {new}); END"
    )
    op.execute("INSERT INTO asset_search(asset_search) VALUES ('rebuild')")


def upgrade() -> None:
    # The index goes first so that filling the new column does not re-index every document twice.
    _drop_index()
    op.execute("ALTER TABLE asset_search_docs ADD COLUMN inside TEXT NOT NULL DEFAULT ''")
    # The documents already hold the identifiers (the hostname column holds host, IP and MAC): the inner parts
    # are made from them by the same function the services use, registered on this connection.
    sqlite = op.get_bind().connection.driver_connection
    assert sqlite is not None  # a live connection in a migration
    sqlite.create_function("closeout_inner_parts", 3, inner_parts, deterministic=True)
    op.execute("UPDATE asset_search_docs SET inside = closeout_inner_parts(tag, serial, hostname)")
    _create_index(COLS + ", inside")


def downgrade() -> None:
    _drop_index()
    op.execute("ALTER TABLE asset_search_docs DROP COLUMN inside")
    _create_index(COLS)
