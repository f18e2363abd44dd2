"""Plugs the closeout workflow into the main window: project menu dialogs, closure, KPIs and the PDF exports.

The dialogs, QtCharts and the PDF exporters (reportlab) are imported when first used, not at start-up.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget

from app.closure import close_project, closure_report
from app.projects import get_project
from ui.file_dialogs import Folder, ask_save_file
from ui.messages import ask_yes_no, show_info
from ui.runner import JobContext

if TYPE_CHECKING:
    from ui.extensions import ShellWindow

PDF_LABELS = {
    "signoff": ("Go-live signoff form", "signoff"),
    "packet": ("Coordinator signoff packet", "packet"),
    "noc-brief": ("NOC familiarization brief", "noc-brief"),
}


class WorkflowActions:
    """The menu actions; kept on the window so they live as long as it does."""

    def __init__(self, window: ShellWindow) -> None:
        self.window = window
        self.project_actions: list[QAction] = []
        parent = window.as_widget()
        menu = window.menus["project"]
        menu.addSeparator()
        for text, slot in (
            ("&Knowledge transfer…", self.open_kt),
            ("&Go-live call and action items…", self.open_golive),
            ("Client &signoff…", self.open_signoff),
            ("&Close project…", self.close_project),
        ):
            action = QAction(text, parent)
            action.triggered.connect(slot)
            menu.addAction(action)
            self.project_actions.append(action)
        kpis = QAction("Activation &KPIs…", parent)
        kpis.triggered.connect(self.open_kpis)
        menu.addAction(kpis)
        export = window.menus["file.export"]
        export.addSeparator()
        for kind, (label, _) in PDF_LABELS.items():
            action = QAction(f"{label} (PDF)…", parent)
            action.triggered.connect(lambda _checked=False, k=kind: self.export(k))
            export.addAction(action)
            self.project_actions.append(action)
        window.project_changed.connect(self._enable)
        self._enable(window.current_project_id() or "")

    def _enable(self, project_id: str) -> None:
        for action in self.project_actions:
            action.setEnabled(bool(project_id))

    def _project(self) -> str | None:
        project_id = self.window.current_project_id()
        if not project_id:
            self.window.show_error("Closeout", "Select a project first.")
        return project_id

    def _open(self, module: str, name: str) -> QDialog | None:
        """Open the dialog class `name` of ui module `module` (imported on first use) for the current project."""
        project_id = self._project()
        if project_id is None:
            return None
        cls = getattr(importlib.import_module(module), name)
        dialog = cls(self.window.workspace, project_id, self.window.technician(), self.window.runner,
                     self.window.as_widget())  # fmt: skip
        if hasattr(dialog, "saved"):
            dialog.saved.connect(self.window.data_changed.emit)
        if hasattr(dialog, "signed"):
            dialog.signed.connect(lambda v: self.window.show_message(f"Signoff version {v} recorded."))
            dialog.export_requested.connect(lambda kind, _pid: self.export(kind))
        dialog.open()
        return dialog

    def open_kt(self) -> QDialog | None:
        return self._open("ui.handover_dialog", "KnowledgeTransferDialog")

    def open_golive(self) -> QDialog | None:
        return self._open("ui.golive_dialog", "GoLiveDialog")

    def open_signoff(self) -> QDialog | None:
        return self._open("ui.signoff_dialog", "SignoffDialog")

    def open_kpis(self) -> QDialog:
        from ui.kpi_dashboard import KpiDashboard

        dialog = KpiDashboard(self.window.workspace, self.window.current_project_id(), self.window.as_widget())
        dialog.open()
        return dialog

    def close_project(self) -> None:
        project_id = self._project()
        if project_id is None:
            return
        with self.window.workspace.session() as s:
            report = closure_report(s, project_id)
        parent = self.window.as_widget()
        if not report.ready:
            lines = "\n".join(f"• {m}" for m in report.missing)
            show_info(parent, "Cannot close yet", f"{report.project_code} cannot be closed yet:\n\n{lines}")
            return
        if not ask_yes_no(parent, "Close project", f"Close {report.project_code}? It becomes read-only."):
            return
        actor = self.window.technician()

        def work(_ctx: JobContext) -> None:
            with self.window.workspace.transaction() as s:
                close_project(s, project_id, actor=actor)

        def done(_result: object) -> None:
            self.window.show_message(f"{report.project_code} is closed.")
            self.window.data_changed.emit()

        self.window.runner.run(work, on_success=done, on_failure=lambda e: self.window.show_error("Close project", e))

    def export(self, kind: str, path: Path | None = None) -> None:
        """One click: choose the file, then build the PDF on a worker with a progress dialog."""
        project_id = self._project()
        if project_id is None:
            return
        label, stem = PDF_LABELS[kind]
        if path is None:
            with self.window.workspace.session() as s:
                code = get_project(s, project_id).code
            chosen = ask_save_file(
                self.window.as_widget(), Folder.PDF_EXPORT, f"Export {label}", f"{code}-{stem}.pdf", "PDF (*.pdf)",
                suffix=".pdf",
            )  # fmt: skip
            if chosen is None:
                return
            path = chosen
        workspace = self.window.workspace
        target = path

        def work(ctx: JobContext) -> Path:
            from exporters.pdf_cli import export_pdf  # reportlab: imported on the worker, on first export

            def progress(done: int, total: int, text: str) -> None:
                ctx.check()  # Cancel stops the layout; the half-built file is removed
                ctx.progress(done, total, text)

            return export_pdf(workspace, kind, project_id, target, progress=progress)

        self.window.runner.run(
            work,
            on_success=lambda written: self.window.show_message(f"{label} written to {written}."),
            on_failure=lambda exc: self.window.show_error(f"Export {label}", exc),
            progress=f"Building the {label.lower()}…",
            progress_parent=self.window.as_widget(),
            pool="cpu",
        )


def install(window: ShellWindow) -> None:
    widget: QWidget = window.as_widget()
    widget.setProperty("workflowActions", True)
    window._workflow_actions = WorkflowActions(window)  # type: ignore[attr-defined]
