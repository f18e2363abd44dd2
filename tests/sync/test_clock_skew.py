"""A device whose clock runs days ahead does not win every conflict: the server's order of arrival decides."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

import app.journal
from app.assets import update_asset
from models import Asset, Conflict
from models.base import utcnow
from models.wire import canonical_json
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import Device, DeviceFactory, seed_tenant, tag_asset

AHEAD = timedelta(days=5)


@contextmanager
def clock_ahead(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The journal's wall clock (its HLC and its timestamps) runs AHEAD while one device writes."""
    skewed = SimpleNamespace(time_ns=lambda: time.time_ns() + int(AHEAD.total_seconds() * 1e9))
    with monkeypatch.context() as patch:  # the journal's clock only: the server in this process keeps true time
        patch.setattr(app.journal, "time", skewed)
        patch.setattr(app.journal, "utcnow", lambda: utcnow() + AHEAD)
        yield


def _edit(device: Device, asset_id: str, field: str, value: str) -> None:
    with device.ws.transaction() as s:
        update_asset(s, asset_id, {field: value}, actor=device.actor)


def _value(device: Device, asset_id: str, field: str) -> str:
    with device.ws.session() as s:
        asset = s.get(Asset, asset_id)
        assert asset is not None
        return str(getattr(asset, field))


def _conflicts(device: Device, field: str) -> list[Conflict]:
    with device.ws.session() as s:
        return list(s.scalars(select(Conflict).where(Conflict.field == field, Conflict.kind == "field")))


def test_a_device_with_a_clock_days_ahead_loses_when_it_reaches_the_server_first(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    live_server.add_user("ann", "coordinator")
    fast, honest = make_device("fast", "ann"), make_device("honest", "ann")
    tenant = seed_tenant(fast, "SKEW")
    asset_id = tag_asset(fast, tenant.project_id, "SKEW-0001", hostname="start", model="start")
    fast.sync()
    honest.sync()

    # hostname: the fast device writes (stamped five days ahead) and arrives first; the honest one arrives later.
    with clock_ahead(monkeypatch):
        _edit(fast, asset_id, "hostname", "from-fast")
    _edit(honest, asset_id, "hostname", "from-honest")
    fast.sync()
    honest.sync()
    # model: the other way round, so the outcome follows arrival and not whose clock says later.
    _edit(honest, asset_id, "model", "from-honest")
    with clock_ahead(monkeypatch):
        _edit(fast, asset_id, "model", "from-fast")
    honest.sync()
    fast.sync()
    honest.sync()

    days_ahead = (time.time_ns() // 1_000_000) + (AHEAD.days - 1) * 86_400_000
    for device in (fast, honest):
        assert _value(device, asset_id, "hostname") == "from-honest"  # the fast clock did not win
        assert _value(device, asset_id, "model") == "from-fast"
        [lost_hostname] = _conflicts(device, "hostname")
        assert lost_hostname.losing_value == canonical_json("from-fast")
        assert lost_hostname.winning_value == canonical_json("from-honest")
        assert lost_hostname.loser_device == fast.ws.device_id
        assert int(lost_hostname.loser_hlc.split(".")[0]) > days_ahead  # its clock is shown, never trusted
        [lost_model] = _conflicts(device, "model")
        assert lost_model.losing_value == canonical_json("from-honest")
        assert lost_model.loser_device == honest.ws.device_id
