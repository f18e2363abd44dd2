"""Take the screenshots in docs/screenshots from the real app on a fresh demo workspace (run under Xvfb).

xvfb-run -a .venv/bin/python -m ui.screenshots [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from app.db import Workspace, open_workspace
from app.demo import seed_demo
from ui import asset_io
from ui.collector import GuiThreadCollector
from ui.main_window import MainWindow
from ui.settings import SOUND, TECHNICIAN, Settings
from ui.theme import apply_theme


def settle(app: QApplication, window: MainWindow) -> None:
    for _ in range(5):
        app.processEvents()
        window.runner.wait()
    app.processEvents()


def save(widget: QWidget, path: Path) -> None:
    image = widget.grab().toImage()
    image.save(str(path), "PNG", 0)  # type: ignore[call-overload]  # 0: the smallest PNG; the stubs say bytes, Qt takes str
    print(f"{path}  {image.width()}x{image.height()}  {path.stat().st_size // 1024} KB")


def label_photo(path: Path, tag: str) -> Path:
    """A stand-in for a phone photo of an asset label."""
    image = QImage(640, 420, QImage.Format.Format_RGB32)
    image.fill(QColor("#5b6470"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#f4f4f0"))
    painter.drawRoundedRect(120, 110, 400, 200, 14, 14)
    painter.setPen(QColor("#111"))
    painter.setFont(QFont("DejaVu Sans", 30, QFont.Weight.Bold))
    painter.drawText(120, 130, 400, 80, Qt.AlignmentFlag.AlignCenter, tag)
    for x in range(160, 480, 7):
        painter.fillRect(x, 220, 3 + (x % 3), 60, QColor("#111"))
    painter.end()
    image.save(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    GuiThreadCollector(app)
    tmp = Path(tempfile.mkdtemp(prefix="closeout-shots-"))
    ws = open_workspace(tmp / "workspace")
    with ws.transaction() as session:
        seed_demo(session)
    settings = Settings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    settings.set(TECHNICIAN, "alex.tech")
    settings.set(SOUND, False)
    apply_theme(app, settings, "light")
    window = MainWindow(ws, settings=settings)
    window.resize(1440, 900)
    window.show()
    settle(app, window)

    # An asset with a history: a server with its configuration fields, edited twice, with a photo.
    window.quick.scan("NWD-00004")
    editor = window.editor
    settle(app, window)
    if editor.asset is not None:
        asset_io.update(ws, editor.asset.id, {"assigned_user": "Sofia Martínez"}, "alex.tech")
        asset_io.update(ws, editor.asset.id, {"notes": "Re-labelled after the rack move."}, "sam.field")
        asset_io.add_photos(ws, editor.asset.id, [label_photo(tmp / "label.png", editor.asset.tag)], "alex.tech")
        editor.open_asset(editor.asset.id)
    window.table.selectRow(3)
    settle(app, window)
    save(window, args.out / "main-light.png")
    editor.tabs.setCurrentIndex(2)
    settle(app, window)
    save(editor, args.out / "asset-history.png")
    editor.tabs.setCurrentIndex(0)

    # Quick tag: a scan of an unknown tag starts a new asset in the chosen room.
    location = window.navigator.find("location", _room_id(window))
    if location.isValid():
        window.tree.setCurrentIndex(location)
    window.quick.scan("NWD-00301")
    server = _category(editor, "Server")
    editor.form.set_value("category_id", server)
    editor._category_switched(server)
    for name, value in (("manufacturer", "Dell"), ("model", "PowerEdge R660"), ("serial", "8XKQ2V3")):
        editor.form.set_value(name, value)
    editor.save()  # required fields missing: the messages show under them
    editor.form.inputs["custom.role"].setFocus()
    settle(app, window)
    save(editor, args.out / "asset-editor.png")
    for name, value in (("custom.role", "Hypervisor host"), ("custom.backed_up", "yes"), ("custom.rack_units", "1")):
        editor.form.set_value(name, value)
    editor.save()
    window.quick.scan("NWD-00302")  # the next scan starts a new asset in the same room and category
    editor.form.set_value("manufacturer", "Dell")
    editor.form.set_value("model", "PowerEdge R660")
    editor.form.inputs["serial"].setFocus()
    settle(app, window)
    save(window, args.out / "quick-tag.png")
    editor.revert()

    window.tree.setCurrentIndex(window.navigator.find("project", window.current_project_id() or ""))
    window.filters.attention.setChecked(True)
    settle(app, window)
    window.table.selectRow(1)
    settle(app, window)
    save(window, args.out / "needs-attention.png")
    window.filters.attention.setChecked(False)

    apply_theme(app, settings, "dark")
    window.refresh_icons()
    window.quick.scan("NWD-00004")
    settle(app, window)
    save(window, args.out / "main-dark.png")
    apply_theme(app, settings, "light")

    dialog = window.open_settings()
    settle(app, window)
    save(dialog, args.out / "settings.png")
    dialog.reject()
    save_conflicts(app, window, ws, args.out / "conflicts.png")
    save_bulk_edit_and_photos(app, window, tmp, args.out)
    save_screen_sizes(app, window, settings, args.out)
    editor._set_dirty(False)
    window.close()
    ws.close()


def save_bulk_edit_and_photos(app: QApplication, window: MainWindow, tmp: Path, out: Path) -> None:
    """The bulk edit of five selected assets, then an asset's photo strip with a photo selected for removal."""
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    from ui.bulk_edit import BulkEdit

    window.tree.setCurrentIndex(window.navigator.find("project", window.current_project_id() or ""))
    settle(app, window)
    model = window.table_model
    rows = QItemSelection(model.index(2, 0), model.index(6, model.columnCount() - 1))
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    window.table.selectionModel().select(rows, flags)
    bulk: BulkEdit = window.bulk_edit  # type: ignore[attr-defined]
    dialog = bulk.open_dialog()
    if dialog is not None:
        dialog.set_choice("status", "spare")
        sites = dialog.combos["site_id"]
        sites.setCurrentIndex(1)
        dialog.combos["location_id"].setCurrentIndex(2)
        settle(app, window)
        save(dialog, out / "bulk-edit.png")
        dialog.reject()
    editor = window.editor
    window.quick.scan("NWD-00004")
    settle(app, window)
    if editor.asset is not None:
        asset_io.add_photos(
            window.workspace, editor.asset.id, [label_photo(tmp / "rack.png", "RACK B-07")], "alex.tech"
        )
        editor.open_asset(editor.asset.id)
    editor.tabs.setCurrentWidget(editor.photos)
    settle(app, window)
    editor.photos.view.setCurrentIndex(editor.photos.model.index(1, 0))
    settle(app, window)
    save(editor, out / "photo-strip.png")
    editor.tabs.setCurrentIndex(0)


#: Laptop screens technicians carry, and a desktop's (run under a screen at least this large: xvfb-run -s ...).
SCREEN_SIZES = ((1024, 700), (1366, 768), (1920, 1080))


def save_screen_sizes(app: QApplication, window: MainWindow, settings: Settings, out: Path) -> None:
    """The window at each screen size, light and dark, with an asset open in the editor."""
    for theme in ("light", "dark"):
        apply_theme(app, settings, theme)
        window.refresh_icons()
        for width, height in SCREEN_SIZES:
            window.resize(width, height)
            window.quick.scan("NWD-00012")
            settle(app, window)
            save(window, out / f"window-{width}x{height}-{theme}.png")
    apply_theme(app, settings, "light")
    window.refresh_icons()


def save_conflicts(app: QApplication, window: MainWindow, ws: Workspace, path: Path) -> None:
    """The conflicts view with what a sync typically leaves: a field edited on two laptops, and an edit kept
    here after the server withdrew the technician's access to the project (rows as the sync engine writes them)."""
    from sqlalchemy import select

    from models import Asset, Conflict
    from ui.conflicts_view import ConflictsDialog

    with ws.transaction() as s:
        first, second = s.scalars(select(Asset).order_by(Asset.asset_tag).limit(2))
        s.add_all(
            [
                Conflict(
                    project_id=first.project_id, entity="asset", entity_id=first.id, field="hostname", kind="field",
                    winning_value='"nwd-wor-001"', losing_value='"nwd-recep-01"', winner_actor="sam.field",
                    loser_actor="alex.tech", detail="Both laptops changed the host name while offline.",
                ),
                Conflict(
                    project_id=second.project_id, entity="asset", entity_id=second.id, field="notes", kind="rejected",
                    losing_value='"Wall-mounted behind reception, needs a longer cable"', loser_actor="alex.tech",
                    detail="Your access to NWD-ONB was withdrawn before this edit reached the server; the value "
                    "you typed is kept here so you can pass it on.",
                ),
            ]
        )  # fmt: skip
    dialog = ConflictsDialog(ws, window.runner, "alex.tech", lambda: None, window)
    dialog.show()
    window.runner.wait()
    settle(app, window)
    dialog.view.selectRow(1)
    dialog.view.resizeColumnsToContents()
    settle(app, window)
    save(dialog, path)
    dialog.close()


def _category(editor: object, name: str) -> str:
    combo = editor.form.inputs["category_id"]  # type: ignore[attr-defined]
    return str(combo.itemData(combo.findText(name)))


def _room_id(window: MainWindow) -> str:
    """The first floor's server room of the main clinic, for the quick-tag picture."""
    nav = window.navigator
    project = window.tree.currentIndex()
    for site_row in range(nav.rowCount(project)):
        site = nav.index(site_row, 0, project)
        node = nav.node(site)
        if node and node.name == "Main Clinic":
            building = nav.index(0, 0, site)
            floor = nav.index(0, 0, building)
            room = nav.index(0, 0, floor)
            found = nav.node(room)
            return found.id if found else ""
    return ""


if __name__ == "__main__":
    main()
