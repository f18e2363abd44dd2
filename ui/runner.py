"""One small runner for all long work: a worker thread, callbacks on the GUI thread, delayed progress, cancel.

Shaped after Anki's QueryOp/CollectionOp and Picard's run_task. Writes to the local workspace are serialised
on a single-thread pool (each job opens its own session); network work has its own pool so a slow server
never blocks a save.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

log = logging.getLogger(__name__)
T = TypeVar("T")

#: A progress dialog appears only for work that takes longer than this, so quick work never flashes one.
PROGRESS_DELAY_MS = 600


class Cancelled(Exception):
    """Raised inside a job (by `JobContext.check`) once the user pressed Cancel."""


@dataclass
class JobContext:
    """Handed to the work function: report progress and see whether the user cancelled."""

    _cancel: threading.Event = field(default_factory=threading.Event)
    _report: Callable[[int, int, str], None] = lambda done, total, text: None

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._report(done, total, text)

    def cancel(self) -> None:
        self._cancel.set()


class _Signals(QObject):
    ended = Signal()
    progressed = Signal(int, int, str)


#: What a job ended with: (True, result) or (False, the exception).
Outcome = tuple[bool, Any]


class _Task(QRunnable):
    """Runs the work on a pool thread and hands the outcome to the GUI thread.

    Python objects that wrap Qt widgets must be freed on the GUI thread (see ui.collector). The work function
    usually closes over a widget, and a result or an exception's traceback can hold one too, so this thread lets go
    of all of them before it signals: the Job, on the GUI thread, holds the last references and drops them there.
    """

    def __init__(self, work: Callable[[JobContext], Any], ctx: JobContext, signals: _Signals, outbox: list[Outcome]):
        super().__init__()
        self.work: Callable[[JobContext], Any] | None = work
        self.ctx, self.signals, self.outbox = ctx, signals, outbox
        self.setAutoDelete(True)

    def run(self) -> None:
        self.outbox.append(self._outcome())
        self.work = None
        self.signals.ended.emit()

    def _outcome(self) -> Outcome:
        assert self.work is not None
        try:
            return True, self.work(self.ctx)
        except BaseException as exc:  # reported on the GUI thread, never lost in the worker
            return False, exc


class Job(QObject, Generic[T]):
    """A running piece of work; keep it to cancel it. `finished` fires once, after success or failure."""

    finished = Signal()

    def __init__(
        self,
        parent: QObject | None,
        work: Callable[[JobContext], T],
        on_success: Callable[[T], None],
        on_failure: Callable[[BaseException], None],
        progress_parent: QWidget | None,
        label: str | None,
    ) -> None:
        super().__init__(parent)
        self.ctx = JobContext()
        self.signals = _Signals(self)
        self.work: Callable[[JobContext], T] | None = work  # released on the GUI thread, once the job ended
        self.outbox: list[Outcome] = []
        self._on_success, self._on_failure = on_success, on_failure
        self._label = label
        self._progress_parent = progress_parent
        self._dialog: QProgressDialog | None = None
        self._last: tuple[int, int, str] = (0, 0, label or "")
        self.done = False
        self.signals.ended.connect(self._ended)
        self.signals.progressed.connect(self._progressed)
        self.ctx._report = self.signals.progressed.emit
        if label is not None:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self._show_progress)
            self._timer.start(PROGRESS_DELAY_MS)

    def cancel(self) -> None:
        self.ctx.cancel()

    @Slot()
    def _show_progress(self) -> None:
        if self.done:
            return
        done, total, text = self._last
        dialog = QProgressDialog(text or self._label or "Working…", "Cancel", 0, max(total, 0), self._progress_parent)
        dialog.setWindowTitle("Closeout")
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(done)
        dialog.canceled.connect(self.cancel)
        dialog.show()
        self._dialog = dialog

    @Slot(int, int, str)
    def _progressed(self, done: int, total: int, text: str) -> None:
        self._last = (done, total, text or self._last[2])
        if self._dialog is not None:
            self._dialog.setMaximum(max(total, 0))
            self._dialog.setValue(min(done, total) if total else 0)
            if text:
                self._dialog.setLabelText(text)

    def _close(self) -> None:
        self.done = True
        if self._dialog is not None:
            self._dialog.close()
            self._dialog.deleteLater()
            self._dialog = None

    @Slot()
    def _ended(self) -> None:
        succeeded, value = self.outbox.pop()
        self.work = None
        self._close()
        try:
            if succeeded:
                self._on_success(value)
            else:
                self._on_failure(value)
        finally:
            self.finished.emit()
            self.deleteLater()


class Runner(QObject):
    """Runs work off the GUI thread. `synchronous=True` runs it inline (for tests that want no threads)."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        on_unhandled: Callable[[BaseException], None] | None = None,
        synchronous: bool = False,
    ) -> None:
        super().__init__(parent)
        self.db_pool = QThreadPool(self)
        self.db_pool.setMaxThreadCount(1)  # one writer to the workspace at a time
        self.net_pool = QThreadPool(self)
        self.net_pool.setMaxThreadCount(2)
        self.cpu_pool = QThreadPool(self)
        self.cpu_pool.setMaxThreadCount(1)
        self.synchronous = synchronous
        self._on_unhandled = on_unhandled or (lambda exc: log.error("background job failed", exc_info=exc))
        self._jobs: set[Job[Any]] = set()
        self._closed = False

    def run(
        self,
        work: Callable[[JobContext], T],
        *,
        on_success: Callable[[T], None] = lambda _result: None,
        on_failure: Callable[[BaseException], None] | None = None,
        progress: str | None = None,
        progress_parent: QWidget | None = None,
        pool: str = "db",
    ) -> Job[T]:
        """Start `work(ctx)`; `on_success(result)` or `on_failure(exc)` run later on the GUI thread.

        `progress` is the label of a delayed, cancellable progress dialog (None: no dialog).
        `pool` is "db" (workspace reads and writes, one at a time), "net" or "cpu" (file export/import).
        """
        job: Job[T] = Job(self, work, on_success, on_failure or self._on_unhandled, progress_parent, progress)
        if self._closed:  # the window is going: a late timer's count or refresh has nowhere to show
            log.debug("background job refused after shutdown")
            return job
        self._jobs.add(job)
        job.finished.connect(lambda: self._jobs.discard(job))
        task = _Task(work, job.ctx, job.signals, job.outbox)
        if self.synchronous:
            task.run()
        else:
            {"db": self.db_pool, "net": self.net_pool, "cpu": self.cpu_pool}[pool].start(task)
        return job

    def busy(self) -> bool:
        return bool(self._jobs)

    def shutdown(self, msecs: int = 30000) -> bool:
        """Take no more work, drop what has not started, and wait for what has (with the GIL released).

        Call it before the owner is destroyed: a pool destroyed with a job still queued waits for it inside Qt's
        destructor, holding the GIL that the job's thread needs to start, and the app hangs.
        """
        self._closed = True
        for pool in (self.db_pool, self.net_pool, self.cpu_pool):
            pool.clear()
        return self.wait(msecs)

    def wait(self, msecs: int = 30000) -> bool:
        """Block until every pool is idle (used at shutdown and by tests)."""
        ok = all(p.waitForDone(msecs) for p in (self.db_pool, self.net_pool, self.cpu_pool))
        return ok
