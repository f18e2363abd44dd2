"""The sync panel in the real main window: Sync now syncs through the live server; conflicts resolve in one click."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import delete, select

from app.assets import update_asset
from app.sync import engine as sync_engine
from models import Asset, Conflict
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import DeviceFactory, seed_tenant, server_cli, tag_asset
from ui.conflicts_view import ConflictsDialog, ConflictsModel
from ui.main_window import MainWindow
from ui.settings import SERVER_URL, TECHNICIAN, Settings

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)")


@pytest.fixture
def window_for(qtbot: QtBot, tmp_path: Path) -> Iterator[object]:
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    windows: list[MainWindow] = []

    def make(device: object, server: LiveServer) -> MainWindow:
        settings = Settings(QSettings(str(tmp_path / "closeout.ini"), QSettings.Format.IniFormat))
        settings.set(TECHNICIAN, "ann")
        settings.set(SERVER_URL, server.url)
        window = MainWindow(device.ws, settings=settings)  # type: ignore[attr-defined]
        qtbot.addWidget(window, before_close_func=lambda w: w.runner.wait())
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.runner.wait()


def _state(window: MainWindow) -> str:
    label = window.findChild(QLabel, "syncState")
    assert label is not None
    return str(label.text())


def test_sync_now_sends_changes_and_the_conflict_resolves_in_one_click(
    qtbot: QtBot, live_server: LiveServer, make_device: DeviceFactory, window_for: object, qtmodeltester: object
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    b = make_device("b", "ann")
    tenant = seed_tenant(a, "ACME")
    asset_id = tag_asset(a, tenant.project_id, "ACME-0001")
    a.sync()
    b.sync()
    with b.ws.transaction() as s:
        update_asset(s, asset_id, {"model": "Latitude"}, actor="bob")
    b.sync()
    with a.ws.transaction() as s:
        update_asset(s, asset_id, {"model": "OptiPlex"}, actor="ann")
    window = window_for(a, live_server)  # type: ignore[operator]
    qtbot.waitUntil(lambda: _state(window) == "1 pending", timeout=5000)
    window.findChild(type(window.sync_panel.sync_action), "syncNow").trigger()
    qtbot.waitUntil(lambda: _state(window) == "Up to date", timeout=15000)
    with a.ws.session() as s:
        conflict = s.scalars(select(Conflict)).one()
        assert (conflict.losing_value, conflict.winning_value) == ('"Latitude"', '"OptiPlex"')
    dialog = ConflictsDialog(a.ws, window.runner, "ann", window.sync_panel.refresh_state, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=5000)
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
    dialog.view.selectRow(0)
    dialog.take_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0, timeout=5000)
    with a.ws.session() as s:
        asset = s.get(Asset, asset_id)
        assert asset is not None and asset.model == "Latitude"
    window.sync_panel.sync_now()
    qtbot.waitUntil(lambda: _state(window) == "Up to date", timeout=15000)
    b.sync()
    with b.ws.session() as s:
        asset = s.get(Asset, asset_id)
        assert asset is not None and asset.model == "Latitude"
        assert s.scalars(select(Conflict)).one().resolution == "took-loser"


def test_an_unreachable_server_shows_offline(
    qtbot: QtBot, live_server: LiveServer, make_device: DeviceFactory, window_for: object
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    window = window_for(a, live_server)  # type: ignore[operator]
    live_server.stop()
    window.sync_panel.sync_now()
    qtbot.waitUntil(lambda: _state(window).startswith("Offline"), timeout=15000)
    live_server.start()
    window.sync_panel.probe()
    qtbot.waitUntil(lambda: _state(window) == "Up to date", timeout=15000)
    assert sync_engine.status(a.ws).last_error == ""


def test_an_empty_conflicts_model_passes_the_model_tester(qtmodeltester: object) -> None:
    qtmodeltester.check(ConflictsModel())  # type: ignore[attr-defined]


def test_a_withdrawn_project_is_explained_and_its_unsent_edit_is_kept_in_the_conflicts_view(
    qtbot: QtBot,
    live_server: LiveServer,
    make_device: DeviceFactory,
    window_for: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    live_server.add_user("cora", "coordinator")
    live_server.add_user("tom", "technician")
    office = make_device("office", "cora")
    tenant = seed_tenant(office, "ACME")
    asset_id = tag_asset(office, tenant.project_id, "ACME-0001")
    office.sync()
    assert server_cli(live_server, monkeypatch, "grant", "tom", "ACME-P1") == 0
    laptop = make_device("laptop", "tom")
    laptop.sync()
    with laptop.ws.transaction() as s:
        update_asset(s, asset_id, {"hostname": "typed-on-site"}, actor="tom")
    assert server_cli(live_server, monkeypatch, "revoke", "tom", "ACME-P1") == 0
    window = window_for(laptop, live_server)  # type: ignore[operator]
    window.sync_panel.sync_now()
    qtbot.waitUntil(lambda: "access to them was withdrawn" in window.statusBar().currentMessage(), timeout=15000)
    with laptop.ws.session() as s:
        assert s.get(Asset, asset_id) is None
    dialog = ConflictsDialog(laptop.ws, window.runner, "tom", window.sync_panel.refresh_state, window)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.model.rowCount() >= 1, timeout=5000)
    kinds = {row.kind for row in dialog.model.rows}
    assert kinds == {"rejected"}
    assert any("typed-on-site" in f"{row.losing_value}{row.detail}" for row in dialog.model.rows)
    dialog.view.selectRow(0)
    assert not dialog.take_button.isEnabled() and dialog.keep_button.isEnabled()
    assert dialog.detail.text() == dialog.model.rows[0].detail
    count = dialog.model.rowCount()
    dialog.keep_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == count - 1, timeout=5000)


@pytest.mark.sync_repair
def test_a_part_of_the_workspace_fetched_again_by_the_check_is_told_in_the_status_bar(
    qtbot: QtBot, live_server: LiveServer, make_device: DeviceFactory, window_for: object
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    lost = tag_asset(a, tenant.project_id, "ACME-0001")
    a.engine.sync(verify=False)  # never checked: the window's next sync checks
    with a.ws.transaction() as s:  # a row lost behind the services' back (a bad restore, say)
        s.execute(delete(Asset).where(Asset.id == lost))
    window = window_for(a, live_server)  # type: ignore[operator]
    window.findChild(type(window.sync_panel.sync_action), "syncNow").trigger()
    qtbot.waitUntil(lambda: "was fetched again" in window.statusBar().currentMessage(), timeout=15000)
    assert "your unsent work was kept" in window.statusBar().currentMessage()
    with a.ws.session() as s:
        assert s.get(Asset, lost) is not None
