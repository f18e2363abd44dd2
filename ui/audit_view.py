"""The reconciliation view: per site and location, listed against seen, with progress bars; what is still to look
for in the current room, with bulk "missing" and "not in scope"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.audit_report import PlaceCounts, Reconciliation
from models.enums import MISSING_REASONS
from ui.audit_io import Candidate

_Index = QModelIndex | QPersistentModelIndex
PLACE_COLUMNS = ("Site", "Location", "Expected", "Seen", "Missing", "Not in scope", "Found", "Done")
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 1


class PlaceModel(QAbstractTableModel):
    """One row per site / location of the reconciliation; the last column's PROGRESS_ROLE is 0 to 100."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.places: list[PlaceCounts] = []

    def set_places(self, places: list[PlaceCounts]) -> None:
        self.beginResetModel()
        self.places = places
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self.places)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(PLACE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return PLACE_COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.places):
            return None
        place, column = self.places[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (place.site, place.location or "—", place.expected, place.seen, place.missing,
                      place.out_of_scope, place.found, f"{place.done}/{place.expected}")  # fmt: skip
            return str(values[column]) if column >= 2 else values[column]
        if role == PROGRESS_ROLE and column == len(PLACE_COLUMNS) - 1:
            return round(place.progress * 100)
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ProgressDelegate(QStyledItemDelegate):
    """Paints PROGRESS_ROLE as a progress bar with the cell's text on it."""

    def paint(self, painter: Any, option: QStyleOptionViewItem, index: _Index) -> None:
        value = index.data(PROGRESS_ROLE)
        if value is None:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum, bar.maximum, bar.progress = 0, 100, int(value)
        bar.text, bar.textVisible = f"{index.data()} ({value}%)", True
        bar.state = option.state
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)


class CandidateModel(QAbstractTableModel):
    """Assets to look for: tag, what it is, where it is listed."""

    HEADERS = ("Tag", "Asset", "Listed in")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[Candidate] = []

    def set_rows(self, rows: list[Candidate]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.tag, row.description, row.place)[index.column()]
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None


class ReconciliationView(QWidget):
    """`mark_requested(ids, state, reason)` for the bulk buttons; `open_requested(asset_id)` on a double click."""

    mark_requested = Signal(list, str, str)
    open_requested = Signal(str)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reconciliationView")
        self.summary = QLabel("No audit yet.", self)
        self.summary.setObjectName("editorTitle")
        self.summary.setWordWrap(True)
        self.overall = QProgressBar(self)
        self.overall.setAccessibleName("Listed assets seen or explained")
        self.places = PlaceModel(self)
        self.place_table = QTableView(self)
        self.place_table.setObjectName("reconciliationPlaces")
        self.place_table.setModel(self.places)
        self.place_table.setItemDelegateForColumn(len(PLACE_COLUMNS) - 1, ProgressDelegate(self.place_table))
        self.place_table.verticalHeader().setVisible(False)
        self.place_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.place_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.place_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(PLACE_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)

        self.look_for_label = QLabel(self)
        self.look_for_label.setWordWrap(True)
        self.look_for = CandidateModel(self)
        self.look_for_table = QTableView(self)
        self.look_for_table.setObjectName("lookFor")
        self.look_for_table.setModel(self.look_for)
        self.look_for_table.verticalHeader().setVisible(False)
        self.look_for_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.look_for_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.look_for_table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.look_for_table.horizontalHeader().setStretchLastSection(True)
        self.look_for_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.look_for_table.doubleClicked.connect(self._open)
        self.reason = QComboBox(self)
        self.reason.setAccessibleName("Why it is missing")
        for key, label in MISSING_REASONS.items():
            self.reason.addItem(label, key)
        self.missing_button = QPushButton("Mark missing", self)
        self.missing_button.setObjectName("markMissing")
        self.missing_button.clicked.connect(lambda: self._mark("missing", str(self.reason.currentData())))
        self.scope_button = QPushButton("Not in scope", self)
        self.scope_button.setObjectName("markOutOfScope")
        self.scope_button.clicked.connect(lambda: self._mark("out_of_scope", ""))
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(self.refresh_requested.emit)
        actions = QHBoxLayout()
        actions.addWidget(self.reason)
        actions.addWidget(self.missing_button)
        actions.addWidget(self.scope_button)
        actions.addStretch(1)
        actions.addWidget(self.refresh_button)

        look_for = QWidget(self)
        look_for_layout = QVBoxLayout(look_for)
        look_for_layout.setContentsMargins(0, 0, 0, 0)
        look_for_layout.addWidget(self.look_for_label)
        look_for_layout.addWidget(self.look_for_table, 1)
        look_for_layout.addLayout(actions)
        # Side by side: the counts of every place, and what is still to find in the room.
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.place_table)
        self.splitter.addWidget(look_for)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.summary)
        layout.addWidget(self.overall)
        layout.addWidget(self.splitter, 1)
        self.show_look_for("", [])

    def show_reconciliation(self, result: Reconciliation) -> None:
        total = result.total
        self.places.set_places(result.places)
        self.overall.setValue(round(total.progress * 100))
        self.overall.setFormat(f"{total.done:,} of {total.expected:,} listed assets seen or explained (%p%)")
        if not result.audited:
            self.summary.setText(
                f"Nothing to reconcile yet: import the client's list (File ▸ Import). {total.found:,} assets found."
            )
        else:
            done = "Capture complete." if result.complete else f"{total.unseen:,} listed assets not seen yet."
            self.summary.setText(
                f"{total.seen:,} seen · {total.missing:,} missing · {total.out_of_scope:,} not in scope · "
                f"{total.found:,} found, not listed. {done}"
            )

    def show_look_for(self, room: str, rows: list[Candidate]) -> None:
        self.look_for.set_rows(rows)
        where = f"in {room}" if room else "in this project"
        self.look_for_label.setText(
            f"Still to look for {where}: {len(rows):,}" + (" (the first 500)" if len(rows) >= 500 else "")
        )
        for button in (self.missing_button, self.scope_button):
            button.setEnabled(bool(rows))

    def selected_ids(self) -> list[str]:
        rows = self.look_for_table.selectionModel().selectedRows()
        return [str(self.look_for.data(index, Qt.ItemDataRole.UserRole)) for index in rows]

    def _mark(self, state: str, reason: str) -> None:
        ids = self.selected_ids()
        if ids:
            self.mark_requested.emit(ids, state, reason)

    def _open(self, index: QModelIndex) -> None:
        asset_id = self.look_for.data(index, Qt.ItemDataRole.UserRole)
        if asset_id:
            self.open_requested.emit(str(asset_id))
