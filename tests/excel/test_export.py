"""The inventory workbook read back by openpyxl and by LibreOffice: sheets, types, tables, print setup, safety."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.assets import update_asset
from app.db import Workspace
from app.projects import create_project
from exporters.xlsx_export import export_inventory
from models import Asset, Client

RISKY = {
    "notes": '=HYPERLINK("http://evil.example","click")',
    "assigned_user": "+1 503 555 0100",
    "department": "@SUM(A1:A9)",
    "model": "-2+3",
    "os": "\t=1+1",
}


def _export(ws: Workspace, path: Path, project_id: str | None = None) -> Path:
    with ws.session() as session:
        export_inventory(session, path, [project_id] if project_id else None, exported_on=date(2026, 5, 4))
    return path


def _header(sheet: object) -> list[str]:
    return [c.value for c in next(sheet.iter_rows(min_row=1, max_row=1))]  # type: ignore[attr-defined]


def test_workbook_has_every_sheet_as_a_table_ready_to_print(demo_workspace: Workspace, tmp_path: Path) -> None:
    book = load_workbook(_export(demo_workspace, tmp_path / "inv.xlsx"))
    names = book.sheetnames
    assert names[:3] == ["Summary", "Lifecycle", "Assets"]
    assert names[-3:] == ["Locations", "Action items", "Changes"]
    assert {"Server", "Workstation", "Desk phone"} <= set(names)
    for name in names:
        ws = book[name]
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert "Northwind Dental Group" in ws.oddFooter.left.text
        assert "2026-05-04" in ws.oddFooter.center.text and "&P" in ws.oddFooter.right.text
        if name in ("Summary", "Lifecycle"):  # reports laid out for reading, not tables
            continue
        assert ws.print_title_rows == "$1:$1"
        assert ws.freeze_panes in ("A2", "B2")
        (table,) = ws.tables.values()
        assert table.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert [c.name for c in table.tableColumns] == _header(ws)
    assets = book["Assets"]
    assert assets.max_row == 301


def test_assets_sheet_types_dates_numbers_and_text(demo_workspace: Workspace, tmp_path: Path) -> None:
    ws = load_workbook(_export(demo_workspace, tmp_path / "inv.xlsx"))["Assets"]
    header = _header(ws)
    col = {name: i for i, name in enumerate(header)}
    rows = list(ws.iter_rows(min_row=2))
    first_with = {n: next((r for r in rows if r[col[n]].value is not None), rows[0]) for n in header}
    for name in ("Asset tag", "Serial number", "IP address", "MAC address", "Host name", "Extension", "Closeout ID"):
        cell = first_with[name][col[name]]
        assert cell.data_type == "s" and cell.number_format == "@", name
        assert ws.column_dimensions[cell.column_letter].number_format == "@", name
    purchase = first_with["Purchase date"][col["Purchase date"]]
    assert isinstance(purchase.value, datetime) and purchase.number_format == "yyyy-mm-dd"
    ram = first_with["RAM (GB)"][col["RAM (GB)"]]
    assert isinstance(ram.value, int) and ram.data_type == "n"
    assert first_with["Managed by us"][col["Managed by us"]].value in ("Yes", "No")
    assert first_with["Status"][col["Status"]].value in ("In service", "Spare", "Retired", "Missing", "Unknown")
    assert ws.column_dimensions[first_with["Closeout ID"][col["Closeout ID"]].column_letter].hidden
    assert 10 <= ws.column_dimensions["K"].width <= 40


def test_values_that_look_like_formulas_are_written_as_text(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    with demo_workspace.transaction() as session:
        asset = session.scalars(select(Asset).where(Asset.asset_tag == "NWD-00001")).one()
        update_asset(session, asset.id, RISKY, actor="mallory")
    path = _export(demo_workspace, tmp_path / "inv.xlsx", demo_project_id)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    ws = load_workbook(path)["Assets"]
    header = _header(ws)
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "NWD-00001")
    for field, label in (("notes", "Notes"), ("assigned_user", "Assigned user"), ("department", "Department"),
                         ("model", "Model")):  # fmt: skip
        cell = row[header.index(label)]
        assert cell.value == RISKY[field] and cell.data_type == "s" and cell.quotePrefix
    assert row[header.index("Operating system")].value == RISKY["os"].strip()


def test_workbook_across_projects_names_the_project(demo_workspace: Workspace, tmp_path: Path) -> None:
    with demo_workspace.transaction() as session:
        client = session.scalars(select(Client)).one()
        create_project(session, client_id=client.id, code="NWD-EXP", name="Expansion", actor="lead")
    book = load_workbook(_export(demo_workspace, tmp_path / "all.xlsx"))
    assert "Project" in _header(book["Assets"])
    summary = [row for row in book["Summary"].iter_rows(values_only=True) if row[0]]
    assert ("Projects", 2) in [(r[0], r[1]) for r in summary]
    assert any(r[0] == "NWD-EXP" for r in summary)


def test_cancelled_export_leaves_no_file(demo_workspace: Workspace, tmp_path: Path) -> None:
    class Stop(Exception):
        pass

    def progress(done: int, total: int, text: str) -> None:
        if done > 200:
            raise Stop

    with demo_workspace.session() as session, pytest.raises(Stop):
        export_inventory(session, tmp_path / "inv.xlsx", progress=progress)
    assert list(tmp_path.glob("*.xlsx*")) == [] and list(tmp_path.glob(".inv*")) == []


@pytest.mark.slow
def test_libreoffice_reads_the_workbook(demo_workspace: Workspace, demo_project_id: str, tmp_path: Path) -> None:
    if shutil.which("libreoffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required in CI (.ci/run installs libreoffice-calc-nogui) but is not installed")
        pytest.skip("SKIPPED: LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    with demo_workspace.transaction() as session:
        asset = session.scalars(select(Asset).where(Asset.asset_tag == "NWD-00001")).one()
        update_asset(session, asset.id, RISKY, actor="mallory")
    path = _export(demo_workspace, tmp_path / "inv.xlsx", demo_project_id)
    out = tmp_path / "csv"
    # Filter options: comma, quote, UTF-8, first line 1, ..., last token -1 = every sheet to its own file.
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", str(out),
         str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with (out / "inv-Assets.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "Asset tag" and len(rows) == 301
    first = next(r for r in rows if r[0] == "NWD-00001")
    assert RISKY["notes"] in first and RISKY["department"] in first and RISKY["model"] in first
    assert (out / "inv-Summary.csv").read_text(encoding="utf-8").startswith("Asset inventory")
    assert (out / "inv-Changes.csv").exists() and (out / "inv-Locations.csv").exists()
