"""An asset's change history from the journal, newest first, in words."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.assets import ASSET_FIELDS
from app.journal import HistoryEntry

HEADERS = ("When", "Who", "Change")
_Index = QModelIndex | QPersistentModelIndex


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def describe_field(field: str, labels: dict[str, str]) -> str:
    if field == "*":
        return "Tagged"
    if field == "deleted_at":
        return "Deleted / restored"
    if field.startswith("custom."):
        return labels.get(field, field[len("custom.") :].replace("_", " ").capitalize())
    return labels.get(field, ASSET_FIELDS.get(field, field))


class HistoryModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[HistoryEntry] = []
        #: Names for ids (categories, sites, locations) and custom fields, supplied by the editor.
        self.names: dict[str, str] = {}
        self.labels: dict[str, str] = {}

    def set_entries(self, entries: list[HistoryEntry], names: dict[str, str], labels: dict[str, str]) -> None:
        self.beginResetModel()
        self._entries = list(reversed(entries))
        self.names, self.labels = names, labels
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 5:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if column == 0:
            return entry.at.astimezone().strftime("%d %b %H:%M" if role == Qt.ItemDataRole.DisplayRole else "%c")
        if column == 1:
            return entry.actor + ("" if entry.origin == "local" else " (synced)")
        return self.change_text(entry)

    def change_text(self, entry: HistoryEntry) -> str:
        """“Assigned user: — → Sofia Martínez”, “Tagged as NWD-00004”, or “Photo added: rack.jpg”."""
        if entry.entity == "attachment":
            return self.photo_text(entry)
        what = describe_field(entry.field, self.labels)
        if entry.field == "*":
            tag = entry.new_value.get("asset_tag", "") if isinstance(entry.new_value, dict) else ""
            return f"{what} as {tag}" if tag else what
        old, new = (self._named(v) for v in (entry.old_value, entry.new_value))
        return f"{what}: {old} → {new}"

    def photo_text(self, entry: HistoryEntry) -> str:
        """A photo's addition, removal or return, by its file name."""
        name = self.names.get(entry.entity_id, "")
        if entry.field == "*":
            name = name or (entry.new_value.get("filename", "") if isinstance(entry.new_value, dict) else "")
            what = "Photo added"
        elif entry.field == "deleted_at":
            what = "Photo removed" if entry.new_value else "Photo brought back"
        else:
            what = f"Photo {describe_field(entry.field, self.labels).lower()}"
        return f"{what}: {name}" if name else what

    def _named(self, raw: Any) -> str:
        return _value(self.names.get(raw, raw) if isinstance(raw, str) else raw)


class HistoryView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history_model = HistoryModel(self)
        self.setModel(self.history_model)
        self.setObjectName("historyView")
        self.setAccessibleName("Change history")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(True)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
