"""Typed options over QSettings (Picard-style): each option knows its key, type and default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QSettings

from app.cli import default_actor

T = TypeVar("T")

ORGANIZATION = "Closeout"
APPLICATION = "Closeout"
#: Bump with an upgrade function in UPGRADES when a key changes meaning.
CONFIG_VERSION = 1


@dataclass(frozen=True)
class Option(Generic[T]):
    """One preference: `settings.get(OPTION)` / `settings.set(OPTION, value)`."""

    key: str
    default: T

    def read(self, store: QSettings) -> T:
        raw: Any = store.value(self.key, self.default)
        if isinstance(self.default, bool):
            if isinstance(raw, str):
                return raw.strip().lower() in ("1", "true", "yes", "on")  # type: ignore[return-value]
            return bool(raw)  # type: ignore[return-value]
        if isinstance(self.default, int):
            try:
                return int(raw)  # type: ignore[return-value]
            except (TypeError, ValueError):
                return self.default
        return str(raw if raw is not None else "")  # type: ignore[return-value]


TECHNICIAN = Option("technician/name", "")
DEFAULT_SITE = Option("technician/default_site", "")
TAG_PREFIX = Option("tagging/prefix_override", "")
SERVER_URL = Option("sync/server_url", "http://127.0.0.1:8765")
CA_BUNDLE = Option("sync/ca_bundle", "")
THEME = Option("ui/theme", "system")
SOUND = Option("ui/sound", True)
LAST_PROJECT = Option("ui/last_project", "")
LAST_CATEGORY = Option("tagging/last_category", "")
#: The scanner: the longest gap between its keys (ms), the shortest scan, and the prefix/suffix it is set to send.
SCAN_BURST_MS = Option("scanner/burst_ms", 40)
SCAN_MIN_LENGTH = Option("scanner/min_length", 4)
SCAN_PREFIX = Option("scanner/prefix", "")
SCAN_SUFFIX = Option("scanner/suffix", "")
#: The main window's place and size, and its panes (base64 of Qt's saveGeometry/saveState).
WINDOW_GEOMETRY = Option("ui/window_geometry", "")
WINDOW_PANES = Option("ui/window_panes", "")
THEMES = ("light", "dark", "system")
#: The folder each kind of file dialog was last used in ("": the home folder); see ui/file_dialogs.py.
FOLDER_XLSX_EXPORT = Option("folders/xlsx_export", "")
FOLDER_PDF_EXPORT = Option("folders/pdf_export", "")
FOLDER_REJECTED_ROWS = Option("folders/rejected_rows", "")
FOLDER_IMPORT_SOURCE = Option("folders/import_source", "")
FOLDER_PHOTOS = Option("folders/photos", "")
FOLDER_SIGNOFF_SCAN = Option("folders/signoff_scan", "")
FOLDER_CA_BUNDLE = Option("folders/ca_bundle", "")


class Settings:
    """The user's preferences; pass a QSettings to keep tests away from the real user's file."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store if store is not None else QSettings(ORGANIZATION, APPLICATION)
        self._upgrade()

    def get(self, option: Option[T]) -> T:
        return option.read(self.store)

    def set(self, option: Option[T], value: T) -> None:
        self.store.setValue(option.key, value)

    def sync(self) -> None:
        self.store.sync()

    def technician(self) -> str:
        """Who is tagging: the name from the settings, else the login name."""
        return self.get(TECHNICIAN).strip() or default_actor()

    def _upgrade(self) -> None:
        version = int(str(self.store.value("config/version", 0) or 0))
        for target in range(version + 1, CONFIG_VERSION + 1):
            UPGRADES.get(target, lambda _s: None)(self.store)
        if version != CONFIG_VERSION:
            self.store.setValue("config/version", CONFIG_VERSION)


UPGRADES: dict[int, Any] = {}
