"""Quick tagging with the keyboard only, as a technician with a USB scanner does it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.assets import create_asset, find_by_tag
from app.journal import history
from models import Asset
from ui import messages
from ui.main_window import MainWindow


def scan(qtbot: QtBot, window: MainWindow, tag: str) -> None:
    field = window.editor.tag_field
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, tag)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def focused() -> object:
    return QApplication.focusWidget()


def test_scanning_a_new_tag_and_saving_with_the_keyboard_only(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    scan(qtbot, window, "NWD-90001")
    assert editor.new_tag == "NWD-90001"
    # the focus goes to the first text field, never to a combo box where typing would change the choice
    qtbot.waitUntil(lambda: focused() is editor.form.inputs["manufacturer"])
    # back to the category, chosen as a person does: type-ahead at a person's pace ("Other": no required fields)
    qtbot.keyClick(focused(), Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    combo = editor.form.inputs["category_id"]
    assert focused() is combo
    qtbot.keyClicks(combo, "Other", delay=90)
    qtbot.keyClick(combo, Qt.Key.Key_Return)
    for text in ("Lenovo", "ThinkCentre M70q", "pf3abc12"):
        widget = focused()
        qtbot.keyClicks(widget, text)
        qtbot.keyClick(widget, Qt.Key.Key_Return)
    # saved and back in the tag field, with a visible confirmation
    qtbot.waitUntil(lambda: focused() is editor.tag_field)
    assert editor.banner.isVisible() and "Saved NWD-90001" in editor.banner.text()
    assert not editor.dirty
    with window.workspace.session() as session:
        asset = find_by_tag(session, editor.client_id or "", "NWD-90001")
        assert asset is not None
        assert (asset.manufacturer, asset.model, asset.serial) == ("Lenovo", "ThinkCentre M70q", "PF3ABC12")
        assert asset.tagged_by == "pat.tester"
        assert history(session, "asset", asset.id)[0].op == "create"


def test_scanning_an_existing_tag_opens_it(qtbot: QtBot, window: MainWindow) -> None:
    scan(qtbot, window, "nwd-00012")
    assert window.editor.asset is not None
    assert window.editor.asset.tag == "NWD-00012"
    assert window.editor.new_tag is None
    assert focused() is window.editor.tag_field


def test_a_duplicate_tag_is_refused_with_a_message(qtbot: QtBot, window: MainWindow, monkeypatch) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    scan(qtbot, window, "NWD-00012")

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QInputDialog)
        box.setTextValue("NWD-00013")
        box.accept()

    QTimer.singleShot(200, answer)
    window.actions_by_name["change_tag"].trigger()
    assert shown and "Tag NWD-00013 is already on" in shown[0]
    with window.workspace.session() as session:
        assert find_by_tag(session, window.editor.client_id or "", "NWD-00012") is not None


def test_required_category_fields_are_asked_for_inline(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    scan(qtbot, window, "NWD-90002")
    editor.form.set_value("category_id", _category_id(editor, "Server"))
    editor._category_switched(editor.form.text("category_id"))
    assert editor.save() is None
    assert editor.form.errors["custom.role"].isVisible()
    assert "Role is required" in editor.form.errors["custom.role"].text()
    assert editor.banner.property("kind") == "error"
    qtbot.keyClicks(editor.form.inputs["custom.role"], "Domain controller")
    editor.form.set_value("custom.backed_up", "yes")
    assert editor.save() is not None


def test_a_shared_serial_is_saved_with_a_warning(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    scan(qtbot, window, "NWD-00012")
    serial = editor.form.text("serial")
    scan(qtbot, window, "NWD-90003")
    editor.form.set_value("category_id", _category_id(editor, "Other"))
    editor._category_switched(editor.form.text("category_id"))
    editor.form.set_value("serial", serial)
    result = editor.save()
    assert result is not None and result.warnings
    assert editor.banner.property("kind") == "warn"
    assert f"Serial {serial} is also recorded" in editor.banner.text()


def test_undo_last_save_takes_back_a_new_asset_and_an_edit(qtbot: QtBot, window: MainWindow) -> None:
    editor = window.editor
    scan(qtbot, window, "NWD-00012")
    old_model = editor.form.text("model")
    qtbot.keyClick(editor.tag_field, Qt.Key.Key_Return)  # the same tag again: edit it
    model_field = editor.form.inputs["model"]
    model_field.setFocus()
    model_field.selectAll()
    qtbot.keyClicks(model_field, "Changed model")
    assert editor.dirty
    qtbot.keyClick(model_field, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert editor.form.text("model") == "Changed model"
    scan(qtbot, window, "NWD-90004")
    editor.form.set_value("category_id", _category_id(editor, "Other"))
    assert editor.save() is not None

    window.actions_by_name["undo_save"].trigger()  # the new asset goes again
    with window.workspace.session() as session:
        assert find_by_tag(session, editor.client_id or "", "NWD-90004") is None
    window.actions_by_name["undo_save"].trigger()  # the edit is taken back, through the journal
    with window.workspace.session() as session:
        asset = find_by_tag(session, editor.client_id or "", "NWD-00012")
        assert asset is not None and asset.model == old_model
        ops = [(e.op, e.field) for e in history(session, "asset", asset.id)]
    assert ops[-2:] == [("update", "model"), ("update", "model")]
    assert "no save to undo" not in editor.banner.text()


def _delete_shown_asset(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(messages, "ask_yes_no", lambda *_a: True)  # "Delete NWD-…?" → Yes
    window.actions_by_name["delete_asset"].trigger()


def test_undo_last_save_brings_a_deleted_asset_back(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = window.editor
    scan(qtbot, window, "NWD-00012")
    asset_id = editor.asset.id if editor.asset else ""
    _delete_shown_asset(window, monkeypatch)
    assert editor.asset is None and "Deleted NWD-00012" in editor.banner.text()
    with window.workspace.session() as session:
        assert find_by_tag(session, editor.client_id or "", "NWD-00012") is None
    qtbot.waitUntil(lambda: window.table_model.row_of(asset_id) < 0 and window.table_model.total == 299)

    window.actions_by_name["undo_save"].trigger()
    assert editor.banner.text() == "Undone: NWD-00012 is back."
    assert editor.asset is not None and editor.asset.tag == "NWD-00012"
    with window.workspace.session() as session:
        back = find_by_tag(session, editor.client_id or "", "NWD-00012")
        assert back is not None and back.id == asset_id and back.deleted_at is None
        assert [e.op for e in history(session, "asset", asset_id)][-1] == "update"  # journaled, so it syncs
    qtbot.waitUntil(lambda: window.table_model.total == 300 and window.table_model.row_of(asset_id) >= 0)


def test_undoing_a_delete_whose_tag_was_reused_says_why_not(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = window.editor
    scan(qtbot, window, "NWD-00012")
    asset_id = editor.asset.id if editor.asset else ""
    project_id = editor.project_id or ""
    _delete_shown_asset(window, monkeypatch)
    with window.workspace.transaction() as session:  # meanwhile the tag goes on another asset (the CLI, a sync)
        create_asset(session, project_id=project_id, values={"tag": "NWD-00012", "model": "Latitude 5440"}, actor="t")

    window.actions_by_name["undo_save"].trigger()
    assert editor.banner.property("kind") == "error"
    text = editor.banner.text()
    assert text.startswith("NWD-00012 was not brought back. Tag NWD-00012 is already on the Latitude 5440")
    assert text.endswith("Give that asset another tag (F2), then undo again.")
    with window.workspace.session() as session:
        assert session.get(Asset, asset_id).deleted_at is not None  # type: ignore[union-attr]
    assert editor.undo_stack and editor.undo_stack[-1].asset_id == asset_id  # kept, to try again


def _category_id(editor, name: str) -> str:  # type: ignore[no-untyped-def]
    combo = editor.form.inputs["category_id"]
    return str(combo.itemData(combo.findText(name)))


def test_typed_fields_survive_a_crash_as_a_draft(qtbot: QtBot, window: MainWindow, open_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ui import messages

    editor = window.editor
    scan(qtbot, window, "NWD-90020")
    qtbot.keyClicks(focused(), "Oth")  # the category
    editor.form.inputs["model"].setFocus()
    qtbot.keyClicks(editor.form.inputs["model"], "Half typed")
    qtbot.waitUntil(lambda: editor.drafts.path.exists())
    # the app dies here: the next window offers the draft
    monkeypatch.setattr(messages, "ask_yes_no", lambda *_a, **_k: True)
    again = open_window(window.workspace)
    qtbot.waitUntil(lambda: again.editor.new_tag == "NWD-90020")
    assert again.editor.form.text("model") == "Half typed"
    assert again.editor.dirty
    assert again.editor.save() is not None
    assert not again.editor.drafts.path.exists()
