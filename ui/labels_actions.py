"""Plugs labels into the main window: the label dialog, a label after each quick-tag save, camera scanning.

The dialogs, reportlab and QtMultimedia are loaded when first used, not at start-up.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog

from ui.runner import JobContext
from ui.settings import Option, Settings

if TYPE_CHECKING:
    from ui.extensions import ShellWindow
    from ui.labels_dialog import Place

AFTER_SAVE = Option("labels/after_save", False)
AFTER_SAVE_TEMPLATE = Option("labels/after_save_template", "brother-ql-62")
PRINTER = Option("labels/printer", "")


class LabelsActions:
    """The menu actions and the label-after-save listener; kept on the window so they live as long as it does."""

    def __init__(self, window: ShellWindow) -> None:
        self.window = window
        self.settings: Settings = getattr(window, "settings", None) or Settings()
        parent = window.as_widget()
        #: Makes the printer for labels after saves (tests give a PDF printer; the default is the chosen one).
        self.printer_factory: Callable[[], QPrinter] = self._saved_printer
        self.printed: set[str] = set()  # assets labelled this session: an edit of one does not print it again
        menu = window.menus["project"]
        menu.addSeparator()
        self.open_action = QAction("Print &labels…", parent)
        self.open_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.open_action.triggered.connect(self.open_dialog)
        self.after_save_action = QAction("Print a label after each &save", parent)
        self.after_save_action.setCheckable(True)
        self.after_save_action.setChecked(self.settings.get(AFTER_SAVE))
        self.after_save_action.toggled.connect(self.set_after_save)
        self.rooms_action = QAction("Print &room labels…", parent)
        self.rooms_action.setObjectName("room_labels")
        self.rooms_action.setToolTip("Labels to stick by each door; scanning one sets the room being audited")
        self.rooms_action.triggered.connect(lambda: self.open_dialog(rooms=True))
        window.actions_by_name["room_labels"] = self.rooms_action
        self.camera_action = QAction("Scan with the &camera…", parent)
        self.camera_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.camera_action.triggered.connect(self.open_camera)
        for action in (self.open_action, self.rooms_action, self.after_save_action, self.camera_action):
            menu.addAction(action)
        editor = getattr(window, "editor", None)
        if editor is not None:
            editor.saved.connect(self.asset_saved)
        for action in (self.open_action, self.rooms_action):
            window.project_changed.connect(lambda pid, action=action: action.setEnabled(bool(pid)))
            action.setEnabled(bool(window.current_project_id()))

    # -- the dialog --------------------------------------------------------------------------------------------
    def selected_asset_ids(self) -> list[str]:
        table, model = getattr(self.window, "table", None), getattr(self.window, "table_model", None)
        ids: list[str] = []
        if table is not None and model is not None:
            for index in table.selectionModel().selectedRows():
                row = model.row_at(index.row())
                if row is not None:
                    ids.append(row.id)
        editor = getattr(self.window, "editor", None)
        if not ids and editor is not None and editor.asset is not None:
            ids.append(editor.asset.id)
        return ids

    def selected_place(self) -> Place | None:
        """The site or location selected in the navigator (None: something else, or nothing)."""
        from ui.labels_dialog import Place

        tree, navigator = getattr(self.window, "tree", None), getattr(self.window, "navigator", None)
        node = navigator.node(tree.currentIndex()) if tree is not None and navigator is not None else None
        if node is None or node.kind not in ("site", "location") or node.site_id is None:
            return None
        return Place(node.site_id, node.location_id, node.name)

    def open_dialog(self, *, rooms: bool = False) -> QDialog | None:
        project_id = self.window.current_project_id()
        if not project_id:
            self.window.show_error("Print labels", "Select a project first.")
            return None
        from ui.labels_dialog import LabelsDialog

        dialog = LabelsDialog(self.window.workspace, self.window.runner, self.settings, project_id,
                              self.selected_asset_ids(), self.window.as_widget(), place=self.selected_place(),
                              rooms=rooms)  # fmt: skip
        dialog.written.connect(lambda _where: self.window.data_changed.emit())  # a run reserved tags
        dialog.open()
        return dialog

    # -- a label after each save -------------------------------------------------------------------------------
    def _saved_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        name = self.settings.get(PRINTER)
        if name:
            printer.setPrinterName(name)
        return printer

    def set_after_save(self, on: bool) -> None:
        if on and not self.settings.get(PRINTER) and self.printer_factory == self._saved_printer:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            dialog = QPrintDialog(printer, self.window.as_widget())
            dialog.setWindowTitle("The label printer for labels after each save")
            if dialog.exec() != QDialog.DialogCode.Accepted:
                self.after_save_action.setChecked(False)
                return
            self.settings.set(PRINTER, printer.printerName())
        self.settings.set(AFTER_SAVE, on)
        self.window.show_message("A label is printed after each save of a new asset." if on else
                                 "No more labels after saves.")  # fmt: skip

    def asset_saved(self, asset_id: str) -> None:
        if not self.after_save_action.isChecked() or asset_id in self.printed:
            return
        self.printed.add(asset_id)
        from exporters.label_templates import find_template
        from exporters.labels_data import contents_for_assets
        from exporters.labels_pdf import write_labels_pdf
        from ui.label_printing import print_pdf

        workspace = self.window.workspace
        try:
            template = find_template(self.settings.get(AFTER_SAVE_TEMPLATE))
        except Exception as exc:  # a template the MSP removed: say so, keep tagging
            self.window.show_error("Label after save", exc)
            return
        handle, name = tempfile.mkstemp(prefix="closeout-label-", suffix=".pdf")
        os.close(handle)
        out = Path(name)

        def work(_ctx: JobContext) -> str:
            with workspace.session() as s:
                contents = contents_for_assets(s, [asset_id])
            write_labels_pdf(template, contents, out)
            return contents[0].tag

        def done(tag: str) -> None:
            try:
                print_pdf(out, self.printer_factory(), template)
            except OSError as exc:
                self.window.show_error("Label after save", exc)
                return
            finally:
                out.unlink(missing_ok=True)
            self.window.show_message(f"Label for {tag} sent to the printer.")

        def failed(exc: BaseException) -> None:
            out.unlink(missing_ok=True)
            self.printed.discard(asset_id)
            self.window.show_error("Label after save", exc)

        self.window.runner.run(work, on_success=done, on_failure=failed, pool="cpu")

    # -- camera ------------------------------------------------------------------------------------------------
    def open_camera(self) -> QDialog:
        from ui.camera_scan import CameraDialog

        dialog = CameraDialog(self.window.runner, self.scan, self.window.as_widget())
        dialog.open()
        return dialog

    def scan(self, tag: str) -> None:
        """A tag read by the camera goes where a USB scanner's would: quick-tag's scan."""
        quick: Any = getattr(self.window, "quick", None)
        if quick is None:
            self.window.show_message(f"Read {tag}.")
            return
        quick.scan(tag, scanned=True)  # as a scanner's: unsaved edits are saved, never asked about mid-run


def install(window: ShellWindow) -> None:
    window.labels_actions = LabelsActions(window)  # type: ignore[attr-defined]
