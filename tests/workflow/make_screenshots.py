"""Screenshots of the closeout dialogs on a demo workspace: `QT_QPA_PLATFORM=offscreen .venv/bin/python
tests/workflow/make_screenshots.py` writes docs/screenshots/workflow-*.png, the questions and pdf-signoff.png."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from app.db import Workspace, open_workspace
from app.demo import seed_demo
from app.golive import hold_call, mark_live, set_adoption, set_satisfaction
from app.signoff import sign
from exporters.pdf_cli import export_pdf
from tests.workflow.conftest import png_signature
from tests.workflow.test_ui import drag
from ui import messages
from ui.drafts import Draft
from ui.golive_dialog import GoLiveDialog
from ui.handover_dialog import KnowledgeTransferDialog
from ui.settings import Settings
from ui.signoff_dialog import SignoffDialog
from ui.theme import apply_theme

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ACTOR = "alex.tech"


def settle(app: QApplication) -> None:
    for _ in range(20):
        app.processEvents()


def save(widget: QWidget, name: str) -> None:
    widget.grab().save(str(OUT / name))
    print(OUT / name)


def grab_question(app: QApplication, name: str, ask: Callable[[], object], answer: str) -> None:
    """Shoot the real question box while it waits (it runs its own event loop), then click `answer`."""

    def shoot() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, shoot)
            return
        settle(app)
        save(box, name)
        next(b for b in box.buttons() if b.text().replace("&", "") == answer).click()

    QTimer.singleShot(20, shoot)
    ask()


def golive(app: QApplication, ws: Workspace, project_id: str) -> None:
    with ws.transaction() as s:  # the call as the demo's coordinator recorded it, one service not live yet
        hold_call(s, project_id, held_at=datetime(2026, 11, 24, 16, 30, tzinfo=UTC), actor=ACTOR)
        set_satisfaction(s, project_id, 4, "Smooth cut-over; wants a monthly review call.", actor=ACTOR)
        set_adoption(s, project_id, 85, actor=ACTOR)
        for service in ("Service desk", "Endpoint", "Patch", "Backup"):
            mark_live(s, project_id, service, actor=ACTOR)
    dialog = GoLiveDialog(ws, project_id, ACTOR)
    dialog.show()
    for row in range(dialog.services.rowCount()):  # the last service goes live in the dialog, then Save
        dialog.services.setData(
            dialog.services.index(row, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
    dialog.save()
    settle(app)
    save(dialog, "workflow-golive-dialog.png")
    dialog.accept()


def kt(app: QApplication, ws: Workspace, project_id: str) -> None:
    dialog = KnowledgeTransferDialog(ws, project_id, ACTOR)
    dialog.show()
    dialog.tabs.setCurrentIndex(3)
    dialog.texts["notes"].setPlainText("Core switch is in rack B; the NOC has the console password in the vault.")
    dialog.held.setChecked(True)
    settle(app)
    grab_question(app, "dialog-unsaved-question.png", dialog.reject, "Cancel")
    dialog.tabs.setCurrentIndex(0)
    settle(app)
    save(dialog, "workflow-kt-dialog.png")
    dialog.mark_clean()
    dialog.accept()


def signoff(app: QApplication, ws: Workspace, project_id: str) -> None:
    dialog = SignoffDialog(ws, project_id, ACTOR)
    dialog.show()
    dialog.signer_name.setText("Sofia Martínez")
    dialog.signer_title.setText("Practice manager")
    settle(app)
    drag(dialog.pad, [(60 + i * 28, 90 + (25 if i % 2 else -25)) for i in range(14)])
    settle(app)
    save(dialog, "workflow-signoff-dialog.png")
    dialog.mark_clean()
    dialog.accept()


def signed_pdf(ws: Workspace, project_id: str, tmp: Path) -> None:
    with ws.transaction() as s:
        sign(s, ws.blobs_dir, project_id, signer_name="Sofia Martínez", signer_title="Practice manager",
             method="on_screen", file_bytes=png_signature(), actor=ACTOR)  # fmt: skip
    pdf = export_pdf(ws, "signoff", "NWD-ONB", tmp / "signoff.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(OUT / "pdf-signoff")], check=True)
    print(OUT / "pdf-signoff.png")


def crash_question(app: QApplication, ws: Workspace, project_id: str) -> None:
    draft = Draft(project_id, None, "NWD-00302", {"model": "PowerEdge R660"})
    question = f"Closeout closed before {draft.tag} was saved. Restore the fields you had typed?"
    grab_question(
        app,
        "crash-recovery-question.png",
        lambda: messages.ask_yes_no(None, "Unsaved fields", question, yes="Restore", no="Discard", default=True),
        "Restore",
    )


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    tmp = Path(tempfile.mkdtemp(prefix="closeout-shots-"))
    apply_theme(app, Settings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)), "light")
    ws = open_workspace(tmp / "ws")
    with ws.transaction() as session:
        project_id = seed_demo(session).id
    OUT.mkdir(parents=True, exist_ok=True)
    kt(app, ws, project_id)
    golive(app, ws, project_id)
    signoff(app, ws, project_id)
    signed_pdf(ws, project_id, tmp)
    crash_question(app, ws, project_id)
    ws.close()


if __name__ == "__main__":
    main()
