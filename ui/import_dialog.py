"""File → Import: pick a list, check the suggested columns, see what will happen to every row, then import."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.db import Workspace
from app.importing import ImportOptions, ImportPreview, ImportResult, RowStatus, apply_import, preview_import
from app.importing_mapping import ImportTarget, apply_profile, import_targets, list_profiles, save_profile, suggest_for
from app.projects import get_project
from exporters.rejects import write_rejects
from exporters.sheet_reader import SheetData, read_sheet
from ui import messages, theme
from ui.import_models import ChoiceDelegate, MappingModel, RejectedModel
from ui.runner import Cancelled, Job, JobContext, Runner

PREVIEW_DELAY_MS = 350
FILE_FILTER = "Spreadsheets and lists (*.xlsx *.xlsm *.csv *.txt *.tsv);;All files (*)"
_DELIMITERS = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated", "|": "pipe-separated"}
_ENCODINGS = {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "cp1252": "Windows-1252"}


@dataclass
class LoadedFile:
    path: Path
    sheet: SheetData
    targets: list[ImportTarget]
    suggested: dict[str, str]
    profiles: list[tuple[str, dict[str, str]]]


def load_file(workspace: Workspace, path: Path, sheet: str | None = None) -> LoadedFile:
    """Read the file and work out the columns to propose (saved profile or suggestions); no Qt, runs on a worker."""
    data = read_sheet(path, sheet)
    with workspace.session() as session:
        targets = import_targets(session)
        suggested = suggest_for(session, data.headers)
        profiles = [(p.name, dict(p.mapping)) for p in list_profiles(session)]
    return LoadedFile(path, data, targets, suggested, profiles)


class Chip(QLabel):
    """A count in a coloured pill: "12 new"."""

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        c = theme.colors()
        fg, bg = {
            "new": (c["accent"], c["accentSoft"]),
            "updated": (c["warn"], c["warnSoft"]),
            "unchanged": (c["muted"], c["alt"]),
            "rejected": (c["danger"], c["dangerSoft"]),
        }[kind]
        self.setObjectName(f"chip_{kind}")
        self.setStyleSheet(
            f"QLabel {{ color: {fg}; background: {bg}; border: 1px solid {fg}33; border-radius: 10px;"
            " padding: 3px 10px; font-weight: 600; }"
        )


class ImportDialog(QDialog):
    """Pick a file → edit the column mapping → preview → import (all accepted rows or none)."""

    imported = Signal(object)  # ImportResult

    def __init__(
        self, workspace: Workspace, runner: Runner, project_id: str, actor: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace, self.runner, self.project_id, self.actor = workspace, runner, project_id, actor
        self.loaded: LoadedFile | None = None
        self.preview: ImportPreview | None = None
        self._generation = 0
        self._preview_job: Job[ImportPreview] | None = None
        with workspace.session() as session:
            project = get_project(session, project_id)
            self.project_title = f"{project.code} — {project.name}"
        self.setWindowTitle("Import assets")
        self.setObjectName("importDialog")
        self.resize(980, 720)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.run_preview)
        self._build()

    # -- layout ---------------------------------------------------------------------------------------------
    def _build(self) -> None:
        c = theme.colors()
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        title = QLabel(f"Import assets into <b>{self.project_title}</b>")
        title.setStyleSheet("font-size: 15px;")
        layout.addWidget(title)

        file_row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("Choose the client's list or an edited Closeout workbook (.xlsx or .csv)")
        choose = QPushButton("Choose file…")
        choose.setAutoDefault(False)
        choose.clicked.connect(self.choose_file)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setMinimumWidth(140)
        self.sheet_combo.setEnabled(False)
        self.sheet_combo.activated.connect(lambda _i: self._reload_sheet())
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(choose)
        self.sheet_label = QLabel("Sheet:")
        file_row.addWidget(self.sheet_label)
        file_row.addWidget(self.sheet_combo)
        layout.addLayout(file_row)
        self.file_info = QLabel(" ")
        self.file_info.setStyleSheet(f"color: {c['muted']};")
        layout.addWidget(self.file_info)

        columns = QGroupBox("Columns")
        box = QVBoxLayout(columns)
        profile_row = QHBoxLayout()
        profile_row.addWidget(QLabel("Mapping:"))
        self.profile_combo = QComboBox()
        self.profile_combo.setMinimumWidth(240)
        self.profile_combo.activated.connect(lambda _i: self._apply_profile())
        self.save_profile_button = QPushButton("Save mapping as…")
        self.save_profile_button.setAutoDefault(False)
        self.save_profile_button.clicked.connect(self.ask_profile_name)
        profile_row.addWidget(self.profile_combo)
        profile_row.addWidget(self.save_profile_button)
        profile_row.addStretch(1)
        box.addLayout(profile_row)
        self.mapping_model = MappingModel(self)
        self.mapping_model.mapping_changed.connect(self._timer.start)
        self.mapping_view = self._table(self.mapping_model)
        self.mapping_view.setItemDelegate(ChoiceDelegate(self.mapping_model, self.mapping_view))
        self.mapping_view.setEditTriggers(
            QAbstractItemView.EditTrigger.CurrentChanged | QAbstractItemView.EditTrigger.SelectedClicked
        )
        header = self.mapping_view.horizontalHeader()
        header.setSectionResizeMode(MappingModel.SAMPLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((MappingModel.COLUMN, 200), (MappingModel.TARGET, 220), (MappingModel.DATES, 150)):
            self.mapping_view.setColumnWidth(column, width)
        box.addWidget(self.mapping_view)
        layout.addWidget(columns, 3)

        preview = QGroupBox("Preview")
        pbox = QVBoxLayout(preview)
        chips = QHBoxLayout()
        self.chips = {kind: Chip(kind) for kind in ("new", "updated", "unchanged", "rejected")}
        for chip in self.chips.values():
            chips.addWidget(chip)
        chips.addStretch(1)
        self.status_label = QLabel("Choose a file to see what will be imported.")
        self.status_label.setStyleSheet(f"color: {c['muted']};")
        chips.addWidget(self.status_label)
        pbox.addLayout(chips)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet(
            f"color: {c['warn']}; background: {c['warnSoft']}; border-radius: 6px; padding: 6px 8px;"
        )
        self.notes_label.hide()
        pbox.addWidget(self.notes_label)
        self.rejected_model = RejectedModel(self)
        self.rejected_view = self._table(self.rejected_model)
        self.rejected_view.setWordWrap(True)
        self.rejected_view.setColumnWidth(0, 56)
        self.rejected_view.setColumnWidth(1, 110)
        self.rejected_view.horizontalHeader().setStretchLastSection(True)
        pbox.addWidget(self.rejected_view)
        layout.addWidget(preview, 2)

        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet(f"color: {c['border']};")
        layout.addWidget(line)
        buttons = QHBoxLayout()
        self.rejects_button = QPushButton("Save rejected rows…")
        self.rejects_button.setAutoDefault(False)
        self.rejects_button.setToolTip("Write the rejected rows and the reasons to a workbook to fix and import again")
        self.rejects_button.clicked.connect(self.ask_rejects_path)
        close = QPushButton("Cancel")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.run_import)
        buttons.addWidget(self.rejects_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.import_button)
        layout.addLayout(buttons)
        self._show_preview(None)

    def _table(self, model: Any) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setAlternatingRowColors(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(26)
        view.horizontalHeader().setHighlightSections(False)
        view.horizontalHeader().setStretchLastSection(True)
        return view

    # -- file ------------------------------------------------------------------------------------------------
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import assets from", str(Path.home()), FILE_FILTER)
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path, sheet: str | None = None) -> None:
        self.status_label.setText("Reading the file…")
        self.runner.run(
            lambda ctx: load_file(self.workspace, path, sheet),
            on_success=self._loaded,
            on_failure=lambda exc: self._failed("The file could not be read", exc),
            progress=None,
            pool="cpu",
        )

    def _reload_sheet(self) -> None:
        if self.loaded is not None:
            self.open_file(self.loaded.path, self.sheet_combo.currentText())

    def _loaded(self, loaded: LoadedFile) -> None:
        self.loaded = loaded
        data = loaded.sheet
        self.path_edit.setText(str(loaded.path))
        self.sheet_combo.clear()
        self.sheet_combo.addItems(data.sheet_names)
        self.sheet_combo.setCurrentText(data.sheet)
        self.sheet_combo.setEnabled(len(data.sheet_names) > 1)
        self.sheet_combo.setVisible(bool(data.sheet_names))
        self.sheet_label.setVisible(bool(data.sheet_names))
        details = [f"Header on row {data.header_row}", f"{len(data.rows):,} rows", f"{len(data.headers)} columns"]
        if data.encoding:
            details += [_ENCODINGS.get(data.encoding, data.encoding), _DELIMITERS.get(data.delimiter, "")]
        self.file_info.setText(" · ".join(d for d in details if d))
        self.profile_combo.clear()
        self.profile_combo.addItem("Suggested from the column names", None)
        for name, mapping in loaded.profiles:
            self.profile_combo.addItem(f"Profile: {name}", mapping)
        self.mapping_model.load(data.headers, data.rows, loaded.suggested, loaded.targets)
        self.run_preview()

    def _apply_profile(self) -> None:
        if self.loaded is None:
            return
        mapping = self.profile_combo.currentData()
        headers = self.loaded.sheet.headers
        self.mapping_model.set_mapping(
            apply_profile(headers, mapping, self.loaded.suggested) if mapping else self.loaded.suggested
        )

    def ask_profile_name(self) -> None:
        name, ok = QInputDialog.getText(
            self, "Save mapping", "Name of this mapping (e.g. the tool that made the list):"
        )
        if ok and name.strip():
            self.save_mapping(name.strip())

    def save_mapping(self, name: str) -> None:
        mapping = dict(self.mapping_model.mapping)

        def work(ctx: JobContext) -> str:
            with self.workspace.transaction() as session:
                return save_profile(session, name=name, mapping=mapping, actor=self.actor).name

        def saved(saved_name: str) -> None:
            self.profile_combo.addItem(f"Profile: {saved_name}", mapping)
            self.profile_combo.setCurrentIndex(self.profile_combo.count() - 1)
            self.status_label.setText(f"Mapping saved as “{saved_name}”.")

        self.runner.run(work, on_success=saved, on_failure=lambda e: self._failed("The mapping was not saved", e))

    # -- preview and import ---------------------------------------------------------------------------------
    def run_preview(self) -> None:
        if self.loaded is None:
            return
        self._generation += 1
        generation = self._generation
        if self._preview_job is not None:
            with contextlib.suppress(RuntimeError):  # the job may have finished and been deleted meanwhile
                self._preview_job.cancel()  # a newer mapping makes the running check pointless
            self._preview_job = None
        data = self.loaded.sheet
        mapping = dict(self.mapping_model.mapping)
        options = ImportOptions(date_orders=dict(self.mapping_model.date_orders))
        self.status_label.setText("Checking every row…")
        self.import_button.setEnabled(False)

        def work(ctx: JobContext) -> ImportPreview:
            def progress(done: int, total: int) -> None:
                ctx.check()
                ctx.progress(done, total, "Checking rows…")

            with self.workspace.session() as session:
                return preview_import(session, self.project_id, data.headers, data.rows, mapping, options, progress)

        def done(preview: ImportPreview) -> None:
            if generation == self._generation:
                self._preview_job = None
                self._show_preview(preview)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._preview_job = None
                self._show_preview(None)
                self.status_label.setText(messages.describe(exc))

        self._preview_job = self.runner.run(work, on_success=done, on_failure=failed, progress="Checking rows…")

    def _show_preview(self, preview: ImportPreview | None) -> None:
        self.preview = preview
        counts = {s: preview.count(s) if preview else 0 for s in RowStatus}
        for status in RowStatus:
            self.chips[status.value].setText(f"{counts[status]:,} {status.value}")
        self.rejected_model.load(preview.rejected if preview else [])
        self.mapping_model.set_detected(preview.date_orders if preview else {})
        self.rejected_view.resizeRowsToContents()
        notes = preview.notes if preview else []
        self.notes_label.setText("\n".join(notes))
        self.notes_label.setVisible(bool(notes))
        accepted = len(preview.accepted) if preview else 0
        self.import_button.setEnabled(accepted > 0)
        self.import_button.setText(f"Import {accepted:,} row{'s' if accepted != 1 else ''}" if accepted else "Import")
        self.rejects_button.setEnabled(bool(preview and preview.rejected))
        if preview is not None:
            self.status_label.setText(
                "Rejected rows are left out; fix them in the file or save them to a workbook."
                if preview.rejected
                else "Every row can be imported."
            )

    def run_import(self) -> None:
        preview = self.preview
        if preview is None or not preview.accepted:
            return
        self.import_button.setEnabled(False)

        def work(ctx: JobContext) -> ImportResult:
            def progress(done: int, total: int) -> None:
                ctx.check()
                ctx.progress(done, total, "Importing…")

            with self.workspace.transaction() as session:
                return apply_import(session, preview, actor=self.actor, progress=progress)

        def failed(exc: BaseException) -> None:
            self.import_button.setEnabled(True)
            if isinstance(exc, Cancelled):
                self.status_label.setText("Import cancelled; nothing was imported.")
            else:
                self._failed("Nothing was imported", exc)

        def done(result: ImportResult) -> None:
            self.imported.emit(result)
            self.accept()

        self.runner.run(work, on_success=done, on_failure=failed, progress="Importing assets…", progress_parent=self)

    def ask_rejects_path(self) -> None:
        if self.loaded is None:
            return
        suggested = self.loaded.path.with_name(f"{self.loaded.path.stem} - rejected rows.xlsx")
        name, _ = QFileDialog.getSaveFileName(self, "Save rejected rows", str(suggested), "Excel workbook (*.xlsx)")
        if name:
            self.save_rejects(Path(name))

    def save_rejects(self, path: Path) -> None:
        preview, loaded = self.preview, self.loaded
        if preview is None or loaded is None:
            return
        rejected = preview.rejected
        self.runner.run(
            lambda ctx: write_rejects(path, preview.headers, preview.mapping, rejected, source=loaded.path.name),
            on_success=lambda p: self.status_label.setText(f"{len(rejected)} rejected rows saved to {p.name}."),
            on_failure=lambda exc: self._failed("The rejected rows were not saved", exc),
            pool="cpu",
        )

    def _failed(self, title: str, exc: BaseException) -> None:
        self.status_label.setText(messages.describe(exc))
        messages.show_error(self, title, exc)

    def keyPressEvent(self, event: Any) -> None:  # Enter in the mapping table edits, it does not import
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.mapping_view.hasFocus():
            return
        super().keyPressEvent(event)
