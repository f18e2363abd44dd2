"""When the disk fills up mid-save, the technician is told in plain words and nothing already saved is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import app.db
from app.assets import create_asset
from app.cli import main
from app.db import describe_db_error, open_workspace
from app.projects import find_project
from models import Asset


def test_a_full_disk_is_explained_and_saved_work_survives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "ws"
    assert main(["--home", str(home), "demo", "--assets", "30"]) == 0
    capsys.readouterr()
    original = app.db._on_connect

    def tiny_disk(dbapi_connection: Any, record: Any) -> None:
        original(dbapi_connection, record)
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")  # not one page more: the disk is "full"

    monkeypatch.setattr(app.db, "_on_connect", tiny_disk)
    long_notes = "x" * 200_000
    code = main(["--home", str(home), "assets", "set", "NWD-00001", f"notes={long_notes}"])
    err = capsys.readouterr().err
    assert code == 1
    assert err == "closeout-cli: The disk is full, so the change could not be saved. Free some space and save again.\n"

    monkeypatch.setattr(app.db, "_on_connect", original)
    ws = open_workspace(home)
    with ws.session() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 30
        project = find_project(s, "NWD-ONB")
    with ws.transaction() as s:  # with space again, work goes on
        create_asset(s, project_id=project.id, values={"tag": "NWD-00031"}, actor="t")
    ws.close()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("database or disk is full", "The disk is full"),
        ("database disk image is malformed", "The workspace file is damaged"),
        ("attempt to write a readonly database", "read-only"),
        ("database is locked", "busy in another Closeout window"),
    ],
)
def test_database_failures_have_words(text: str, words: str) -> None:
    assert words in describe_db_error(Exception(text))
