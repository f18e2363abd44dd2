"""UI fixtures: settings in a temporary file, a main window on a private demo workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.db import Workspace
from ui.main_window import MainWindow
from ui.settings import TECHNICIAN, Settings

#: Qt's offscreen platform says this whenever a window's size limits change; it is not a problem of ours.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def qsettings_in_tmp(tmp_path: Path) -> Path:
    """No test reads or writes the real user's preferences."""
    folder = tmp_path / "qsettings"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(folder / "system"))
    return folder


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    store = QSettings(str(tmp_path / "closeout-test.ini"), QSettings.Format.IniFormat)
    result = Settings(store)
    result.set(TECHNICIAN, "pat.tester")
    return result


def make_window(qtbot: QtBot, workspace: Workspace, settings: Settings) -> MainWindow:
    window = MainWindow(workspace, settings=settings)
    qtbot.addWidget(window, before_close_func=_forget_edits)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # on a real display without a window manager nothing else gives it the keyboard
    return window


def _forget_edits(window: MainWindow) -> None:
    window.editor._set_dirty(False)  # teardown must never stop on the "unsaved changes" question
    window.runner.wait()


@pytest.fixture
def window(qtbot: QtBot, demo_workspace: Workspace, settings: Settings) -> Iterator[MainWindow]:
    yield make_window(qtbot, demo_workspace, settings)


@pytest.fixture
def open_window(qtbot: QtBot, settings: Settings) -> Callable[[Workspace], MainWindow]:
    """Open a main window on another workspace (closed with the test)."""
    return lambda workspace: make_window(qtbot, workspace, settings)
