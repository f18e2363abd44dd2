"""The main window: search, filters, custom fields, closing with unsaved edits, the navigator."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app import asset_query
from app.journal import pending_count
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


def _show_tab(qtbot: QtBot, window: MainWindow, title: str) -> None:
    bar = window.editor.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.editor.tabs.currentIndex() == index


def test_opening_an_asset_shows_its_values_photos_and_history(qtbot: QtBot, window: MainWindow) -> None:
    window.table.selectRow(0)
    editor = window.editor
    first = window.table_model.row_at(0)
    assert first is not None and editor.asset is not None and editor.asset.tag == first.asset_tag
    assert editor.form.text("model") == first.model
    _show_tab(qtbot, window, "History")
    assert editor.history.history_model.rowCount() >= 1
    assert editor.history.history_model.index(0, 2).data() == f"Tagged as {first.asset_tag}"
    window.table.selectRow(1)  # the history shown follows the asset opened
    second = window.table_model.row_at(1)
    assert second is not None
    assert editor.history.history_model.index(0, 2).data() == f"Tagged as {second.asset_tag}"


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


def _status_texts(window: MainWindow) -> list[str]:
    return [label.text() for label in window.statusBar().findChildren(QLabel) if label.isVisible() and label.text()]


def test_the_status_bar_shows_the_changes_waiting_to_sync_once(qtbot: QtBot, window: MainWindow) -> None:
    with window.workspace.session() as session:
        waiting = pending_count(session)
    assert waiting > 0  # the demo workspace was never synced
    qtbot.waitUntil(lambda: f"{waiting:,} pending" in _status_texts(window))
    assert sum("pending" in text or "sync" in text.lower() for text in _status_texts(window)) == 1
    window.quick.scan("NWD-00012")
    window.editor.form.set_value("notes", "checked")
    assert window.editor.save() is not None
    qtbot.waitUntil(lambda: f"{waiting + 1:,} pending" in _status_texts(window))  # counted again after a save
    assert sum("pending" in text for text in _status_texts(window)) == 1
    assert f"Technician: {window.technician()}" in _status_texts(window)


@pytest.mark.parametrize("sparse_hits", [0, 10_000], ids=["walk-the-list", "sort-the-hits"])
def test_a_search_shows_the_same_rows_and_total_either_way_it_is_read(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, sparse_hits: int
) -> None:
    monkeypatch.setattr(asset_query, "SPARSE_HITS", sparse_hits)
    model = window.table_model
    qtbot.waitUntil(lambda: model.total == 300)
    with qtbot.waitSignal(model.total_changed, timeout=5000):
        qtbot.keyClicks(window.filters.search, "dell")
    with window.workspace.session() as session:
        expected = [row.asset_tag for row in asset_query.query_assets(session, model.filter, limit=500)]
        counted = asset_query.count_assets(session, model.filter)
    assert 0 < counted < 300
    while model.canFetchMore():
        model.fetchMore()
    assert [model.row_at(r).asset_tag for r in range(model.rowCount())] == expected  # type: ignore[union-attr]
    assert model.total == counted
    assert window.filters.count.text() == f"{counted} assets"


def test_the_item_models_follow_the_qt_contract(qtbot: QtBot, window: MainWindow, qtmodeltester: ModelTester) -> None:
    qtmodeltester.check(window.table_model)
    qtmodeltester.check(window.navigator)
    window.table.selectRow(0)
    _show_tab(qtbot, window, "History")
    assert window.editor.history.history_model.rowCount() >= 1
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


def test_saving_far_down_the_list_keeps_the_technicians_place(qtbot: QtBot, window: MainWindow) -> None:
    model, table = window.table_model, window.table
    qtbot.waitUntil(lambda: model.total == 300)
    while model.canFetchMore():  # the technician scrolled down to the second page
        model.fetchMore()
    row = 250
    table.selectRow(row)
    table.scrollTo(model.index(row, 0))
    scrolled = table.verticalScrollBar().value()
    asset = model.row_at(row)
    assert scrolled > 0 and asset is not None and window.editor.asset is not None
    assert window.editor.asset.id == asset.id
    window.editor.form.set_value("notes", "checked in rack B")
    with qtbot.waitSignal(model.modelReset):  # the list is refreshed after the save
        assert window.editor.save() is not None
    qtbot.wait(50)
    assert model.loaded == 300 and model.row_of(asset.id) == row  # not back to the first page only
    assert table.verticalScrollBar().value() == scrolled
    assert [index.row() for index in table.selectionModel().selectedRows()] == [row]
    assert window.editor.asset.id == asset.id
