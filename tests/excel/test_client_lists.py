"""A client's own asset list, whatever tool made it, comes in whole after value mapping; really wrong rows do not."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.asset_query import AssetFilter, query_assets
from app.assets import delete_asset, find_by_previous_tag
from app.cli import main
from app.db import Workspace
from app.importing import ImportOptions, RowStatus, apply_import, preview_import
from app.importing.client_tags import ClientTags
from app.importing.mapping import best_profile, client_choices, save_profile, suggest_for
from app.importing.value_mapping import Action, suggest_values
from app.journal import snapshot
from exporters.sheet_reader import read_sheet
from exporters.xlsx_export import export_inventory
from models import Asset, AssetStatus, Category, Location, Site
from tests.excel import client_lists
from tests.excel.excel_files import write_csv


def _cli(ws: Workspace, *args: str) -> int:
    return main(["--home", str(ws.home), "--as", "cli.tester", *args])


def _count(ws: Workspace) -> int:
    with ws.session() as session:
        return int(session.scalar(select(func.count()).select_from(Asset).where(Asset.deleted_at.is_(None))) or 0)


@pytest.mark.parametrize("kind", sorted(client_lists.PRESET_FILES))
def test_each_tools_export_is_recognised_and_imports_with_no_rejected_row_from_the_cli(
    kind: str, demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build, name = client_lists.PRESET_FILES[kind]
    path = build(tmp_path)
    rows = len(read_sheet(path).rows)
    before = _count(demo_workspace)
    assert _cli(demo_workspace, "import", str(path), "--json") == 0  # --json after the verb
    data = json.loads(capsys.readouterr().out)
    assert name in data["notes"][0] and data["notes"][0].startswith("Looks like")
    assert (data["rejected"], data["new"], data["written"]) == (0, rows, True)
    assert _count(demo_workspace) == before + rows


def test_a_hand_made_workbook_imports_with_no_rejected_row_from_the_cli(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = client_lists.hand_made(tmp_path)
    before = _count(demo_workspace)
    assert _cli(demo_workspace, "import", str(path), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert not any(note.startswith("Looks like") for note in data["notes"])  # no tool made it
    assert (data["rejected"], data["new"], data["written"]) == (0, 5, True)
    assert _count(demo_workspace) == before + 5


def test_a_snipe_it_export_maps_its_values_keeps_its_tags_as_previous_tags_and_fills_the_new_fields(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = client_lists.snipe_it(tmp_path)
    assert _cli(demo_workspace, "import", str(path), "--dry-run") == 0
    printed = capsys.readouterr().out
    assert "Category “Laptops” (16 rows) → Laptop (same meaning)" in printed
    assert "Category “Ornamental Railings” (3 rows) → new: Ornamental Railings" in printed
    assert "Status “Ready to Deploy” (6 rows) → Spare (same meaning)" in printed
    assert "Status “Lost” (7 rows) → Missing (same meaning)" in printed
    assert "Location “Zürich HQ / Étage 2 / Room 201” (10 rows) → new: Zürich HQ / Étage 2 / Room 201" in printed
    assert "kept as previous tags" in printed and "Dry run: nothing was written." in printed
    assert _cli(demo_workspace, "import", str(path)) == 0
    with demo_workspace.session() as session:
        client_id = session.scalars(select(Asset.client_id).limit(1)).one()
        (asset,) = find_by_previous_tag(session, client_id, " hx-00001 ")
        assert asset.asset_tag == "NWD-00301"  # the client's next tag, in file order
        assert (asset.model_number, asset.order_number, asset.supplier) == ("MN-1001", "PO-7701", "Brack AG")
        assert asset.purchase_cost == 907.5 and asset.purchase_date == date(2023, 2, 2)
        assert asset.warranty_end == date(2026, 2, 2)  # "Warranty" is 36 months from the purchase date
        assert asset.status == AssetStatus.IN_SERVICE  # "Deployed"
        untagged = session.scalars(select(Asset).where(Asset.serial == "SN000010X")).one()
        assert untagged.previous_tag == "" and untagged.asset_tag == "NWD-00310"  # no tag in the file: created
        room = session.scalars(select(Location).where(Location.name == "Room 201")).one()
        site = session.get(Site, room.site_id)
        assert site is not None and (site.name, room.path, room.kind.value) == ("Zürich HQ", "Étage 2 / Room 201",
                                                                                 "room")  # fmt: skip
        assert session.scalars(select(Category).where(Category.name == "Ornamental Railings")).one()
        pending = session.scalars(select(Asset).where(Asset.previous_tag == "HX-00004")).one()
        assert pending.status == AssetStatus.UNKNOWN and "Status in the client's list: Pending Diagnostics" in (
            pending.notes
        )
        found = query_assets(session, AssetFilter(client_id=client_id, text="hx-00004"))
        by_part = query_assets(session, AssetFilter(client_id=client_id, text="00004"))
    assert [a.id for a in found] == [pending.id]  # the previous tag is searchable, also by any part
    assert pending.id in {a.id for a in by_part}


def test_the_semicolon_list_from_the_issue_imports_whole_with_nested_locations_created(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = client_lists.semicolon_cp1252(tmp_path)
    assert _cli(demo_workspace, "--json", "import", str(path)) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["new"], data["rejected"], data["client_tags"]) == (22, 0, "previous")
    with demo_workspace.session() as session:
        geneve = session.scalars(select(Location).where(Location.name == "Rez-de-chaussée")).one()
        assert session.get(Site, geneve.site_id).name == "Genève"  # type: ignore[union-attr]
        floors = session.scalars(select(Location).where(Location.name == "Étage 2")).all()
    assert len(floors) == 1 and floors[0].kind.value == "floor"  # one Étage 2 for both paths under Zürich HQ


def test_map_value_and_client_tags_keep_are_applied_and_strict_values_refuses_unmatched_values(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = client_lists.semicolon_cp1252(tmp_path)
    assert _cli(demo_workspace, "import", str(path), "--strict-values", "--dry-run") == 1
    assert "match nothing Closeout knows" in capsys.readouterr().err
    args = ["import", str(path), "--client-tags", "keep", "--map-value", "Category:Ornamental Railings=Other",
            "--map-value", "Category:Monitore=new", "--map-value", "Status:Pending Diagnostics=",
            "--map-value", "Location:Genève / Rez-de-chaussée=new", "--save-profile", "Helix list"]  # fmt: skip
    assert _cli(demo_workspace, *args) == 0
    printed = capsys.readouterr().out
    assert "Category “Ornamental Railings” (6 rows) → Other" in printed
    assert "Status “Pending Diagnostics” (4 rows) → left empty, kept in the notes" in printed
    with demo_workspace.session() as session:
        kept = session.scalars(select(Asset).where(Asset.asset_tag == "HX-00002")).one()  # the client's own tag
        assert kept.previous_tag == "" and session.get(Category, kept.category_id).name == "Other"  # type: ignore
        profile = best_profile(session, read_sheet(path).headers)
        values, tags = client_choices(profile, kept.client_id)
    assert tags == "keep" and values["status"]["Pending Diagnostics"] == ""
    assert values["category_id"]["Monitore"] == "new"
    assert _cli(demo_workspace, "import", str(path), "--dry-run") == 0  # the saved choices are offered again
    again = capsys.readouterr().out
    assert "Category “Ornamental Railings” (6 rows) → Other (saved)" in again
    assert "Preview: 0 new, 0 updated, 22 unchanged, 0 rejected." in again
    assert _cli(demo_workspace, "import", str(path), "--map-value", "Category:Toaster=laptop") == 1
    assert "“Toaster” does not occur in the column “Category”" in capsys.readouterr().err


def test_really_wrong_rows_are_still_rejected_each_with_its_reason(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    rows = [
        ["Asset Tag", "Serial", "Category", "Status", "Purchase Date"],
        ["HX-1", "S-1", "Laptops", "Lost", "2024-01-31"],
        ["HX-2", "S-2", "Laptops", "Lost", "2024-02-31"],
        ["HX-3", "S-1", "Desktop", "Archived", "2024-01-05"],
        ["HX-1", "S-4", "Desktop", "Archived", "2024-01-05"],
        ["HX-5", "6.37702E+15", "Desktop", "Archived", "5/1/24"],
        ["HX-6", "S-6", "Desktop", "Archived", "2024-02-31"],  # the same cells again: each row still told
        ["HX-7", "S-7", "Desktop", "Archived", "5/1/24"],
    ]
    data = read_sheet(write_csv(tmp_path / "wrong.csv", rows))
    with demo_workspace.session() as session:
        mapping = suggest_for(session, data.headers)
        client_id = session.scalars(select(Asset.client_id).limit(1)).one()
        values = suggest_values(session, client_id, data.headers, data.rows, mapping)
        options = ImportOptions(values=values, client_tags=ClientTags.PREVIOUS)
        preview = preview_import(session, demo_project_id, data.headers, data.rows, mapping, options)
    reasons = {r.row_number: r.message for r in preview.rejected}
    assert reasons == {
        3: "Row 3: Purchase date: “2024-02-31” is not a date.",
        4: "Row 4: Serial S-1 is also on row 2; keep one of the two rows.",
        5: "Row 5: Tag HX-1 is also on row 2; keep one of the two rows.",
        7: "Row 7: Purchase date: “2024-02-31” is not a date.",
    }
    assert preview.rows[-1].values["notes"] == (
        "Check Purchase date: “5/1/24” in the client's list has a two-digit year; read as 2024-05-01."
    )
    damaged = preview.rows[-3]
    assert damaged.status == RowStatus.NEW and damaged.values["purchase_date"] == date(2024, 5, 1)
    assert damaged.values["notes"].splitlines() == [
        "Check Serial number: “6.37702E+15” in the client's list; Excel turned it into a number.",
        "Check Purchase date: “5/1/24” in the client's list has a two-digit year; read as 2024-05-01.",
    ]


def test_suggestions_use_synonyms_and_similar_names(demo_workspace: Workspace, demo_project_id: str) -> None:
    headers = ["Tag", "Category", "Status"]
    words = [("Laptops", "Lost"), ("PC", "Archived"), ("Switches", "Disposed"), ("Workstaton", "In use"),
             ("Kaffeemaschine", "Pending Diagnostics"), ("Printer", "In stock")]  # fmt: skip
    rows = [(n, [f"T{n}", c, s]) for n, (c, s) in enumerate(words, start=2)]
    with demo_workspace.session() as session:
        client_id = session.scalars(select(Asset.client_id).limit(1)).one()
        values = suggest_values(session, client_id, headers, rows, {"Tag": "asset_tag", "Category": "category_id",
                                                                    "Status": "status"})  # fmt: skip
        codes = {c.id: c.code for c in session.scalars(select(Category))}
    got = {(c.value, c.action, codes.get(c.target, c.target), c.reason) for c in values.choices}
    assert got == {
        ("Laptops", Action.MAP, "laptop", "synonym"), ("PC", Action.MAP, "workstation", "synonym"),
        ("Switches", Action.MAP, "switch", "synonym"), ("Workstaton", Action.MAP, "workstation", "similar"),
        ("Kaffeemaschine", Action.CREATE, "Kaffeemaschine", ""), ("Printer", Action.MAP, "printer", "same"),
        ("Lost", Action.MAP, "missing", "synonym"), ("Archived", Action.MAP, "retired", "synonym"),
        ("Disposed", Action.MAP, "retired", "synonym"), ("In use", Action.MAP, "in_service", "synonym"),
        ("Pending Diagnostics", Action.MAP, "unknown", "synonym"), ("In stock", Action.MAP, "spare", "synonym"),
    }  # fmt: skip


def _state(ws: Workspace) -> dict[str, dict[str, Any]]:
    skip = {"id", "tagged_by", "tagged_at", "created_at", "updated_at", "attention", "needs_attention"}
    # The onsite audit's state is not part of the Assets sheet (the Reconciliation sheet reports it): a workbook
    # read back is not the client's list, so its assets are not "listed" again.
    skip |= {"listed", "seen_at", "seen_by", "seen_site_id", "seen_location_id", "audit_mark", "audit_reason"}
    with ws.session() as session:
        assets = session.scalars(select(Asset).where(Asset.deleted_at.is_(None)))
        return {a.asset_tag: {k: v for k, v in snapshot(a).items() if k not in skip} for a in assets}


def test_import_export_reimport_round_trips_the_new_fields_and_previous_tags(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli(demo_workspace, "import", str(client_lists.snipe_it(tmp_path))) == 0
    capsys.readouterr()
    before = _state(demo_workspace)
    out = tmp_path / "export.xlsx"
    with demo_workspace.session() as session:
        export_inventory(session, out, [demo_project_id])
    data = read_sheet(out)
    assert {"Previous tag", "Purchase cost", "Model number", "Supplier", "Order number", "Currency"} <= set(
        data.headers
    )
    with demo_workspace.session() as session:
        mapping = suggest_for(session, data.headers)
        preview = preview_import(session, demo_project_id, data.headers, data.rows, mapping)
    assert preview.summary() == f"0 new, 0 updated, {len(before)} unchanged, 0 rejected"
    with demo_workspace.transaction() as session:
        for asset in session.scalars(select(Asset)).all():
            delete_asset(session, asset.id, actor="test")
    with demo_workspace.session() as session:
        preview = preview_import(session, demo_project_id, data.headers, data.rows, suggest_for(session, data.headers))
    with demo_workspace.transaction() as session:
        apply_import(session, preview, actor="importer")
    assert _state(demo_workspace) == before


def test_a_saved_profile_remembers_choices_per_client(demo_workspace: Workspace) -> None:
    with demo_workspace.transaction() as session:
        profile = save_profile(session, name="Snipe", mapping={"Tag": "asset_tag"}, actor="t", client_id="c1",
                               values={"status": {"Lost": "missing"}}, client_tags="previous")  # fmt: skip
        save_profile(session, name="snipe", mapping={"Tag": "asset_tag"}, actor="t", client_id="c2",
                     values={"status": {"Lost": "retired"}})  # fmt: skip
        assert client_choices(profile, "c1") == ({"status": {"Lost": "missing"}}, "previous")
        assert client_choices(profile, "c2") == ({"status": {"Lost": "retired"}}, None)


def test_hosts_of_an_nmap_scan_are_matched_again_by_their_mac_address(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = client_lists.nmap_xml(tmp_path)
    assert _cli(demo_workspace, "import", str(path)) == 0
    capsys.readouterr()
    assert _cli(demo_workspace, "--json", "import", str(path), "--dry-run") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["new"], data["unchanged"], data["rejected"]) == (1, 5, 0)  # the host without a MAC is new again


def _saved_by_libreoffice(source: Path, fmt: str, folder: Path) -> Path:
    """The workbook as LibreOffice saves it in another format (Excel 97 .xls, OpenDocument .ods)."""
    if shutil.which("libreoffice") is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required in CI (.ci/run installs libreoffice-calc-nogui) but is not installed")
        pytest.skip("SKIPPED: LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{folder}/lo-profile", "--headless", "--convert-to", fmt,
         "--outdir", str(folder / fmt), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / fmt / f"{source.stem}.{fmt}"


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_hand_made_list_saved_as_excel_97_or_opendocument_imports_like_the_xlsx(
    demo_workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    original = client_lists.hand_made(tmp_path)
    saved = _saved_by_libreoffice(original, fmt, tmp_path)
    assert saved.read_bytes()[:4] == (b"\xd0\xcf\x11\xe0" if fmt == "xls" else b"PK\x03\x04")  # really that format
    assert (read_sheet(saved).headers, read_sheet(saved).rows) == (read_sheet(original).headers,
                                                                   read_sheet(original).rows)  # fmt: skip
    renamed = tmp_path / f"renamed.{'xlsx' if fmt == 'xls' else 'xls'}"  # people rename files; the bytes decide
    renamed.write_bytes(saved.read_bytes())
    assert read_sheet(renamed).rows == read_sheet(original).rows
    before = _count(demo_workspace)
    assert _cli(demo_workspace, "import", str(saved), "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["rejected"], data["new"], data["written"]) == (0, 5, True)
    assert _count(demo_workspace) == before + 5
