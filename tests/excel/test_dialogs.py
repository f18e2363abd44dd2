"""The import and export dialogs with real widgets, a real workspace and a synchronous runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db import Workspace
from app.importing import ImportResult
from app.importing.mapping import list_profiles
from exporters.xlsx_export import ExportReport
from models import Asset
from tests.excel.excel_files import write_csv
from ui.export_dialog import ExportDialog
from ui.import_dialog import ImportDialog
from ui.import_models import MappingModel
from ui.runner import Runner

OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"
pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)

ROWS = [
    ["Northwind — devices from the old RMM"],
    [],
    ["Tag #", "S/N", "Make", "Model", "Computer Name", "IP", "Purchased", "Colour of case"],
    ["NWD-00700", "SN-700", "Dell", "OptiPlex 7010", "nwd-ws-700", "10.10.1.70", "03/04/2024", "grey"],
    ["NWD-00700", "SN-701", "HP", "EliteDesk", "nwd-ws-701", "10.10.1.71", "25/12/2023", "black"],
    ["NWD-00702", "SN-702", "HP", "EliteDesk", "nwd ws 702", "10.10.1.72", "01/02/2024", "black"],
    ["NWD-00001", "", "", "Changed by import", "", "", "", ""],
]


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[Runner]:
    runner = Runner(None, synchronous=True)
    yield runner
    runner.wait()


def _dialog(qtbot: QtBot, ws: Workspace, runner: Runner, project_id: str) -> ImportDialog:
    dialog = ImportDialog(ws, runner, project_id, "pat.tester")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_import_dialog_previews_and_imports_accepted_rows(
    qtbot: QtBot, qtmodeltester: object, demo_workspace: Workspace, demo_project_id: str, runner: Runner,
    tmp_path: Path,
) -> None:  # fmt: skip
    dialog = _dialog(qtbot, demo_workspace, runner, demo_project_id)
    dialog.open_file(write_csv(tmp_path / "rmm.csv", ROWS, encoding="cp1252", delimiter=";"))
    assert dialog.file_info.text().startswith("Header on row 3 · 4 rows")
    assert "Windows-1252" in dialog.file_info.text()
    model = dialog.mapping_model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    assert model.mapping["S/N"] == "serial" and model.mapping["Colour of case"] == ""
    assert [dialog.chips[k].text() for k in ("new", "updated", "unchanged", "rejected")] == [
        "1 new", "1 updated", "0 unchanged", "2 rejected",
    ]  # fmt: skip
    assert dialog.rejected_model.rowCount() == 2
    qtmodeltester.check(dialog.rejected_model)  # type: ignore[attr-defined]
    reason = dialog.rejected_model.index(0, 2).data()
    assert "Tag NWD-00700 is also on row 4" in reason
    assert "not a valid host name" in dialog.rejected_model.index(1, 2).data()
    assert dialog.import_button.text() == "Import 2 rows"

    row = model.headers.index("Computer Name")
    model.setData(model.index(row, MappingModel.TARGET), "", Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: dialog.chips["rejected"].text() == "1 rejected" and dialog.preview is not None
                    and "hostname" not in dialog.preview.mapping.values())  # fmt: skip
    assert dialog.notes_label.isHidden() and dialog.import_button.text() == "Import 3 rows"

    rejects = tmp_path / "rejects.xlsx"
    dialog.save_rejects(rejects)
    assert load_workbook(rejects).active.max_row == 2  # type: ignore[union-attr]

    dialog.save_mapping("Old RMM")
    with demo_workspace.session() as session:
        assert [p.name for p in list_profiles(session)] == ["Old RMM"]

    with qtbot.waitSignal(dialog.imported) as signal:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    result = signal.args[0]
    assert isinstance(result, ImportResult) and (result.created, result.updated) == (2, 1)
    with demo_workspace.session() as session:
        assert session.scalars(select(Asset.model).where(Asset.asset_tag == "NWD-00001")).one() == "Changed by import"
        assert session.scalar(select(Asset).where(Asset.asset_tag == "NWD-00701")) is None


def test_ambiguous_dates_are_pointed_out_and_the_order_can_be_changed(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, demo_workspace, runner, demo_project_id)
    dialog.open_file(write_csv(tmp_path / "d.csv", [["Asset Tag", "Purchased"], ["NWD-00800", "03/04/2024"]]))
    assert "could be day/month or month/day" in dialog.notes_label.text() and not dialog.notes_label.isHidden()
    model = dialog.mapping_model
    assert model.index(1, MappingModel.DATES).flags() & Qt.ItemFlag.ItemIsEditable
    model.setData(model.index(1, MappingModel.DATES), "dmy", Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: dialog.preview is not None and not dialog.preview.notes)
    assert dialog.preview is not None and str(dialog.preview.rows[0].values["purchase_date"]) == "2024-04-03"


def test_export_dialog_writes_the_workbook(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, tmp_path: Path
) -> None:
    dialog = ExportDialog(demo_workspace, runner, demo_project_id)
    qtbot.addWidget(dialog)
    assert "NWD-ONB inventory" in dialog.path_edit.text()
    dialog.path_edit.setText(str(tmp_path / "out.xlsx"))
    with qtbot.waitSignal(dialog.exported) as signal:
        dialog.export_button.click()
    report = signal.args[0]
    assert isinstance(report, ExportReport) and report.assets == 300
    assert load_workbook(tmp_path / "out.xlsx", read_only=True).sheetnames[1:3] == ["Lifecycle", "Assets"]


def test_install_adds_the_menu_actions_to_the_main_window(
    qtbot: QtBot, demo_workspace: Workspace, tmp_path: Path
) -> None:
    from ui.main_window import MainWindow
    from ui.settings import TECHNICIAN, Settings

    settings = Settings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    settings.set(TECHNICIAN, "pat.tester")
    window = MainWindow(demo_workspace, settings=settings)
    qtbot.addWidget(window)
    export = [a for a in window.menus["file.export"].actions() if a.objectName() == "exportInventoryAction"]
    imp = [a for a in window.menus["file.import"].actions() if a.objectName() == "importAssetsAction"]
    assert len(export) == 1 and len(imp) == 1
    from ui.excel_actions import open_export, open_import

    dialog = open_export(window)
    assert dialog.isVisible()
    dialog.reject()
    if window.current_project_id():
        imported = open_import(window)
        assert imported is not None
        imported.reject()
    window.runner.wait()


#: Threaded runners live as long as the test session: one freed while Qt deletes its finished jobs crashes PySide.
_RUNNERS: list[Runner] = []


def test_import_dialog_works_with_background_threads(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, tmp_path: Path
) -> None:
    runner = Runner(None)
    _RUNNERS.append(runner)  # kept for the session, as the app keeps its window's runner
    dialog = _dialog(qtbot, demo_workspace, runner, demo_project_id)
    dialog.open_file(write_csv(tmp_path / "rmm.csv", ROWS))
    qtbot.waitUntil(lambda: dialog.chips["rejected"].text() == "2 rejected", timeout=20000)
    model = dialog.mapping_model
    model.setData(model.index(model.headers.index("Computer Name"), MappingModel.TARGET), "", Qt.ItemDataRole.EditRole)
    model.setData(model.index(model.headers.index("IP"), MappingModel.TARGET), "", Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: dialog.chips["rejected"].text() == "1 rejected", timeout=20000)
    with qtbot.waitSignal(dialog.imported, timeout=20000) as signal:
        dialog.run_import()
    assert signal.args[0].created == 2
    assert runner.wait(20000)
