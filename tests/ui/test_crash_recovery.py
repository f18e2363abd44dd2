"""The crash-recovery question: Restore is what Enter (a stray key, a scanner's Enter) and Esc answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.db import Workspace
from ui.drafts import Draft, DraftStore
from ui.main_window import MainWindow


def _answer_with_key(key: Qt.Key, seen: list[str]) -> QTimer:
    """Press `key` on the question once it is on screen (it runs its own event loop, so a timer does it)."""
    timer = QTimer()
    timer.setInterval(20)

    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            timer.stop()
            seen.append(box.text())
            seen.extend(button.text() for button in box.buttons() if button is box.defaultButton())
            box.setFocus()
            QApplication.sendEvent(box, QKeyEvent(QKeyEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier))

    timer.timeout.connect(press)
    timer.start()
    return timer


def _leave_a_draft(workspace: Workspace, project_id: str) -> DraftStore:
    """What a crash leaves: the fields typed for a new tag, not saved."""
    store = DraftStore(workspace.home)
    store.save(Draft(project_id, None, "NWD-90020", {"model": "Half typed", "manufacturer": "Lenovo"}))
    return store


@pytest.mark.parametrize(
    "key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape], ids=["return", "enter", "esc"]
)
def test_a_stray_key_on_the_crash_recovery_question_restores_the_draft(
    qtbot: QtBot, window: MainWindow, open_window: Callable[[Workspace], MainWindow], key: Qt.Key
) -> None:
    project_id = window.current_project_id()
    assert project_id
    store = _leave_a_draft(window.workspace, project_id)
    seen: list[str] = []
    timer = _answer_with_key(key, seen)
    again = open_window(window.workspace)
    qtbot.waitUntil(lambda: again.editor.new_tag == "NWD-90020")
    timer.stop()
    assert "Restore the fields you had typed?" in seen[0] and seen[1] == "Restore"
    assert again.editor.form.text("model") == "Half typed"
    assert again.editor.dirty
    assert store.path.exists()  # kept until the asset is saved or reverted


def test_discard_on_the_crash_recovery_question_throws_the_draft_away(
    qtbot: QtBot, window: MainWindow, open_window: Callable[[Workspace], MainWindow]
) -> None:
    project_id = window.current_project_id()
    assert project_id
    store = _leave_a_draft(window.workspace, project_id)
    seen: list[str] = []
    timer = QTimer()
    timer.setInterval(20)

    def click_discard() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            timer.stop()
            discard = next(b for b in box.buttons() if b.text() == "Discard")
            seen.append(discard.text())
            qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)

    timer.timeout.connect(click_discard)
    timer.start()
    again = open_window(window.workspace)
    qtbot.waitUntil(lambda: not store.path.exists())
    timer.stop()
    assert seen == ["Discard"]
    assert again.editor.new_tag is None
