"""Reference cycles are freed on the GUI thread, never in a worker that happens to allocate."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

from ui.collector import GuiThreadCollector


class Cycle:
    """Garbage only the cycle collector can free; records the thread that freed it."""

    freed_in: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Cycle.freed_in.append(threading.current_thread().name)


def test_cycles_are_freed_on_the_gui_thread_while_a_worker_allocates(qtbot: QtBot) -> None:
    Cycle.freed_in.clear()
    collector = GuiThreadCollector(interval_ms=20)
    try:
        assert not gc.isenabled()
        for _ in range(1000):  # more than the first threshold (700), so the next tick collects them
            Cycle()

        def allocate() -> None:  # far past the thresholds: automatic collection would have run here
            junk = [[i] for i in range(200_000)]
            del junk

        worker = threading.Thread(target=allocate, name="worker")
        worker.start()
        worker.join()
        assert Cycle.freed_in == []  # nothing was collected in the worker
        qtbot.waitUntil(lambda: len(Cycle.freed_in) == 1000, timeout=5000)
        assert set(Cycle.freed_in) == {threading.main_thread().name}
    finally:
        collector.stop()


def test_stop_restores_the_interpreter_setting(qtbot: QtBot) -> None:
    gc.enable()
    try:
        GuiThreadCollector().stop()
        assert gc.isenabled()
    finally:
        gc.disable()  # the suite itself collects on the main thread (tests/conftest.py)
