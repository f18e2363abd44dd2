"""A workbook exported by Closeout, edited in a spreadsheet and imported back changes exactly the edited cells."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.assets import delete_asset
from app.db import Workspace
from app.importing import RowStatus, apply_import, preview_import
from app.importing.mapping import suggest_for
from app.journal import snapshot
from exporters.sheet_reader import read_sheet
from exporters.xlsx_export import export_inventory
from models import Asset, Change, ChangeSet

SKIP = {"id", "tagged_by", "tagged_at", "created_at", "updated_at", "attention", "needs_attention"}


def _export(ws: Workspace, path: Path, project_id: str) -> Path:
    with ws.session() as session:
        export_inventory(session, path, [project_id], exported_on=date(2026, 5, 4))
    return path


def _import(ws: Workspace, path: Path, project_id: str, sheet: str | None = None, actor: str = "importer") -> Any:
    data = read_sheet(path, sheet)
    with ws.session() as session:
        mapping = suggest_for(session, data.headers)
        preview = preview_import(session, project_id, data.headers, data.rows, mapping)
    with ws.transaction() as session:
        apply_import(session, preview, actor=actor)
    return preview


def _state(ws: Workspace) -> dict[str, dict[str, Any]]:
    with ws.session() as session:
        assets = session.scalars(select(Asset).where(Asset.deleted_at.is_(None)))
        return {a.asset_tag: {k: v for k, v in snapshot(a).items() if k not in SKIP} for a in assets}


def test_export_then_import_gives_back_the_same_assets(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    before = _state(demo_workspace)
    path = _export(demo_workspace, tmp_path / "inv.xlsx", demo_project_id)
    with demo_workspace.transaction() as session:
        for asset in session.scalars(select(Asset)).all():
            delete_asset(session, asset.id, actor="test")
    assert _state(demo_workspace) == {}
    preview = _import(demo_workspace, path, demo_project_id)
    assert preview.count(RowStatus.NEW) == 300 and not preview.rejected
    assert _state(demo_workspace) == before


def test_an_unedited_export_imports_as_unchanged(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    path = _export(demo_workspace, tmp_path / "inv.xlsx", demo_project_id)
    data = read_sheet(path)
    with demo_workspace.session() as session:
        preview = preview_import(session, demo_project_id, data.headers, data.rows, suggest_for(session, data.headers))
    assert preview.count(RowStatus.UNCHANGED) == 300, preview.rejected[:3]


def test_edited_cells_and_only_those_are_changed_and_journaled(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    path = _export(demo_workspace, tmp_path / "inv.xlsx", demo_project_id)
    book = load_workbook(path)
    ws = book["Assets"]
    header = [c.value for c in ws[1]]
    col = {name: i + 1 for i, name in enumerate(header)}
    tag_row = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    workstation = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col["Category"]).value == "Workstation")
    ws.cell(tag_row["NWD-00005"], col["Serial number"]).value = "NEWSERIAL-5"
    ws.cell(workstation, col["RAM (GB)"]).value = 64
    ws.cell(tag_row["NWD-00010"], col["Location"]).value = "Building A / Floor 2 / Imaging"
    ws.cell(tag_row["NWD-00010"], col["Site"]).value = "Main Clinic"
    ws.cell(tag_row["NWD-00011"], col["Assigned user"]).value = None
    ws.cell(tag_row["NWD-00012"], col["Warranty end"]).value = date(2031, 1, 31)
    book.save(path)
    with demo_workspace.session() as session:
        before = session.scalar(select(func.max(ChangeSet.id)))
    preview = _import(demo_workspace, path, demo_project_id, actor="manager")
    assert not preview.rejected
    changed = {r.tag: set(r.changed) for r in preview.rows if r.status == RowStatus.UPDATED}
    tag_ws = ws.cell(workstation, 1).value
    assert changed.pop("NWD-00005") == {"serial"}
    assert changed.pop(tag_ws) == {"custom.ram_gb"}
    assert changed.pop("NWD-00012") == {"warranty_end"}
    assert "location_id" in changed.pop("NWD-00010")
    user_change = changed.pop("NWD-00011", set())
    assert user_change in (set(), {"assigned_user"})
    assert changed == {}
    with demo_workspace.session() as session:
        journal = session.execute(
            select(ChangeSet.actor, Change.field).join(Change).where(ChangeSet.id > (before or 0))
        ).all()
        serial = session.scalars(select(Asset.serial).where(Asset.asset_tag == "NWD-00005")).one()
    assert serial == "NEWSERIAL-5"
    assert {actor for actor, _ in journal} == {"manager"}
    assert {field for _, field in journal} <= {"serial", "custom.ram_gb", "warranty_end", "location_id", "site_id",
                                                "assigned_user"}  # fmt: skip


def test_a_category_sheet_imports_its_configuration_fields(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    path = _export(demo_workspace, tmp_path / "inv.xlsx", demo_project_id)
    book = load_workbook(path)
    ws = book["Server"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("Role") + 1).value = "Backup server"
    tag = ws.cell(2, 1).value
    book.save(path)
    preview = _import(demo_workspace, path, demo_project_id, sheet="Server")
    assert [(r.tag, r.changed) for r in preview.rows if r.status == RowStatus.UPDATED] == [(tag, ["custom.role"])]
    assert preview.count(RowStatus.UNCHANGED) == ws.max_row - 2
