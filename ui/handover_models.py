"""Small Qt item models shared by the closeout dialogs: a table of records with checkable and editable columns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QDialogButtonBox, QHBoxLayout, QWidget
from sqlalchemy.orm import Session

from app.db import Workspace
from ui.dialog_guard import GuardedDialog
from ui.messages import show_error
from ui.runner import Runner

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    checkable: bool = False
    editable: bool = False
    #: Turns the stored value into the text shown (for dates, enums, percentages).
    display: Callable[[Any], str] | None = None


class RecordTableModel(QAbstractTableModel):
    """Rows are plain dicts; a checkable column shows a check box bound to a bool field."""

    edited = Signal()

    def __init__(self, columns: Sequence[Column], rows: Sequence[dict[str, Any]] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[dict[str, Any]] = [dict(r) for r in rows]

    def set_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self.endResetModel()

    def rows(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._rows]

    def row(self, index: int) -> dict[str, Any]:
        return dict(self._rows[index])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        column = self.columns[index.column()]
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if column.checkable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if column.editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        column = self.columns[index.column()]
        value = self._rows[index.row()].get(column.key)
        if column.checkable:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.ToolTipRole):
            if column.display is not None and role != Qt.ItemDataRole.EditRole:
                return column.display(value)
            return "" if value is None else str(value)
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        column = self.columns[index.column()]
        if column.checkable and role == Qt.ItemDataRole.CheckStateRole:
            checked = value == Qt.CheckState.Checked or value == Qt.CheckState.Checked.value
            self._rows[index.row()][column.key] = bool(checked)
        elif column.editable and role == Qt.ItemDataRole.EditRole:
            self._rows[index.row()][column.key] = str(value)
        else:
            return False
        self.dataChanged.emit(index, index, [role])
        self.edited.emit()
        return True


def run_write(
    runner: Runner | None,
    work: Callable[[], Any],
    *,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> None:
    """Run a short write on the runner's database worker (inline without a runner, e.g. in a bare dialog)."""
    if runner is None:
        try:
            result = work()
        except Exception as exc:  # reported in words by the caller, like the runner would
            on_error(exc)
        else:
            on_done(result)
        return
    runner.run(lambda _ctx: work(), on_success=on_done, on_failure=on_error, pool="db")


class ProjectDialog(GuardedDialog):
    """A dialog that edits one project's closeout records (knowledge transfer, go-live call, signoff) through the
    app/ services, writing on the runner's database worker. Closing it with unsaved edits asks first
    (ui.dialog_guard); a subclass's reload() ends with mark_clean()."""

    #: Title of the error box when a write is refused.
    error_title = "Closeout"
    #: A write_and_reload() went through.
    saved = Signal()

    def __init__(
        self,
        workspace: Workspace,
        project_id: str,
        actor: str,
        runner: Runner | None,
        parent: QWidget | None,
        *,
        name: str,
        title: str,
        size: tuple[int, int],
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.resize(*size)
        self.workspace, self.project_id, self.actor, self.runner = workspace, project_id, actor, runner
        self._writes = 0
        self._close_when_written = False

    def save(self) -> None:
        """Store what the inputs show (each dialog its own records)."""
        raise NotImplementedError

    def save_and_close(self) -> None:
        self._close_when_written = True
        writes = self._writes
        self.save()
        if self._writes == writes:  # the dialog refused before writing (it said why): stay open
            self._close_when_written = False

    def button_row(self, buttons: QDialogButtonBox) -> QHBoxLayout:
        """The dialog's buttons with the "Saved ✓" note on their left."""
        row = QHBoxLayout()
        row.addWidget(self.saved_note)
        row.addStretch(1)
        row.addWidget(buttons)
        return row

    def write(self, work: Callable[[Session], Any], on_done: Callable[[Any], None]) -> None:
        """Run `work` in one transaction; its result goes to `on_done`, a refusal to an error box in words."""

        def in_transaction() -> Any:
            with self.workspace.transaction() as session:
                return work(session)

        def done(result: Any) -> None:
            on_done(result)
            if self._close_when_written:
                self._close_when_written = False
                self.accept()

        def failed(exc: BaseException) -> None:
            self._close_when_written = False  # what was typed stays on screen to correct
            show_error(self, self.error_title, exc)

        self._writes += 1
        run_write(self.runner, in_transaction, on_done=done, on_error=failed)

    def write_and_reload(self, work: Callable[[Session], object]) -> None:
        """Write, then show what is stored now, say "Saved" and tell the window (saved)."""
        self.write(work, self._written)

    def _written(self, _result: object) -> None:
        self.reload()
        self.show_saved()
        self.saved.emit()

    def reload(self) -> None:
        """Show the project's records as stored (each dialog reads its own), then mark_clean()."""
        raise NotImplementedError


def read(workspace: Workspace, work: Callable[[Any], Any]) -> Any:
    """A quick read in its own session (dialogs load a handful of rows when they open)."""
    with workspace.session() as session:
        return work(session)
