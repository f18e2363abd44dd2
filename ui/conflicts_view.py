"""The conflicts list: both values and who made them, resolved with one click (the resolution syncs too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.assets import ASSET_FIELDS
from app.db import Workspace
from app.sync.conflicts import ConflictView, list_conflicts, resolve
from ui.runner import Runner

KIND_WORDS = {
    "field": "Edited on two devices",
    "delete-edit": "Edited after it was deleted",
    "duplicate-tag": "Same tag on two assets",
    "rejected": "Kept here: access was withdrawn",
}
#: Kinds whose lost value cannot be put back with one click (the record is gone, or two assets need new tags).
NO_TAKE = frozenset({"rejected", "duplicate-tag"})
COLUMNS = ("Record", "Field", "What happened", "Kept value", "Kept by", "Lost value", "Lost by")
AnyIndex = QModelIndex | QPersistentModelIndex


def _text(value: Any) -> str:
    return "(empty)" if value in (None, "") else str(value)


def _field(row: ConflictView) -> str:
    """The field as the editor labels it (Host name, not hostname); configuration fields by their key."""
    if row.entity == "asset":
        return ASSET_FIELDS.get(row.field, row.field.removeprefix("custom."))
    return row.field.replace("_", " ").capitalize()


class ConflictsModel(QAbstractTableModel):
    """One row per open conflict."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ConflictView] = []

    def set_rows(self, rows: list[ConflictView]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.detail or None
        values = (
            row.record or f"{row.entity} …{row.entity_id[-6:]}", _field(row), KIND_WORDS.get(row.kind, row.kind),
            "—" if row.kind in NO_TAKE and row.winning_value in (None, "") else _text(row.winning_value),
            row.winner_actor, _text(row.losing_value), row.loser_actor,
        )  # fmt: skip
        return values[index.column()]


class ConflictsDialog(QDialog):
    """Lists open conflicts; "Keep" leaves the current value, "Take lost value" puts the other one back."""

    def __init__(
        self, workspace: Workspace, runner: Runner, actor: str, on_resolved: Callable[[], None], parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync conflicts")
        self.resize(900, 400)
        self.workspace, self.runner, self.actor, self.on_resolved = workspace, runner, actor, on_resolved
        self.model = ConflictsModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.keep_button = QPushButton("&Keep current value")
        self.take_button = QPushButton("&Take lost value")
        self.keep_button.clicked.connect(lambda: self.resolve_selected("keep"))
        self.take_button.clicked.connect(lambda: self.resolve_selected("take"))
        self.detail = QLabel("")
        self.detail.setObjectName("conflictDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.take_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self._selection_changed()
        self.reload()

    def _selection_changed(self, *_args: object) -> None:
        rows = self.view.selectionModel().selectedRows()
        row = self.model.rows[rows[0].row()] if rows else None
        self.keep_button.setEnabled(row is not None)
        self.take_button.setEnabled(row is not None and row.kind not in NO_TAKE)
        self.detail.setText(row.detail if row is not None else "")
        if row is not None and row.kind == "rejected":
            self.keep_button.setText("&Done, I have what I need")
        else:
            self.keep_button.setText("&Keep current value")

    def reload(self) -> None:
        def load(_ctx: object) -> list[ConflictView]:
            with self.workspace.session() as s:
                return list_conflicts(s)

        self.runner.run(load, on_success=self.model.set_rows)

    def resolve_selected(self, choice: str) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return
        conflict_id = self.model.rows[rows[0].row()].id

        def work(_ctx: object) -> None:
            with self.workspace.transaction() as s:
                resolve(s, conflict_id, "take" if choice == "take" else "keep", actor=self.actor)

        def done(_result: None) -> None:
            self.reload()
            self.on_resolved()

        def failed(exc: BaseException) -> None:
            from ui import messages

            messages.show_error(self, "The conflict could not be resolved", exc)

        self.runner.run(work, on_success=done, on_failure=failed)
