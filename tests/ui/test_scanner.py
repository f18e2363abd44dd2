"""A scan is a scan wherever the focus is: scanner-speed key bursts sent to whichever widget has the focus."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QInputDialog, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.assets import find_by_tag
from app.db import Workspace
from ui.main_window import MainWindow
from ui.settings import SCAN_BURST_MS, SCAN_PREFIX, Settings
from ui.settings_dialog import SettingsDialog

#: A USB scanner's pace: a few ms between keys (the catcher's default limit is 40 ms).
SCANNER_GAP_MS = 6
#: A quick person's pace.
PERSON_GAP_MS = 250


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def scanner_types(text: str, *, gap_ms: int = SCANNER_GAP_MS, end: Qt.Key = Qt.Key.Key_Return) -> None:
    """Keys as a scanner sends them: each to the widget that has the focus at that moment, with real gaps."""
    for char in text:
        QTest.keyClick(focused(), char, Qt.KeyboardModifier.NoModifier, gap_ms)
    QTest.keyClick(focused(), end, Qt.KeyboardModifier.NoModifier, gap_ms)


def asset_values(workspace: Workspace, client_id: str, tag: str) -> dict[str, object]:
    with workspace.session() as session:
        asset = find_by_tag(session, client_id, tag)
        assert asset is not None, f"{tag} was not saved"
        return {
            "category": asset.category_id,
            "manufacturer": asset.manufacturer,
            "model": asset.model,
            "serial": asset.serial,
            "status": asset.status,
            "managed": asset.managed,
            "custom": dict(asset.custom_fields or {}),
        }


def open_tag(qtbot: QtBot, window: MainWindow, tag: str) -> None:
    window.quick.scan(tag)
    qtbot.waitUntil(lambda: window.editor.asset is not None and window.editor.asset.tag == tag)


def _tag_field(w: MainWindow) -> QWidget:
    return w.editor.tag_field


def _navigator(w: MainWindow) -> QWidget:
    return w.tree


def _table(w: MainWindow) -> QWidget:
    return w.table


def _search(w: MainWindow) -> QWidget:
    return w.filters.search


def _form_input(name: str) -> Callable[[MainWindow], QWidget]:
    """The editor's input for a field of the form."""
    return lambda w: w.editor.form.inputs[name]


def _yes_no_field(w: MainWindow) -> QWidget:
    """A category's yes/no field (a combo box: the "N" of "NWD" would choose "No")."""
    combos = [e.widget for e in w.editor.form.custom if isinstance(e.widget, QComboBox)]
    assert combos, "the opened asset's category has no choice field"
    return combos[0]


FOCUS_TARGETS: dict[str, Callable[[MainWindow], QWidget]] = {
    "tag field": _tag_field,
    "navigator tree": _navigator,
    "asset table": _table,
    "search line edit": _search,
    "category combo box": _form_input("category_id"),
    "status combo box": _form_input("status"),
    "make line edit": _form_input("manufacturer"),
    "serial line edit": _form_input("serial"),
    "managed check box": _form_input("managed"),
    "notes text box": _form_input("notes"),
    "category yes/no field": _yes_no_field,
}


@pytest.mark.parametrize("where", FOCUS_TARGETS)
def test_a_scanned_tag_opens_its_asset_and_changes_no_field_wherever_the_focus_is(
    qtbot: QtBot, window: MainWindow, where: str
) -> None:
    editor = window.editor
    open_tag(qtbot, window, "NWD-00003")  # a server: it has yes/no and number fields of its own
    client = editor.client_id or ""
    before = asset_values(window.workspace, client, "NWD-00003")
    shown = editor.form.values()
    target = FOCUS_TARGETS[where](window)
    target.setFocus(Qt.FocusReason.MouseFocusReason)
    qtbot.waitUntil(lambda: focused() is target)

    scanner_types("NWD-00012")

    qtbot.waitUntil(lambda: editor.asset is not None and editor.asset.tag == "NWD-00012")
    assert asset_values(window.workspace, client, "NWD-00003") == before
    open_tag(qtbot, window, "NWD-00003")
    assert editor.form.values() == shown
    assert not editor.dirty


@pytest.mark.parametrize("where", ["navigator tree", "category combo box", "make line edit", "managed check box"])
def test_a_scanned_new_tag_starts_a_new_asset_wherever_the_focus_is(
    qtbot: QtBot, window: MainWindow, where: str
) -> None:
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")
    target = FOCUS_TARGETS[where](window)
    target.setFocus(Qt.FocusReason.MouseFocusReason)
    scanner_types("NWD-95001")
    qtbot.waitUntil(lambda: editor.new_tag == "NWD-95001")
    assert focused() is editor.form.inputs["manufacturer"]  # the first text field, never a combo box


def test_four_fast_scans_make_four_assets_and_no_tag_lands_in_a_field(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    editor.defaults["category_id"] = _category_id(window, "Other")  # no required fields
    tags = ["NWD-90105", "NWD-90106", "NWD-90107", "NWD-90108"]
    for tag in tags:
        scanner_types(tag)
    qtbot.waitUntil(lambda: editor.new_tag == tags[-1])
    scanner_types("NWD-00012")  # the last new one is saved by the next scan too
    qtbot.waitUntil(lambda: editor.asset is not None and editor.asset.tag == "NWD-00012")
    for tag in tags:
        values = asset_values(window.workspace, editor.client_id or "", tag)
        assert (values["manufacturer"], values["model"], values["serial"]) == ("", "", "")


def test_a_scan_saves_what_was_typed_before_it_moves_on(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")
    make = editor.form.inputs["manufacturer"]
    assert isinstance(make, QLineEdit)
    make.setFocus()
    make.selectAll()
    qtbot.keyClicks(make, "Fujitsu", delay=PERSON_GAP_MS)  # a person types, then scans the next label
    scanner_types("NWD-00020")
    qtbot.waitUntil(lambda: editor.asset is not None and editor.asset.tag == "NWD-00020")
    assert asset_values(window.workspace, editor.client_id or "", "NWD-00012")["manufacturer"] == "Fujitsu"
    assert "Saved NWD-00012" in editor.banner.text()


def test_a_scan_never_throws_away_edits_that_cannot_be_saved(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")
    ip = editor.form.inputs["ip_address"]
    assert isinstance(ip, QLineEdit)
    ip.setFocus()
    ip.selectAll()
    qtbot.keyClicks(ip, "999.1.1.1", delay=PERSON_GAP_MS)
    scanner_types("NWD-00020")
    qtbot.waitUntil(lambda: "NWD-00020 was not opened" in editor.banner.text())
    assert editor.asset is not None and editor.asset.tag == "NWD-00012"
    assert ip.text() == "999.1.1.1"
    assert editor.dirty


def test_a_serial_scanned_into_the_serial_field_stays_there(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")
    serial = editor.form.inputs["serial"]
    assert isinstance(serial, QLineEdit)
    serial.setFocus()
    serial.selectAll()
    scanner_types("CZC90105XY", end=Qt.Key.Key_Tab)
    assert serial.text() == "CZC90105XY"
    assert editor.asset is not None and editor.asset.tag == "NWD-00012"


def test_a_person_typing_into_a_combo_box_still_chooses_by_type_ahead(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")
    status = editor.form.inputs["status"]
    assert isinstance(status, QComboBox)
    status.setFocus()
    qtbot.keyClicks(status, "Spa", delay=PERSON_GAP_MS)
    qtbot.waitUntil(lambda: status.currentData() == "spare")
    check = editor.form.inputs["managed"]
    assert isinstance(check, QCheckBox)
    was = check.isChecked()
    check.setFocus()
    qtbot.keyClick(check, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: check.isChecked() != was)


@pytest.mark.parametrize("where", ["technician", "burst", "theme", "sound"])
def test_a_scan_made_while_a_dialog_is_open_waits_for_it_and_types_nothing_into_it(
    qtbot: QtBot, window: MainWindow, where: str
) -> None:
    """In the settings: a line edit, a spin box, a combo box and a check box."""
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitExposed(dialog)
    target = getattr(dialog, where)
    target.setFocus()
    qtbot.waitUntil(lambda: focused() is target)
    before = dialog.edit_state()
    scanner_types("NWD-00020")
    assert dialog.edit_state() == before
    assert dialog.isVisible()
    assert editor.asset is not None and editor.asset.tag == "NWD-00012"
    dialog.reject()
    qtbot.waitUntil(lambda: editor.asset is not None and editor.asset.tag == "NWD-00020")


def test_a_scan_does_not_answer_a_question(qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    """A question's buttons answer to their letters ("N" for No): the scan must not reach them."""
    editor = window.editor
    answered: list[str] = []

    def on_question() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        scanner_types("NWD-00020")  # "N" would press No, Enter the default button
        answered.append("still open" if box.isVisible() else "answered by the scan")
        box.reject()

    open_tag(qtbot, window, "NWD-00012")
    make = editor.form.inputs["manufacturer"]
    assert isinstance(make, QLineEdit)
    qtbot.keyClicks(make, "Dell", delay=PERSON_GAP_MS)
    editor.tag_field.setFocus()
    editor.tag_field.setText("NWD-00030")
    QTimer.singleShot(300, on_question)
    qtbot.keyClick(editor.tag_field, Qt.Key.Key_Return, delay=PERSON_GAP_MS)  # typed: the edits are asked about
    qtbot.waitUntil(lambda: bool(answered))
    assert answered == ["still open"]
    # Cancel kept the edits; the scan made during the question opens when the question has gone, saving them
    qtbot.waitUntil(lambda: editor.asset is not None and editor.asset.tag == "NWD-00020")
    assert asset_values(window.workspace, editor.client_id or "", "NWD-00012")["manufacturer"].endswith("Dell")


def test_a_tag_scanned_into_the_change_tag_box_is_the_new_tag(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")

    def in_dialog() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QInputDialog)
        field = box.findChild(QLineEdit)
        assert field is not None and field.hasFocus()
        field.selectAll()
        scanner_types("NWD-77777")  # its Enter accepts the dialog

    QTimer.singleShot(300, in_dialog)
    window.change_tag()
    qtbot.waitUntil(lambda: editor.asset is not None and editor.asset.tag == "NWD-77777")


def test_a_scanner_set_to_send_a_prefix_is_recognised_however_slow(
    qtbot: QtBot, window: MainWindow, settings: object
) -> None:
    window.settings.set(SCAN_PREFIX, "~")
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")
    editor.form.inputs["serial"].setFocus()
    scanner_types("~NWD-00020", gap_ms=PERSON_GAP_MS)
    qtbot.waitUntil(lambda: editor.asset is not None and editor.asset.tag == "NWD-00020")
    assert asset_values(window.workspace, editor.client_id or "", "NWD-00012")["serial"] != "NWD-00020"


def test_the_scanner_test_in_the_settings_says_what_it_received(qtbot: QtBot, window: MainWindow) -> None:
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitExposed(dialog)
    dialog.scan_test.setFocus()
    qtbot.waitUntil(lambda: focused() is dialog.scan_test)
    scanner_types("NWD-00020")
    assert dialog.scan_test.text() == "NWD-00020"
    assert "Scanner input" in dialog.scan_verdict.text() and "NWD-00020" in dialog.scan_verdict.text()
    dialog.scan_test.clear()
    scanner_types("abcd", gap_ms=PERSON_GAP_MS)
    assert "looked like typing" in dialog.scan_verdict.text()
    assert window.editor.asset is None or window.editor.asset.tag != "NWD-00020"
    dialog.reject()


def _category_id(window: MainWindow, name: str) -> str:
    combo = window.editor.form.inputs["category_id"]
    assert isinstance(combo, QComboBox)
    index = combo.findText(name)
    assert index >= 0
    return str(combo.itemData(index))


@pytest.fixture(autouse=True)
def scanner_limit_for_a_busy_machine(settings: Settings) -> None:
    """The suite shares two cores between two workers: a scanner's 6 ms gaps may stretch, a person's 250 ms do not
    shrink. The limit sits between them (40 ms by default)."""
    settings.set(SCAN_BURST_MS, 90)


def test_a_scan_that_stalls_halfway_is_still_one_scan(qtbot: QtBot, window: MainWindow) -> None:
    """A busy laptop can hold a scanner's keys back for a moment: "NWD-9", a pause, "5004" is still one tag."""
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")
    make = editor.form.inputs["manufacturer"]
    assert isinstance(make, QLineEdit)
    make.setFocus()
    before = make.text()
    for char in "NWD-9":
        QTest.keyClick(focused(), char, Qt.KeyboardModifier.NoModifier, SCANNER_GAP_MS)
    QTest.qWait(180)  # longer than the limit between keys, shorter than a pause
    for char in "5004":
        QTest.keyClick(focused(), char, Qt.KeyboardModifier.NoModifier, SCANNER_GAP_MS)
    QTest.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, SCANNER_GAP_MS)
    qtbot.waitUntil(lambda: editor.new_tag == "NWD-95004")
    assert asset_values(window.workspace, editor.client_id or "", "NWD-00012")["manufacturer"] == before


def test_a_tag_typed_by_a_person_into_a_field_stays_typed(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    open_tag(qtbot, window, "NWD-00012")
    notes = editor.form.inputs["department"]
    assert isinstance(notes, QLineEdit)
    notes.setFocus()
    notes.clear()
    qtbot.keyClicks(notes, "see NWD-00020", delay=PERSON_GAP_MS)
    qtbot.keyClick(notes, Qt.Key.Key_Tab, delay=PERSON_GAP_MS)
    assert notes.text() == "see NWD-00020"
    assert editor.asset is not None and editor.asset.tag == "NWD-00012"
