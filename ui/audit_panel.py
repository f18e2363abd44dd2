"""The audit's part of the editor: "I am in: …" (the room every scan verifies assets in), the "moved from …"
banner with its Undo, and the candidates of an ambiguous scan."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from app.audit import Room
from ui.audit_io import Candidate

_NOT_AUDITING = "Not auditing (scans only open assets)"


class AuditPanel(QWidget):
    """`room_chosen(room | None)` when the technician picks a room; `undo_requested` from the banner's Undo;
    `chosen(asset_id)` when a candidate of an ambiguous scan is picked."""

    room_chosen = Signal(object)
    undo_requested = Signal()
    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditPanel")
        self.rooms: list[Room] = []
        self.room_label = QLabel("I am in:", self)
        self.room_combo = QComboBox(self)
        self.room_combo.setObjectName("auditRoom")
        self.room_combo.setAccessibleName("The room I am auditing")
        self.room_combo.setToolTip("Every scan verifies the asset here (or scan a location label)")
        self.room_combo.activated.connect(self._picked)
        self.leave_button = QPushButton("Leave", self)
        self.leave_button.setToolTip("Stop auditing: scans only open assets again")
        self.leave_button.clicked.connect(lambda: self.room_chosen.emit(None))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.room_label)
        row.addWidget(self.room_combo, 1)
        row.addWidget(self.leave_button)

        self.moved = QLabel(self)
        self.moved.setObjectName("banner")
        self.moved.setProperty("kind", "warn")
        self.moved.setWordWrap(True)
        self.moved.setAccessibleName("Moved asset")
        self.undo_button = QPushButton("Undo move", self)
        self.undo_button.setObjectName("undoMove")
        self.undo_button.clicked.connect(self.undo_requested.emit)
        self.moved_row = QWidget(self)
        moved_layout = QHBoxLayout(self.moved_row)
        moved_layout.setContentsMargins(0, 0, 0, 0)
        moved_layout.addWidget(self.moved, 1)
        moved_layout.addWidget(self.undo_button)
        self.moved_row.setVisible(False)

        self.candidates_label = QLabel(self)
        self.candidates_label.setWordWrap(True)
        self.candidates_model = QStandardItemModel(self)
        self.candidates = QListView(self)
        self.candidates.setObjectName("scanCandidates")
        self.candidates.setAccessibleName("Assets the scan matches")
        self.candidates.setModel(self.candidates_model)
        self.candidates.setMaximumHeight(120)
        self.candidates.activated.connect(self._candidate_activated)
        self.candidates.clicked.connect(self._candidate_activated)
        for widget in (self.candidates_label, self.candidates):
            widget.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self.moved_row)
        layout.addWidget(self.candidates_label)
        layout.addWidget(self.candidates)
        self.set_rooms([], None)

    # -- the room ----------------------------------------------------------------------------------------------
    def set_rooms(self, rooms: list[Room], current: Room | None) -> None:
        self.rooms = rooms
        self.room_combo.clear()
        self.room_combo.addItem(_NOT_AUDITING)
        for room in rooms:
            self.room_combo.addItem(room.name)
        self.show_room(current)

    def show_room(self, room: Room | None) -> None:
        index = next((i + 1 for i, r in enumerate(self.rooms) if room and r.location_id == room.location_id
                      and r.site_id == room.site_id), 0)  # fmt: skip
        self.room_combo.setCurrentIndex(index)
        self.leave_button.setEnabled(room is not None)
        self.room_label.setProperty("auditing", room is not None)
        if room is None:
            self.show_moved("")

    def _picked(self, index: int) -> None:
        self.room_chosen.emit(self.rooms[index - 1] if index > 0 else None)

    # -- the banner of a move ----------------------------------------------------------------------------------
    def show_moved(self, text: str) -> None:
        self.moved.setText(text)
        self.moved_row.setVisible(bool(text))

    # -- candidates --------------------------------------------------------------------------------------------
    def show_candidates(self, text: str, candidates: list[Candidate]) -> None:
        self.candidates_model.clear()
        for candidate in candidates:
            item = QStandardItem(candidate.text)
            item.setData(candidate.id, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            self.candidates_model.appendRow(item)
        self.candidates_label.setText(text)
        for widget in (self.candidates_label, self.candidates):
            widget.setVisible(bool(candidates))

    def _candidate_activated(self, index: QModelIndex) -> None:
        asset_id = index.data(Qt.ItemDataRole.UserRole)
        if asset_id:
            self.show_candidates("", [])
            self.chosen.emit(str(asset_id))
