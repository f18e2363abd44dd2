"""Setting up in the window: new and edit client, project, site and location from the navigator and the Project menu.

In the navigator, Insert adds inside the selected node (client → project → site → building → floor → room →
rack) and F2 edits it; the context menu offers the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QMenu

from app.projects import PATH_SEPARATOR
from ui.navigator import Node
from ui.setup_dialogs import ClientDialog, LocationDialog, ProjectDialog, SetupDialog, SiteDialog
from ui.shortcuts import SHORTCUTS

if TYPE_CHECKING:
    from ui.extensions import ShellWindow

#: What Insert adds inside each kind of navigator node ("" = nothing selected).
CHILD = {"": "client", "client": "project", "project": "site", "site": "location", "location": "location"}
_KEYS = [(QKeySequence(k), name) for name in ("navigator_new", "navigator_edit") for k in SHORTCUTS[name]]


class SetupActions(QObject):
    """The actions, the navigator's context menu and its Insert / F2 keys; `last_dialog` is the one open."""

    def __init__(self, window: ShellWindow) -> None:
        super().__init__(window.as_widget())
        self.window = window
        self.last_dialog: SetupDialog | None = None
        parent = window.as_widget()
        menu = window.menus["project"]
        menu.addSeparator()
        self.actions: dict[str, QAction] = {}
        for name, text, slot in (
            ("navigator_new", "&New inside the selection…", self.new_here),
            ("navigator_edit", "&Edit the selection…", self.edit_selected),
            ("new_client", "New c&lient…", lambda: self.new("client", None)),
            ("new_project", "New &project…", lambda: self.new("project", self.node())),
            ("new_site", "New &site…", lambda: self.new("site", self.node())),
            ("new_location", "New &location…", lambda: self.new("location", self.node())),
        ):
            action = QAction(text, parent)
            action.setObjectName(name)
            keys = SHORTCUTS.get(name, ())
            if keys:
                action.setShortcuts([QKeySequence(k) for k in keys])
                # Only in the navigator: F2 elsewhere still changes the asset's tag.
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                window.tree.addAction(action)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.actions[name] = action
            window.actions_by_name[name] = action
        tree = window.tree
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.customContextMenuRequested.connect(self.context_menu)
        tree.installEventFilter(self)

    # -- keys and menus ----------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Insert and F2 in the navigator are the navigator's, before any window shortcut sees them."""
        if event.type() not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        assert isinstance(event, QKeyEvent)
        pressed = QKeySequence(event.keyCombination())
        name = next((name for keys, name in _KEYS if keys == pressed), None)
        if name is None:
            return False
        if event.type() == QEvent.Type.ShortcutOverride:
            event.accept()  # the key press comes to the navigator instead of a window-wide shortcut
            return True
        self.actions[name].trigger()
        return True

    def node(self) -> Node | None:
        return self.window.navigator.node(self.window.tree.currentIndex())

    def context_menu(self, pos: QPoint) -> QMenu:
        tree = self.window.tree
        index = tree.indexAt(pos)
        if index.isValid():
            tree.setCurrentIndex(index)
        menu = self.menu_for(self.window.navigator.node(index))
        menu.popup(tree.viewport().mapToGlobal(pos))
        return menu

    def menu_for(self, node: Node | None) -> QMenu:
        """The navigator's context menu for this node (None: the empty space below the nodes)."""
        menu = QMenu(self.window.tree)
        menu.setObjectName("navigatorMenu")
        if node is not None:
            child, place = CHILD[node.kind], node.name.rsplit(PATH_SEPARATOR, 1)[-1]  # a location's name is its path
            inside = f" in {place}" if node.kind != "project" else f" for {place}"
            menu.addAction(f"New {child}{inside}…", self.new_here).setShortcut(self.actions["navigator_new"].shortcut())
            menu.addAction(f"Edit {node.kind}…", self.edit_selected).setShortcut(
                self.actions["navigator_edit"].shortcut()
            )
            rooms = self.window.actions_by_name.get("room_labels")  # from the labels plug-in, when installed
            if rooms is not None and node.kind in ("project", "site", "location"):
                menu.addAction(rooms)
            menu.addSeparator()
        menu.addAction(self.actions["new_client"])
        return menu

    # -- dialogs -----------------------------------------------------------------------------------------------
    def new_here(self) -> SetupDialog | None:
        node = self.node()
        return self.new(CHILD[node.kind if node else ""], node)

    def new(self, kind: str, node: Node | None) -> SetupDialog | None:
        """Open the dialog for a new record of `kind` inside what `node` stands for."""
        window, ws, actor, parent = (
            self.window,
            self.window.workspace,
            self.window.technician(),
            self.window.as_widget(),
        )
        project_id = node.project_id if node else window.current_project_id()
        dialog: SetupDialog
        if kind == "client":
            dialog = ClientDialog(ws, actor, parent=parent)
        elif node is None:
            window.show_error("Nothing selected", f"Select where the new {kind} goes in the navigator first.")
            return None
        elif kind == "project":
            dialog = ProjectDialog(ws, actor, node.client_id, parent=parent)
        elif node.kind == "client" or project_id is None:
            window.show_error("Choose a project", f"Select a project in the navigator, then add the {kind} there.")
            return None
        elif kind == "site":
            dialog = SiteDialog(ws, actor, node.client_id, parent=parent)
        elif node.site_id is None:
            window.show_error("Choose a site", "Select a site or a location in the navigator, then add the location.")
            return None
        else:
            dialog = LocationDialog(ws, actor, node.site_id, node.location_id, parent=parent)
        return self._open(dialog, kind, project_id)

    def edit_selected(self) -> SetupDialog | None:
        node = self.node()
        window, ws, actor, parent = (
            self.window,
            self.window.workspace,
            self.window.technician(),
            self.window.as_widget(),
        )
        if node is None:
            window.show_error("Nothing selected", "Select a client, project, site or location to edit.")
            return None
        dialog: SetupDialog
        if node.kind == "client":
            dialog = ClientDialog(ws, actor, node.id, parent=parent)
        elif node.kind == "project":
            dialog = ProjectDialog(ws, actor, node.client_id, node.id, parent=parent)
        elif node.kind == "site":
            dialog = SiteDialog(ws, actor, node.client_id, node.id, parent=parent)
        else:
            assert node.site_id is not None
            dialog = LocationDialog(ws, actor, node.site_id, location_id=node.id, parent=parent)
        return self._open(dialog, node.kind, node.project_id)

    def start_from_scratch(self) -> SetupDialog | None:
        """The welcome screen's third way: a client, then its first project, then its first site, in a row."""
        first = self.new("client", None)
        if first is not None:
            first.saved.connect(lambda _id: self._then("project"))
        return first

    def _then(self, kind: str) -> None:
        """After the welcome's client (or its project): the next dialog, inside what was just selected."""
        dialog = self.new(kind, self.node())
        if dialog is not None and kind == "project":
            dialog.saved.connect(lambda _id: self._then("site"))

    def _open(self, dialog: SetupDialog, kind: str, project_id: str | None) -> SetupDialog:
        dialog.saved.connect(lambda record_id: self.show_saved(kind, record_id, project_id))
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def show_saved(self, kind: str, record_id: str, project_id: str | None) -> None:
        """Reload the views and select what was just saved in the navigator."""
        window = self.window
        window.data_changed.emit()
        index = window.navigator.find(kind, record_id, project_id if kind in ("site", "location") else None)
        node = window.navigator.node(index)
        if index.isValid():
            window.tree.setCurrentIndex(index)
            window.tree.scrollTo(index)
        current = window.current_project_id()
        if current:
            window.editor.set_project(current)  # a new site or category is a choice in the form at once
        window.tree.setFocus(Qt.FocusReason.OtherFocusReason)
        window.show_message(f"Saved {kind} {node.name}." if node else f"Saved the {kind}.", 6000)


def install(window: ShellWindow) -> None:
    window.setup_actions = SetupActions(window)  # type: ignore[attr-defined]
