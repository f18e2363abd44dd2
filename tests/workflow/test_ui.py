"""The closeout dialogs, the signature pad, the KPI dashboard and the main-window installer on real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QEvent, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.db import Workspace
from app.golive import get_call
from app.handover import get_kt
from app.projects import get_project
from app.signoff import current_signoff, verify_signoff
from models import ProjectStatus
from ui.golive_dialog import GoLiveDialog
from ui.handover_dialog import KnowledgeTransferDialog
from ui.kpi_dashboard import KpiDashboard
from ui.signature_pad import SignaturePad
from ui.signoff_dialog import SignoffDialog

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


def drag(widget: SignaturePad, points: list[tuple[float, float]]) -> None:
    def send(kind: QEvent.Type, x: float, y: float, buttons: Qt.MouseButton) -> None:
        pos = QPointF(x, y)
        event = QMouseEvent(kind, pos, widget.mapToGlobal(pos), Qt.MouseButton.LeftButton, buttons,
                            Qt.KeyboardModifier.NoModifier)  # fmt: skip
        QApplication.sendEvent(widget, event)

    send(QEvent.Type.MouseButtonPress, *points[0], Qt.MouseButton.LeftButton)
    for x, y in points[1:]:
        send(QEvent.Type.MouseMove, x, y, Qt.MouseButton.LeftButton)
    send(QEvent.Type.MouseButtonRelease, *points[-1], Qt.MouseButton.NoButton)


def test_signature_pad_turns_mouse_strokes_into_a_cropped_png(qtbot: QtBot) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.show()
    assert pad.is_empty()
    with qtbot.waitSignal(pad.changed):
        drag(pad, [(30, 40), (80, 90), (140, 50), (200, 95)])
    assert not pad.is_empty()
    png = pad.to_png()
    assert png.startswith(b"\x89PNG")
    image = pad.to_image()
    assert 170 < image.width() < 200 and 50 < image.height() < 80
    pad.clear()
    assert pad.is_empty()


def test_signing_on_screen_records_a_locked_version(qtbot: QtBot, small_project) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    dialog = SignoffDialog(ws, pid, "pat.tester")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.signer_name, "Dana Øster")
    qtbot.keyClicks(dialog.signer_title, "IT lead")
    drag(dialog.pad, [(40, 60), (120, 100), (220, 50)])
    with qtbot.waitSignal(dialog.signed) as blocker:
        qtbot.mouseClick(dialog.sign_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [1]
    with ws.session() as s:
        signoff = current_signoff(s, pid)
        assert signoff is not None and signoff.signer_name == "Dana Øster" and verify_signoff(signoff)
    assert dialog.versions.rowCount() == 1
    assert "signed by Dana Øster" in dialog.banner.text()


def test_paper_signoff_takes_the_scan(qtbot: QtBot, small_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    scan = tmp_path / "signed.pdf"
    scan.write_bytes(b"%PDF-1.4 a scanned page")
    dialog = SignoffDialog(ws, pid, "pat.tester")
    qtbot.addWidget(dialog)
    dialog.signer_name.setText("Dana")
    dialog.set_scan(scan)
    with qtbot.waitSignal(dialog.signed):
        dialog.record()
    with ws.session() as s:
        assert current_signoff(s, pid).method.value == "paper"  # type: ignore[union-attr]


def test_kt_dialog_records_attendees_acknowledgements_and_topics(qtbot: QtBot, small_project) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    dialog = KnowledgeTransferDialog(ws, pid, "pat.tester")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.new_name, "Nia NOC")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.attendees.rowCount() == 1
    dialog.attendees_view.selectRow(0)
    qtbot.mouseClick(dialog.ack_button, Qt.MouseButton.LeftButton)
    first = dialog.topics.index(0, 0)
    assert dialog.topics.setData(first, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtbot.keyClicks(dialog.presenter, "Alex")
    dialog.texts["policies"].setPlainText("No patching during clinic hours.")
    dialog.held.setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    with ws.session() as s:
        kt = get_kt(s, pid)
        assert kt is not None and kt.held_at is not None and kt.presenter == "Alex"
        assert kt.attendees[0]["acknowledged_at"] and kt.topics[0]["covered"] is True
        assert kt.policies == "No patching during clinic hours."


def test_golive_dialog_marks_services_live_and_adds_action_items(qtbot: QtBot, small_project) -> None:  # type: ignore[no-untyped-def]
    ws, pid = small_project
    dialog = GoLiveDialog(ws, pid, "pat.tester")
    qtbot.addWidget(dialog)
    dialog.show()
    for row in range(dialog.services.rowCount()):
        dialog.services.setData(
            dialog.services.index(row, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
    dialog.held.setChecked(True)
    dialog.satisfaction.setValue(4)
    dialog.adoption.setValue(90)
    dialog.conditions["service_desk_live"].setChecked(True)
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    qtbot.keyClicks(dialog.new_title, "Label spares")
    qtbot.keyClicks(dialog.new_owner, "Sam")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.action_items.rowCount() == 1
    with ws.session() as s:
        assert get_project(s, pid).status == ProjectStatus.LIVE
        call = get_call(s, pid)
        assert call is not None and call.satisfaction == 4 and call.adoption_rate == 0.9
    assert "live since" in dialog.banner.text()


def test_kpi_dashboard_draws_four_charts(qtbot: QtBot, demo_workspace: Workspace) -> None:
    dashboard = KpiDashboard(demo_workspace)
    qtbot.addWidget(dashboard)
    dashboard.show()
    assert next(v.chart().title() for v in dashboard.views) == "Activation issues"
    assert "Activation issues open" in dashboard.figures.text()
    dashboard.scope.setCurrentIndex(1)
    assert "Adoption rate" in dashboard.figures.text()


@pytest.fixture
def main_window(qtbot: QtBot, demo_workspace: Workspace, tmp_path: Path) -> Iterator[object]:
    main_window_module = pytest.importorskip("ui.main_window")
    from ui.settings import TECHNICIAN, Settings

    settings = Settings(QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    settings.set(TECHNICIAN, "pat.tester")
    window = main_window_module.MainWindow(demo_workspace, settings=settings)
    qtbot.addWidget(window, before_close_func=lambda w: w.runner.wait())
    window.show()
    yield window


def test_install_adds_the_menus_and_exports_with_one_click(qtbot: QtBot, main_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = main_window
    texts = [a.text() for a in window.menus["project"].actions()]
    assert "Client &signoff…" in texts and "&Close project…" in texts
    exports = [a.text() for a in window.menus["file.export"].actions()]
    assert "Coordinator signoff packet (PDF)…" in exports
    actions = window._workflow_actions
    if not window.current_project_id():
        pytest.skip("the main window selected no project")
    out = tmp_path / "brief.pdf"
    actions.export("noc-brief", out)
    qtbot.waitUntil(lambda: out.exists(), timeout=20000)
    window.runner.wait()
    assert "NOC familiarization brief" in PdfReader(out).pages[0].extract_text()


def test_user_text_in_the_banner_is_not_markup(qtbot: QtBot, small_project, signature_png: bytes) -> None:  # type: ignore[no-untyped-def]
    from app.signoff import sign

    ws, pid = small_project
    with ws.transaction() as s:
        sign(s, ws.blobs_dir, pid, signer_name="<b>Mallory</b>", method="on_screen", file_bytes=signature_png,
             actor="t")  # fmt: skip
    dialog = SignoffDialog(ws, pid, "pat.tester")
    qtbot.addWidget(dialog)
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in dialog.banner.text()


def test_record_table_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    from ui.handover_models import Column, RecordTableModel

    model = RecordTableModel(
        [Column("done", "Done", checkable=True), Column("title", "Title"), Column("notes", "Notes", editable=True)],
        [{"done": True, "title": "Client overview", "notes": ""}, {"done": False, "title": "Critical", "notes": "x"}],
    )
    qtmodeltester.check(model)
    assert model.setData(model.index(1, 2), "two hypervisors")
    assert model.rows()[1]["notes"] == "two hypervisors"
    qtmodeltester.check(model)
