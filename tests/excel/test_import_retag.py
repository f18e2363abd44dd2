"""A row whose serial matches an asset but carries another tag: shown with its changes, re-tagged only when allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.db import Workspace
from app.importing import ImportOptions, RowStatus, apply_import, preview_import
from app.importing.changes import row_changes
from app.importing.mapping import suggest_for
from exporters.sheet_reader import read_sheet
from models import Asset, Location, Site
from tests.excel.excel_files import write_csv


def _asset(ws: Workspace, tag: str) -> Asset:
    with ws.session() as session:
        return session.scalars(select(Asset).where(Asset.asset_tag == tag)).one()


def _tag_of(ws: Workspace, asset_id: str) -> str:
    with ws.session() as session:
        return session.get_one(Asset, asset_id).asset_tag


def _paths(ws: Workspace, edited: Asset) -> tuple[str, str, str]:
    """The edited asset's site name, its room and another room of the same site."""
    with ws.session() as session:
        rooms = session.scalars(select(Location).where(Location.site_id == edited.site_id)).all()
        site = session.get_one(Site, edited.site_id).name
    old = next(r.path for r in rooms if r.id == edited.location_id)
    return site, old, next(r.path for r in rooms if r.path != old)


def _list(ws: Workspace, tmp_path: Path) -> tuple[Path, Asset, Asset]:
    """A client's list: one serial of NWD-00010 under a new tag, one edit of NWD-00011 by tag, one new asset."""
    moved, edited = _asset(ws, "NWD-00010"), _asset(ws, "NWD-00011")
    rows = [
        ["Asset Tag", "Serial", "Model", "Site", "Room"],
        ["NWD-09990", moved.serial, "Relabelled model", "", ""],
        ["NWD-00011", edited.serial, "OptiPlex 7020", *_paths(ws, edited)[::2]],
        ["NWD-09991", "NEW-9991", "Latitude 5440", "", ""],
    ]
    return write_csv(tmp_path / "client list.csv", rows), moved, edited


def test_a_serial_match_with_a_new_tag_is_held_until_confirmed(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    path, moved, _edited = _list(demo_workspace, tmp_path)
    data = read_sheet(path)
    with demo_workspace.session() as session:
        preview = preview_import(session, demo_project_id, data.headers, data.rows, suggest_for(session, data.headers))
    (retag,) = preview.retags
    assert (retag.row_number, retag.matched_by, retag.retag_from) == (2, "serial", "NWD-00010")
    assert retag.status == RowStatus.UPDATED and retag.values["asset_tag"] == "NWD-09990"
    assert "1 would change an asset's tag" in preview.summary()
    assert [r.row_number for r in preview.to_write()] == [3, 4]

    with demo_workspace.transaction() as session:
        declined = apply_import(session, preview, actor="importer")
    assert (declined.created, declined.updated, declined.skipped) == (1, 1, 1)
    assert _tag_of(demo_workspace, moved.id) == "NWD-00010" and _asset(demo_workspace, "NWD-00010").model == moved.model

    with demo_workspace.session() as session:
        again = preview_import(session, demo_project_id, data.headers, data.rows, suggest_for(session, data.headers))
    with demo_workspace.transaction() as session:
        confirmed = apply_import(session, again, actor="importer", retags={2})
    assert (confirmed.updated, confirmed.skipped) == (1, 0)
    assert _tag_of(demo_workspace, moved.id) == "NWD-09990"
    assert _asset(demo_workspace, "NWD-09990").model == "Relabelled model"


def test_the_preview_names_every_changing_field_with_its_old_and_new_value(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    path, moved, edited = _list(demo_workspace, tmp_path)
    data = read_sheet(path)
    with demo_workspace.session() as session:
        preview = preview_import(
            session, demo_project_id, data.headers, data.rows, suggest_for(session, data.headers), ImportOptions()
        )
    rows = {r.row_number: r for r in preview.rows}
    texts = {c.key: (c.label, c.before, c.after) for c in row_changes(preview, rows[3])}
    assert texts["model"] == ("Model", edited.model, "OptiPlex 7020")
    assert texts["location_id"] == ("Location", *_paths(demo_workspace, edited)[1:])
    assert "site_id" not in texts  # the site stays the same: not shown as a change
    retag = {c.key: c.text for c in row_changes(preview, rows[2])}
    assert retag["asset_tag"] == "Asset tag: NWD-00010 → NWD-09990"
    assert retag["model"] == f"Model: {moved.model} → Relabelled model"
    new = {c.key: (c.before, c.after) for c in row_changes(preview, rows[4])}
    assert new["asset_tag"] == ("", "NWD-09991") and new["serial"] == ("", "NEW-9991")


def _cli(ws: Workspace, *args: str) -> int:
    return main(["--home", str(ws.home), "--as", "cli.tester", *args])


def test_cli_import_leaves_a_retag_out_and_says_so_without_allow_retag(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, moved, _edited = _list(demo_workspace, tmp_path)
    assert _cli(demo_workspace, "import", str(path)) == 0
    captured = capsys.readouterr()
    assert "tag change Row 2: the serial number matches NWD-00010, which would become NWD-09990" in captured.out
    assert "update NWD-00011: Model:" in captured.out and "→ OptiPlex 7020" in captured.out
    assert "Imported into NWD-ONB: 1 new, 1 updated." in captured.out
    assert "1 row would change an asset's tag and were left out" in captured.err and "--allow-retag" in captured.err
    assert _tag_of(demo_workspace, moved.id) == "NWD-00010"


def test_cli_strict_refuses_a_retag_and_allow_retag_applies_it(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, moved, _edited = _list(demo_workspace, tmp_path)
    assert _cli(demo_workspace, "import", str(path), "--strict") == 1
    assert "would change an asset's tag (--allow-retag allows it) and --strict is set" in capsys.readouterr().err
    assert _asset(demo_workspace, "NWD-00011").model != "OptiPlex 7020"

    assert _cli(demo_workspace, "--json", "import", str(path), "--allow-retag", "--strict") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["retags"] == [{"row": 2, "from": "NWD-00010", "to": "NWD-09990", "applied": True}]
    assert (data["created"], data["updated_count"], data["skipped"]) == (1, 2, 0)
    assert _tag_of(demo_workspace, moved.id) == "NWD-09990"
