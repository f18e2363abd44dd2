"""Room labels from the window: the navigator's menu on a site offers them, the label dialog previews and saves
them, and a code read off the saved sheet, typed at scanner speed with the focus anywhere, puts quick-tag in that
room."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.room_labels import room_labels
from exporters.label_templates import find_template
from models import Location, Site
from tests.labels.photos import photos
from tests.ui.test_labels_ui import MULTIMEDIA_NOISE, SHOTS, tags_in
from tests.ui.test_scanner import scanner_types
from ui.camera_scan import CameraDialog
from ui.labels_dialog import LabelsDialog
from ui.main_window import MainWindow

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")


def test_room_labels_of_a_site_are_printed_from_the_navigator_and_a_scan_of_one_sets_the_room(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    with window.workspace.session() as s:
        site = s.scalars(select(Site).where(Site.name == "Eastside Clinic")).one()
        rooms = s.scalars(select(Location).where(Location.site_id == site.id, Location.deleted_at.is_(None))).all()
        site_id, names = site.id, {room.id: room.name for room in rooms}
    index = window.navigator.find("site", site_id, window.current_project_id())
    assert index.isValid()
    window.tree.setCurrentIndex(index)
    menu = window.setup_actions.menu_for(window.navigator.node(index))  # type: ignore[attr-defined]
    assert "Print room labels…" in [a.text().replace("&", "") for a in menu.actions()]

    dialog = window.labels_actions.open_dialog(rooms=True)  # type: ignore[attr-defined]
    assert isinstance(dialog, LabelsDialog)
    qtbot.addWidget(dialog)
    assert dialog.source.currentText() == "Room labels: Eastside Clinic and the places in it"
    dialog.template.setCurrentIndex(dialog.template.findData("avery-5160"))
    count = len(rooms) + 1  # the site's own door label, then each of its locations
    qtbot.waitUntil(lambda: dialog.status.text().startswith(f"{count} room labels on 1 sheet: Eastside Clinic …"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "room-labels-dialog.png"))
    out = tmp_path / "rooms.pdf"
    with qtbot.waitSignal(dialog.written, timeout=20000):
        dialog.save_to(out)
    codes = tags_in(out, tmp_path / "png")
    assert len(codes) == count and all(code.startswith("LOC:") for code in codes)
    dialog.close()

    # On site: the technician scans the label by a door, the focus wherever it was (here the asset table).
    label = codes[-1]
    window.activateWindow()  # the dialog is closed: the window has the keyboard again
    qtbot.waitUntil(window.isActiveWindow)
    window.table.setFocus()
    scanner_types(label)
    qtbot.waitUntil(lambda: window.quick.room is not None and window.quick.room.location_id is not None)
    room = window.quick.room
    assert room is not None and room.site_id == site_id
    assert room.name.startswith("Eastside Clinic") and room.name.endswith(names[room.location_id or ""])
    assert window.quick.panel.room_combo.currentText().endswith(names[room.location_id or ""])


@pytest.mark.qt_log_ignore(MULTIMEDIA_NOISE)
def test_a_room_label_held_to_the_camera_sets_the_room(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    with window.workspace.session() as s:
        client_id = s.scalars(select(Site.client_id).where(Site.name == "Main Clinic")).one()
        label = next(room for room in room_labels(s, client_id) if room.name == "Server room")
    dialog = window.labels_actions.open_camera()  # type: ignore[attr-defined]
    assert isinstance(dialog, CameraDialog)
    qtbot.addWidget(dialog)
    frame = photos(find_template("brother-ql-62"), label.code, tmp_path, title=label.name)["rotated 12°"]
    image = QImage(frame.data, frame.shape[1], frame.shape[0], frame.strides[0], QImage.Format.Format_Grayscale8)
    with qtbot.waitSignal(dialog.decoder.decoded, timeout=10000) as seen:
        dialog.show_frame(image.copy())
    assert seen.args == [label.code]
    qtbot.waitUntil(lambda: window.quick.room is not None and window.quick.room.location_id == label.location_id)
    assert window.quick.panel.room_combo.currentText().endswith("Server room")
