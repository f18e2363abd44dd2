"""Screenshots of the import and export dialogs on a demo workspace: `xvfb-run -a .venv/bin/python
tests/excel/make_screenshots.py` writes docs/screenshots/import-dialog.png (the tag change to confirm),
import-dialog-updated.png (the updated fields, old → new), import-dialog-values.png (a Snipe-IT export's values and
what each becomes) and export-dialog.png."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from app.db import open_workspace
from app.demo import seed_demo
from models import Asset
from tests.excel import client_lists
from tests.excel.excel_files import write_csv
from ui.export_dialog import ExportDialog
from ui.import_dialog import ImportDialog
from ui.runner import Runner
from ui.settings import Settings
from ui.theme import apply_theme

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ROWS = [
    ["Northwind Dental Group — hardware list (exported from the old RMM)"],
    ["Printed 3 May 2026"],
    [],
    ["Tag #", "S/N", "Make", "Model", "Computer Name", "IP", "Purchased", "Warranty Expiry", "Site", "Room"],
    ["NWD-00301", "5CG1234XYZ", "HP", "EliteBook 840 G9", "nwd-lap-031", "10.10.4.31", "03/04/2024", "03/04/2027",
     "Main Clinic", "Building A / Floor 2 / Back office"],
    ["NWD-00302", "1.23E+11", "Dell", "Latitude 5440", "nwd-lap-032", "10.10.4.32", "25/12/2023", "25/12/2026",
     "Main Clinic", "Building A / Floor 2 / Back office"],
    ["NWD-00303", "PF3XK2LM", "Lenovo", "ThinkPad T14", "nwd lap 033", "10.10.4.330", "14/01/2024", "14/01/2027",
     "Eastside Clinic", "Reception"],
    ["NWD-00010", "", "", "", "", "10.10.1.10", "", "", "", ""],
    ["", "NOSUCH-77", "Brother", "HL-L2350", "", "", "", "", "", ""],
    ["NWD-00304", "C02XK1ABCD", "Apple", "MacBook Air M2", "nwd-lap-034", "10.10.4.34", "02/02/2024", "02/02/2027",
     "Main Clinic", "Toaster room"],
] + [
    [f"NWD-{n:05d}", f"PF{n:06d}", "Lenovo", "ThinkPad T14 Gen 4", f"nwd-lap-{n:03d}", f"10.10.5.{n % 200 + 2}",
     "01/03/2024", "01/03/2027", "Main Clinic", "Building A / Floor 1 / Imaging"]
    for n in range(320, 356)
]  # fmt: skip


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    tmp = Path(tempfile.mkdtemp(prefix="closeout-shots-"))
    settings = Settings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat))
    apply_theme(app, settings, "light")
    ws = open_workspace(tmp / "ws")
    with ws.transaction() as session:
        project_id = seed_demo(session).id
        relabelled = session.scalars(select(Asset).where(Asset.asset_tag == "NWD-00012")).one()
        moved = ["NWD-00305", relabelled.serial, relabelled.manufacturer, relabelled.model, relabelled.hostname]
    runner = Runner(None, synchronous=True)
    OUT.mkdir(parents=True, exist_ok=True)

    dialog = ImportDialog(ws, runner, project_id, "alex.tech", settings=settings)
    dialog.show()
    rows = [*ROWS[:9], [*moved, "", "", "", "", ""], *ROWS[9:]]  # a relabelled asset: its serial under a new tag
    dialog.open_file(write_csv(tmp / "Northwind hardware.csv", rows, encoding="cp1252", delimiter=";"))
    for _ in range(20):
        app.processEvents()
    dialog.grab().save(str(OUT / "import-dialog.png"))
    dialog.panel.tabs.setCurrentWidget(dialog.panel.changes_view)
    for _ in range(5):
        app.processEvents()
    dialog.grab().save(str(OUT / "import-dialog-updated.png"))

    values = ImportDialog(ws, runner, project_id, "alex.tech", settings=settings)
    values.show()
    values.open_file(client_lists.snipe_it(tmp))
    for _ in range(20):
        app.processEvents()
    values.steps.setCurrentWidget(values.value_step)
    values.value_step.view.setFocus()
    values.value_step.view.setCurrentIndex(values.value_step.model.index(2, 3))
    for _ in range(10):
        app.processEvents()
    values.grab().save(str(OUT / "import-dialog-values.png"))
    values.close()

    export = ExportDialog(ws, runner, project_id, settings=settings)
    export.path_edit.setText("/home/alex/Documents/NWD-ONB inventory 2026-05-04.xlsx")
    export.show()
    for _ in range(20):
        app.processEvents()
    export.grab().save(str(OUT / "export-dialog.png"))
    dialog.close()
    export.close()
    ws.close()
    print(f"Wrote {OUT / 'import-dialog.png'}, {OUT / 'import-dialog-updated.png'} and {OUT / 'export-dialog.png'}")


if __name__ == "__main__":
    main()
