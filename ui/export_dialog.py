"""File → Export → Inventory workbook: this project or every project, where to save, then a cancellable export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.db import Workspace
from app.projects import get_project, list_projects
from exporters.xlsx_cli import default_export_name
from exporters.xlsx_export import ExportReport, export_inventory
from ui import messages, theme
from ui.file_dialogs import Folder, ask_save_file, remember_folder, settings_of, start_folder
from ui.runner import Cancelled, JobContext, Runner
from ui.settings import Settings


def export_job(workspace: Workspace, path: Path, project_ids: list[str] | None, ctx: JobContext) -> ExportReport:
    """The export as a runner job: progress reported, Cancel honoured between rows (no file is left behind)."""

    def progress(done: int, total: int, text: str) -> None:
        ctx.check()
        ctx.progress(done, total, text)

    with workspace.session() as session:
        return export_inventory(session, path, project_ids, progress=progress)


class ExportDialog(QDialog):
    exported = Signal(object)  # ExportReport

    def __init__(
        self,
        workspace: Workspace,
        runner: Runner,
        project_id: str | None,
        parent: QWidget | None = None,
        *,
        settings: Settings | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace, self.runner, self.project_id = workspace, runner, project_id
        self.settings = settings or settings_of(parent)
        self.setWindowTitle("Export inventory workbook")
        self.setObjectName("exportDialog")
        with workspace.session() as session:
            projects = list_projects(session)
            project = get_project(session, project_id) if project_id else None
        self.project_code = project.code if project else ""
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        heading = QLabel("Export the inventory workbook")
        heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        layout.addWidget(heading)
        intro = QLabel(
            "A workbook with a Summary, every asset as an Excel table, one sheet per category, the locations, "
            "the action items and the change history. Edit it and import it back to update the assets."
        )
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {theme.colors()['muted']};")
        layout.addWidget(intro)
        self.this_project = QRadioButton(f"This project ({project.code} — {project.name})" if project else "")
        self.all_projects = QRadioButton(f"All projects ({len(projects)}), for a manager's overview")
        self.this_project.setVisible(project is not None)
        (self.this_project if project else self.all_projects).setChecked(True)
        self.all_projects.toggled.connect(self._suggest_name)
        layout.addWidget(self.this_project)
        layout.addWidget(self.all_projects)
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        browse = QPushButton("Browse…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self.choose_path)
        row.addWidget(QLabel("Save as:"))
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        layout.addLayout(row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.run_export)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumSize(660, 250)
        self._suggest_name()

    def _suggest_name(self) -> None:
        code = "All projects" if self.all_projects.isChecked() else self.project_code
        text = self.path_edit.text().strip()
        folder = Path(text).expanduser().parent if text else start_folder(self.settings, Folder.XLSX_EXPORT)
        self.path_edit.setText(str(folder / default_export_name(code)))

    def choose_path(self) -> None:
        text = self.path_edit.text().strip()
        path = ask_save_file(self, Folder.XLSX_EXPORT, "Export inventory",
                         Path(text).expanduser() if text else default_export_name(self.project_code),
                         "Excel workbook (*.xlsx)", suffix=".xlsx", settings=self.settings)  # fmt: skip
        if path is not None:
            self.path_edit.setText(str(path))

    def run_export(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            messages.show_error(self, "Export", "Choose where to save the workbook.")
            return
        path = Path(text).expanduser()
        ids = None if self.all_projects.isChecked() or not self.project_id else [self.project_id]
        self.export_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            self.export_button.setEnabled(True)
            if not isinstance(exc, Cancelled):
                messages.show_error(self, "The workbook was not written", exc)

        def done(report: ExportReport) -> None:
            remember_folder(self.settings, Folder.XLSX_EXPORT, report.path)  # typed or browsed: the next starts here
            self.exported.emit(report)
            self.accept()

        self.runner.run(
            lambda ctx: export_job(self.workspace, path, ids, ctx),
            on_success=done,
            on_failure=failed,
            progress="Exporting the inventory…",
            progress_parent=self,
            pool="cpu",
        )
