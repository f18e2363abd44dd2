"""Fixtures for sync tests: a live server (SQLite and PostgreSQL) and real client workspaces signed in to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.db import open_workspace
from app.sync import engine as sync_engine
from app.sync.transport import Transport
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import Device, DeviceFactory


@pytest.fixture(autouse=True)
def no_unexpected_repairs(request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Every sync here ends with the sanity check when due; a difference it finds is a bug of the sync (or of the
    check) unless the test made the difference itself (marked `sync_repair`)."""
    yield
    if request.node.get_closest_marker("sync_repair") is None:
        found = [
            r.getMessage()
            for r in caplog.records
            if r.name == "app.sync.engine" and "sanity check of" in r.getMessage() and "skipped" not in r.getMessage()
        ]
        assert not found, found


@pytest.fixture
def make_device(live_server: LiveServer, tmp_path: Path) -> Iterator[DeviceFactory]:
    devices: list[Device] = []

    def make(name: str, user: str, password: str = "password-123") -> Device:
        ws = open_workspace(tmp_path / f"device-{name}")
        sync_engine.login(ws, live_server.url, user, password)
        engine = sync_engine.connect(ws)
        device = Device(name=name, actor=user, ws=ws, engine=engine)
        devices.append(device)
        return device

    yield make
    for device in devices:
        device.close()


@pytest.fixture
def transport_factory(live_server: LiveServer) -> Iterator[Callable[[str], Transport]]:
    opened: list[Transport] = []

    def make(token: str = "") -> Transport:
        transport = Transport(live_server.url, token=token, retries=0)
        opened.append(transport)
        return transport

    yield make
    for transport in opened:
        transport.close()
