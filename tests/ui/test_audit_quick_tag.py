"""The onsite audit in quick-tag, on the real window: a room set from the navigator, scans found by previous tag,
serial and MAC, the "moved from" banner and its undo, candidates of an ambiguous scan, the next tag for a serial."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.asset_query import AssetFilter, count_assets
from app.assets import LABEL_PENDING, find_by_tag, update_asset
from app.audit import mark_listed
from app.projects import find_location
from app.room_labels import location_label_text
from models import Asset, AuditState
from tests.ui.test_labels_ui import pdf_printer, tags_in
from tests.ui.test_quick_tag import scan
from tests.ui.test_scanner import scanner_types
from ui.labels_actions import AFTER_SAVE_TEMPLATE
from ui.main_window import MainWindow

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "audit"
RECEPTION = "Building A / Floor 1 / Reception"


def _asset(window: MainWindow, tag: str) -> Asset:
    with window.workspace.session() as s:
        asset = find_by_tag(s, window.editor.client_id or "", tag)
        assert asset is not None
        return asset


def _listed(window: MainWindow, tag: str, **values: object) -> Asset:
    """Put an asset of the demo on the client's list, with these values (any_tag: a client's own tag)."""
    with window.workspace.transaction() as s:
        asset = find_by_tag(s, window.editor.client_id or "", tag)
        assert asset is not None
        if values:
            update_asset(s, asset.id, values, actor="import", any_tag=True)
        mark_listed(s, [asset.id], actor="import")
    return _asset(window, str(values.get("asset_tag", tag)))


def _enter_room(qtbot: QtBot, window: MainWindow, path: str) -> None:
    """Select the location in the navigator and choose Audit ▸ I am in the selected place."""
    with window.workspace.session() as s:
        location = find_location(s, window.editor.client_id or "", path)
    index = window.navigator.find("location", location.id, window.current_project_id())
    assert index.isValid()
    window.tree.setCurrentIndex(index)
    window.actions_by_name["audit_here"].trigger()
    qtbot.waitUntil(lambda: window.quick.room is not None and window.quick.room.location_id == location.id)
    assert window.quick.panel.room_combo.currentText().endswith(path)


def _shoot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def test_in_a_room_a_scanned_previous_tag_verifies_and_moves_the_asset_with_an_undoable_banner(
    qtbot: QtBot, window: MainWindow
) -> None:
    listed = _listed(window, "NWD-00001", previous_tag="OLD-7001")
    home = (listed.site_id, listed.location_id)
    _enter_room(qtbot, window, RECEPTION)
    assert window.quick.room is not None and home[1] != window.quick.room.location_id
    # A previous tag counts as a tag: scanned while the search field has the focus, it goes to quick-tag.
    window.filters.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.filters.search)
    scanner_types("OLD-7001")
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == "NWD-00001")
    assert window.filters.search.text() == ""
    seen = _asset(window, "NWD-00001")
    assert seen.seen_at is not None and seen.seen_by == "pat.tester"
    assert seen.location_id == window.quick.room.location_id == seen.seen_location_id
    panel = window.quick.panel
    assert panel.moved_row.isVisible()
    assert panel.moved.text().startswith("NWD-00001 moved from Main Clinic / Building A")
    assert "found by its previous tag" in window.editor.banner.text()
    window.resize(1400, 860)
    _shoot(window, "quick-tag-in-room.png")

    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.moved_row.isVisible())
    back = _asset(window, "NWD-00001")
    assert (back.site_id, back.location_id) == home
    assert back.seen_at is None
    assert "is back in" in window.editor.banner.text()


def test_serial_and_mac_scans_find_the_asset_and_a_serial_typed_in_a_text_field_stays_there(
    qtbot: QtBot, window: MainWindow
) -> None:
    asset = _asset(window, "NWD-00001")
    assert asset.serial and asset.mac_address
    scan(qtbot, window, asset.serial.lower())
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == "NWD-00001")
    assert "found by its serial number" in window.editor.banner.text()
    window.editor.clear()
    scan(qtbot, window, asset.mac_address.replace(":", "-").lower())
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == "NWD-00001")
    assert "found by its MAC address" in window.editor.banner.text()
    assert _asset(window, "NWD-00001").seen_at is None  # no room: scans only open
    # A serial scanned into the search field is the search, not a scan to open.
    window.filters.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.filters.search)
    scanner_types(asset.serial)
    qtbot.waitUntil(lambda: window.filters.search.text() == asset.serial)


def test_an_ambiguous_serial_shows_the_candidates_and_picking_one_verifies_it(qtbot: QtBot, window: MainWindow) -> None:
    _listed(window, "NWD-00004", serial="TWIN-SERIAL-1")
    _listed(window, "NWD-00005", serial="TWIN-SERIAL-1")
    _enter_room(qtbot, window, RECEPTION)
    window.editor.clear()
    scan(qtbot, window, "TWIN-SERIAL-1")
    panel = window.quick.panel
    qtbot.waitUntil(lambda: panel.candidates.isVisible())
    assert panel.candidates_model.rowCount() == 2
    assert window.editor.asset is None  # nothing guessed
    assert "matches 2 assets" in window.editor.banner.text()
    second = panel.candidates_model.index(1, 0)
    assert second.data().startswith("NWD-00005")
    rect = panel.candidates.visualRect(second)
    qtbot.mouseClick(panel.candidates.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == "NWD-00005")
    assert not panel.candidates.isVisible()
    assert _asset(window, "NWD-00005").seen_at is not None
    assert _asset(window, "NWD-00004").seen_at is None


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_the_serial_of_an_asset_without_a_closeout_tag_offers_the_next_tag_and_enter_takes_it_with_a_label(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    actions = window.labels_actions  # type: ignore[attr-defined]
    window.settings.set(AFTER_SAVE_TEMPLATE, "thermal-2x1")
    printed = tmp_path / "after-save.pdf"
    actions.printer_factory = lambda: pdf_printer(printed)
    actions.after_save_action.setChecked(True)
    old = _listed(window, "NWD-00006", asset_tag="CL-555", serial="MFR-SERIAL-77")
    _enter_room(qtbot, window, RECEPTION)
    scan(qtbot, window, "MFR-SERIAL-77")
    qtbot.waitUntil(lambda: window.quick.offer is not None)
    offered = window.quick.offer.tag if window.quick.offer else ""
    assert window.editor.tag_field.text() == offered and offered.startswith("NWD-")
    assert f"scan its new label, or press Enter to give it {offered}" in window.editor.banner.text()
    qtbot.keyClick(window.editor.tag_field, Qt.Key.Key_Return)  # the one keystroke: tag given, label printed
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == offered)
    with window.workspace.session() as s:
        tagged = s.get(Asset, old.id)
        assert tagged is not None
        assert (tagged.asset_tag, tagged.previous_tag) == (offered, "CL-555")
        assert tagged.seen_at is not None
    qtbot.waitUntil(lambda: f"Label for {offered} sent" in window.statusBar().currentMessage(), timeout=20000)
    assert tags_in(printed, tmp_path / "png") == [offered]


def test_a_scanned_location_label_sets_the_room_and_an_unknown_serial_becomes_a_found_asset(
    qtbot: QtBot, window: MainWindow
) -> None:
    with window.workspace.session() as s:
        location = find_location(s, window.editor.client_id or "", RECEPTION)
    window.filters.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.filters.search)
    scanner_types(location_label_text(location.id))
    qtbot.waitUntil(lambda: window.quick.room is not None and window.quick.room.location_id == location.id)
    assert window.filters.search.text() == ""
    scan(qtbot, window, "NEWSERIAL-0099")
    qtbot.waitUntil(lambda: window.quick.offer is not None)
    offered = window.editor.tag_field.text()
    assert window.editor.form.text("serial") == "NEWSERIAL-0099"
    qtbot.keyClick(window.editor.tag_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.editor.dirty)
    made = _asset(window, offered)
    from app.audit import audit_state

    assert made.serial == "NEWSERIAL-0099" and made.location_id == location.id
    assert audit_state(made) is AuditState.FOUND and made.seen_location_id == location.id


def _waiting_for_label(window: MainWindow, tag: str, old: str) -> Asset:
    """An asset imported with its tag "given on site": the client's old tag stands in as its tag."""
    with window.workspace.transaction() as s:
        asset = find_by_tag(s, window.editor.client_id or "", tag)
        assert asset is not None
        update_asset(s, asset.id, {"asset_tag": old, "previous_tag": old}, actor="import", any_tag=True)
    waiting = _asset(window, old)
    assert LABEL_PENDING in waiting.attention
    return waiting


def test_the_old_tag_of_an_asset_waiting_for_its_label_offers_the_next_tag_and_enter_gives_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    waiting = _waiting_for_label(window, "NWD-00007", "HX-00007")
    scan(qtbot, window, "HX-00007")  # the client's old label, scanned on site
    qtbot.waitUntil(lambda: window.quick.offer is not None)
    offered = window.quick.offer.tag if window.quick.offer else ""
    assert offered.startswith("NWD-") and window.editor.tag_field.text() == offered
    banner = window.editor.banner.text()
    assert f"scan its new label, or press Enter to give it {offered}" in banner
    assert "Enter again to edit" not in banner  # Enter means one thing at a time
    _shoot(window, "quick-tag-label-offer.png")
    qtbot.keyClick(window.editor.tag_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == offered)
    given = _asset(window, offered)
    assert (given.id, given.previous_tag) == (waiting.id, "HX-00007")
    assert LABEL_PENDING not in given.attention  # no longer awaiting its label
    scan(qtbot, window, "HX-00007")  # the old label still finds it, and offers nothing more
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == offered)
    assert window.quick.offer is None


def test_a_pre_printed_label_scanned_after_the_old_tag_becomes_the_tag_and_undo_takes_it_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    waiting = _waiting_for_label(window, "NWD-00008", "HX-00008")
    window.table.setFocus()  # the focus anywhere: the scan is caught
    scanner_types("HX-00008")
    qtbot.waitUntil(lambda: window.quick.offer is not None)
    scanner_types("NWD-77001")  # the label just stuck on it (no asset has that tag)
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == "NWD-77001")
    assert "Tagged NWD-77001 from its label" in window.editor.banner.text()
    _shoot(window, "quick-tag-label-given.png")
    labelled = _asset(window, "NWD-77001")
    assert (labelled.id, labelled.previous_tag, labelled.needs_attention) == (waiting.id, "HX-00008", False)
    with window.workspace.session() as s:
        assert find_by_tag(s, window.editor.client_id or "", "NWD-77001") is not None
        assert count_assets(s, AssetFilter(text="77001")) == 1  # searchable at once
    window.actions_by_name["undo_save"].trigger()
    qtbot.waitUntil(lambda: _asset(window, "HX-00008").id == waiting.id)
    assert LABEL_PENDING in _asset(window, "HX-00008").attention  # waiting for its label again


def test_a_label_already_on_another_asset_is_not_given_to_the_waiting_one(qtbot: QtBot, window: MainWindow) -> None:
    _waiting_for_label(window, "NWD-00009", "HX-00009")
    scan(qtbot, window, "HX-00009")
    qtbot.waitUntil(lambda: window.quick.offer is not None)
    scan(qtbot, window, "NWD-00010")  # another asset's tag: it opens that asset, the waiting one keeps its old tag
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == "NWD-00010")
    assert LABEL_PENDING in _asset(window, "HX-00009").attention
