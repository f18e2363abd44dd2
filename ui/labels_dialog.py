"""The label dialog: what to print (assets, a range, a pre-printed run), on which medium, with a preview of the
first sheet; saves a PDF (or ZPL) or prints through the system print dialog at the template's exact size."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.db import Workspace, set_meta_value
from app.errors import CloseoutError
from app.sync.engine import SERVER_KEY
from app.tag_blocks import possible_tags, predicted_run, reserve_run_now
from exporters.label_layout import LabelContent, layout_label
from exporters.label_templates import LabelTemplate, load_templates
from exporters.labels_data import (
    SUPPORT_PHONE_KEY,
    contents_for_assets,
    contents_for_project,
    contents_for_rooms,
    msp_details,
    tag_range,
)
from exporters.labels_pdf import write_labels_pdf
from exporters.labels_zpl import write_labels_zpl
from exporters.pdf_common import logo_path
from ui.label_printing import preview_image, print_pdf
from ui.messages import describe
from ui.runner import JobContext, Runner
from ui.settings import Option, Settings

TEMPLATE = Option("labels/template", "avery-5160")
LOGO = Option("labels/logo", False)
SOURCES = (("assets", "The selected assets"), ("range", "A range of tags"),
           ("run", "A new run of tags for a visit (pre-printed)"),
           ("rooms", "Room labels (scanned on entering a room)"))  # fmt: skip


@dataclass(frozen=True)
class Place:
    """A site, or a location in it, chosen in the navigator; `name` as the dialog says it."""

    site_id: str
    location_id: str | None
    name: str


#: The preview's box: a whole first page fits in it, whatever the medium's shape.
PREVIEW_BOX = (420, 500)


class LabelsDialog(QDialog):
    """`asset_ids`: the assets selected in the window (printed in that order); `place`: the site and location
    selected in the navigator, whose room labels are offered (None: every place of the client); `rooms` opens the
    dialog on the room labels."""

    preview_ready = Signal()
    written = Signal(str)  # the file written or "printer"

    def __init__(self, workspace: Workspace, runner: Runner, settings: Settings, project_id: str,
                 asset_ids: list[str], parent: QWidget | None = None, *, place: Place | None = None,
                 rooms: bool = False) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Print asset labels")
        self.workspace, self.runner, self.settings = workspace, runner, settings
        self.project_id, self.asset_ids = project_id, list(asset_ids)
        self.run_tags: list[str] = []  # a run once reserved: printing again reprints it, never reserves twice
        self.templates, problems = load_templates()
        self._tmp = tempfile.TemporaryDirectory(prefix="closeout-labels-")
        self._preview_serial = 0

        self.template = QComboBox(self)
        self.template.setAccessibleName("Label template")
        for name, template in self.templates.items():
            self.template.addItem(template.title, name)
        self.template.setCurrentIndex(max(0, self.template.findData(settings.get(TEMPLATE))))
        self.source = QComboBox(self)
        self.source.setAccessibleName("What to print")
        for key, text in SOURCES:
            self.source.addItem(text, key)
        self.source.setItemText(0, f"The selected assets ({len(self.asset_ids)})")
        self.place = place
        self.source.setItemText(3, f"Room labels: {place.name} and the places in it" if place else
                                "Room labels: every site and location")  # fmt: skip
        self.source.setCurrentIndex(3 if rooms else 0 if self.asset_ids else 2)
        self.tags = QLineEdit(self)
        self.tags.setPlaceholderText("e.g. ACME-0001..ACME-0100")
        self.count = QSpinBox(self)
        self.count.setRange(1, 1000)
        self.count.setValue(30)
        self.row, self.column = QSpinBox(self), QSpinBox(self)
        for spin, text in ((self.row, "Row"), (self.column, "Column")):
            spin.setMinimum(1)
            spin.setPrefix(f"{text} ")
        start = QHBoxLayout()
        start.addWidget(self.row)
        start.addWidget(self.column)
        self.logo = QCheckBox("Print the MSP's logo where there is room", self)
        self.logo.setChecked(settings.get(LOGO))
        with workspace.session() as s:
            msp, phone = msp_details(s)
        self.support = QLineEdit(phone, self)
        self.support.setPlaceholderText("Printed as “Support: …” on every label")
        form = QFormLayout()
        form.addRow("Labels", self.template)
        form.addRow("Print", self.source)
        form.addRow("Tags", self.tags)
        form.addRow("How many", self.count)
        form.addRow("First free label", start)
        form.addRow("Support phone", self.support)
        form.addRow("", self.logo)
        form.addRow("MSP", QLabel(msp, self))
        self.form = form
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName("labelStatus")
        if problems:
            self.status.setText("Some of your own templates could not be read: " + "; ".join(problems))
        self.preview = QLabel("Preparing the preview…", self)
        self.preview.setObjectName("labelPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedSize(PREVIEW_BOX[0] + 16, PREVIEW_BOX[1] + 16)
        self.preview.setStyleSheet("background: #e4e7eb;")
        self.save_button = QPushButton("Save PDF…", self)
        self.print_button = QPushButton("Print…", self)
        self.print_button.setDefault(True)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        self.save_button.clicked.connect(self.choose_file)
        self.print_button.clicked.connect(self.choose_printer)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.save_button, self.print_button, close):
            buttons.addWidget(button)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.status)
        left.addStretch(1)
        left.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(self.preview)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh_preview)
        for signal in (self.template.currentIndexChanged, self.source.currentIndexChanged, self.tags.textChanged,
                       self.count.valueChanged, self.row.valueChanged, self.column.valueChanged,
                       self.logo.toggled, self.support.textChanged):  # fmt: skip
            signal.connect(self._changed)
        self._changed()

    # -- what is chosen ----------------------------------------------------------------------------------------
    def chosen_template(self) -> LabelTemplate:
        return self.templates[self.template.currentData()]

    def kind(self) -> str:
        return str(self.source.currentData())

    def start(self) -> tuple[int, int]:
        return self.row.value(), self.column.value()

    def _changed(self) -> None:
        template = self.chosen_template()
        sheet = template.kind == "sheet"
        self.row.setMaximum(template.rows)
        self.column.setMaximum(template.columns)
        kind = self.kind()
        self.row.setEnabled(sheet)
        self.column.setEnabled(sheet)
        for field, visible in ((self.tags, kind == "range"), (self.count, kind == "run")):
            field.setVisible(visible)
            label = self.form.labelForField(field)
            if label is not None:
                label.setVisible(visible)
        if kind != "run":
            self.run_tags = []
        self._timer.start()

    def _tags_for_run(self, *, preview: bool) -> list[str]:
        if self.run_tags and len(self.run_tags) == self.count.value():
            return self.run_tags
        online = bool(self.workspace.meta(SERVER_KEY))
        return predicted_run(self.workspace, self._client_id(), self.count.value(), online=online and preview)

    def _client_id(self) -> str:
        from app.projects import get_project

        with self.workspace.session() as s:
            return get_project(s, self.project_id).client_id

    def contents(self, *, preview: bool = True) -> list[LabelContent]:
        """The labels chosen; for a run not yet reserved, the tags it would get (the preview's sample)."""
        phone = self.support.text().strip()
        with self.workspace.session() as s:
            kind = self.kind()
            if kind == "assets":
                if not self.asset_ids:
                    raise CloseoutError("Select an asset in the table first, or print a range or a new run.")
                found = contents_for_assets(s, self.asset_ids)
            elif kind == "range":
                found = contents_for_project(s, self.project_id, tag_range(self.tags.text()))
            elif kind == "rooms":
                site_id, location_id = (self.place.site_id, self.place.location_id) if self.place else (None, None)
                found = contents_for_rooms(s, self.project_id, site_id, location_id)
            else:
                found = contents_for_project(s, self.project_id, self._tags_for_run(preview=preview))
        return [replace(c, support_phone=phone) for c in found]

    # -- preview -----------------------------------------------------------------------------------------------
    def refresh_preview(self) -> None:
        self._preview_serial += 1
        serial = self._preview_serial
        try:
            template, contents = self.chosen_template(), self.contents()
            for content in contents[:1] + contents[-1:]:
                layout_label(template, content)
        except CloseoutError as exc:
            self._show_problem(exc.message)
            return
        start, logo = self.start(), logo_path() if self.logo.isChecked() else None
        out = Path(self._tmp.name) / f"preview-{serial}.pdf"

        def work(_ctx: JobContext) -> Path:
            write_labels_pdf(template, contents[: template.per_page], out, start=start, logo=logo, max_pages=1)
            return out

        def done(path: Path) -> None:
            if serial != self._preview_serial:
                return  # a newer choice is being previewed
            width, height = template.page_mm
            fit = int(min(PREVIEW_BOX[0], PREVIEW_BOX[1] * width / height))
            self.preview.setPixmap(QPixmap.fromImage(preview_image(path, template, fit)))
            count = len(contents)
            pages = -(-(count + (start[0] - 1) * template.columns + start[1] - 1) // template.per_page)
            sheets = f" on {pages} sheet{'s' if pages != 1 else ''}" if template.kind == "sheet" else ""
            note = " The run's tags are reserved when you print or save." if self.kind() == "run" and not \
                self.run_tags else ""  # fmt: skip
            what = "room label" if contents[0].title else "label"
            self.status.setText(f"{count} {what}{'s' if count != 1 else ''}{sheets}: {contents[0].shown} … "
                                f"{contents[-1].shown}.{note}")  # fmt: skip
            self._enable(True)
            self.preview_ready.emit()

        self.runner.run(work, on_success=done, on_failure=lambda e: self._show_problem(describe(e)), pool="cpu")

    def _show_problem(self, text: str) -> None:
        self.status.setText(text)
        self.preview.setText("No preview")
        self._enable(False)
        self.preview_ready.emit()

    def _enable(self, ok: bool) -> None:
        self.save_button.setEnabled(ok)
        self.print_button.setEnabled(ok)

    # -- output ------------------------------------------------------------------------------------------------
    def _resolver(self) -> Callable[[], tuple[list[LabelContent], str]]:
        """Read the choices here (GUI thread); the returned function reserves a run if needed and reads the labels
        on a worker, returning them and the run's note."""
        with self.workspace.transaction() as s:
            set_meta_value(s, SUPPORT_PHONE_KEY, self.support.text().strip())
        self.settings.set(TEMPLATE, self.template.currentData())
        self.settings.set(LOGO, self.logo.isChecked())
        if self.kind() != "run" or len(self.run_tags) == self.count.value():
            contents = self.contents(preview=False)
            return lambda: (contents, "")
        ws, client_id, count, project_id = self.workspace, self._client_id(), self.count.value(), self.project_id
        phone = self.support.text().strip()

        def resolve() -> tuple[list[LabelContent], str]:
            run = reserve_run_now(ws, client_id, count)
            with ws.session() as s:
                found = contents_for_project(s, project_id, run.tags)
            return [replace(c, support_phone=phone) for c in found], run.note

        return resolve

    def _output(self, write: Callable[[list[LabelContent]], object], after: Callable[[list[LabelContent]], None],
                progress: str | None = None) -> None:  # fmt: skip
        """Resolve the labels and `write` them on a worker; `after` runs on the GUI thread."""
        template = self.chosen_template()
        try:
            resolve = self._resolver()
            if self.kind() == "run" and len(self.run_tags) != self.count.value():
                samples = [
                    LabelContent(t) for t in possible_tags(self.workspace, self._client_id(), self.count.value())
                ]
            else:
                samples = self.contents()
            for sample in samples[:1] + samples[-1:]:
                layout_label(template, sample)  # nothing is reserved for labels that could not be printed
        except CloseoutError as exc:
            self._show_problem(exc.message)
            return
        is_run = self.kind() == "run"

        def work(_ctx: JobContext) -> tuple[list[LabelContent], str]:
            contents, note = resolve()
            write(contents)
            return contents, note

        def done(result: tuple[list[LabelContent], str]) -> None:
            contents, note = result
            if is_run:
                self.run_tags = [c.tag for c in contents]
            after(contents)
            if note:
                self.status.setText(self.status.text() + " " + note)

        self.runner.run(work, on_success=done, on_failure=lambda e: self._show_problem(describe(e)),
                        pool="net" if is_run else "cpu", progress=progress, progress_parent=self)  # fmt: skip

    def choose_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save labels", "labels.pdf", "PDF (*.pdf);;Zebra ZPL (*.zpl)")
        if name:
            self.save_to(Path(name))

    def save_to(self, path: Path) -> None:
        template, start = self.chosen_template(), self.start()
        logo = logo_path() if self.logo.isChecked() else None

        def write(contents: list[LabelContent]) -> None:
            if path.suffix.lower() == ".zpl":
                write_labels_zpl(template, contents, path)
            else:
                write_labels_pdf(template, contents, path, start=start, logo=logo)

        def after(contents: list[LabelContent]) -> None:
            self.status.setText(f"Saved {len(contents)} labels to {path}.")
            self.written.emit(str(path))

        self._output(write, after, "Writing the labels…")

    def choose_printer(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print labels")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        template, start = self.chosen_template(), self.start()
        logo = logo_path() if self.logo.isChecked() else None
        out = Path(self._tmp.name) / "print.pdf"

        def after(contents: list[LabelContent]) -> None:
            try:
                pages = print_pdf(out, printer, template)
            except OSError as exc:
                self._show_problem(str(exc))
                return
            self.status.setText(f"Sent {len(contents)} labels ({pages} page{'s' if pages != 1 else ''}) to the "
                                "printer.")  # fmt: skip
            self.written.emit("printer")

        self._output(lambda contents: write_labels_pdf(template, contents, out, start=start, logo=logo), after)

    def done(self, result: int) -> None:
        super().done(result)
        self._tmp.cleanup()
