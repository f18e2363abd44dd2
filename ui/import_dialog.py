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
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.db import Workspace
from app.importing import ImportOptions, ImportPreview, ImportResult, apply_import, preview_import
from app.importing.client_tags import ClientTags
from app.importing.mapping import (
    ImportTarget,
    apply_profile,
    best_profile,
    import_targets,
    list_profiles,
    save_profile,
    suggest_for,
)
from app.importing.value_mapping import Proposal, propose
from app.projects import get_project
from exporters.rejects import write_rejects
from exporters.sheet_reader import SheetData, read_sheet
from models import ImportProfile
from ui import messages, theme
from ui.file_dialogs import (
    Folder,
    ask_open_file,
    ask_save_file,
    problem_with_file,
    remember_folder,
    settings_of,
    typed_path,
)
from ui.import_models import ChoiceDelegate, MappingModel
from ui.import_preview import PreviewPanel, preview_table
from ui.runner import Cancelled, Job, JobContext, Runner
from ui.settings import Settings
from ui.value_mapping_view import ValueStep, apply_chosen

PREVIEW_DELAY_MS = 350
FILE_FILTER = "Spreadsheets and lists (*.xlsx *.xlsm *.xls *.ods *.csv *.txt *.tsv);;nmap scans (*.xml);;All files (*)"
_DELIMITERS = {",": "comma-separated", ";": "semicolon-separated", "\t": "tab-separated", "|": "pipe-separated"}
_ENCODINGS = {"utf-8": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "cp1252": "Windows-1252"}


@dataclass
class LoadedFile:
    path: Path
    sheet: SheetData
    targets: list[ImportTarget]
    suggested: dict[str, str]
    profiles: list[tuple[str, dict[str, str]]]
    #: The saved profile that fits the file best: its value choices for this client are proposed.
    profile_id: str | None = None


def load_file(workspace: Workspace, path: Path, sheet: str | None = None) -> LoadedFile:
    """Read the file and work out the columns to propose (saved profile or suggestions); no Qt, runs on a worker."""
    data = read_sheet(path, sheet)
    with workspace.session() as session:
        targets = import_targets(session)
        suggested = suggest_for(session, data.headers)
        profiles = [(p.name, dict(p.mapping)) for p in list_profiles(session)]
        best = best_profile(session, data.headers)
    return LoadedFile(path, data, targets, suggested, profiles, best.id if best else None)


def preview_with_values(
    workspace: Workspace,
    project_id: str,
    loaded: LoadedFile,
    mapping: dict[str, str],
    options: ImportOptions,
    chosen: dict[tuple[str, str], tuple[Any, str]],
    tags: ClientTags | bool | None,
    progress: Any,
) -> tuple[ImportPreview, Proposal]:
    """The proposed value mapping with the user's choices over it, then the preview; runs on a worker."""
    data = loaded.sheet
    with workspace.session() as session:
        client_id = get_project(session, project_id).client_id
        profile = session.get(ImportProfile, loaded.profile_id) if loaded.profile_id else None
        proposal = propose(session, client_id, data.headers, data.rows, mapping, profile)
        apply_chosen(proposal.values, chosen)
        if tags is not False:
            proposal.client_tags = tags if isinstance(tags, ClientTags) else None
        options.values, options.client_tags = proposal.values, proposal.client_tags
        preview = preview_import(session, project_id, data.headers, data.rows, mapping, options, progress)
    return preview, proposal


class ImportDialog(QDialog):
    """Pick a file → edit the column mapping → preview → import (all accepted rows or none)."""

    imported = Signal(object)  # ImportResult

    def __init__(
        self,
        workspace: Workspace,
        runner: Runner,
        project_id: str,
        actor: str,
        parent: QWidget | None = None,
        *,
        settings: Settings | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace, self.runner, self.project_id, self.actor = workspace, runner, project_id, actor
        self.settings = settings or settings_of(parent)
        self.loaded: LoadedFile | None = None
        self.preview: ImportPreview | None = None
        self._generation = 0
        self._preview_job: Job[tuple[ImportPreview, Proposal]] | None = None
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
        self.path_edit.setObjectName("importPath")
        self.path_edit.setClearButtonEnabled(True)
        self.path_edit.setPlaceholderText(
            "Choose or paste the path of the client's list or an edited Closeout workbook (.xlsx, .xls, .ods or .csv)"
        )
        self.path_edit.editingFinished.connect(self.open_typed_path)
        self.path_edit.textEdited.connect(lambda _t: self._update_import_button())
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
        self.path_problem = QLabel()
        self.path_problem.setObjectName("pathProblem")
        self.path_problem.setWordWrap(True)
        self.path_problem.setStyleSheet(f"color: {c['danger']};")
        self.path_problem.hide()
        layout.addWidget(self.path_problem)

        columns = QGroupBox()
        columns.setFlat(True)
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
        self.mapping_view = preview_table(self.mapping_model)
        self.mapping_view.setItemDelegate(ChoiceDelegate(self.mapping_model, self.mapping_view))
        self.mapping_view.setEditTriggers(
            QAbstractItemView.EditTrigger.CurrentChanged | QAbstractItemView.EditTrigger.SelectedClicked
        )
        header = self.mapping_view.horizontalHeader()
        header.setSectionResizeMode(MappingModel.SAMPLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((MappingModel.COLUMN, 200), (MappingModel.TARGET, 220), (MappingModel.DATES, 150)):
            self.mapping_view.setColumnWidth(column, width)
        self.mapping_view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.mapping_view.setMinimumHeight(120)
        box.addWidget(self.mapping_view, 1)
        self.steps = QTabWidget()
        self.steps.setObjectName("importSteps")
        self.steps.addTab(columns, "1  Columns")
        self.value_step = ValueStep()
        self.value_step.model.choices_changed.connect(self._timer.start)
        self.value_step.tags_changed.connect(self._timer.start)
        self.steps.addTab(self.value_step, "2  Values")
        self.proposal: Proposal | None = None
        layout.addWidget(self.steps, 3)

        self.panel = PreviewPanel()
        self.panel.decisions_changed.connect(self._update_import_button)
        self.chips, self.status_label = self.panel.chips, self.panel.status_label
        self.notes_label, self.rejected_model, self.retag_model = (
            self.panel.notes_label,
            self.panel.rejected_model,
            self.panel.retag_model,
        )
        layout.addWidget(self.panel, 2)

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

    # -- file ------------------------------------------------------------------------------------------------
    def choose_file(self) -> None:
        path = ask_open_file(self, Folder.IMPORT_SOURCE, "Import assets from", FILE_FILTER, self.settings)
        if path is not None:
            self.path_edit.setText(str(path))
            self.open_file(path)

    def open_typed_path(self) -> None:
        """Open the path typed or pasted into the box; what is wrong with it is said under the box, text kept."""
        text = self.path_edit.text()
        if not text.strip() or self._shows_loaded_file():
            self.path_problem.hide()
            self._update_import_button()
            return
        path = typed_path(text)
        problem = problem_with_file(path)
        if problem:
            self._show_path_problem(problem)
            return
        self.open_file(path)

    def _shows_loaded_file(self) -> bool:
        """Whether the path box names the file the preview is of (the preview never imports another file)."""
        return self.loaded is not None and typed_path(self.path_edit.text()) == self.loaded.path

    def _show_path_problem(self, problem: str) -> None:
        self.path_problem.setText(problem)
        self.path_problem.show()
        shown = f" The preview below is still of {self.loaded.path.name}." if self.loaded is not None else ""
        self.status_label.setText(f"The file could not be read.{shown}")
        self._update_import_button()

    def open_file(self, path: Path, sheet: str | None = None) -> None:
        self.path_problem.hide()
        self.status_label.setText("Reading the file…")
        self.runner.run(
            lambda ctx: load_file(self.workspace, path, sheet),
            on_success=self._loaded,
            on_failure=lambda exc: self._show_path_problem(messages.describe(exc)),
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
        remember_folder(self.settings, Folder.IMPORT_SOURCE, loaded.path)
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
        self.value_step.model.chosen.clear()  # another file: its values are proposed afresh
        self.value_step.tags_chosen = False
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
        """Save the column mapping, with this client's value choices and tag choice beside it."""
        mapping = dict(self.mapping_model.mapping)
        proposal = self.proposal
        values = proposal.values.saved_form() if proposal else None
        tags = proposal.client_tags.value if proposal and proposal.client_tags else None

        def work(ctx: JobContext) -> str:
            with self.workspace.transaction() as session:
                client_id = get_project(session, self.project_id).client_id
                return save_profile(
                    session, name=name, mapping=mapping, actor=self.actor, client_id=client_id, values=values,
                    client_tags=tags,
                ).name  # fmt: skip

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
        loaded = self.loaded
        mapping = dict(self.mapping_model.mapping)
        options = ImportOptions(date_orders=dict(self.mapping_model.date_orders))
        chosen = dict(self.value_step.model.chosen)
        tags = self.value_step.client_tags()
        self.status_label.setText("Checking every row…")
        self.import_button.setEnabled(False)

        def work(ctx: JobContext) -> tuple[ImportPreview, Proposal]:
            def progress(done: int, total: int) -> None:
                ctx.check()
                ctx.progress(done, total, "Checking rows…")

            return preview_with_values(
                self.workspace, self.project_id, loaded, mapping, options, chosen, tags, progress
            )

        def done(result: tuple[ImportPreview, Proposal]) -> None:
            if generation == self._generation:
                self._preview_job = None
                preview, self.proposal = result
                self.value_step.show_values(self.proposal.values, self.proposal.options)
                self.value_step.show_tags(self.proposal.client_tags)
                count = self.value_step.model.rowCount()
                self.steps.setTabText(1, f"2  Values ({count})" if count else "2  Values")
                self._show_preview(preview)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._preview_job = None
                self._show_preview(None)
                self.status_label.setText(messages.describe(exc))

        self._preview_job = self.runner.run(work, on_success=done, on_failure=failed, progress="Checking rows…")

    def _show_preview(self, preview: ImportPreview | None) -> None:
        self.preview = preview
        self.panel.show_preview(preview)
        self.mapping_model.set_detected(preview.date_orders if preview else {})
        self.rejects_button.setEnabled(bool(preview and preview.rejected))
        self._update_import_button()

    def _update_import_button(self) -> None:
        preview = self.preview
        approved = self.retag_model.approved_rows()
        count = len(preview.to_write(approved)) if preview else 0
        held = len(preview.retags) - len(approved) if preview else 0
        self.import_button.setEnabled(count > 0 and self._shows_loaded_file())
        text = f"Import {count:,} row{'s' if count != 1 else ''}" if count else "Import"
        self.import_button.setText(text + (f" ({held:,} left out)" if held else ""))

    def run_import(self) -> None:
        preview = self.preview
        retags = self.retag_model.approved_rows()
        if preview is None or not preview.to_write(retags):
            return
        self.import_button.setEnabled(False)

        def work(ctx: JobContext) -> ImportResult:
            def progress(done: int, total: int) -> None:
                ctx.check()
                ctx.progress(done, total, "Importing…")

            with self.workspace.transaction() as session:
                return apply_import(session, preview, actor=self.actor, retags=retags, progress=progress)

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
        name = f"{self.loaded.path.stem} - rejected rows.xlsx"
        if not self.settings.get(Folder.REJECTED_ROWS.option):  # first time: beside the file being imported
            name = str(self.loaded.path.with_name(name))
        path = ask_save_file(self, Folder.REJECTED_ROWS, "Save rejected rows", name, "Excel workbook (*.xlsx)",
                         suffix=".xlsx", settings=self.settings)  # fmt: skip
        if path is not None:
            self.save_rejects(path)

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

    def keyPressEvent(self, event: Any) -> None:  # Enter in the mapping table edits, in the path box opens: no import
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            self.mapping_view.hasFocus() or self.value_step.view.hasFocus() or self.focusWidget() is self.path_edit
        ):
            return
        super().keyPressEvent(event)
