"""One rule for every dialog with edits: closing it with unsaved edits asks Save / Discard / Cancel, and a save
shows "Saved ✓" in the dialog."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTextEdit,
    QWidget,
)

from ui.messages import Answer, ask_save_changes


def value_of(source: QObject) -> Any:
    """What a widget (or an item model, cell by cell) holds now, comparable with ==."""
    if isinstance(source, QAbstractItemModel):
        roles = (Qt.ItemDataRole.EditRole, Qt.ItemDataRole.CheckStateRole)
        columns = range(source.columnCount())
        return [
            [source.index(row, c).data(role) for c in columns for role in roles] for row in range(source.rowCount())
        ]
    if isinstance(source, QLineEdit):
        return source.text()
    if isinstance(source, QPlainTextEdit):
        return source.toPlainText()
    if isinstance(source, QTextEdit):
        return source.toHtml()
    if isinstance(source, QAbstractButton):
        return source.isChecked()
    if isinstance(source, QComboBox):
        return source.currentText()
    if isinstance(source, QDateTimeEdit):
        return source.dateTime().toMSecsSinceEpoch()
    if isinstance(source, QSpinBox):
        return source.value()
    if isinstance(source, QAbstractSpinBox):
        return source.text()
    raise TypeError(f"No value is read from a {type(source).__name__}")


def values_of(sources: Iterable[QObject]) -> tuple[Any, ...]:
    return tuple(value_of(s) for s in sources)


class GuardedDialog(QDialog):
    """A dialog that never drops edits silently. Closing it (Close, Esc, the window's ✕, close(), reject()) while
    edit_state() differs from the state at the last mark_clean() asks Save / Discard / Cancel:
    Save runs save_and_close(), Discard closes, Cancel keeps the dialog open with the edits.

    A subclass implements edit_state() (usually `values_of([...the inputs Save stores...])`), calls mark_clean()
    whenever its inputs show what is stored (after loading, after a save), and save_and_close() when its Save is
    not simply accept()."""

    #: The question on close; a subclass says what would be lost in its own words.
    unsaved_question = "Your changes are not saved yet. Save them before closing?"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clean_state: object = None
        self.saved_note = QLabel(self)
        self.saved_note.setObjectName("banner")  # the app's green "saved" banner style (resources/styles)
        self.saved_note.setProperty("kind", "ok")
        self.saved_note.setVisible(False)

    # -- what a subclass provides ------------------------------------------------------------------------------
    def edit_state(self) -> object:
        """The values Save would store, comparable with ==."""
        return None

    def save_and_close(self) -> None:
        """Save; close once the save went through, stay open (with the error shown) when it was refused."""
        self.accept()

    # -- the rule ----------------------------------------------------------------------------------------------
    def mark_clean(self) -> None:
        """The inputs show what is stored: nothing to ask about until they change."""
        self._clean_state = self.edit_state()

    def has_unsaved_edits(self) -> bool:
        return self.edit_state() != self._clean_state

    def show_saved(self, text: str = "Saved") -> None:
        """The visible confirmation of a save: a green note beside the buttons, with the time."""
        self.saved_note.setText(f"{text} ✓  {datetime.now():%H:%M}")
        self.saved_note.setVisible(True)

    def reject(self) -> None:
        if not self.has_unsaved_edits():
            super().reject()
            return
        answer = ask_save_changes(self, self.unsaved_question)
        if answer is Answer.SAVE:
            self.save_and_close()
        elif answer is Answer.DISCARD:
            self.mark_clean()  # what is typed is thrown away, as asked
            super().reject()
