"""Many assets at once: select rows in the main table and set their category, status, site or location.

Each asset is journaled on its own (so it syncs as a normal edit) and the whole edit is one undo step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from app.bulk_update import BulkUpdate
from app.errors import CloseoutError, ValidationError
from models import AssetStatus
from ui import asset_io
from ui.asset_form import LABELS
from ui.asset_io import UndoRecord
from ui.runner import JobContext
from ui.shortcuts import SHORTCUTS

if TYPE_CHECKING:
    from ui.asset_table import AssetTableModel
    from ui.extensions import ShellWindow

KEEP = "— keep as is —"
#: The location choice that takes assets out of any building, room or rack (they stay at their site).
NO_LOCATION = "— no location —"
FIELDS = {name: LABELS[name] for name in ("category_id", "status", "site_id", "location_id")}


class BulkEditDialog(QDialog):
    """Choose what to set; fields left at “keep as is” are not touched. Apply emits `apply_requested`; the
    dialog stays open until the edit is written (`values()` is what it sets)."""

    apply_requested = Signal()

    def __init__(
        self,
        count: int,
        categories: asset_io.Choices,
        sites: asset_io.Choices,
        locations: dict[str, asset_io.Choices],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.count = count
        self.setWindowTitle(f"Edit {count} selected assets")
        self.setObjectName("bulkEditDialog")
        #: Site id → its locations (path, id), read once when the dialog opens.
        self.locations = locations
        self.site_names = {site_id: name for name, site_id in sites}
        self.combos: dict[str, QComboBox] = {}
        intro = QLabel(
            f"Set these fields on all {count} selected assets. Fields left at “keep as is” stay as they are; "
            "each asset keeps its history and Undo last save takes the whole edit back.",
            self,
        )
        intro.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("bulkEditError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b91c1c;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.apply_button = self.buttons.addButton(f"Apply to {count} assets", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.buttons.accepted.connect(self.apply_requested.emit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        statuses = [(status.label, status.value) for status in AssetStatus]
        for name, choices in (("category_id", categories), ("status", statuses), ("site_id", sites)):
            self._combo(form, name, choices)
        self._combo(form, "location_id", [])
        self.combos["site_id"].currentIndexChanged.connect(self._fill_locations)
        self._fill_locations()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def _combo(self, form: QFormLayout, name: str, choices: asset_io.Choices) -> None:
        combo = QComboBox(self)
        combo.setObjectName(f"bulk_{name}")
        combo.setAccessibleName(FIELDS[name])
        combo.addItem(KEEP, None)
        for label, value in choices:
            combo.addItem(label, value)
        combo.currentIndexChanged.connect(self._changed)
        form.addRow(FIELDS[name] + ":", combo)
        self.combos[name] = combo

    def _fill_locations(self) -> None:
        """The rooms and racks of the chosen site, or of every site (named with their site) when none is chosen."""
        combo = self.combos["location_id"]
        wanted = combo.currentData()
        site_id = self.combos["site_id"].currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(KEEP, None)
        combo.addItem(NO_LOCATION, "")
        for site, choices in self.locations.items():
            if site_id and site != site_id:
                continue
            for path, location_id in choices:
                combo.addItem(path if site_id else f"{self.site_names.get(site, '')} / {path}", location_id)
        found = combo.findData(wanted) if wanted is not None else -1
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)
        self._changed()

    def _changed(self) -> None:
        self.apply_button.setEnabled(bool(self.values()))
        self.error.hide()

    def set_choice(self, name: str, value: str) -> None:
        """Choose `value` (an id or status) for the field, as picking it from the list does."""
        combo = self.combos[name]
        combo.setCurrentIndex(combo.findData(value))

    def values(self) -> dict[str, str]:
        """Field → value for every field that is to change (an empty location takes assets out of their room)."""
        chosen = {name: combo.currentData() for name, combo in self.combos.items()}
        return {name: value for name, value in chosen.items() if value is not None}

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class BulkEdit:
    """The table's multi-selection, the menu and context-menu action, and running the edit on the db worker."""

    def __init__(self, window: ShellWindow) -> None:
        self.window = window
        self.dialog: BulkEditDialog | None = None
        table = window.table
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.action = QAction("Edit selected…", window.as_widget())
        self.action.setShortcuts([QKeySequence(k) for k in SHORTCUTS["bulk_edit"]])
        self.action.setStatusTip("Set category, status, site or location on every selected asset")
        self.action.triggered.connect(self.open_dialog)
        window.menus["edit"].addSeparator()
        window.menus["edit"].addAction(self.action)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)

    def selected_ids(self) -> list[str]:
        """The ids of the selected rows, top to bottom."""
        model = cast("AssetTableModel", self.window.table.model())
        rows = sorted(index.row() for index in self.window.table.selectionModel().selectedRows())
        found = (model.row_at(row) for row in rows)
        return [row.id for row in found if row is not None]

    def _context_menu(self, pos: QPoint) -> None:
        table = self.window.table
        index = table.indexAt(pos)
        if index.isValid() and not table.selectionModel().isRowSelected(index.row()):
            table.selectRow(index.row())
        count = len(self.selected_ids())
        if not count:
            return
        menu = QMenu(table)
        action = menu.addAction(f"Edit {count} selected asset{'s' if count != 1 else ''}…")
        action.triggered.connect(self.open_dialog)
        menu.exec(table.viewport().mapToGlobal(pos))

    def open_dialog(self) -> BulkEditDialog | None:
        """Open the dialog for the selected assets (non-modal, so tests and scanners can reach it)."""
        ids = self.selected_ids()
        if not ids:
            self.window.show_message("Select the assets to edit in the list first (Shift or Ctrl + click).")
            return None
        editor = self.window.editor
        if editor.dirty and editor.asset is not None and editor.asset.id in ids:
            self.window.show_error("Edit selected assets", f"Save or revert your changes to {editor.asset.tag} first.")
            return None
        ws, client_id = self.window.workspace, editor.client_id
        sites = asset_io.sites(ws, client_id) if client_id else []
        locations = {site_id: asset_io.locations(ws, site_id) for _name, site_id in sites}
        dialog = BulkEditDialog(len(ids), asset_io.categories(ws), sites, locations, self.window.as_widget())
        dialog.apply_requested.connect(lambda: self.apply(dialog, ids))
        self.dialog = dialog
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    def apply(self, dialog: BulkEditDialog, ids: list[str]) -> None:
        """Write the chosen values on the db worker; the dialog closes on success and shows what went wrong
        otherwise (with every choice still made)."""
        values, actor = dialog.values(), self.window.technician()
        dialog.apply_button.setEnabled(False)

        def work(ctx: JobContext) -> tuple[BulkUpdate, UndoRecord | None]:
            def progress(done: int, total: int) -> None:
                ctx.check()
                ctx.progress(done, total, f"Edited {done:,} of {total:,} assets")

            return asset_io.bulk_edit(self.window.workspace, ids, values, actor, progress)

        def failed(exc: BaseException) -> None:
            dialog.apply_button.setEnabled(True)
            if isinstance(exc, ValidationError):
                dialog.show_error("Nothing was changed. " + " ".join(exc.errors.values()))
            elif isinstance(exc, CloseoutError):
                dialog.show_error(f"Nothing was changed. {exc.message}")
            else:
                dialog.show_error(f"Nothing was changed: {exc}")

        self.window.runner.run(
            work, on_success=lambda result: self._done(dialog, *result), on_failure=failed,
            progress="Editing the selected assets…", progress_parent=dialog,
        )  # fmt: skip

    def _done(self, dialog: BulkEditDialog, result: BulkUpdate, undo: UndoRecord | None) -> None:
        dialog.accept()
        if undo is not None:
            self.window.editor.push_undo(undo)
        undo_keys = QKeySequence(SHORTCUTS["undo_save"][0]).toString(QKeySequence.SequenceFormat.NativeText)
        same = f" ({result.unchanged} already had these values)" if result.unchanged else ""
        text = f"Edited {result.changed} asset{'s' if result.changed != 1 else ''}{same}."
        if undo is not None:
            text += f" Undo last save ({undo_keys}) takes the whole edit back."
        self.window.show_message(text, 10_000)
        self.window.data_changed.emit()


def install(window: ShellWindow) -> None:
    window.bulk_edit = BulkEdit(window)  # type: ignore[attr-defined]  # lives as long as the window
