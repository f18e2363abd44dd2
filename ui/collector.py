"""Python's cycle collector runs on the GUI thread only.

CPython runs its cyclic garbage collector in whichever thread happens to allocate when a generation's threshold is
crossed. When that is a worker thread and the garbage holds a Qt object (a closed dialog caught in a reference cycle
with its own slots, say), the object's C++ destructor runs off the GUI thread and Qt takes the process down. CI saw
exactly that: a segmentation fault inside the import worker while it loaded rows, "Garbage-collecting" on top of the
stack. So the app turns automatic collection off and collects on a GUI-thread timer instead, with the interpreter's
own thresholds (the approach of pyqtgraph's GarbageCollector). Reference counting still frees everything that is not
in a cycle at once; only cycles wait for the next tick.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: How often the GUI thread looks at the collector's counts; a tick with nothing to do costs a few microseconds.
INTERVAL_MS = 500


def collect_due() -> int:
    """Collect, on the calling thread, the generations the interpreter would have collected by now."""
    first, second, third = gc.get_threshold()
    count0, count1, count2 = gc.get_count()
    found = 0
    if count0 > first:
        found += gc.collect(0)
        if count1 > second:
            found += gc.collect(1)
            if count2 > third:
                found += gc.collect(2)
    return found


class GuiThreadCollector(QObject):
    """Owns the cycle collector while it lives: automatic collection off, collection on the GUI thread's timer."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> int:
        """Collect the generations whose counts passed the thresholds; returns how many objects were found."""
        return collect_due()

    def stop(self) -> None:
        """Hand collection back as it was (on shutdown, once no worker thread runs any more)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()
