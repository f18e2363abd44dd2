"""The import dialog's preview: counts, then tabs for tag changes to confirm, new rows, updated fields (old → new)
and rejected rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.importing import ImportPreview, RowStatus
from ui import theme
from ui.import_models import ChangesModel, NewRowsModel, RejectedModel, RetagModel


def preview_table(model: Any) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setStretchLastSection(True)
    return view


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


class PreviewPanel(QGroupBox):
    """What the import will do, row by row; the rows that would change an asset's tag wait for a tick."""

    decisions_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Preview", parent)
        c = theme.colors()
        box = QVBoxLayout(self)
        chips = QHBoxLayout()
        self.chips = {kind: Chip(kind) for kind in ("new", "updated", "unchanged", "rejected")}
        for chip in self.chips.values():
            chips.addWidget(chip)
        chips.addStretch(1)
        self.status_label = QLabel("Choose a file to see what will be imported.")
        self.status_label.setStyleSheet(f"color: {c['muted']};")
        chips.addWidget(self.status_label)
        box.addLayout(chips)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setStyleSheet(
            f"color: {c['warn']}; background: {c['warnSoft']}; border-radius: 6px; padding: 6px 8px;"
        )
        self.notes_label.hide()
        box.addWidget(self.notes_label)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("previewTabs")
        self.retag_model = RetagModel(self)
        self.retag_model.decisions_changed.connect(self.decisions_changed)
        self.retag_page = QWidget()
        retag_box = QVBoxLayout(self.retag_page)
        retag_box.setContentsMargins(6, 6, 6, 6)
        self.retag_note = QLabel()
        # no word wrap: a label that wraps makes the layout size by height-for-width and squeeze the columns
        retag_row = QHBoxLayout()
        retag_row.addWidget(self.retag_note, 1)
        self.retag_all_button = QPushButton("Re-tag all")
        self.retag_none_button = QPushButton("Leave all out")
        for button, retag in ((self.retag_all_button, True), (self.retag_none_button, False)):
            button.setAutoDefault(False)
            button.clicked.connect(lambda _c=False, r=retag: self.retag_model.decide_all(r))
            retag_row.addWidget(button)
        retag_box.addLayout(retag_row)
        self.retag_view = preview_table(self.retag_model)
        self.retag_view.setColumnWidth(RetagModel.APPLY, 110)
        self.retag_view.setColumnWidth(RetagModel.ROW, 56)
        for column in (RetagModel.SERIAL, RetagModel.TAG_NOW, RetagModel.TAG_NEW):
            self.retag_view.setColumnWidth(column, 120)
        retag_box.addWidget(self.retag_view)
        self.new_model = NewRowsModel(self)
        self.changes_model = ChangesModel(self)
        self.rejected_model = RejectedModel(self)
        self.new_view = preview_table(self.new_model)
        self.changes_view = preview_table(self.changes_model)
        self.rejected_view = preview_table(self.rejected_model)
        self.rejected_view.setWordWrap(True)
        for view in (self.new_view, self.changes_view, self.rejected_view):
            view.setColumnWidth(0, 56)
            view.setColumnWidth(1, 110)
        self.changes_view.setColumnWidth(2, 150)
        self.changes_view.setColumnWidth(3, 220)
        self.tabs.addTab(self.retag_page, "")
        self.tabs.addTab(self.new_view, "")
        self.tabs.addTab(self.changes_view, "")
        self.tabs.addTab(self.rejected_view, "")
        # sized by the dialog's stretch factors, not by the tables' wish for rows: the columns keep their room
        self.tabs.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.tabs.setMinimumHeight(150)
        box.addWidget(self.tabs, 1)

    def show_preview(self, preview: ImportPreview | None) -> None:
        counts = {s: preview.count(s) if preview else 0 for s in RowStatus}
        for status in RowStatus:
            self.chips[status.value].setText(f"{counts[status]:,} {status.value}")
        rows = preview.rows if preview else []
        retags = preview.retags if preview else []
        self.retag_model.load(preview, retags)
        self.new_model.load(preview, [r for r in rows if r.status == RowStatus.NEW])
        self.changes_model.load(preview, [r for r in rows if r.status == RowStatus.UPDATED and not r.retag_from])
        self.rejected_model.load(preview, preview.rejected if preview else [])
        self.rejected_view.resizeRowsToContents()
        tabs = (
            (self.retag_page, f"Tag changes to confirm ({len(retags):,})"),
            (self.new_view, f"New ({self.new_model.rowCount():,})"),
            (self.changes_view, f"Updated ({len(self.changes_model.rows):,})"),
            (self.rejected_view, f"Rejected ({self.rejected_model.rowCount():,})"),
        )
        for widget, label in tabs:
            self.tabs.setTabText(self.tabs.indexOf(widget), label)
        self.tabs.setTabVisible(self.tabs.indexOf(self.retag_page), bool(retags))
        if retags:
            self.tabs.setCurrentWidget(self.retag_page)  # asked first: these rows wait for the user's word
            many = len(retags) != 1
            what = (
                "have the serial numbers of existing assets but other tags"
                if many
                else "has the serial number of an existing asset but another tag"
            )
            self.retag_note.setText(
                f"<b>{len(retags):,} row{'s' if many else ''}</b> {what}.<br>Tick <b>Re-tag</b> to give the asset "
                "the tag in the file (and the row's other changes); unticked rows are left out."
            )
        elif self.tabs.currentWidget() is self.retag_page or preview is None:
            self.tabs.setCurrentWidget(self.rejected_view if preview and preview.rejected else self.new_view)
        notes = preview.notes if preview else []
        self.notes_label.setText("\n".join(notes))
        self.notes_label.setVisible(bool(notes))
        if preview is not None:
            self.status_label.setText(
                "Rejected rows are left out; fix them in the file or save them to a workbook."
                if preview.rejected
                else "Tick the tag changes to make; the others are left out."
                if retags
                else "Every row can be imported."
            )
