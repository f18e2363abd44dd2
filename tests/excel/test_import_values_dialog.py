"""The import dialog's value step: a client's values listed with counts, changed by keyboard, honoured by the import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db import Workspace
from models import Asset, AssetStatus, Category
from tests.excel import client_lists
from ui.import_dialog import ImportDialog
from ui.runner import Runner
from ui.settings import Settings
from ui.value_mapping_view import ValueMappingModel

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[Runner]:
    runner = Runner(None, synchronous=True)
    yield runner
    runner.wait()


def test_the_value_step_lists_the_clients_values_and_a_keyboard_choice_changes_the_import(
    qtbot: QtBot, qtmodeltester: object, demo_workspace: Workspace, demo_project_id: str, runner: Runner,
    tmp_path: Path,
) -> None:  # fmt: skip
    settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    dialog = ImportDialog(demo_workspace, runner, demo_project_id, "pat.tester", settings=settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.open_file(client_lists.semicolon_cp1252(tmp_path))
    qtbot.waitUntil(lambda: dialog.preview is not None)
    step = dialog.value_step
    model = step.model
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    shown = {
        (model.index(r, 1).data(), model.index(r, 2).data(), model.index(r, 3).data()) for r in range(model.rowCount())
    }
    assert ("Ornamental Railings", "6", "Create “Ornamental Railings”") in shown
    assert ("Lost", "4", "Missing") in shown
    assert ("Pending Diagnostics", "4", "Unknown (the list's word kept in the notes)") in shown
    assert dialog.steps.tabText(1) == f"2  Values ({model.rowCount()})"
    assert step.tags_combo.currentData() == "previous"
    assert [dialog.chips[k].text() for k in ("new", "rejected")] == ["22 new", "0 rejected"]

    row = next(r for r in range(model.rowCount()) if model.index(r, 1).data() == "Ornamental Railings")
    dialog.steps.setCurrentWidget(step)
    before = dialog.preview
    step.view.setFocus()
    step.view.setCurrentIndex(model.index(row, ValueMappingModel.TARGET))  # the choice opens with the focus
    editor = step.view.indexWidget(model.index(row, ValueMappingModel.TARGET))
    assert isinstance(editor, QComboBox)
    qtbot.keyClicks(editor, "Othe")  # typing jumps to the category "Other"
    qtbot.waitUntil(lambda: model.index(row, 3).data() == "Other")
    assert model.index(row, 4).data() == ""

    qtbot.waitUntil(lambda: dialog.preview is not before and dialog.import_button.isEnabled())  # checked again
    with qtbot.waitSignal(dialog.imported, timeout=20000):
        dialog.import_button.click()
    with demo_workspace.session() as session:
        railing = session.scalars(select(Asset).where(Asset.previous_tag == "HX-00002")).one()
        category = session.get(Category, railing.category_id)
        pending = session.scalars(select(Asset).where(Asset.previous_tag == "HX-00003")).one()
        assert category is not None and category.name == "Other"
        assert not session.scalars(select(Category).where(Category.name == "Ornamental Railings")).all()
    assert pending.status == AssetStatus.UNKNOWN and "Pending Diagnostics" in pending.notes
