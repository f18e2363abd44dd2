"""The one top-level exception hook: a plain-words dialog with details and the log file's path."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from app.config import log_dir

log = logging.getLogger("closeout")
LOG_FILE_NAME = "closeout.log"


def setup_logging(directory: Path | None = None) -> Path:
    """Log to a rotating file under the platform's log folder; returns the file's path."""
    folder = directory or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE_NAME
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def install_excepthook(log_path: Path, *, dialog: bool = True) -> None:
    """Log every unhandled error; with `dialog`, also tell the user in plain words (never in a smoke test)."""

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("unhandled error", exc_info=(kind, value, tb))
        details = "".join(traceback.format_exception(kind, value, tb))
        if not dialog or QApplication.instance() is None:
            sys.__excepthook__(kind, value, tb)
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Closeout ran into a problem", "")
        box.setText(
            "Something unexpected went wrong. Everything you saved is safe; only the field you were typing "
            "may need to be entered again."
        )
        box.setInformativeText(f"If it happens again, send the log file to support:\n{log_path}")
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = hook
