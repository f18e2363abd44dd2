"""Each tool's export, and a hand-made workbook, through the real import dialog: named in the preview, 0 rejected."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.db import Workspace
from app.importing import ImportResult
from exporters.sheet_reader import read_sheet
from models import Asset
from tests.excel import client_lists
from ui.import_dialog import ImportDialog
from ui.runner import Runner
from ui.settings import Settings

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[Runner]:
    runner = Runner(None, synchronous=True)
    yield runner
    runner.wait()


def _count(ws: Workspace) -> int:
    with ws.session() as session:
        return int(session.scalar(select(func.count()).select_from(Asset).where(Asset.deleted_at.is_(None))) or 0)


def _import_in_dialog(
    qtbot: QtBot, ws: Workspace, project_id: str, runner: Runner, path: Path, tmp_path: Path
) -> tuple[ImportDialog, ImportResult]:
    """Open the file in the dialog as a user would, wait for the preview with the suggested values, import."""
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    dialog = ImportDialog(ws, runner, project_id, "pat.tester", settings=settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.open_file(path)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.import_button.isEnabled(), timeout=20000)
    with qtbot.waitSignal(dialog.imported, timeout=20000) as imported:
        dialog.import_button.click()
    result = imported.args[0]
    assert isinstance(result, ImportResult)
    return dialog, result


@pytest.mark.parametrize("kind", sorted(client_lists.PRESET_FILES))
def test_each_tools_export_is_named_in_the_dialogs_preview_and_imports_with_no_rejected_row(
    kind: str, qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, tmp_path: Path
) -> None:
    build: Callable[[Path], Path]
    build, name = client_lists.PRESET_FILES[kind]
    path = build(tmp_path)
    rows = len(read_sheet(path).rows)
    before = _count(demo_workspace)
    dialog, result = _import_in_dialog(qtbot, demo_workspace, demo_project_id, runner, path, tmp_path)
    remark = dialog.notes_label.text().splitlines()[0]
    assert remark.startswith("Looks like ") and name in remark and not dialog.notes_label.isHidden()
    assert dialog.chips["rejected"].text() == "0 rejected" and dialog.chips["new"].text() == f"{rows} new"
    assert (result.created, result.rejected) == (rows, 0)
    assert _count(demo_workspace) == before + rows


def test_a_hand_made_workbook_imports_whole_in_the_dialog_with_its_damage_flagged(
    qtbot: QtBot, demo_workspace: Workspace, demo_project_id: str, runner: Runner, tmp_path: Path
) -> None:
    path = client_lists.hand_made(tmp_path)
    before = _count(demo_workspace)
    dialog, result = _import_in_dialog(qtbot, demo_workspace, demo_project_id, runner, path, tmp_path)
    assert not any(line.startswith("Looks like") for line in dialog.notes_label.text().splitlines())  # no tool's
    assert (result.created, result.rejected) == (5, 0)
    assert _count(demo_workspace) == before + 5
    with demo_workspace.session() as session:
        ipad = session.scalars(select(Asset).where(Asset.previous_tag == "HX-00105")).one()
        untagged = session.scalars(select(Asset).where(Asset.serial == "FOC103")).one()
        printer = session.scalars(select(Asset).where(Asset.previous_tag == "HX-00104")).one()
    assert ipad.serial == "" and "Check Serial number: “6.38E+15”" in ipad.notes  # Excel's damage kept, flagged
    assert "two-digit year" in ipad.notes and ipad.needs_attention
    assert untagged.asset_tag.startswith("NWD-") and untagged.previous_tag == ""  # no tag in the file: created
    assert (printer.purchase_cost, printer.currency) == (640.0, "EUR") and "defekt" in printer.notes
