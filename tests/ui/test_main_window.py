"""The main window: search, filters, custom fields, closing with unsaved edits, the navigator."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow
from ui.navigator import NavigatorModel


def test_search_narrows_the_table(qtbot: QtBot, window: MainWindow) -> None:
    model = window.table_model
    qtbot.waitUntil(lambda: model.total == 300)
    everything = model.total
    assert model.index(0, 1).data() == "NWD-00001"
    with qtbot.waitSignal(model.total_changed, timeout=3000):
        qtbot.keyClicks(window.filters.search, "NWD-0001")
    assert 0 < model.total < everything
    assert all(model.row_at(r).asset_tag.startswith("NWD-0001") for r in range(model.rowCount()))  # type: ignore[union-attr]
    with qtbot.waitSignal(model.total_changed, timeout=3000):
        window.filters.search.clear()
    assert model.total == everything


def test_filters_by_category_status_and_attention(qtbot: QtBot, window: MainWindow) -> None:
    model = window.table_model
    combo = window.filters.category
    combo.setCurrentIndex(combo.findText("Network switch"))
    qtbot.waitUntil(lambda: model.total == 8)
    assert {model.row_at(r).category for r in range(model.rowCount())} == {"Network switch"}  # type: ignore[union-attr]
    combo.setCurrentIndex(0)
    qtbot.keyClick(window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.filters.attention.isChecked()
    qtbot.waitUntil(lambda: 0 < model.total < 300)
    assert all(model.row_at(r).needs_attention for r in range(model.rowCount()))  # type: ignore[union-attr]


def test_choosing_a_location_in_the_navigator_filters_and_prefills(qtbot: QtBot, window: MainWindow) -> None:
    nav: NavigatorModel = window.navigator
    project = window.tree.currentIndex()
    site = nav.index(0, 0, project)
    building = nav.index(0, 0, site)
    window.tree.setCurrentIndex(building)
    node = nav.node(building)
    assert node is not None and node.kind == "location"
    assert window.table_model.filter.location_id == node.location_id
    qtbot.waitUntil(lambda: f"({window.table_model.total:,})" in building.data())
    window.quick.scan("NWD-90010")
    assert window.editor.form.text("location_id") == node.location_id
    assert window.editor.form.text("site_id") == node.site_id


def test_custom_fields_appear_for_the_category(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    window.quick.scan("NWD-90011")
    combo = editor.form.inputs["category_id"]
    combo.setCurrentIndex(combo.findText("Network switch"))
    keys = [e.key for e in editor.form.custom]
    assert keys[:3] == ["custom.ports", "custom.poe", "custom.firmware"]
    assert editor.form.custom[0].required
    combo.setCurrentIndex(combo.findText("Server"))
    assert "custom.rack_units" in [e.key for e in editor.form.custom]
    assert "custom.ports" not in editor.form.inputs


def test_opening_an_asset_shows_its_values_photos_and_history(qtbot: QtBot, window: MainWindow) -> None:
    window.table.selectRow(0)
    editor = window.editor
    assert editor.asset is not None and editor.asset.tag == window.table_model.row_at(0).asset_tag  # type: ignore[union-attr]
    assert editor.history.history_model.rowCount() >= 1
    assert editor.history.history_model.index(0, 2).data().startswith("Tagged as NWD-")


def test_closing_with_unsaved_edits_asks(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def answer(*args: object, **_kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    window.quick.scan("NWD-00012")
    window.editor.form.inputs["model"].setFocus()
    qtbot.keyClicks(window.editor.form.inputs["model"], " edited")
    assert not window.close()
    assert window.isVisible() and asked and "NWD-00012" in asked[0]
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Discard)
    assert window.close()


def test_the_status_bar_counts_changes_waiting_to_sync(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: "waiting to sync" in window.pending_label.text())
    before = window.pending_label.text()
    window.quick.scan("NWD-00012")
    window.editor.form.set_value("notes", "checked")
    window.editor.save()
    qtbot.waitUntil(lambda: window.pending_label.text() != before)


def test_the_item_models_follow_the_qt_contract(qtbot: QtBot, window: MainWindow, qtmodeltester: ModelTester) -> None:
    qtmodeltester.check(window.table_model)
    qtmodeltester.check(window.navigator)
    window.table.selectRow(0)
    qtmodeltester.check(window.editor.history.history_model)
    qtmodeltester.check(window.editor.photos.model)


def test_the_window_offers_the_menus_feature_areas_extend(window: MainWindow) -> None:
    assert set(window.menus) >= {
        "file",
        "file.import",
        "file.export",
        "edit",
        "view",
        "project",
        "sync",
        "tools",
        "help",
    }
    assert window.current_project_id()
    assert window.technician() == "pat.tester"
    assert window.as_widget() is window
