"""Item models of the import dialog: the editable column mapping and the preview's rows (new, updated, tag changes to
confirm, rejected)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from app.importing import ImportPreview, RowResult
from app.importing.cells import DateOrder, cell_text
from app.importing.changes import changed_keys, field_change, row_changes
from app.importing.mapping import ImportTarget
from models import FieldType
from ui import theme

_Index = QModelIndex | QPersistentModelIndex
SAMPLES = 3


class MappingModel(QAbstractTableModel):
    """One row per column of the file: its header, a few sample values, and the field it goes into (editable)."""

    COLUMN, SAMPLE, TARGET, DATES = range(4)
    HEADERS = ("Column in the file", "Sample values", "Import into", "Dates are")
    mapping_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers: list[str] = []
        self.samples: list[str] = []
        self.mapping: dict[str, str] = {}
        self.date_orders: dict[str, DateOrder] = {}
        #: The order the last preview used for each date column (shown while the user leaves it to "Detect").
        self.detected: dict[str, DateOrder] = {}
        self.targets: list[ImportTarget] = []
        self._by_key: dict[str, ImportTarget] = {}

    def load(
        self,
        headers: Sequence[str],
        rows: Sequence[tuple[int, Sequence[Any]]],
        mapping: dict[str, str],
        targets: Sequence[ImportTarget],
    ) -> None:
        self.beginResetModel()
        self.headers = list(headers)
        self.targets = list(targets)
        self._by_key = {t.key: t for t in targets}
        self.mapping = {h: mapping.get(h, "") for h in headers}
        self.date_orders = {}
        self.samples = []
        for index in range(len(headers)):
            seen: list[str] = []
            for _, cells in rows:
                text = cell_text(cells[index]) if index < len(cells) else ""
                if text and text not in seen:
                    seen.append(text)
                if len(seen) == SAMPLES:
                    break
            self.samples.append(", ".join(s if len(s) < 24 else s[:22] + "…" for s in seen))
        self.endResetModel()

    def set_mapping(self, mapping: dict[str, str]) -> None:
        self.mapping = {h: mapping.get(h, "") for h in self.headers}
        self.dataChanged.emit(self.index(0, 0), self.index(max(self.rowCount() - 1, 0), len(self.HEADERS) - 1))
        self.mapping_changed.emit()

    def set_detected(self, orders: dict[str, DateOrder]) -> None:
        self.detected = dict(orders)
        if self.headers:
            self.dataChanged.emit(self.index(0, self.DATES), self.index(self.rowCount() - 1, self.DATES))

    def target_label(self, key: str) -> str:
        target = self._by_key.get(key)
        return target.label if target else key

    def is_date(self, header: str) -> bool:
        target = self._by_key.get(self.mapping.get(header, ""))
        return target is not None and target.kind == FieldType.DATE

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.headers)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        header = self.headers[index.row()]
        if index.column() == self.TARGET or (index.column() == self.DATES and self.is_date(header)):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.headers):
            return None
        header = self.headers[index.row()]
        key = self.mapping.get(header, "")
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == self.COLUMN:
                return header
            if column == self.SAMPLE:
                return self.samples[index.row()]
            if column == self.TARGET:
                return self.target_label(key) if key else "(do not import)"
            if column == self.DATES:
                if not self.is_date(header):
                    return ""
                chosen = self.date_orders.get(header, DateOrder.AUTO)
                found = self.detected.get(header)
                return f"Detected: {found.label.lower()}" if chosen == DateOrder.AUTO and found else chosen.label
        if role == Qt.ItemDataRole.EditRole:
            if column == self.TARGET:
                return key
            if column == self.DATES:
                return self.date_orders.get(header, DateOrder.AUTO).value
        if role == Qt.ItemDataRole.ForegroundRole and column != self.COLUMN and not key:
            return QColor(theme.colors()["muted"])
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        header = self.headers[index.row()]
        if index.column() == self.TARGET:
            key = str(value or "")
            if key:  # a field goes into one column only: the column that had it lets go
                for other, other_key in self.mapping.items():
                    if other != header and other_key == key:
                        self.mapping[other] = ""
            self.mapping[header] = key
        elif index.column() == self.DATES:
            self.date_orders[header] = DateOrder(str(value))
        else:
            return False
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(self.HEADERS) - 1))
        self.mapping_changed.emit()
        return True


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor for the "Import into" and "Dates are" columns."""

    def __init__(self, model: MappingModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        combo = QComboBox(parent)
        if index.column() == MappingModel.TARGET:
            for target in self.model.targets:
                label = target.label if target.key else "(do not import)"
                combo.addItem(label, target.key)
        else:
            for order in DateOrder:
                combo.addItem(order.label, order.value)
        combo.activated.connect(lambda _i: self.commitData.emit(combo))
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        found = editor.findData(index.data(Qt.ItemDataRole.EditRole))
        editor.setCurrentIndex(max(found, 0))

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class PreviewRowsModel(QAbstractTableModel):
    """A read-only table over preview rows; subclasses say what each cell shows."""

    HEADERS: tuple[str, ...] = ()
    #: Columns aligned to the right (row numbers).
    NUMBERS: tuple[int, ...] = (0,)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.preview: ImportPreview | None = None
        self.rows: list[RowResult] = []

    def load(self, preview: ImportPreview | None, rows: Sequence[RowResult]) -> None:
        self.beginResetModel()
        self.preview = preview
        self.rows = list(rows)
        self._loaded()
        self.endResetModel()

    def _loaded(self) -> None:
        """Work out what the cells need after a load (inside the reset)."""

    def cell(self, row: int, column: int) -> str:
        raise NotImplementedError

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class NewRowsModel(PreviewRowsModel):
    """The assets the import creates, with the fields each one gets."""

    HEADERS = ("Row", "Tag", "Fields it sets")

    def cell(self, row: int, column: int) -> str:
        result = self.rows[row]
        if column == 0:
            return str(result.row_number)
        if column == 1:
            return result.tag
        assert self.preview is not None
        return " · ".join(f"{c.label}: {c.after}" for c in row_changes(self.preview, result) if c.key != "asset_tag")


class ChangesModel(PreviewRowsModel):
    """One line per field an updated row changes: what it is now and what the import makes it."""

    HEADERS = ("Row", "Tag", "Field", "Now", "After import")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        #: (index into rows, field) per line; the row and tag are shown on a row's first line only.
        self.lines: list[tuple[int, str]] = []

    def _loaded(self) -> None:
        self.lines = [(i, key) for i, row in enumerate(self.rows) for key in changed_keys(row)]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.lines)

    def cell(self, row: int, column: int) -> str:
        index, key = self.lines[row]
        result = self.rows[index]
        if column < 2:
            first = row == 0 or self.lines[row - 1][0] != index
            return ((str(result.row_number), result.tag)[column]) if first else ""
        assert self.preview is not None
        change = field_change(self.preview, result, key)
        return (change.label, change.before or "(empty)", change.after or "(empty)")[column - 2]


class RetagModel(PreviewRowsModel):
    """Rows matched by serial whose tag differs from the asset's: each waits for a tick before it re-tags."""

    APPLY, ROW, SERIAL, TAG_NOW, TAG_NEW, OTHER = range(6)
    HEADERS = ("Re-tag", "Row", "Serial", "Tag now", "Tag in the file", "Other changes")
    NUMBERS = (1,)
    decisions_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        #: Row numbers (as in the file) the user agreed to re-tag.
        self.approved: set[int] = set()
        self._asked: dict[int, tuple[str, str]] = {}

    def _loaded(self) -> None:
        # a yes holds across previews (another date order, say) only for the same asset and the same new tag
        asked = {r.row_number: (r.retag_from, str(r.values.get("asset_tag", ""))) for r in self.rows}
        self.approved = {n for n in self.approved if n in asked and self._asked.get(n) == asked[n]}
        self._asked = asked

    def cell(self, row: int, column: int) -> str:
        result = self.rows[row]
        assert self.preview is not None
        if column == self.APPLY:
            return "Re-tag" if result.row_number in self.approved else "Leave out"
        if column == self.ROW:
            return str(result.row_number)
        if column == self.SERIAL:
            return result.serial
        if column == self.TAG_NOW:
            return result.retag_from
        if column == self.TAG_NEW:
            return str(result.values.get("asset_tag", ""))
        return "; ".join(c.text for c in row_changes(self.preview, result) if c.key != "asset_tag") or "none"

    def flags(self, index: _Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.APPLY:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole and index.isValid() and index.column() == self.APPLY:
            if not 0 <= index.row() < len(self.rows):
                return None
            ticked = self.rows[index.row()].row_number in self.approved
            return Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
        return super().data(index, role)

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != self.APPLY:
            return False
        number = self.rows[index.row()].row_number
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self.approved.add(number)
        else:
            self.approved.discard(number)
        self.dataChanged.emit(index, index)
        self.decisions_changed.emit()
        return True

    def decide_all(self, retag: bool) -> None:
        self.approved = {r.row_number for r in self.rows} if retag else set()
        if self.rows:
            self.dataChanged.emit(self.index(0, self.APPLY), self.index(len(self.rows) - 1, self.APPLY))
        self.decisions_changed.emit()

    def approved_rows(self) -> Collection[int]:
        return frozenset(self.approved)


class RejectedModel(PreviewRowsModel):
    """The rows the preview turned down, each with its reasons in words."""

    HEADERS = ("Row", "Tag", "Why it will not be imported")

    def cell(self, row: int, column: int) -> str:
        result = self.rows[row]
        reasons = " ".join(r[:1].upper() + r[1:] for r in result.reasons)
        return (str(result.row_number), result.tag, reasons)[column]
