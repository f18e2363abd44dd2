"""A device offline longer than the tombstone retention gets 410 and replaces its copy, keeping what it typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.assets import delete_asset, update_asset
from app.db import Workspace, open_workspace
from app.sync.engine import REPLACE_KEY, STAGED_CURSOR_KEY, SyncEngine
from app.sync.transport import Transport
from models import Asset, ChangeSet, Conflict, StagedRow
from server.models import Record, Space
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import Device, DeviceFactory, seed_tenant, server_cli, sync_killed_at, tag_asset

FRESH_COPY = "Fetching a fresh copy of data the server has tidied up…"


def _purge(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """`closeout-server purge-tombstones --older-than 0`: every tombstone counts as past the retention."""
    assert server_cli(server, monkeypatch, "purge-tombstones", "--older-than", "0") == 0


def _grant(server: LiveServer, monkeypatch: pytest.MonkeyPatch, user: str, project: str) -> None:
    assert server_cli(server, monkeypatch, "grant", user, project) == 0


def _server_assets(server: LiveServer) -> dict[str, dict[str, object]]:
    """Live assets on the server: id -> data."""
    with server.engine.connect() as con:
        rows = con.execute(select(Record.id, Record.data).where(Record.entity == "asset", Record.deleted_at.is_(None)))
        return {row.id: row.data for row in rows}


def _local_assets(ws: Workspace) -> dict[str, Asset]:
    with ws.session() as s:
        assets = {a.id: a for a in s.scalars(select(Asset))}
        s.expunge_all()
        return assets


def _floor(server: LiveServer, space_id: str) -> int:
    with server.engine.connect() as con:
        return int(con.scalar(select(Space.purge_floor).where(Space.id == space_id)) or 0)


def _sync(device: Device) -> list[str]:
    steps: list[str] = []
    device.engine.sync(lambda done, total, text: steps.append(text))
    return steps


def test_a_device_offline_past_the_retention_replaces_its_copy_and_keeps_its_own_edit(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    live_server.add_user("cora", "coordinator")
    live_server.add_user("tom", "technician")
    office = make_device("office", "cora")
    tenant = seed_tenant(office, "ACME")
    assets = [tag_asset(office, tenant.project_id, f"ACME-{n:04d}", hostname=f"host-{n}") for n in range(1, 9)]
    office.sync()
    _grant(live_server, monkeypatch, "tom", "ACME-P1")
    laptop = make_device("laptop", "tom")
    laptop.sync()
    assert set(_local_assets(laptop.ws)) == set(assets)

    # The laptop goes offline: an edit and a new asset it has not sent.
    edited, office_edited, deleted = assets[0], assets[1], set(assets[5:])
    with laptop.ws.transaction() as s:
        update_asset(s, edited, {"hostname": "typed-offline"}, actor="tom")
    new_here = tag_asset(laptop, tenant.project_id, "ACME-0100", hostname="new-on-site")
    # Meanwhile the office deletes three assets and edits another; the server later purges the tombstones.
    with office.ws.transaction() as s:
        for asset_id in deleted:
            delete_asset(s, asset_id, actor="cora")
        update_asset(s, office_edited, {"hostname": "office-edit"}, actor="cora")
    office.sync()
    _purge(live_server, monkeypatch)
    assert _floor(live_server, tenant.client_id) > 0
    with live_server.engine.connect() as con:
        assert con.scalar(select(func.count()).select_from(Record).where(Record.id.in_(sorted(deleted)))) == 0
    with office.ws.transaction() as s:
        update_asset(s, assets[2], {"hostname": "after-the-purge"}, actor="cora")
    office.sync()

    steps = _sync(laptop)

    assert FRESH_COPY in steps  # the server answered 410 and the laptop pulled the space again
    server = _server_assets(live_server)
    local = _local_assets(laptop.ws)
    assert set(local) == set(server) == (set(assets) - deleted) | {new_here}
    assert all(a.deleted_at is None for a in local.values())
    assert len({a.asset_tag for a in local.values()}) == len(local)  # no duplicates
    assert local[edited].hostname == server[edited]["hostname"] == "typed-offline"
    assert server[new_here]["hostname"] == "new-on-site"
    assert local[office_edited].hostname == "office-edit"
    assert local[assets[2]].hostname == "after-the-purge"
    with laptop.ws.session() as s:
        local_deletes = s.scalar(
            select(func.count()).select_from(ChangeSet).where(ChangeSet.origin == "local", ChangeSet.op == "delete")
        )
        assert local_deletes == 0  # the purged records left without a delete to push back
        assert s.scalar(select(func.count()).select_from(ChangeSet).where(ChangeSet.pushed_at.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(Conflict).where(Conflict.kind == "rejected")) == 0
        assert s.scalar(select(func.count()).select_from(StagedRow)) == 0
        assert s.scalar(text("SELECT count(*) FROM asset_search_docs")) == len(local)
    assert laptop.ws.meta(REPLACE_KEY) == ""

    # Converged: the office sees the laptop's work, and the next syncs are ordinary ones.
    office.sync()
    office_live = {i for i, a in _local_assets(office.ws).items() if a.deleted_at is None}
    assert office_live == set(local)
    assert _local_assets(office.ws)[edited].hostname == "typed-offline"
    again = _sync(laptop)
    assert FRESH_COPY not in again
    assert set(_local_assets(laptop.ws)) == set(local)


def test_an_edit_of_a_purged_record_is_kept_as_a_conflict(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    live_server.add_user("cora", "coordinator")
    office = make_device("office", "cora")
    tenant = seed_tenant(office, "ACME")
    assets = [tag_asset(office, tenant.project_id, f"ACME-{n:04d}") for n in range(1, 4)]
    office.sync()
    laptop = make_device("laptop", "cora")
    laptop.sync()
    with laptop.ws.transaction() as s:
        update_asset(s, assets[0], {"hostname": "typed-on-a-deleted-asset"}, actor="cora")
    with office.ws.transaction() as s:
        delete_asset(s, assets[0], actor="cora")
    office.sync()
    _purge(live_server, monkeypatch)

    assert FRESH_COPY in _sync(laptop)

    assert set(_local_assets(laptop.ws)) == set(assets[1:])
    with laptop.ws.session() as s:
        kept = s.scalars(select(Conflict).where(Conflict.entity_id == assets[0])).all()
    assert [(c.kind, c.field) for c in kept] == [("rejected", "hostname")]
    assert "typed-on-a-deleted-asset" in (kept[0].losing_value or "")


def test_a_replacement_sync_killed_midway_is_completed_by_the_next(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    live_server.add_user("cora", "coordinator")
    office = make_device("office", "cora")
    tenant = seed_tenant(office, "ACME")
    assets = [tag_asset(office, tenant.project_id, f"ACME-{n:04d}") for n in range(1, 41)]
    office.sync()
    home = tmp_path / "laptop"
    with Transport(live_server.url) as login:
        token = login.login("cora", "password-123").token
    ws = open_workspace(home)
    try:
        with Transport(live_server.url, token=token) as transport:
            SyncEngine(ws, transport).sync()
        with ws.transaction() as s:
            update_asset(s, assets[0], {"hostname": "typed-offline"}, actor="cora")
        deleted = set(assets[30:])
        with office.ws.transaction() as s:
            for asset_id in deleted:
                delete_asset(s, asset_id, actor="cora")
        office.sync()
        _purge(live_server, monkeypatch)

        # Killed after the 410, once the replacement's first page is kept: it resumes, not restarts.
        assert sync_killed_at(home, live_server.url, token, "Fetched 20 changes…", after=FRESH_COPY)
        assert ws.meta(REPLACE_KEY) == f'["{tenant.client_id}"]'
        assert ws.meta(STAGED_CURSOR_KEY) != ""
        assert set(_local_assets(ws)) == set(assets)  # nothing applied yet

        with Transport(live_server.url, token=token) as transport:
            SyncEngine(ws, transport, page_size=10).sync()
        local = _local_assets(ws)
        assert set(local) == set(_server_assets(live_server)) == set(assets) - deleted
        assert local[assets[0]].hostname == "typed-offline"
        assert _server_assets(live_server)[assets[0]]["hostname"] == "typed-offline"
        assert ws.meta(REPLACE_KEY) == ws.meta(STAGED_CURSOR_KEY) == ""
        with ws.session() as s:
            assert s.scalar(select(func.count()).select_from(StagedRow)) == 0
            assert s.scalar(text("SELECT count(*) FROM asset_search_docs")) == len(local)
    finally:
        ws.close()
