"""The import dialog's value step: one table of the client's values (column, value, rows) and what each becomes;
typing or arrow keys move through it, and the choice opens as the row gets the focus."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from app.importing.client_tags import ClientTags
from app.importing.value_mapping import Action, ValueChoice, ValueMapping
from ui.import_preview import preview_table

_Index = QModelIndex | QPersistentModelIndex
#: What the "Becomes" combo stores for its two special entries; any other value is a target.
CREATE, EMPTY = "\x00create", "\x00empty"
_REASONS = {"saved": "saved", "same": "same name", "synonym": "same meaning", "similar": "similar name", "chosen": ""}


class ValueMappingModel(QAbstractTableModel):
    """The distinct values of the mapped columns; the user's choices are kept across previews by (field, value)."""

    COLUMN, VALUE, ROWS, TARGET, WHY = range(5)
    HEADERS = ("Column", "Value in the list", "Rows", "Becomes", "Why")
    choices_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.choices: list[ValueChoice] = []
        self.options: dict[str, list[tuple[str, str]]] = {}
        self.names: dict[str, str] = {}
        self.creatable: set[str] = set()
        #: (field, value lower) → (action, target) the user chose; applied to every later suggestion.
        self.chosen: dict[tuple[str, str], tuple[Action, str]] = {}

    def load(self, values: ValueMapping, options: Mapping[str, Sequence[tuple[str, str]]], creatable: set[str]) -> None:
        choices = [c for c in values.choices if c.reason != "same"]  # Closeout's own names need no decision
        self.options = {k: list(v) for k, v in options.items()}
        self.names = dict(values.target_names)
        self.creatable = set(creatable)
        if [(c.field, c.value) for c in choices] == [(c.field, c.value) for c in self.choices]:
            self.choices = choices  # the same values checked again: an open choice stays open
            if choices:
                self.dataChanged.emit(self.index(0, 0), self.index(len(choices) - 1, self.WHY))
            return
        self.beginResetModel()
        self.choices = choices
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.choices)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def becomes(self, choice: ValueChoice) -> str:
        if choice.action == Action.CREATE:
            return f"Create “{choice.target}”"
        if choice.action == Action.EMPTY:
            return "Leave empty (kept in the notes)"
        name = self.names.get(choice.target, choice.target)
        return f"{name} (the list's word kept in the notes)" if choice.noted else name

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        choice = self.choices[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (choice.column, choice.value, str(choice.count), self.becomes(choice),
                    _REASONS.get(choice.reason, "no match"))[column]  # fmt: skip
        if role == Qt.ItemDataRole.EditRole and column == self.TARGET:
            return (
                CREATE
                if choice.action == Action.CREATE
                else EMPTY
                if choice.action == Action.EMPTY
                else (choice.target)
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.ROWS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() and index.column() == self.TARGET else base

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != self.TARGET or role != Qt.ItemDataRole.EditRole:
            return False
        choice = self.choices[index.row()]
        if value == CREATE:
            action, target = Action.CREATE, choice.value
        elif value == EMPTY:
            action, target = Action.EMPTY, ""
        else:
            action, target = Action.MAP, str(value)
        if (action, target) == (choice.action, choice.target):
            return False
        choice.action, choice.target, choice.reason = action, target, "chosen"
        self.chosen[(choice.field, choice.value.lower())] = (action, target)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), self.WHY))
        self.choices_changed.emit()
        return True

    def editor_entries(self, row: int) -> list[tuple[str, str]]:
        """(label, value) pairs of the "Becomes" combo of a row: create (where possible), leave empty, targets."""
        choice = self.choices[row]
        entries = [(f"Create “{choice.value}”", CREATE)] if choice.field in self.creatable else []
        entries.append(("Leave empty (kept in the notes)", EMPTY))
        return entries + self.options.get(choice.field, [])


def apply_chosen(values: ValueMapping, chosen: Mapping[tuple[str, str], tuple[Action, str]]) -> None:
    """Put the user's earlier choices over fresh suggestions (the same value of the same field)."""
    for choice in values.choices:
        decided = chosen.get((choice.field, choice.value.lower()))
        if decided is not None:
            choice.action, choice.target = decided
            choice.target = choice.value if choice.action == Action.CREATE else choice.target
            choice.reason = "chosen"


class ValueDelegate(QStyledItemDelegate):
    """The "Becomes" combo: opens as the row gets the focus, so arrow keys and typing are enough."""

    def __init__(self, model: ValueMappingModel, parent: Any = None) -> None:
        super().__init__(parent)
        self.model = model

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        combo = QComboBox(parent)
        for label, value in self.model.editor_entries(index.row()):
            combo.addItem(label, value)
        combo.activated.connect(lambda _i: self.commitData.emit(combo))
        return combo

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class ValueStep(QWidget):
    """The value table with the client's tag choice above it."""

    tags_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        row = QHBoxLayout()
        row.addWidget(QLabel("The client's tags:"))
        self.tags_combo = QComboBox()
        self.tags_combo.setObjectName("clientTags")
        self.tags_combo.addItem("Closeout tags (they follow the client's prefix)", None)
        for choice in ClientTags:
            self.tags_combo.addItem(choice.label, choice.value)
        self.tags_combo.activated.connect(lambda _i: self._tags_chosen())
        row.addWidget(self.tags_combo, 1)
        layout.addLayout(row)
        self.hint = QLabel("Values of the list that Closeout does not know: choose what each becomes.")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.model = ValueMappingModel(self)
        self.view = preview_table(self.model)
        self.view.setObjectName("valueTable")
        self.view.setItemDelegateForColumn(ValueMappingModel.TARGET, ValueDelegate(self.model, self.view))
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.CurrentChanged | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )  # fmt: skip
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(ValueMappingModel.TARGET, QHeaderView.ResizeMode.Stretch)
        for column, width in ((ValueMappingModel.COLUMN, 110), (ValueMappingModel.VALUE, 250),
                              (ValueMappingModel.ROWS, 60), (ValueMappingModel.WHY, 130)):  # fmt: skip
            self.view.setColumnWidth(column, width)
        layout.addWidget(self.view, 1)
        #: The tag choice the user made (None until they do: the saved or suggested one is shown).
        self.tags_chosen: ClientTags | bool | None = False

    def _tags_chosen(self) -> None:
        data = self.tags_combo.currentData()
        self.tags_chosen = ClientTags(data) if data else None
        self.tags_changed.emit()

    def show_tags(self, tags: ClientTags | None) -> None:
        self.tags_combo.setCurrentIndex(max(self.tags_combo.findData(tags.value if tags else None), 0))

    def client_tags(self) -> ClientTags | bool | None:
        """The user's choice, or False when they made none (the saved or suggested choice applies)."""
        return self.tags_chosen

    def show_values(self, values: ValueMapping, options: Mapping[str, Sequence[tuple[str, str]]]) -> None:
        current = self.view.currentIndex()
        self.model.load(values, options, {"category_id", "site_id", "location_id"})
        count = self.model.rowCount()
        self.hint.setText(
            f"{count} value{'s' if count != 1 else ''} Closeout does not know by name: check what each becomes "
            "(arrow keys move, type to choose)." if count
            else "Every value of the list is one Closeout knows."
        )  # fmt: skip
        if current.isValid() and current.row() < count:
            self.view.setCurrentIndex(self.model.index(current.row(), ValueMappingModel.TARGET))
