"""The onsite audit in the reports: the workbook's Reconciliation sheet (read by openpyxl and by LibreOffice) and
the signoff packet's reconciliation section (read by pypdf, rendered by pdftoppm)."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from app.audit import mark_assets, mark_listed, verify_asset
from app.db import Workspace
from exporters.pdf_cli import export_pdf
from exporters.xlsx_export import export_inventory
from models import Asset, AuditState

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "audit"


def _audit(ws: Workspace, project_id: str) -> None:
    """100 of the 300 demo assets listed: 50 seen, 10 missing (off site), 5 not in scope, 35 unseen; 200 found."""
    with ws.transaction() as s:
        ids = list(s.scalars(select(Asset.id).where(Asset.project_id == project_id).order_by(Asset.asset_tag)))
        mark_listed(s, ids[:100], actor="import")
        for asset_id in ids[:50]:
            verify_asset(s, asset_id, room=None, actor="sam.field")
        mark_assets(s, ids[50:60], AuditState.MISSING, reason="off site", actor="sam.field")
        mark_assets(s, ids[60:65], AuditState.OUT_OF_SCOPE, reason="leased", actor="sam.field")


def _export(ws: Workspace, path: Path, project_id: str) -> Path:
    with ws.session() as session:
        export_inventory(session, path, [project_id], exported_on=date(2026, 12, 1))
    return path


def test_the_reconciliation_sheet_lists_counts_listed_and_found_assets(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    _audit(demo_workspace, demo_project_id)
    path = _export(demo_workspace, tmp_path / "inv.xlsx", demo_project_id)
    book = load_workbook(path, read_only=True)
    assert "Reconciliation" in book.sheetnames
    rows = [list(r) for r in book["Reconciliation"].iter_rows(values_only=True)]
    total = next(r for r in rows if r[0] == "All")
    assert total[2:8] == [100, 50, 10, 5, 200, 35]
    header = rows.index(["Tag", "Previous tag", "Asset", "Serial", "Site", "Location", "State", "Reason", "Seen at",
                         "Seen by"])  # fmt: skip
    assets = rows[header + 1 :]
    assert len(assets) == 300
    states = [r[6] for r in assets]
    assert states[:100].count("Seen") == 50 and states[:100].count("Expected") == 35
    assert states[100:] == ["Found, not listed"] * 200
    missing = [r for r in assets if r[6] == "Missing"]
    assert len(missing) == 10 and {r[7] for r in missing} == {"Off site"}
    assert all(r[8] is not None and r[9] == "sam.field" for r in assets if r[6] == "Seen")


def test_libreoffice_reads_the_reconciliation_sheet(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    if shutil.which("libreoffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required in CI but is not installed")
        pytest.skip("SKIPPED: LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    _audit(demo_workspace, demo_project_id)
    path = _export(demo_workspace, tmp_path / "inv.xlsx", demo_project_id)
    out = tmp_path / "csv"
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
         "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", str(out),
         str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    with (out / "inv-Reconciliation.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == "Counts per site and location"
    total = next(r for r in rows if r and r[0] == "All")
    assert total[2:8] == ["100", "50", "10", "5", "200", "35"]
    assets = rows[next(i for i, r in enumerate(rows) if r and r[0] == "Tag") + 1 :]
    assert len(assets) == 300 and sum(1 for r in assets if r[6] == "Found, not listed") == 200


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_signoff_packet_has_a_reconciliation_section(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    _audit(demo_workspace, demo_project_id)
    pdf = export_pdf(demo_workspace, "packet", "NWD-ONB", tmp_path / "packet.pdf")
    pages = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    number = next(i for i, page in enumerate(pages, start=1) if "Listed (expected)" in page)
    section = "\n".join(pages[number - 1 : number + 2])
    assert "Not complete: 35 listed assets were not seen and are not explained." in section
    assert "Missing — 10" in section and "Off site" in section
    assert "Listed, not seen — 35" in section
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(number), "-l", str(number), "-singlefile", str(pdf),
                    str(SHOTS / "packet-reconciliation")], check=True)  # fmt: skip
    assert (SHOTS / "packet-reconciliation.png").stat().st_size > 10_000
