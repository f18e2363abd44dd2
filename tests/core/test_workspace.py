"""Opening workspaces: migrations, pragmas, and refusing (never overwriting) files it cannot trust."""

from __future__ import annotations

import hashlib
import sqlite3
from importlib import resources
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app.config import WORKSPACE_FILE
from app.db import _migrate, make_engine, open_workspace
from app.errors import WorkspaceError
from app.migrations import SCHEMA_HEAD
from models import Base


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _scripts() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("app") / "migrations"))
    return ScriptDirectory.from_config(cfg)


def test_schema_head_constant_matches_the_migration_scripts() -> None:
    assert _scripts().get_heads() == [SCHEMA_HEAD]


def test_a_new_workspace_is_migrated_from_empty_to_head(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws")
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == SCHEMA_HEAD
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 10000
    assert ws.device_id
    ws.close()


def test_migrations_produce_exactly_the_models(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws")
    with ws.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    ws.close()
    # FTS5 tables are created by hand in the migration and are not models.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name.startswith("asset_search"))]
    assert diff == []


def test_reopening_keeps_the_device_id(tmp_path: Path) -> None:
    first = open_workspace(tmp_path / "ws")
    device = first.device_id
    first.close()
    again = open_workspace(tmp_path / "ws")
    assert again.device_id == device
    assert again.backups == []
    again.close()


def test_a_workspace_from_a_newer_closeout_is_refused_and_left_untouched(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws")
    ws.close()
    path = tmp_path / "ws" / WORKSPACE_FILE
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    before = _digest(path)
    with pytest.raises(WorkspaceError, match="newer version of Closeout"):
        open_workspace(tmp_path / "ws")
    assert _digest(path) == before


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    home.mkdir()
    path = home / WORKSPACE_FILE
    path.write_bytes(b"this is a spreadsheet, not a workspace" * 100)
    with pytest.raises(WorkspaceError, match="not a Closeout workspace or is damaged"):
        open_workspace(home)
    assert path.read_bytes() == b"this is a spreadsheet, not a workspace" * 100


def test_a_damaged_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "ws")
    ws.close()
    path = tmp_path / "ws" / WORKSPACE_FILE
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wreck the schema page behind a valid header
    path.write_bytes(bytes(data))
    before = _digest(path)
    with pytest.raises(WorkspaceError, match="damaged"):
        open_workspace(tmp_path / "ws")
    assert _digest(path) == before


def test_another_apps_sqlite_file_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    home.mkdir()
    con = sqlite3.connect(home / WORKSPACE_FILE)
    con.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    con.commit()
    con.close()
    with pytest.raises(WorkspaceError, match="not a Closeout workspace"):
        open_workspace(home)


def test_opening_without_create_explains_how_to_start(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="closeout-cli demo"):
        open_workspace(tmp_path / "nothing-here", create=False)


def test_an_older_workspace_is_backed_up_before_it_is_migrated(tmp_path: Path) -> None:
    revisions = list(_scripts().walk_revisions())
    if len(revisions) < 2:
        pytest.skip("only one schema revision exists, so there is nothing older to migrate from")
    oldest = revisions[-1].revision
    home = tmp_path / "ws"
    home.mkdir()
    engine = make_engine(home / WORKSPACE_FILE)
    _migrate(engine, oldest)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO clients (id, code, name, tag_prefix, tag_digits, address, industry, notes, created_at,"
                " updated_at, server_version) VALUES ('c1', 'OLD', 'Old data', '', 6, '', '', '', '2026-01-01',"
                " '2026-01-01', 0)"
            )
        )
    engine.dispose()
    ws = open_workspace(home)
    assert len(ws.backups) == 1 and ws.backups[0].exists()
    with ws.engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM clients WHERE id = 'c1'")).scalar_one() == "Old data"
    ws.close()
    backup = sqlite3.connect(ws.backups[0])
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == oldest
    backup.close()


def test_a_folder_that_cannot_be_created_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WorkspaceError, match="Cannot create the workspace folder"):
        open_workspace(blocker / "ws")
