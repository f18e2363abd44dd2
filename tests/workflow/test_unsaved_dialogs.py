"""No silent loss in dialogs: every dialog with edits asks Save / Discard / Cancel on Close, Esc and the window's
close; go-live entry conditions follow the services marked live, in the dialog, the store and the signed PDF."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from app.db import Workspace
from app.errors import ValidationError
from app.golive import ENTRY_CONDITIONS, get_call, set_entry_condition
from app.handover import get_kt
from app.projects import get_project
from app.signoff import current_signoff, sign
from exporters.pdf_cli import export_pdf
from exporters.pdf_common import NO, YES
from models import ProjectStatus
from tests.workflow.test_ui import drag
from ui.dialog_guard import GuardedDialog
from ui.golive_dialog import GoLiveDialog
from ui.handover_dialog import KnowledgeTransferDialog
from ui.handover_models import ProjectDialog
from ui.runner import Runner
from ui.signoff_dialog import SignoffDialog

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@dataclass(frozen=True)
class Case:
    """One dialog with edits: how a user edits it, and how the edit is read back from the workspace."""

    cls: type[ProjectDialog]
    edit: Callable[[QtBot, ProjectDialog], None]
    stored: Callable[[Session, str], bool]


def _edit_kt(qtbot: QtBot, dialog: ProjectDialog) -> None:
    assert isinstance(dialog, KnowledgeTransferDialog)
    qtbot.keyClicks(dialog.presenter, "Alex")  # a session that took place names its presenter
    dialog.tabs.setCurrentWidget(dialog.texts["notes"])
    qtbot.keyClicks(dialog.texts["notes"], "Core switch is in rack B")
    qtbot.mouseClick(dialog.held, Qt.MouseButton.LeftButton, pos=dialog.held.rect().bottomLeft() / 2)


def _kt_stored(s: Session, pid: str) -> bool:
    kt = get_kt(s, pid)
    return (
        kt is not None and kt.notes == "Core switch is in rack B" and kt.held_at is not None and kt.presenter == "Alex"
    )


def _edit_golive(qtbot: QtBot, dialog: ProjectDialog) -> None:
    assert isinstance(dialog, GoLiveDialog)
    qtbot.keyClicks(dialog.comment, "Smooth cut-over")
    dialog.satisfaction.setValue(4)


def _golive_stored(s: Session, pid: str) -> bool:
    call = get_call(s, pid)
    return call is not None and call.satisfaction == 4 and call.satisfaction_comment == "Smooth cut-over"


def _edit_signoff(qtbot: QtBot, dialog: ProjectDialog) -> None:
    assert isinstance(dialog, SignoffDialog)
    qtbot.keyClicks(dialog.signer_name, "Dana Øster")
    drag(dialog.pad, [(40, 60), (120, 100), (220, 50)])


def _signoff_stored(s: Session, pid: str) -> bool:
    signoff = current_signoff(s, pid)
    return signoff is not None and signoff.signer_name == "Dana Øster"


CASES = [
    pytest.param(Case(KnowledgeTransferDialog, _edit_kt, _kt_stored), id="knowledge-transfer"),
    pytest.param(Case(GoLiveDialog, _edit_golive, _golive_stored), id="go-live"),
    pytest.param(Case(SignoffDialog, _edit_signoff, _signoff_stored), id="signoff"),
]


def _press_escape(qtbot: QtBot, dialog: ProjectDialog) -> None:
    target = QApplication.focusWidget()
    qtbot.keyClick(target if target is not None and dialog.isAncestorOf(target) else dialog, Qt.Key.Key_Escape)


CLOSERS: dict[str, Callable[[QtBot, ProjectDialog], None]] = {
    "close-button": lambda _bot, d: d.reject(),
    "esc": _press_escape,
    "window-close": lambda _bot, d: d.close() and None,
}


@pytest.fixture(autouse=True)
def error_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The error boxes shown (their text), instead of a modal box that would wait for a click."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    return shown


@pytest.fixture
def answer(monkeypatch: pytest.MonkeyPatch) -> Callable[[QMessageBox.StandardButton], list[str]]:
    """Answer the unsaved-edits question with the given button; returns the questions asked."""

    def set_answer(button: QMessageBox.StandardButton) -> list[str]:
        asked: list[str] = []

        def question(*args: object, **_kwargs: object) -> QMessageBox.StandardButton:
            asked.append(str(args[2]))
            return button

        monkeypatch.setattr(QMessageBox, "question", question)
        return asked

    return set_answer


def _open(qtbot: QtBot, case: Case, ws: Workspace, pid: str, runner: Runner | None = None) -> ProjectDialog:
    dialog = case.cls(ws, pid, "pat.tester", runner)
    qtbot.addWidget(dialog, before_close_func=lambda d: d.mark_clean())  # teardown never stops on the question
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.mark.parametrize("closer", list(CLOSERS))
@pytest.mark.parametrize("case", CASES)
def test_closing_a_dialog_with_edits_and_answering_cancel_keeps_it_open_with_the_edits(
    qtbot: QtBot, small_project: tuple[Workspace, str], answer, case: Case, closer: str
) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    dialog = _open(qtbot, case, ws, pid)
    case.edit(qtbot, dialog)
    edits = dialog.edit_state()
    asked = answer(QMessageBox.StandardButton.Cancel)
    CLOSERS[closer](qtbot, dialog)
    assert asked and "not" in asked[0]
    assert dialog.isVisible() and dialog.edit_state() == edits
    with ws.session() as s:
        assert not case.stored(s, pid)


@pytest.mark.parametrize("closer", list(CLOSERS))
@pytest.mark.parametrize("case", CASES)
def test_closing_a_dialog_with_edits_and_answering_discard_closes_without_saving(
    qtbot: QtBot, small_project: tuple[Workspace, str], answer, case: Case, closer: str
) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    dialog = _open(qtbot, case, ws, pid)
    case.edit(qtbot, dialog)
    asked = answer(QMessageBox.StandardButton.Discard)
    CLOSERS[closer](qtbot, dialog)
    assert len(asked) == 1
    qtbot.waitUntil(lambda: not dialog.isVisible())
    with ws.session() as s:
        assert not case.stored(s, pid)


#: Runners of the threaded tests, kept for the whole session as the app keeps its window's runner: a runner freed
#: while Qt still deletes its finished jobs crashed PySide (a job's wrapper freed inside the C++ destructor).
_RUNNERS: list[Runner] = []


@pytest.mark.parametrize("closer", list(CLOSERS))
@pytest.mark.parametrize("case", CASES)
def test_closing_a_dialog_with_edits_and_answering_save_stores_them_then_closes(
    qtbot: QtBot, small_project: tuple[Workspace, str], answer, error_boxes: list[str], case: Case, closer: str
) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    runner = Runner(None)  # the write runs on the database worker, as in the app: the dialog closes once it is done
    _RUNNERS.append(runner)  # and, like the window's runner, it outlives every dialog and job that used it
    dialog = _open(qtbot, case, ws, pid, runner)
    case.edit(qtbot, dialog)
    asked = answer(QMessageBox.StandardButton.Save)
    CLOSERS[closer](qtbot, dialog)
    assert len(asked) == 1
    qtbot.waitUntil(lambda: not dialog.isVisible() or bool(error_boxes))
    qtbot.waitUntil(lambda: not runner.busy())  # every outcome delivered on this thread
    assert not error_boxes
    with ws.session() as s:
        assert case.stored(s, pid)


@pytest.mark.parametrize("case", CASES)
def test_closing_a_dialog_without_edits_asks_nothing(
    qtbot: QtBot, small_project: tuple[Workspace, str], answer, case: Case
) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    dialog = _open(qtbot, case, ws, pid)
    asked = answer(QMessageBox.StandardButton.Cancel)
    _press_escape(qtbot, dialog)
    assert not asked and not dialog.isVisible()


def test_every_dialog_with_edits_is_guarded() -> None:
    """A new closeout dialog joins the rule by subclassing ProjectDialog; this walk covers each of them."""
    walked = {param.values[0].cls for param in CASES}  # type: ignore[union-attr]
    assert walked == set(ProjectDialog.__subclasses__())
    assert all(issubclass(cls, GuardedDialog) and cls.edit_state is not GuardedDialog.edit_state for cls in walked)


def test_a_refused_save_on_close_keeps_the_dialog_open_with_what_was_typed(
    qtbot: QtBot, small_project: tuple[Workspace, str], answer, error_boxes: list[str]
) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    dialog = GoLiveDialog(ws, pid, "pat.tester")
    qtbot.addWidget(dialog, before_close_func=lambda d: d.mark_clean())
    dialog.show()
    qtbot.keyClicks(dialog.new_title, "Label the spare switches")  # no owner: the service refuses the item
    answer(QMessageBox.StandardButton.Save)
    dialog.reject()
    assert error_boxes == ["Every action item needs an owner."]
    assert dialog.isVisible() and dialog.new_title.text() == "Label the spare switches"


def test_kt_save_says_saved_and_adding_an_attendee_keeps_the_typed_notes(
    qtbot: QtBot, small_project: tuple[Workspace, str]
) -> None:
    ws, pid = small_project
    dialog = KnowledgeTransferDialog(ws, pid, "pat.tester")
    qtbot.addWidget(dialog, before_close_func=lambda d: d.mark_clean())
    dialog.show()
    qtbot.keyClicks(dialog.texts["notes"], "Backups run at 01:00")
    qtbot.keyClicks(dialog.new_name, "Nia NOC")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.attendees.rowCount() == 1 and dialog.new_name.text() == ""
    assert dialog.texts["notes"].toPlainText() == "Backups run at 01:00" and dialog.has_unsaved_edits()
    assert not dialog.saved_note.isVisible()
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.saved_note.isVisible() and dialog.saved_note.text().startswith("Saved ✓")
    assert not dialog.has_unsaved_edits()
    with ws.session() as s:
        assert get_kt(s, pid).notes == "Backups run at 01:00"  # type: ignore[union-attr]


def _pdf_conditions(path: Path) -> dict[str, str]:
    """Each entry condition's mark as the PDF prints it (the mark is the next cell after the label)."""
    text = "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    marks: dict[str, str] = {}
    for label in ENTRY_CONDITIONS.values():
        found = re.search(rf"{re.escape(label)}\s*([{YES}{NO}])", text)
        marks[label] = found.group(1) if found else "missing"
    return marks


def test_marking_every_service_live_ticks_the_entry_conditions_in_the_dialog_the_store_and_the_signed_pdf(
    qtbot: QtBot, small_project: tuple[Workspace, str], signature_png: bytes, tmp_path: Path
) -> None:
    ws, pid = small_project
    dialog = GoLiveDialog(ws, pid, "pat.tester")
    qtbot.addWidget(dialog, before_close_func=lambda d: d.mark_clean())
    dialog.show()
    followed = ("service_desk_live", "all_services_activated")
    assert not any(dialog.conditions[key].isEnabled() for key in followed)  # not ticked by hand
    for row in range(dialog.services.rowCount()):
        dialog.services.setData(
            dialog.services.index(row, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
    assert all(dialog.conditions[key].isChecked() for key in followed)  # shown before Save
    dialog.conditions["asset_policy_documented"].setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.saved_note.isVisible() and "Saved ✓" in dialog.saved_note.text()
    assert all(box.isChecked() for box in dialog.conditions.values())
    assert "live since" in dialog.banner.text()
    with ws.transaction() as s:
        assert get_project(s, pid).status == ProjectStatus.LIVE
        assert get_call(s, pid).entry_conditions == dict.fromkeys(ENTRY_CONDITIONS, True)  # type: ignore[union-attr]
        with pytest.raises(ValidationError, match="follows the services marked live"):
            set_entry_condition(s, pid, "all_services_activated", False, actor="pat.tester")
    with ws.transaction() as s:
        sign(s, ws.blobs_dir, pid, signer_name="Dana Øster", method="on_screen", file_bytes=signature_png,
             actor="pat.tester")  # fmt: skip
    out = export_pdf(ws, "signoff", "ACME-ONB", tmp_path / "signoff.pdf")
    text = "\n".join(page.extract_text() or "" for page in PdfReader(out).pages)
    assert "Service desk" in text and "Not live yet" not in text
    assert _pdf_conditions(out) == dict.fromkeys(ENTRY_CONDITIONS.values(), YES)


def test_a_service_taken_off_live_unticks_the_conditions_that_follow_it(
    qtbot: QtBot, small_project: tuple[Workspace, str], tmp_path: Path
) -> None:
    ws, pid = small_project
    dialog = GoLiveDialog(ws, pid, "pat.tester")
    qtbot.addWidget(dialog, before_close_func=lambda d: d.mark_clean())
    for row in range(dialog.services.rowCount()):
        dialog.services.setData(
            dialog.services.index(row, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    backup = next(r for r in range(dialog.services.rowCount()) if dialog.services.row(r)["service"] == "Backup")
    dialog.services.setData(
        dialog.services.index(backup, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert dialog.conditions["service_desk_live"].isChecked()
    assert not dialog.conditions["all_services_activated"].isChecked()
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    with ws.session() as s:
        conditions = get_call(s, pid).entry_conditions  # type: ignore[union-attr]
        assert conditions["service_desk_live"] and not conditions["all_services_activated"]
        assert get_project(s, pid).status == ProjectStatus.OPEN
    out = export_pdf(ws, "signoff", "ACME-ONB", tmp_path / "form.pdf")
    marks = _pdf_conditions(out)
    assert marks["Service desk live"] == YES and marks["All managed services activated"] == NO
