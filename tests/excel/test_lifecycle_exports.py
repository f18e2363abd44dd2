"""The forecast in the workbook's Lifecycle sheet, the PDFs and the command line: the same figures everywhere,
read back by real readers (openpyxl, pypdf, LibreOffice)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.cli import main
from app.db import Workspace
from app.lifecycle import format_money
from exporters.pdf_cli import write_aside
from exporters.pdf_data import load_dossier
from exporters.pdf_packet import build_packet
from exporters.xlsx_export import export_inventory
from exporters.xlsx_lifecycle import BUDGET_HEADER_ROW
from tests.core.lifecycle_kit import (
    AS_OF,
    EXPECTED_CELLS,
    EXPECTED_OUT_OF_SUPPORT,
    EXPECTED_OUT_OF_WARRANTY,
    EXPECTED_TOTAL,
    EXPECTED_YEARS,
    PROJECT,
    LifecycleSetup,
    seed_lifecycle,
)

YEARS = list(EXPECTED_YEARS)
CATEGORIES = ["Server", "Workstation", "Laptop", "Network switch", "UPS", "Monitor", "Other"]


@pytest.fixture
def acme(workspace: Workspace) -> LifecycleSetup:
    return seed_lifecycle(workspace)


@pytest.fixture
def workbook(acme: LifecycleSetup, tmp_path: Path) -> Path:
    path = tmp_path / "acme.xlsx"
    with acme.ws.session() as s:
        report = export_inventory(s, path, [acme.project_id], exported_on=AS_OF)
    assert report.sheets[:3] == ["Summary", "Lifecycle", "Assets"]
    return path


def cli_json(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["--home", str(home), "--json", *args]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in PdfReader(path).pages))


def test_the_lifecycle_sheet_holds_the_budget_and_counts_as_currency_and_numbers(workbook: Path) -> None:
    ws = load_workbook(workbook)["Lifecycle"]
    header = [c.value for c in ws[BUDGET_HEADER_ROW]]
    assert header == ["Category", *map(str, YEARS), "Total"]
    budget_rows = list(ws.iter_rows(min_row=BUDGET_HEADER_ROW + 1, max_row=BUDGET_HEADER_ROW + len(CATEGORIES) + 1))
    assert [r[0].value for r in budget_rows] == [*CATEGORIES, "Total"]
    for row in budget_rows[:-1]:
        category = str(row[0].value)
        for year, cell in zip(YEARS, row[1:], strict=False):
            expected = EXPECTED_CELLS.get((year, category), (0, Decimal(0), 0))[1]
            assert Decimal(str(cell.value)) == expected, (category, year)
            assert cell.number_format.startswith("[$EUR] #,##0.00")
    total = budget_rows[-1]
    assert [Decimal(str(c.value)) for c in total[1:6]] == [b for _n, b in EXPECTED_YEARS.values()]
    assert Decimal(str(total[6].value)) == EXPECTED_TOTAL
    values = [[c.value for c in row] for row in ws.iter_rows()]
    count_header = next(i for i, v in enumerate(values) if v[0] == "Assets due per year")
    counts_total = next(v for v in values[count_header:] if v[0] == "Total")
    assert counts_total[1:7] == [*(n for n, _b in EXPECTED_YEARS.values()), 9]
    warranty_at = next(i for i, v in enumerate(values) if str(v[0]).startswith("Out of warranty"))
    listed = [(v[0], v[5]) for v in values[warranty_at + 2 : warranty_at + 2 + len(EXPECTED_OUT_OF_WARRANTY)]]
    assert listed == [(tag, "Expired" if s == "expired" else "Expires within 90 days") for tag, s in
                      EXPECTED_OUT_OF_WARRANTY]  # fmt: skip
    support_at = next(i for i, v in enumerate(values) if str(v[0]).startswith("Operating system out of support"))
    rows = values[support_at + 2 : support_at + 2 + len(EXPECTED_OUT_OF_SUPPORT)]
    assert [(v[0], v[4].date()) for v in rows] == EXPECTED_OUT_OF_SUPPORT


def test_the_sheet_carries_a_native_stacked_column_chart_over_the_budget_table(workbook: Path) -> None:
    with zipfile.ZipFile(workbook) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        root = ElementTree.fromstring(z.read(charts[0]))
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    bar = root.find(".//c:barChart", ns)
    assert bar is not None
    assert bar.find("c:barDir", ns).get("val") == "col"  # type: ignore[union-attr]
    assert bar.find("c:grouping", ns).get("val") == "stacked"  # type: ignore[union-attr]
    series = bar.findall("c:ser", ns)

    def ref(element: ElementTree.Element, path: str) -> str:
        return "".join(element.findtext(f"{path}/c:numRef/c:f", "", ns) + element.findtext(f"{path}/c:strRef/c:f", "",
                       ns)).replace("$", "")  # fmt: skip

    assert [ref(s, "c:tx") for s in series] == [f"'Lifecycle'!A{BUDGET_HEADER_ROW + 1 + i}" for i in range(7)]
    assert ref(series[0], "c:val") == f"'Lifecycle'!B{BUDGET_HEADER_ROW + 1}:F{BUDGET_HEADER_ROW + 1}"
    assert ref(series[0], "c:cat") == f"'Lifecycle'!B{BUDGET_HEADER_ROW}:F{BUDGET_HEADER_ROW}"  # years on the axis


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_workbook_and_draws_the_chart(workbook: Path, tmp_path: Path) -> None:
    out = tmp_path / "lo"
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), str(workbook)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    text = pdf_text(out / "acme.pdf")
    assert "Lifecycle and replacement budget" in text
    assert "Replacement budget (EUR)" in text  # the chart's title: LibreOffice drew the chart
    assert "EUR 27,585.56" in text


def test_the_cli_forecast_matches_the_figures_worked_out_by_hand(
    acme: LifecycleSetup, capsys: pytest.CaptureFixture[str]
) -> None:
    data = cli_json(capsys, acme.ws.home, "lifecycle", "--project", PROJECT, "--as-of", AS_OF.isoformat())
    assert data["total_budget"] == str(EXPECTED_TOTAL) and data["currency"] == "EUR"
    years = data["years"]
    assert isinstance(years, list)
    assert [(y["year"], y["count"], Decimal(y["budget"])) for y in years] == [
        (year, n, b) for year, (n, b) in EXPECTED_YEARS.items()
    ]
    cells = {(y["year"], c["category"]): (c["count"], Decimal(c["budget"]), c["unpriced"]) for y in years
             for c in y["categories"]}  # fmt: skip
    assert cells == EXPECTED_CELLS
    assert [a["asset_tag"] for a in data["out_of_support"]] == [t for t, _d in EXPECTED_OUT_OF_SUPPORT]
    capsys.readouterr()
    assert main(["--home", str(acme.ws.home), "lifecycle", "-p", PROJECT, "--as-of", "2026-03-15"]) == 0
    human = capsys.readouterr().out
    assert "Budget over 5 years: 27,585.56 EUR" in human
    assert re.search(r"Total\s+3 · 11,150\.50\s+4 · 5,834\.56\s+2 · 10,600\.50", human)


def test_the_lifecycle_pdf_and_the_packet_show_the_same_figures_as_the_cli(
    acme: LifecycleSetup, capsys: pytest.CaptureFixture[str], tmp_path: Path, workbook: Path
) -> None:
    report = tmp_path / "lifecycle.pdf"
    written = cli_json(capsys, acme.ws.home, "export", "lifecycle", "-p", PROJECT, "-o", str(report),
                       "--as-of", AS_OF.isoformat())  # fmt: skip
    assert written["total_budget"] == str(EXPECTED_TOTAL)
    with acme.ws.session() as s:
        dossier = load_dossier(s, PROJECT, acme.ws.blobs_dir, with_assets=True, lifecycle_as_of=AS_OF)
    packet = tmp_path / "packet.pdf"
    write_aside(packet, lambda tmp: build_packet(dossier, tmp))
    sheet = load_workbook(workbook)["Lifecycle"]
    sheet_totals = [Decimal(str(c.value)) for c in sheet[BUDGET_HEADER_ROW + len(CATEGORIES) + 1][1:7]]
    for pdf in (report, packet):
        text = pdf_text(pdf)
        assert "Lifecycle and replacement budget" in text
        assert f"9 assets due, {format_money(EXPECTED_TOTAL, 'EUR')} in all" in text
        expected_row = " ".join(f"{n} · {format_money(b)}" if n else "—" for n, b in EXPECTED_YEARS.values())
        assert f"Total {expected_row} 9 · {format_money(sum(sheet_totals[:5], Decimal(0)))}" in text
        for tag, _state in EXPECTED_OUT_OF_WARRANTY:
            assert tag in text
    assert sheet_totals[-1] == EXPECTED_TOTAL


def test_a_report_that_is_not_a_pdf_is_refused_in_words(
    acme: LifecycleSetup, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["--home", str(acme.ws.home), "export", "lifecycle", "-o", str(tmp_path / "x.xlsx")]) == 1
    assert "The lifecycle report is a PDF" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
