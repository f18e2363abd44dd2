"""Plugs the onsite audit into the main window: "I am in" from the navigator, the reconciliation dock, bulk marks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow

from models import AuditState
from ui import audit_io
from ui.asset_io import UndoRecord
from ui.audit_view import ReconciliationView
from ui.runner import JobContext

if TYPE_CHECKING:
    from app.audit_report import Reconciliation
    from ui.audit_io import Candidate
    from ui.extensions import ShellWindow


class AuditActions:
    """The menu actions and the dock; kept on the window so they live as long as it does."""

    def __init__(self, window: ShellWindow) -> None:
        self.window = window
        self.quick: Any = getattr(window, "quick", None)
        parent = window.as_widget()
        self.view = ReconciliationView(parent)
        self.dock = QDockWidget("Audit reconciliation", parent)
        self.dock.setObjectName("reconciliationDock")
        self.dock.setWidget(self.view)
        self.dock.setVisible(False)
        if isinstance(parent, QMainWindow):
            parent.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        menu = window.menus["project"].addMenu("&Audit")
        self.here_action = QAction("I am &in the selected place", parent)
        self.here_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.here_action.setToolTip("Every scan then records the asset as seen there")
        self.here_action.triggered.connect(self.enter_selected)
        self.leave_action = QAction("&Leave the room (stop auditing)", parent)
        self.leave_action.triggered.connect(lambda: self.quick.set_room(None) if self.quick else None)
        self.view_action = self.dock.toggleViewAction()
        self.view_action.setText("&Reconciliation")
        self.view_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        for action in (self.here_action, self.leave_action, self.view_action):
            menu.addAction(action)
        window.actions_by_name["audit_here"] = self.here_action
        window.actions_by_name["audit_reconciliation"] = self.view_action
        self.dock.visibilityChanged.connect(lambda shown: self.refresh() if shown else None)
        self.view.refresh_requested.connect(self.refresh)
        self.view.mark_requested.connect(self.mark)
        self.view.open_requested.connect(lambda asset_id: window.editor.open_asset(asset_id))
        window.project_changed.connect(lambda _pid: self.project_changed())
        window.data_changed.connect(self.project_changed)
        if self.quick is not None:
            self.quick.verified.connect(lambda _id: self.refresh())
            self.quick.panel.room_chosen.connect(lambda _room: self.refresh())
        self.project_changed()

    def project_changed(self) -> None:
        if self.quick is not None:
            self.quick.refresh_rooms()
        self.refresh()

    def enter_selected(self) -> None:
        node = self.window.navigator.node(self.window.tree.currentIndex())
        client_id = self.window.editor.client_id
        if node is None or not node.site_id or client_id is None or self.quick is None:
            self.window.show_message("Select a site or a location in the navigator first.")
            return
        self.quick.set_room(audit_io.room(self.window.workspace, client_id, node.site_id, node.location_id))

    def refresh(self) -> None:
        project_id = self.window.current_project_id()
        if not self.dock.isVisible() or not project_id:
            return
        workspace, room = self.window.workspace, self.quick.room if self.quick else None

        def work(_ctx: JobContext) -> tuple[Reconciliation, list[Candidate]]:
            return audit_io.reconciliation(workspace, project_id), audit_io.to_look_for(workspace, project_id, room)

        def done(result: tuple[Reconciliation, list[Candidate]]) -> None:
            self.view.show_reconciliation(result[0])
            self.view.show_look_for(room.name if room else "", result[1])

        self.window.runner.run(work, on_success=done)

    def mark(self, ids: list[str], state: str, reason: str) -> None:
        workspace, actor, editor = self.window.workspace, self.window.technician(), self.window.editor

        def work(_ctx: JobContext) -> dict[str, dict[str, Any]]:
            return audit_io.mark(workspace, ids, AuditState(state), reason, actor)

        def done(before: dict[str, dict[str, Any]]) -> None:
            count = f"{len(before)} asset{'s' if len(before) != 1 else ''}"
            label = AuditState(state).label.lower()
            if before:
                first = next(iter(before))
                editor.push_undo(UndoRecord(first, count, "audit_bulk", before,
                                            f"Undone: {count} no longer marked {label}."))  # fmt: skip
            self.window.show_message(f"{count} marked {label}. Ctrl+Z takes it back.")
            self.window.data_changed.emit()

        self.window.runner.run(work, on_success=done, on_failure=lambda exc: self.window.show_error("Mark", exc))


def install(window: ShellWindow) -> None:
    window.audit_actions = AuditActions(window)  # type: ignore[attr-defined]
