"""Open and save dialogs that start in the folder last used for the same kind of file (one per kind, in QSettings).

A workbook export, a PDF, the rejected rows, an import source, photos: each remembers its own folder, so a
coordinator who files PDFs in the project folder and lists in Downloads finds each where they left it.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from ui.settings import (
    FOLDER_CA_BUNDLE,
    FOLDER_IMPORT_SOURCE,
    FOLDER_PDF_EXPORT,
    FOLDER_PHOTOS,
    FOLDER_REJECTED_ROWS,
    FOLDER_SIGNOFF_SCAN,
    FOLDER_XLSX_EXPORT,
    Option,
    Settings,
)


class Folder(Enum):
    """The kinds of file the dialogs remember a folder for; each value is its typed option."""

    XLSX_EXPORT = FOLDER_XLSX_EXPORT
    PDF_EXPORT = FOLDER_PDF_EXPORT  # signoff form, signoff packet, NOC brief
    REJECTED_ROWS = FOLDER_REJECTED_ROWS
    IMPORT_SOURCE = FOLDER_IMPORT_SOURCE
    PHOTOS = FOLDER_PHOTOS
    SIGNOFF_SCAN = FOLDER_SIGNOFF_SCAN
    CA_BUNDLE = FOLDER_CA_BUNDLE

    @property
    def option(self) -> Option[str]:
        return self.value


def settings_of(widget: QWidget | None) -> Settings:
    """The settings of the window a widget belongs to (the main window keeps one), else the user's own."""
    while widget is not None:
        found = getattr(widget, "settings", None)
        if isinstance(found, Settings):
            return found
        widget = widget.parentWidget()
    return Settings()


def start_folder(settings: Settings, kind: Folder) -> Path:
    """The folder last used for this kind of file, if it is still there; else the home folder."""
    remembered = settings.get(kind.option)
    if remembered and Path(remembered).is_dir():
        return Path(remembered)
    return Path.home()


def remember_folder(settings: Settings, kind: Folder, path: Path) -> None:
    """Remember the folder of `path` (or `path` itself when it is a folder) for the next dialog of this kind."""
    folder = path if path.is_dir() else path.parent
    settings.set(kind.option, str(folder))


def ask_open_file(
    parent: QWidget | None, kind: Folder, caption: str, file_filter: str, settings: Settings | None = None
) -> Path | None:
    """Ask for one existing file, starting in this kind's folder; None when the user cancels."""
    settings = settings or settings_of(parent)
    name, _ = QFileDialog.getOpenFileName(parent, caption, str(start_folder(settings, kind)), file_filter)
    if not name:
        return None
    remember_folder(settings, kind, Path(name))
    return Path(name)


def ask_open_files(
    parent: QWidget | None, kind: Folder, caption: str, file_filter: str, settings: Settings | None = None
) -> list[Path]:
    """Ask for existing files, starting in this kind's folder; an empty list when the user cancels."""
    settings = settings or settings_of(parent)
    names, _ = QFileDialog.getOpenFileNames(parent, caption, str(start_folder(settings, kind)), file_filter)
    if names:
        remember_folder(settings, kind, Path(names[0]))
    return [Path(n) for n in names]


def ask_save_file(
    parent: QWidget | None,
    kind: Folder,
    caption: str,
    name: str | Path,
    file_filter: str,
    *,
    suffix: str = "",
    settings: Settings | None = None,
) -> Path | None:
    """Ask where to save; `name` alone starts in this kind's folder, a full path starts where it points."""
    settings = settings or settings_of(parent)
    suggested = Path(name) if Path(name).is_absolute() else start_folder(settings, kind) / name
    chosen, _ = QFileDialog.getSaveFileName(parent, caption, str(suggested), file_filter)
    if not chosen:
        return None
    path = Path(chosen)
    if suffix and path.suffix.lower() != suffix.lower():
        path = path.with_name(path.name + suffix)  # the dialog does not add it on every platform
    remember_folder(settings, kind, path)
    return path


def problem_with_file(path: Path) -> str | None:
    """Why a typed or pasted path cannot be read, in words; None when it can."""
    if not str(path).strip():
        return "Type or paste the path of a file, or choose one."
    if path.is_dir():
        return f"{path} is a folder; choose a file in it."
    if not path.exists():
        where = path.parent
        if str(where) not in ("", ".") and not where.is_dir():
            return f"There is no folder {where}; check the path."
        return f"There is no file {path.name} in {where}; check the name."
    if not os.access(path, os.R_OK):
        return f"{path.name} cannot be read: you do not have permission to open it."
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        return f"{path.name} cannot be read: {exc.strerror or exc}."
    return None


def typed_path(text: str) -> Path:
    """A path as typed or pasted: surrounding quotes (Windows "Copy as path") and spaces dropped, ~ expanded."""
    return Path(text.strip().strip('"').strip("'").strip()).expanduser()
