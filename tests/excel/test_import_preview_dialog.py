"""The import dialog's preview on real files: new and updated rows with the fields that change, tag changes asked
for, and a typed or pasted path that opens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db import Workspace
from models import Asset
from tests.excel.excel_files import write_csv, write_xlsx
from ui.import_dialog import ImportDialog
from ui.import_models import RetagModel
from ui.runner import Runner
from ui.settings import FOLDER_IMPORT_SOURCE, Settings

OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"
pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE)


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[Runner]:
    runner = Runner(None, synchronous=True)
    yield runner
    runner.wait()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "dialogs.ini"), QSettings.Format.IniFormat))


def _dialog(qtbot: QtBot, ws: Workspace, runner: Runner, project_id: str, settings: Settings) -> ImportDialog:
    dialog = ImportDialog(ws, runner, project_id, "pat.tester", settings=settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _asset(ws: Workspace, tag: str) -> Asset:
    with ws.session() as session:
        return session.scalars(select(Asset).where(Asset.asset_tag == tag)).one()


def _lines(model: object) -> list[tuple[str, ...]]:
    rows, columns = model.rowCount(), model.columnCount()  # type: ignore[attr-defined]
    return [tuple(model.index(r, c).data() for c in range(columns)) for r in range(rows)]  # type: ignore[attr-defined]


def _list(ws: Workspace, path: Path) -> Path:
    """A client's workbook: NWD-00020 edited by tag, NWD-00021's serial under a new tag, a new asset, a bad row."""
    edited, moved = _asset(ws, "NWD-00020"), _asset(ws, "NWD-00021")
    return write_xlsx(
        path,
        [
            ["Asset Tag", "Serial", "Make", "Model", "Assigned user"],
            ["NWD-00020", edited.serial, edited.manufacturer, "OptiPlex 7020", "dana.ross"],
            ["NWD-09980", moved.serial, moved.manufacturer, moved.model, moved.assigned_user],
            ["NWD-09981", "NEW-9981", "Lenovo", "ThinkPad T14", ""],
            ["NWD-09981", "NEW-9982", "HP", "x", ""],
        ],
        title=["Northwind — hardware list"],
    )


def test_the_preview_lists_new_and_updated_rows_with_the_fields_that_change(
    qtbot: QtBot, qtmodeltester: object, demo_workspace: Workspace, demo_project_id: str, runner: Runner,
    settings: Settings, tmp_path: Path,
) -> None:  # fmt: skip
    edited = _asset(demo_workspace, "NWD-00020")
    dialog = _dialog(qtbot, demo_workspace, runner, demo_project_id, settings)
    dialog.open_file(_list(demo_workspace, tmp_path / "client.xlsx"))
    panel = dialog.panel
    for model in (panel.new_model, panel.changes_model, panel.retag_model, panel.rejected_model):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    tabs = [panel.tabs.tabText(i) for i in range(panel.tabs.count()) if panel.tabs.isTabVisible(i)]
    assert tabs == ["Tag changes to confirm (1)", "New (1)", "Updated (1)", "Rejected (1)"]
    assert _lines(panel.changes_model) == [
        ("3", "NWD-00020", "Model", edited.model, "OptiPlex 7020"),
        ("", "", "Assigned user", edited.assigned_user or "(empty)", "dana.ross"),
    ]
    ((row, tag, fields),) = _lines(panel.new_model)
    assert (row, tag) == ("5", "NWD-09981")  # the title block is row 1, the header row 2
    assert "Serial number: NEW-9981" in fields and "Model: ThinkPad T14" in fields
    assert "Tag NWD-09981 is also on row 5" in _lines(panel.rejected_model)[0][2]


def test_a_serial_match_that_would_change_a_tag_is_asked_and_left_out_when_declined(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, settings: Settings,
    tmp_path: Path,
) -> None:  # fmt: skip
    moved = _asset(demo_workspace, "NWD-00021")
    dialog = _dialog(qtbot, demo_workspace, runner, demo_project_id, settings)
    dialog.open_file(_list(demo_workspace, tmp_path / "client.xlsx"))
    panel = dialog.panel
    assert panel.tabs.currentWidget() is panel.retag_page  # asked first
    assert "has the serial number of an existing asset but another tag" in panel.retag_note.text()
    assert _lines(panel.retag_model)[0][1:5] == ("4", moved.serial, "NWD-00021", "NWD-09980")
    check = panel.retag_model.index(0, RetagModel.APPLY)
    assert check.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked and check.data() == "Leave out"
    assert dialog.import_button.text() == "Import 2 rows (1 left out)"

    with qtbot.waitSignal(dialog.imported) as signal:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    result = signal.args[0]
    assert (result.created, result.updated, result.skipped) == (1, 1, 1)
    assert _asset(demo_workspace, "NWD-00021").id == moved.id
    with demo_workspace.session() as session:
        assert session.scalar(select(Asset).where(Asset.asset_tag == "NWD-09980")) is None


def test_a_tag_change_ticked_in_the_preview_retags_the_asset(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, settings: Settings,
    tmp_path: Path,
) -> None:  # fmt: skip
    moved = _asset(demo_workspace, "NWD-00021")
    dialog = _dialog(qtbot, demo_workspace, runner, demo_project_id, settings)
    dialog.open_file(_list(demo_workspace, tmp_path / "client.xlsx"))
    view = dialog.panel.retag_view
    view.setFocus()
    view.setCurrentIndex(dialog.retag_model.index(0, RetagModel.APPLY))
    with qtbot.waitSignal(dialog.retag_model.decisions_changed):
        qtbot.keyClick(view, Qt.Key.Key_Space)
    assert dialog.retag_model.index(0, RetagModel.APPLY).data() == "Re-tag"
    assert dialog.import_button.text() == "Import 3 rows"
    qtbot.mouseClick(dialog.panel.retag_none_button, Qt.MouseButton.LeftButton)
    assert dialog.import_button.text() == "Import 2 rows (1 left out)"
    qtbot.mouseClick(dialog.panel.retag_all_button, Qt.MouseButton.LeftButton)
    dialog.run_preview()  # checked again (after a mapping change, say): the same tag change keeps its yes
    assert dialog.import_button.text() == "Import 3 rows" and dialog.retag_model.approved == {4}

    with qtbot.waitSignal(dialog.imported) as signal:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert (signal.args[0].updated, signal.args[0].skipped) == (2, 0)
    assert _asset(demo_workspace, "NWD-09980").id == moved.id


def test_a_typed_path_opens_the_file_and_enter_does_not_import(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, settings: Settings,
    tmp_path: Path,
) -> None:  # fmt: skip
    path = write_csv(tmp_path / "typed list.csv", [["Asset Tag", "Model"], ["NWD-09970", "Typed in"]])
    dialog = _dialog(qtbot, demo_workspace, runner, demo_project_id, settings)
    dialog.path_edit.setFocus()
    qtbot.keyClicks(dialog.path_edit, f'"{path}"')  # pasted from "Copy as path", quotes included
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.preview is not None)
    assert dialog.isVisible() and dialog.chips["new"].text() == "1 new"  # Enter opened, it did not import
    assert dialog.path_edit.text() == str(path) and dialog.path_problem.isHidden()
    assert settings.get(FOLDER_IMPORT_SOURCE) == str(tmp_path)
    with qtbot.waitSignal(dialog.imported) as signal:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert signal.args[0].created == 1 and _asset(demo_workspace, "NWD-09970").model == "Typed in"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("missing.csv", "There is no file missing.csv in {tmp}; check the name."),
        ("nowhere/list.csv", "There is no folder {tmp}/nowhere; check the path."),
        (".", "{tmp} is a folder; choose a file in it."),
        (
            "notes.docx",
            "notes.docx is not a list Closeout can read; use .xlsx, .xls, .ods, .csv or an nmap .xml report.",
        ),
    ],
)
def test_a_typed_path_that_cannot_be_read_is_explained_and_kept(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, settings: Settings,
    tmp_path: Path, typed: str, problem: str,
) -> None:  # fmt: skip
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 not a list")
    text = str(tmp_path) if typed == "." else str(tmp_path / typed)
    dialog = _dialog(qtbot, demo_workspace, runner, demo_project_id, settings)
    dialog.path_edit.setFocus()
    qtbot.keyClicks(dialog.path_edit, text)
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Enter)
    assert dialog.path_problem.text() == problem.format(tmp=tmp_path) and dialog.path_problem.isVisible()
    assert dialog.path_edit.text() == text and dialog.preview is None and dialog.isVisible()


def test_the_preview_of_the_last_file_never_imports_while_the_box_names_another(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, settings: Settings,
    tmp_path: Path,
) -> None:  # fmt: skip
    path = write_csv(tmp_path / "first.csv", [["Asset Tag", "Model"], ["NWD-09975", "First"]])
    dialog = _dialog(qtbot, demo_workspace, runner, demo_project_id, settings)
    dialog.open_file(path)
    assert dialog.import_button.isEnabled()
    dialog.path_edit.setFocus()
    dialog.path_edit.selectAll()
    qtbot.keyClicks(dialog.path_edit, str(tmp_path / "second.csv"))
    assert not dialog.import_button.isEnabled()  # typing another path: the shown preview is not of it
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    assert dialog.path_problem.text() == f"There is no file second.csv in {tmp_path}; check the name."
    assert dialog.status_label.text() == "The file could not be read. The preview below is still of first.csv."
    assert not dialog.import_button.isEnabled() and dialog.path_edit.text() == str(tmp_path / "second.csv")
    dialog.path_edit.selectAll()
    qtbot.keyClicks(dialog.path_edit, str(path))
    qtbot.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    assert dialog.import_button.isEnabled() and dialog.path_problem.isHidden()
