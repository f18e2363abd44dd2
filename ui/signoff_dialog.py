"""The signoff dialog: the client signs on screen or on paper; every signed version is listed and kept."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from app.db import Workspace
from app.journal import to_plain
from app.projects import get_project
from app.signoff import list_signoffs, sign, verify_signoff
from models import ProjectStatus, SignoffMethod
from ui.dialog_guard import values_of
from ui.file_dialogs import Folder, ask_open_file
from ui.handover_models import Column, ProjectDialog, RecordTableModel
from ui.messages import show_error
from ui.runner import Runner
from ui.signature_pad import SignaturePad


class SignoffDialog(ProjectDialog):
    """Collects the signer, their signature (pad or scan) and records a locked signoff version."""

    error_title = "Signoff"
    unsaved_question = (
        "The signoff is not recorded yet: the signature and the signer's name would be lost. "
        "Save records it as a new locked version."
    )

    signed = Signal(int)
    #: Asks the window to export a PDF: ("signoff", project id).
    export_requested = Signal(str, str)

    def __init__(
        self,
        workspace: Workspace,
        project_id: str,
        actor: str,
        runner: Runner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            workspace,
            project_id,
            actor,
            runner,
            parent,
            name="signoffDialog",
            title="Client go-live signoff",
            size=(700, 620),
        )
        self.scan_path: Path | None = None

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.signer_name = QLineEdit()
        self.signer_name.setObjectName("signerName")
        self.signer_title = QLineEdit()
        form = QFormLayout()
        form.addRow("Signed by (client)", self.signer_name)
        form.addRow("Title", self.signer_title)

        self.pad = SignaturePad()
        clear = QPushButton("Clear")
        clear.clicked.connect(self.pad.clear)
        on_screen = QWidget()
        pad_layout = QVBoxLayout(on_screen)
        pad_layout.addWidget(QLabel("The client signs below with a mouse, pen or finger."))
        pad_layout.addWidget(self.pad, 1)
        pad_layout.addWidget(clear, 0, Qt.AlignmentFlag.AlignRight)

        paper = QWidget()
        paper_layout = QVBoxLayout(paper)
        paper_layout.addWidget(QLabel("Print the signoff form, have the client sign it, then attach the scan."))
        self.print_button = QPushButton("Export the form to print…")
        self.scan_button = QPushButton("Attach the signed scan…")
        self.scan_label = QLabel("No scan attached.")
        for w in (self.print_button, self.scan_button, self.scan_label):
            paper_layout.addWidget(w)
        paper_layout.addStretch(1)

        self.method_tabs = QTabWidget()
        self.method_tabs.addTab(on_screen, "Sign on screen")
        self.method_tabs.addTab(paper, "Signed on paper")

        self.versions = RecordTableModel(
            [Column("version", "Version"), Column("status", "Status"), Column("signer", "Signer"),
             Column("signed_at", "Signed at"), Column("intact", "Content intact")]
        )  # fmt: skip
        self.versions_view = QTableView()
        self.versions_view.setModel(self.versions)
        self.versions_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.versions_view.horizontalHeader().setStretchLastSection(True)
        self.versions_view.verticalHeader().setVisible(False)
        self.versions_view.setMaximumHeight(130)

        self.sign_button = QPushButton("Record signoff")
        self.sign_button.setDefault(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.sign_button)
        bottom.addLayout(self.button_row(buttons), 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addWidget(self.method_tabs, 1)
        layout.addWidget(QLabel("<b>Signoff versions</b> (a signed version is locked; signing again supersedes it)"))
        layout.addWidget(self.versions_view)
        layout.addLayout(bottom)

        buttons.rejected.connect(self.reject)
        self.sign_button.clicked.connect(self.record)
        self.scan_button.clicked.connect(self.choose_scan)
        self.print_button.clicked.connect(lambda: self.export_requested.emit("signoff", self.project_id))
        self.reload()

    def edit_state(self) -> object:
        return values_of([self.signer_name, self.signer_title]), self.pad.is_empty(), self.scan_path

    def save(self) -> None:
        self.record()

    def reload(self) -> None:
        with self.workspace.session() as s:
            project = get_project(s, self.project_id)
            closed = project.status == ProjectStatus.CLOSED
            code = project.code
            rows: list[dict[str, Any]] = [
                {"version": v.version, "status": v.status.value.capitalize(), "signer": v.signer_name,
                 "signed_at": str(to_plain(v.signed_at) or "")[:16].replace("T", " "),
                 "intact": "Yes" if verify_signoff(v) else "NO: content changed"}
                for v in list_signoffs(s, self.project_id)
            ]  # fmt: skip
        self.versions.set_rows(rows)
        current = next((r for r in rows if r["status"] == "Signed"), None)
        signer = html.escape(str(current["signer"])) if current else ""
        state = f"signed by {signer} (version {current['version']})" if current else "not signed yet"
        note = " The project is closed; no new version can be signed." if closed else ""
        self.banner.setText(f"<b>{html.escape(code)}</b>: go-live signoff {state}.{note}")
        self.sign_button.setEnabled(not closed)
        self.mark_clean()

    def choose_scan(self) -> None:
        name = ask_open_file(self, Folder.SIGNOFF_SCAN, "Signed form scan", "Scans (*.pdf *.png *.jpg *.jpeg)")
        if name:
            self.set_scan(Path(name))

    def set_scan(self, path: Path) -> None:
        self.scan_path = path
        self.scan_label.setText(f"Scan: {path.name}")
        self.method_tabs.setCurrentIndex(1)

    def record(self) -> None:
        on_screen = self.method_tabs.currentIndex() == 0
        if on_screen and self.pad.is_empty():
            show_error(self, "Signoff", "The client has not signed on the pad yet.")
            return
        if not on_screen and self.scan_path is None:
            show_error(self, "Signoff", "Attach the scan of the signed form first.")
            return
        try:
            data = self.pad.to_png() if on_screen else self.scan_path.read_bytes()  # type: ignore[union-attr]
        except OSError as exc:
            show_error(self, "Signoff", exc)
            return
        name, title = self.signer_name.text(), self.signer_title.text()
        method = SignoffMethod.ON_SCREEN if on_screen else SignoffMethod.PAPER
        filename = "" if on_screen or self.scan_path is None else self.scan_path.name

        def work(s: Session) -> int:
            signoff = sign(s, self.workspace.blobs_dir, self.project_id, signer_name=name, signer_title=title,
                           method=method, file_bytes=data, filename=filename, actor=self.actor)  # fmt: skip
            return signoff.version

        def done(version: Any) -> None:
            self.pad.clear()
            self.scan_path = None
            self.scan_label.setText("No scan attached.")
            self.reload()
            self.show_saved(f"Signoff version {version} recorded")
            self.signed.emit(int(version))

        self.write(work, done)
