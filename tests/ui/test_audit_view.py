"""The reconciliation dock on the real window: counts with progress bars, what to look for in the room, bulk marks
with one undo, and the audit filter of the asset table."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.audit import mark_listed
from models import Asset, AuditState
from tests.ui.test_audit_quick_tag import RECEPTION, SHOTS, _enter_room
from tests.ui.test_quick_tag import scan
from ui.main_window import MainWindow


def _list_all(window: MainWindow) -> int:
    with window.workspace.transaction() as s:
        ids = list(s.scalars(select(Asset.id).where(Asset.project_id == window.current_project_id())))
        mark_listed(s, ids, actor="import")
    return len(ids)


def _states(window: MainWindow) -> dict[str, int]:
    from app.audit import audit_state

    counts: dict[str, int] = {}
    with window.workspace.session() as s:
        for asset in s.scalars(select(Asset)):
            counts[audit_state(asset).value] = counts.get(audit_state(asset).value, 0) + 1
    return counts


def test_reconciliation_counts_look_for_list_bulk_marks_undo_and_table_filter(
    qtbot: QtBot, window: MainWindow, qtmodeltester: object
) -> None:
    listed = _list_all(window)
    _enter_room(qtbot, window, RECEPTION)
    for tag in ("NWD-00001", "NWD-00003", "NWD-00010"):
        scan(qtbot, window, tag)
        qtbot.waitUntil(lambda t=tag: window.editor.asset is not None and window.editor.asset.tag == t)
    actions = window.audit_actions  # type: ignore[attr-defined]
    view = actions.view
    window.actions_by_name["audit_reconciliation"].trigger()
    qtbot.waitUntil(lambda: actions.dock.isVisible() and view.places.rowCount() > 0)
    qtbot.waitUntil(lambda: view.look_for.rowCount() > 0)
    for model in (view.places, view.look_for):
        qtmodeltester.check(model)  # type: ignore[attr-defined]
    total = sum(p.expected for p in view.places.places)
    assert total == listed
    assert sum(p.seen for p in view.places.places) == 3
    reception = next(p for p in view.places.places if p.site == "Main Clinic" and p.location == RECEPTION)
    assert reception.seen == 3
    assert "3 seen" in view.summary.text() and f"{listed - 3:,} listed assets not seen yet" in view.summary.text()
    # what to look for in the room: the listed assets there not seen yet (the three seen are not among them)
    unseen_here = reception.expected - reception.seen
    assert view.look_for.rowCount() == unseen_here
    assert not {"NWD-00001", "NWD-00003", "NWD-00010"} & {r.tag for r in view.look_for.rows}
    window.resize(1400, 980)
    actions.dock.resize(1400, 420)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "reconciliation-window.png"))
    view.grab().save(str(SHOTS / "reconciliation-view.png"))

    # bulk: the first two marked missing (disposed), one undo takes both back
    selection = view.look_for_table.selectionModel()
    for row in (0, 1):
        selection.select(view.look_for.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)  # fmt: skip
    marked = [view.look_for.rows[0].tag, view.look_for.rows[1].tag]
    view.reason.setCurrentIndex(view.reason.findData("disposed"))
    qtbot.mouseClick(view.missing_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _states(window).get("missing") == 2)
    qtbot.waitUntil(lambda: view.look_for.rowCount() == unseen_here - 2)
    # the table's audit filter shows just those two
    window.filters.audit.setCurrentIndex(window.filters.audit.findData(AuditState.MISSING))
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 2)
    assert sorted(window.table_model.row_at(r).asset_tag for r in range(2)) == sorted(marked)  # type: ignore[union-attr]
    assert window.editor.undo_last_save()
    qtbot.waitUntil(lambda: "missing" not in _states(window))
    assert "no longer marked missing" in window.editor.banner.text()


def test_the_kpi_dashboard_shows_the_audit_progress(qtbot: QtBot, window: MainWindow) -> None:
    from ui.kpi_dashboard import KpiDashboard

    dashboard = KpiDashboard(window.workspace, window.current_project_id())
    qtbot.addWidget(dashboard)
    assert not dashboard.audit.isVisibleTo(dashboard)  # no client list yet: nothing to show
    listed = _list_all(window)
    _enter_room(qtbot, window, RECEPTION)
    for tag in ("NWD-00001", "NWD-00003", "NWD-00010"):
        scan(qtbot, window, tag)
        qtbot.waitUntil(lambda t=tag: window.editor.asset is not None and window.editor.asset.tag == t)
    dashboard.reload()
    assert dashboard.audit.isVisibleTo(dashboard)
    assert dashboard.audit.value() == round(3 / listed * 100)
    assert f"3 of {listed} listed assets seen or explained" in dashboard.figures.text()
    dashboard.show()
    qtbot.waitExposed(dashboard)
    dashboard.grab().save(str(SHOTS / "kpi-dashboard-audit.png"))
