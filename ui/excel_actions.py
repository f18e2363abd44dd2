"""Excel in the main window: File → Export → Inventory workbook, File → Import → Assets from Excel or CSV.

The dialogs (and openpyxl, the exporters and the importers behind them) are imported when the user first opens
one, not at start-up: together they cost about half a second of import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

if TYPE_CHECKING:
    from app.importing import ImportResult
    from exporters.xlsx_export import ExportReport
    from ui.export_dialog import ExportDialog
    from ui.extensions import ShellWindow
    from ui.import_dialog import ImportDialog


def install(window: ShellWindow) -> None:
    widget = window.as_widget()
    export = QAction("Inventory workbook (Excel)…", widget)
    export.setObjectName("exportInventoryAction")
    export.setStatusTip("Write the project's assets, locations, actions and history to an .xlsx workbook")
    export.triggered.connect(lambda: open_export(window))
    window.menus["file.export"].addAction(export)
    imp = QAction("Assets from Excel or CSV…", widget)
    imp.setObjectName("importAssetsAction")
    imp.setStatusTip("Import a client's inventory list or an edited Closeout workbook, with a preview first")
    imp.triggered.connect(lambda: open_import(window))
    window.menus["file.import"].addAction(imp)


def open_export(window: ShellWindow) -> ExportDialog:
    from ui.export_dialog import ExportDialog

    dialog = ExportDialog(window.workspace, window.runner, window.current_project_id(), window.as_widget())

    def exported(report: ExportReport) -> None:
        window.show_message(f"Wrote {report.path.name}: {report.assets:,} assets, {len(report.sheets)} sheets.", 8000)

    dialog.exported.connect(exported)
    dialog.open()
    return dialog


def open_import(window: ShellWindow) -> ImportDialog | None:
    project_id = window.current_project_id()
    if not project_id:
        window.show_error("Import assets", "Choose the project to import into first.")
        return None
    from ui.import_dialog import ImportDialog

    dialog = ImportDialog(window.workspace, window.runner, project_id, window.technician(), window.as_widget())

    def imported(result: ImportResult) -> None:
        window.data_changed.emit()
        skipped = f", {result.skipped:,} tag changes left out" if result.skipped else ""
        window.show_message(
            f"Imported {result.created:,} new and {result.updated:,} updated assets "
            f"({result.unchanged:,} unchanged, {result.rejected:,} rejected{skipped}).",
            8000,
        )

    dialog.imported.connect(imported)
    dialog.open()
    return dialog
