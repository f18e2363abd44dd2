"""When the disk fills up mid-save, the technician is told in plain words and nothing already saved is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import app.db
from app.assets import create_asset
from app.cli import main
from app.db import Workspace, describe_db_error, open_workspace
from app.errors import WorkspaceError
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
    long_notes = "x" * 30_000
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


def _damage_a_page(path: Path) -> None:
    """Scramble one page in the middle of the file, as a failing disk or an interrupted copy would."""
    data = bytearray(path.read_bytes())
    start = (len(data) // 2) // 4096 * 4096
    for i in range(start, start + 4096):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


def test_a_damaged_page_is_found_before_a_write_and_the_file_is_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "ws"
    assert main(["--home", str(home), "demo", "--assets", "120"]) == 0
    capsys.readouterr()
    path = home / "workspace.sqlite"
    _damage_a_page(path)
    damaged = path.read_bytes()

    code = main(["--home", str(home), "assets", "set", "NWD-00001", "notes=typed on site"])
    err = capsys.readouterr().err
    assert code == 1
    assert "is damaged" in err and "restore the latest backup" in err and "Traceback" not in err
    assert path.read_bytes() == damaged

    ws = open_workspace(home)  # opening still works, so what can be read can be copied out
    try:
        problem = ws.check_integrity()
        assert problem is not None and "is damaged" in problem
        with pytest.raises(WorkspaceError, match="will not save anything more"), ws.transaction():
            pass
    finally:
        ws.close()
    assert path.read_bytes() == damaged


def test_a_sound_workspace_passes_the_check_and_keeps_saving(workspace: Workspace) -> None:
    assert workspace.check_integrity() is None
    with workspace.transaction() as s:
        s.execute(select(func.count()).select_from(Asset))


def test_an_unwritable_disk_is_not_called_damage() -> None:
    words = describe_db_error(Exception("disk I/O error"))
    assert "damaged" not in words and "disk could not be read or written" in words


@pytest.mark.parametrize("kind", ["xlsx", "packet", "signoff"])
@pytest.mark.parametrize("where", ["folder", "under-a-file"])
def test_an_export_to_a_place_that_cannot_hold_it_is_explained_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, where: str
) -> None:
    home = tmp_path / "ws"
    assert main(["--home", str(home), "demo", "--assets", "20"]) == 0
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "a-file").write_text("not a folder")
    target = out_dir / "existing-folder" if where == "folder" else out_dir / "a-file" / "inventory.out"
    if where == "folder":
        target.mkdir()
    capsys.readouterr()
    code = main(["--home", str(home), "export", kind, "--project", "NWD-ONB", "-o", str(target)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"closeout-cli: {target} cannot be written" in captured.err
    assert "Traceback" not in captured.err and ".frame" not in captured.err and ".closeout-" not in captured.err
    assert sorted(p.name for p in out_dir.rglob("*")) == (
        ["a-file", "existing-folder"] if where == "folder" else ["a-file"]
    )
