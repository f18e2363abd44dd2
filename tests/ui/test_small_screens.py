"""The window fits a laptop screen: what a technician needs is on screen at 1024x700 and 1366x768, and it remembers."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.db import Workspace
from tests.ui.conftest import make_window
from ui.main_window import MainWindow
from ui.settings import Settings


def on_screen(widget: QWidget, window: MainWindow) -> bool:
    """Shown, not clipped by its parents, and wholly inside the window."""
    if not widget.isVisible() or widget.visibleRegion().isEmpty():
        return False
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


def sync_state(window: MainWindow) -> QLabel:
    label = window.statusBar().findChild(QLabel, "syncState")
    assert label is not None
    return label


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768), (1920, 1080)])
def test_the_tag_field_save_and_sync_state_are_on_screen(
    qtbot: QtBot, window: MainWindow, size: tuple[int, int]
) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0] and window.height() == size[1])
    window.quick.scan("NWD-00012")
    editor = window.editor
    for widget in (editor.tag_field, editor.save_button, editor.revert_button, sync_state(window), window.table):
        assert on_screen(widget, window), f"{widget.objectName() or widget.accessibleName()} is off screen at {size}"
    # the editor's fields are as wide as they need to be: no part of the form is cut off on the right
    assert editor.form.width() >= editor.form.minimumSizeHint().width()
    assert window.minimumSizeHint().width() <= 1024


def test_on_a_narrow_screen_the_navigator_folds_and_comes_back(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: not window.navigator_shown())
    window.actions_by_name["focus_navigator"].trigger()  # Ctrl+1 goes to the navigator: it unfolds
    assert window.navigator_shown() and on_screen(window.tree, window)
    assert on_screen(window.editor.tag_field, window)
    window.actions_by_name["navigator"].trigger()  # View ▸ Navigator folds it again
    assert not window.navigator_shown()


def test_the_window_reopens_at_the_size_it_was_closed_at(
    qtbot: QtBot, demo_workspace: Workspace, settings: Settings
) -> None:
    first = make_window(qtbot, demo_workspace, settings)
    first.resize(1100, 720)
    qtbot.waitUntil(lambda: first.width() == 1100)
    first.close()
    second = make_window(qtbot, demo_workspace, settings)
    assert (second.width(), second.height()) == (1100, 720)


def test_a_first_start_fits_the_screen(qtbot: QtBot, demo_workspace: Workspace, settings: Settings) -> None:
    window = make_window(qtbot, demo_workspace, settings)
    screen = window.screen().availableGeometry()
    assert window.width() <= max(screen.width(), window.minimumSizeHint().width())
    assert window.height() <= max(screen.height(), window.minimumSizeHint().height())
