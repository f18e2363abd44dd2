"""Room labels from the window: the navigator's menu on a site offers them, the label dialog previews and saves
them, and a code read off the saved sheet, typed at scanner speed with the focus anywhere, puts quick-tag in that
room."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from models import Location, Site
from tests.ui.test_labels_ui import SHOTS, tags_in
from tests.ui.test_scanner import scanner_types
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
