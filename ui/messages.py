"""The one message-box helper: errors, questions and notices in plain words, the same everywhere."""

from __future__ import annotations

import logging
from enum import Enum

from PySide6.QtWidgets import QMessageBox, QWidget

from app.db import describe_db_error
from app.errors import CloseoutError

log = logging.getLogger(__name__)

TITLE = "Closeout"


class Answer(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def describe(error: BaseException | str) -> str:
    """Words for an error that a technician can act on (domain errors as they are, database errors explained)."""
    if isinstance(error, str):
        return error
    if isinstance(error, CloseoutError):
        return error.message
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(error, SQLAlchemyError | OSError):
        return describe_db_error(error) if isinstance(error, SQLAlchemyError) else f"{error.strerror or error}"
    return f"Something went wrong: {error}"


def show_error(parent: QWidget | None, title: str, error: BaseException | str) -> None:
    """A modal error box; unexpected errors are logged with their traceback."""
    if isinstance(error, BaseException) and not isinstance(error, CloseoutError):
        log.error("%s", title, exc_info=error)
    box = QMessageBox(QMessageBox.Icon.Warning, title or TITLE, describe(error), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.exec()


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title or TITLE, text)


def ask_yes_no(
    parent: QWidget | None, title: str, text: str, *, yes: str = "", no: str = "", default: bool = False
) -> bool:
    """A yes/no question; `yes` and `no` name the buttons by what they do. `default` is the answer of Enter (a
    stray Enter or a scan) and of Esc, so it must be the answer that loses nothing."""
    box = QMessageBox(QMessageBox.Icon.Question, title or TITLE, text, QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("questionBox")
    yes_button = box.addButton(QMessageBox.StandardButton.Yes)
    no_button = box.addButton(QMessageBox.StandardButton.No)
    if yes:
        yes_button.setText(yes)
    if no:
        no_button.setText(no)
    safe = yes_button if default else no_button
    box.setDefaultButton(safe)
    box.setEscapeButton(safe)
    box.exec()
    return box.clickedButton() is yes_button


def ask_save_changes(parent: QWidget | None, text: str) -> Answer:
    """Save, discard or cancel (the usual three-way question before losing edits)."""
    buttons = QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel
    answer = QMessageBox.question(parent, "Unsaved changes", text, buttons, QMessageBox.StandardButton.Save)
    if answer == QMessageBox.StandardButton.Save:
        return Answer.SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return Answer.DISCARD
    return Answer.CANCEL
