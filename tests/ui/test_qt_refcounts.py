"""The Qt binding keeps Python's reference counts right on the paths the app uses all day.

PySide6 6.12.0 dropped one reference to True on every `emit()` from Python, so a long session died with "Fatal
Python error: bool_dealloc" (True's count reached zero); pyproject.toml keeps that release out. A binding that
loses references to None, True or False crashes the app sooner or later, so these tests count them.
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow


def _counts() -> tuple[int, int, int]:
    gc.collect()
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


class Source(QObject):
    plain = Signal()
    carrying = Signal(object)


def test_emitting_signals_keeps_every_reference(qtbot: QtBot) -> None:
    source = Source()
    received: list[object] = []
    source.carrying.connect(received.append)
    before = _counts()
    for n in range(100):
        source.plain.emit()
        source.carrying.emit(None if n % 2 else True)
    received.clear()
    after = _counts()
    assert [a - b for a, b in zip(after, before, strict=True)] == [0, 0, 0]


def test_a_day_of_tagging_keeps_every_reference(qtbot: QtBot, window: MainWindow) -> None:
    model = window.table_model
    qtbot.waitUntil(lambda: model.total == 300)

    def settle() -> None:
        for _ in range(3):
            window.runner.wait()
            qtbot.wait(1)

    def cycle(n: int) -> None:  # open, edit, save, search, scan: the technician's loop
        window.table.selectRow(n % 50)
        settle()
        window.editor.form.set_value("notes", f"checked {n}")
        assert window.editor.save() is not None
        settle()
        window.filters.search.setText("dell")
        window.filters.emit_now()
        window.filters.search.setText("")
        window.filters.emit_now()
        window.quick.scan("NWD-00012")
        settle()

    for n in range(3):  # caches fill on the first rounds
        cycle(n)
    before = _counts()
    for n in range(3, 23):
        cycle(n)
    after = _counts()
    # Gaining references is harmless (the undo stack and the binding keep some); losing them is the bug, and a
    # binding that loses one per emit loses hundreds here.
    assert all(a - b >= -20 for a, b in zip(after, before, strict=True)), (before, after)
