"""Importing a client's list: mapping suggestions, dates, Excel-mangled numbers, the preview, all-or-nothing writes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import app.importing.writing
from app.db import Workspace
from app.importing import ImportFailed, ImportOptions, RowStatus, apply_import, preview_import
from app.importing.cells import DateOrder
from app.importing.mapping import import_targets, list_profiles, save_profile, suggest_for, suggest_mapping
from exporters.rejects import REASON_HEADER, write_rejects
from exporters.sheet_reader import read_sheet
from models import Asset, ChangeSet, ImportProfile
from tests.excel.excel_files import write_csv, write_xlsx

HEADERS = ["Tag #", "S/N", "Make", "Model", "Computer Name", "IP", "Type", "Purchased", "Warranty Expiry", "Room"]


def _preview(ws: Workspace, project_id: str, path: Path, **options: Any) -> app.importing.ImportPreview:
    data = read_sheet(path)
    with ws.session() as session:
        mapping = suggest_for(session, data.headers)
        return preview_import(session, project_id, data.headers, data.rows, mapping, ImportOptions(**options))


def _counts(ws: Workspace) -> tuple[int, int]:
    with ws.session() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Asset)) or 0),
            int(session.scalar(select(func.count()).select_from(ChangeSet)) or 0),
        )


def test_columns_are_suggested_from_common_header_names(demo_workspace: Workspace) -> None:
    headers = ["Asset Tag", "Serial Number", "Manufacturer", "Device Name", "IP Address", "MAC", "Assigned To",
               "Warranty Expiration", "Rack units", "RAM (GB)", "Serial", "Whatever"]  # fmt: skip
    with demo_workspace.session() as session:
        mapping = suggest_mapping(headers, import_targets(session))
        short = suggest_mapping(["Tag #", "S/N", "Computer Name", "Type"], import_targets(session))
    assert mapping == {
        "Asset Tag": "asset_tag", "Serial Number": "serial", "Manufacturer": "manufacturer",
        "Device Name": "hostname", "IP Address": "ip_address", "MAC": "mac_address", "Assigned To": "assigned_user",
        "Warranty Expiration": "warranty_end", "Rack units": "custom.rack_units", "RAM (GB)": "custom.ram_gb",
        "Serial": "", "Whatever": "",
    }  # fmt: skip
    assert short == {"Tag #": "asset_tag", "S/N": "serial", "Computer Name": "hostname", "Type": "category_id"}


def test_a_saved_profile_is_offered_again_for_the_same_headers(demo_workspace: Workspace) -> None:
    with demo_workspace.transaction() as session:
        save_profile(session, name="Acme RMM", mapping={"Device": "hostname", "Kit": "category_id"}, actor="lead")
        save_profile(session, name="acme rmm", mapping={"Device": "hostname", "Kit": "model"}, actor="lead")
    with demo_workspace.session() as session:
        (profile,) = list_profiles(session)
        assert profile.mapping == {"Device": "hostname", "Kit": "model"}
        assert suggest_for(session, ["Tag", "Device", "Kit"]) == {"Tag": "asset_tag", "Device": "hostname",
                                                                   "Kit": "model"}  # fmt: skip
        journaled = session.scalars(select(ChangeSet.op).where(ChangeSet.entity == ImportProfile.entity_name)).all()
    assert journaled == ["create", "update"]


def test_preview_sorts_rows_into_new_updated_unchanged_and_rejected(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    with demo_workspace.session() as session:
        known = session.scalars(select(Asset).where(Asset.asset_tag == "NWD-00003")).one()
        serial_only = session.scalars(select(Asset).where(Asset.asset_tag == "NWD-00004")).one()
    rows = [
        HEADERS,
        ["NWD-00900", "NEW-900", "Dell", "OptiPlex 7010", "nwd-new-900", "10.10.1.9", "Workstation", "2024-03-01",
         "31/12/2027", "Building A / Floor 2 / Imaging"],
        [known.asset_tag, known.serial, known.manufacturer, "Changed model", None, None, None, None, None, None],
        [known.asset_tag.lower(), None, None, None, None, None, None, None, None, None],
        [None, serial_only.serial, serial_only.manufacturer, serial_only.model, None, None, None, None, None, None],
        ["NWD-00901", "1.23E+11", "HP", "x", None, None, None, None, None, None],
        ["NWD-00902", "OK-902", "HP", "x", None, "10.300.1.1", "Toaster", "2024-13-45", None, None],
        [None, "NOBODY-1", "HP", "x", None, None, None, None, None, None],
        ["ACME-1", "Z", None, None, None, None, None, None, None, None],
        ["NWD-00900", "DUP", None, None, None, None, None, None, None, None],
    ]  # fmt: skip
    preview = _preview(demo_workspace, demo_project_id, write_csv(tmp_path / "c.csv", rows, delimiter=";"))
    status = {r.row_number: r for r in preview.rows}
    assert status[2].reasons == []
    assert status[2].status == RowStatus.NEW
    assert status[3].status == RowStatus.UPDATED and status[3].changed == ["model"]
    assert status[4].status == RowStatus.REJECTED and "also on row 3" in status[4].message
    assert status[5].status == RowStatus.UNCHANGED and status[5].asset_id == serial_only.id, status[5].message
    # a damaged serial is not the match key here: the row comes in, the serial flagged in the notes
    assert status[6].status == RowStatus.NEW and status[6].values["serial"] == ""
    assert status[6].values["notes"] == (
        "Check Serial number: “1.23E+11” in the client's list; Excel turned it into a number."
    )
    assert "not an IP address" in status[7].message and "There is no category “Toaster”" in status[7].message
    assert status[7].status == RowStatus.REJECTED
    assert status[8].status == RowStatus.NEW and status[8].tag == "NWD-00301"  # no tag: the client's next one
    assert "start with NWD-" in status[9].message
    assert "also on row 2" in status[10].message
    assert preview.summary() == "3 new, 1 updated, 1 unchanged, 4 rejected"
    before = _counts(demo_workspace)
    with demo_workspace.transaction() as session:
        result = apply_import(session, preview, actor="importer")
    assert (result.created, result.updated) == (3, 1)
    with demo_workspace.session() as session:
        new = session.scalars(select(Asset).where(Asset.asset_tag == "NWD-00900")).one()
        assert (new.serial, new.purchase_date, new.warranty_end) == ("NEW-900", date(2024, 3, 1), date(2027, 12, 31))
        assert new.tagged_by == "importer" and new.location_id is not None
        flagged = session.scalars(select(Asset).where(Asset.asset_tag == "NWD-00901")).one()
        assert flagged.attention == ["check:Serial number"] and flagged.needs_attention
    # 3 creates and 1 update; the updated and the unchanged matched assets are put on the client's list (2 more)
    assert _counts(demo_workspace) == (before[0] + 3, before[1] + 4 + 2)


def test_numbers_excel_made_of_serials_in_a_workbook_are_flagged(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "w.xlsx",
        [["Asset Tag", "Serial"], ["NWD-00950", 123000000000], ["NWD-00951", 48213], ["NWD-00952", 1.5e15]],
    )
    preview = _preview(demo_workspace, demo_project_id, path)
    assert [r.status for r in preview.rows] == [RowStatus.NEW, RowStatus.NEW, RowStatus.NEW]
    assert "“1.23E+11” in the client's list; Excel turned it into a number" in preview.rows[0].values["notes"]
    assert "“1.50E+15” in the client's list" in preview.rows[2].values["notes"]
    assert preview.rows[1].values["serial"] == "48213"


def test_day_and_month_order_is_decided_per_column(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    rows = [
        ["Asset Tag", "Purchased", "Warranty Expiry"],
        ["NWD-00960", "03/04/2024", "04/05/2027"],
        ["NWD-00961", "25/12/2023", "12/31/2027"],
        ["NWD-00962", 45000, "2028-01-15"],
        ["NWD-00963", "5 Mar 2022", "6.7.2029"],
    ]
    preview = _preview(demo_workspace, demo_project_id, write_csv(tmp_path / "d.csv", rows))
    got = [(r.values.get("purchase_date"), r.values.get("warranty_end")) for r in preview.rows]
    assert got[0] == (date(2024, 4, 3), date(2027, 4, 5))  # day first / month first, decided per column
    assert got[1] == (date(2023, 12, 25), date(2027, 12, 31))
    assert got[2] == (date(2023, 3, 15), date(2028, 1, 15))  # an Excel day number
    assert got[3] == (date(2022, 3, 5), date(2029, 6, 7))
    assert preview.notes == []
    ambiguous = write_csv(tmp_path / "a.csv", [["Asset Tag", "Purchased"], ["NWD-00970", "03/04/2024"]])
    preview = _preview(demo_workspace, demo_project_id, ambiguous)
    assert preview.rows[0].values["purchase_date"] == date(2024, 3, 4)
    assert "could be day/month or month/day" in preview.notes[0]
    preview = _preview(demo_workspace, demo_project_id, ambiguous, date_orders={"Purchased": DateOrder.DAY_FIRST})
    assert preview.rows[0].values["purchase_date"] == date(2024, 4, 3)


def test_a_failure_while_writing_leaves_nothing_half_written(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [["Asset Tag", "Serial", "Model"]] + [[f"NWD-{n:05d}", f"S{n}", "x"] for n in range(800, 806)]
    rows.append(["NWD-00003", None, "Edited model"])
    preview = _preview(demo_workspace, demo_project_id, write_csv(tmp_path / "f.csv", rows))
    assert preview.summary() == "6 new, 1 updated, 0 unchanged, 0 rejected"

    def failing(*args: Any, **kwargs: Any) -> Any:  # the update comes after the six new assets were written
        raise app.importing.writing.ValidationError({"serial": "The disk said no."})

    monkeypatch.setattr(app.importing.writing, "update_asset", failing)
    before = _counts(demo_workspace)
    failure = pytest.raises(ImportFailed, match=r"Row 8: The disk said no\. Nothing was imported\.")
    with failure, demo_workspace.transaction() as session:
        apply_import(session, preview, actor="importer")
    assert _counts(demo_workspace) == before
    with demo_workspace.session() as session:
        assert session.scalars(select(Asset.model).where(Asset.asset_tag == "NWD-00003")).one() != "Edited model"


def test_rejected_rows_go_to_a_workbook_that_imports_once_fixed(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    rows = [["Asset Tag", "Serial", "IP"], ["1.23E+11", "S-990", "10.0.0.1"], ["NWD-00991", "S-991", "10.0.0.999"]]
    path = write_csv(tmp_path / "r.csv", rows)
    preview = _preview(demo_workspace, demo_project_id, path)
    rejects = write_rejects(tmp_path / "rejects.xlsx", preview.headers, preview.mapping, preview.rejected)
    data = read_sheet(rejects)
    assert data.headers == ["Row in the original file", "Asset Tag", "Serial", "IP", REASON_HEADER]
    assert [cells[0] for _, cells in data.rows] == [2, 3]
    assert "Excel turned it into a number" in data.rows[0][1][4]
    from openpyxl import load_workbook

    book = load_workbook(rejects)
    sheet = book.active
    assert sheet is not None
    sheet["B2"] = "NWD-00990"
    sheet["D3"] = "10.0.0.99"
    book.save(rejects)
    fixed = _preview(demo_workspace, demo_project_id, rejects)
    assert fixed.summary() == "2 new, 0 updated, 0 unchanged, 0 rejected"


def test_a_tag_taken_after_the_preview_stops_the_whole_import(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    rows = [["Asset Tag", "Serial"]] + [[f"NWD-{n:05d}", f"T{n}"] for n in range(810, 815)]
    preview = _preview(demo_workspace, demo_project_id, write_csv(tmp_path / "t.csv", rows))
    with demo_workspace.transaction() as session:  # someone tags NWD-00812 in the meantime
        app.importing.writing.create_assets_bulk(
            session, project_id=demo_project_id, rows=[{"asset_tag": "NWD-00812"}], actor="other"
        )
    before = _counts(demo_workspace)
    failure = pytest.raises(ImportFailed, match=r"Row 4: Tag NWD-00812 is already on another asset")
    with failure, demo_workspace.transaction() as session:
        apply_import(session, preview, actor="importer")
    assert _counts(demo_workspace) == before


def test_dotted_dates_that_could_be_either_are_read_day_first_and_pointed_out(
    demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "e.csv", [["Asset Tag", "Warranty"], ["NWD-00980", "03.04.2027"]])
    preview = _preview(demo_workspace, demo_project_id, path)
    assert preview.rows[0].values["warranty_end"] == date(2027, 4, 3)
    assert "read as day/month/year" in preview.notes[0]
