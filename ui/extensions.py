"""How feature areas (sync, Excel, closeout workflow) plug into the main window without it importing them.

Each module in INSTALLERS has `install(window: ShellWindow) -> None`; it adds its menu actions, status-bar
widgets and docks using only what `ShellWindow` promises below.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenu, QStatusBar, QTableView, QTreeView, QWidget

    from app.db import Workspace
    from ui.asset_editor import AssetEditor
    from ui.navigator import NavigatorModel
    from ui.runner import Runner
    from ui.settings import Settings

log = logging.getLogger(__name__)

INSTALLERS = (
    "ui.sync_panel",
    "ui.excel_actions",
    "ui.workflow_actions",
    "ui.bulk_edit",
    "ui.photo_actions",
    "ui.setup_actions",
    "ui.labels_actions",
    "ui.audit_actions",
    "ui.lifecycle_actions",
)


class ShellWindow(Protocol):
    """What the main window offers to feature installers."""

    workspace: Workspace
    runner: Runner
    #: "file", "file.import", "file.export", "edit", "view", "project", "sync", "tools", "help".
    menus: dict[str, QMenu]
    #: Actions by name (ui/shortcuts.py's names): the keyboard help lists those with a shortcut.
    actions_by_name: dict[str, QAction]
    settings: Settings
    #: The navigator: its tree view and its model (clients → projects → sites → locations).
    tree: QTreeView
    navigator: NavigatorModel
    #: The asset list (a QTableView over ui.asset_table.AssetTableModel).
    table: QTableView
    #: The asset editor, with its undo stack; `editor.set_project(id)` reloads its choices of categories and sites.
    editor: AssetEditor
    #: Emitted with the selected project's id ("" when none) whenever the selection changes.
    project_changed: SignalInstance
    #: Emit after changing data behind the window's back (import, sync): the window reloads its views.
    data_changed: SignalInstance
    #: Emitted with the number of local changes waiting to sync each time the window has counted them (after
    #: every save, reload and refresh_pending, and every 15 s). The window shows no count of its own.
    pending_changed: SignalInstance

    def current_project_id(self) -> str | None: ...

    def reload(self) -> None: ...  # every view again from the workspace (what data_changed triggers)

    def technician(self) -> str: ...

    def refresh_pending(self) -> None: ...  # count the changes waiting to sync again (→ pending_changed)

    def statusBar(self) -> QStatusBar: ...  # Qt naming

    def show_error(self, title: str, error: BaseException | str) -> None: ...

    def show_message(self, text: str, timeout_ms: int = 4000) -> None: ...

    def as_widget(self) -> QWidget: ...


def install_all(window: ShellWindow) -> list[str]:
    """Install every feature area that is present; returns the names installed."""
    installed: list[str] = []
    for name in INSTALLERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.install(window)
        installed.append(name)
    return installed
