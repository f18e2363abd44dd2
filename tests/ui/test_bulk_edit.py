"""Selecting many assets in the list and setting their status, category or place at once, as one undo step."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot

from app.projects import update_project
from models import Asset, AssetStatus, ProjectStatus
from ui.bulk_edit import BulkEdit, BulkEditDialog
from ui.main_window import MainWindow


def _click_row(qtbot: QtBot, window: MainWindow, row: int, modifier: Qt.KeyboardModifier) -> None:
    table = window.table
    center = table.visualRect(window.table_model.index(row, 1)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, QPoint(center))


def _select_first_rows(qtbot: QtBot, window: MainWindow, count: int) -> list[str]:
    qtbot.waitUntil(lambda: window.table_model.total == 300)
    _click_row(qtbot, window, 0, Qt.KeyboardModifier.NoModifier)
    _click_row(qtbot, window, count - 1, Qt.KeyboardModifier.ShiftModifier)
    bulk: BulkEdit = window.bulk_edit  # type: ignore[attr-defined]
    ids = bulk.selected_ids()
    assert len(ids) == count
    return ids


def _open_dialog(qtbot: QtBot, window: MainWindow) -> BulkEditDialog:
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    bulk: BulkEdit = window.bulk_edit  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bulk.dialog is not None and bulk.dialog.isVisible())
    assert bulk.dialog is not None
    return bulk.dialog


def _statuses(window: MainWindow, ids: list[str]) -> list[AssetStatus]:
    with window.workspace.session() as s:
        return [s.get(Asset, asset_id).status for asset_id in ids]  # type: ignore[union-attr]


def test_the_list_takes_many_rows_and_the_edit_menu_offers_to_edit_them(window: MainWindow) -> None:
    assert window.table.selectionMode() == QAbstractItemView.SelectionMode.ExtendedSelection
    texts = [action.text() for action in window.menus["edit"].actions()]
    assert "Edit selected…" in texts


def test_setting_status_and_room_on_selected_assets_then_one_undo_takes_all_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    ids = _select_first_rows(qtbot, window, 6)
    before = _statuses(window, ids)
    with window.workspace.session() as s:
        old_places = [(s.get(Asset, i).site_id, s.get(Asset, i).location_id) for i in ids]  # type: ignore[union-attr]
    dialog = _open_dialog(qtbot, window)
    assert dialog.windowTitle() == "Edit 6 selected assets"
    assert not dialog.apply_button.isEnabled()  # nothing chosen yet
    dialog.combos["status"].setFocus()
    qtbot.keyClicks(dialog.combos["status"], "Retired")
    assert dialog.combos["status"].currentData() == "retired"
    site_combo = dialog.combos["site_id"]
    site_combo.setCurrentIndex(site_combo.count() - 1)  # the last site; its rooms fill the next list
    rooms = dialog.combos["location_id"]
    assert rooms.count() > 2
    rooms.setCurrentIndex(2)  # the first place (after "keep" and "no location")
    site_id, room_id = site_combo.currentData(), rooms.currentData()
    undo_depth = len(window.editor.undo_stack)
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _statuses(window, ids) == [AssetStatus.RETIRED] * 6
    with window.workspace.session() as s:
        assert {(s.get(Asset, i).site_id, s.get(Asset, i).location_id) for i in ids} == {(site_id, room_id)}  # type: ignore[union-attr]
    assert "Edited 6 assets" in window.statusBar().currentMessage()
    assert len(window.editor.undo_stack) == undo_depth + 1  # one step for all of them
    assert window.editor.undo_last_save()
    assert _statuses(window, ids) == before
    with window.workspace.session() as s:
        assert [(s.get(Asset, i).site_id, s.get(Asset, i).location_id) for i in ids] == old_places  # type: ignore[union-attr]
    assert "bulk edit of 6 assets" in window.editor.banner.text()


def test_a_refused_bulk_edit_keeps_the_dialog_and_every_choice(qtbot: QtBot, window: MainWindow) -> None:
    ids = _select_first_rows(qtbot, window, 3)
    before = _statuses(window, ids)
    dialog = _open_dialog(qtbot, window)
    dialog.set_choice("status", "missing")
    with window.workspace.transaction() as s:  # the coordinator closed the project meanwhile
        update_project(s, window.current_project_id() or "", {"status": ProjectStatus.CLOSED}, actor="lead")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error.isVisible())
    assert "Nothing was changed" in dialog.error.text() and "closed" in dialog.error.text()
    assert dialog.isVisible() and dialog.combos["status"].currentData() == "missing"
    assert _statuses(window, ids) == before
    dialog.reject()


def test_with_nothing_selected_the_edit_explains_how_to_select(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.table_model.total == 300)
    window.table.clearSelection()
    bulk: BulkEdit = window.bulk_edit  # type: ignore[attr-defined]
    assert bulk.open_dialog() is None
    assert "Select the assets" in window.statusBar().currentMessage()


#: Qt's offscreen platform cannot raise a popup menu or give it the keyboard; the menu works all the same.
POPUP_NOISE = r"This plugin does not support (raise\(\)|grabbing the keyboard)"


@pytest.mark.qt_log_ignore(POPUP_NOISE)
def test_the_lists_context_menu_offers_to_edit_the_selected_rows(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMenu

    _select_first_rows(qtbot, window, 4)
    offered: list[str] = []

    def choose() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        offered.extend(action.text() for action in menu.actions())
        menu.actions()[0].trigger()
        menu.close()

    QTimer.singleShot(0, choose)
    table = window.table
    window.table.customContextMenuRequested.emit(table.visualRect(window.table_model.index(2, 1)).center())
    assert offered == ["Edit 4 selected assets…"]
    bulk: BulkEdit = window.bulk_edit  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bulk.dialog is not None and bulk.dialog.isVisible())
    assert bulk.dialog is not None and bulk.dialog.windowTitle() == "Edit 4 selected assets"
    bulk.dialog.reject()
