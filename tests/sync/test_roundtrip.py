"""Two real devices sync through a real server: creates, edits, deletes and per-field merges converge."""

from __future__ import annotations

from sqlalchemy import select

from app.assets import create_asset, delete_asset, update_asset
from app.journal import pending_count
from models import Asset, ChangeSet, Conflict
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import Device, DeviceFactory, seed_tenant


def _asset(device: Device, asset_id: str) -> Asset:
    with device.ws.session() as s:
        asset = s.get(Asset, asset_id)
        assert asset is not None
        return asset


def test_an_asset_tagged_offline_reaches_another_device(live_server: LiveServer, make_device: DeviceFactory) -> None:
    live_server.add_user("ann", "coordinator")
    live_server.add_user("bob", "technician")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    with a.ws.transaction() as s:
        asset_id = create_asset(
            s, project_id=tenant.project_id, values={"asset_tag": "ACME-0001"}, actor="ann"
        ).asset.id
    report = a.sync()
    assert report.pushed == 3
    live_server.grant("bob", "project", tenant.project_id)
    b = make_device("b", "bob")
    b.sync()
    assert _asset(b, asset_id).asset_tag == "ACME-0001"
    with b.ws.session() as s:
        assert pending_count(s) == 0
        remote = s.scalars(select(ChangeSet).where(ChangeSet.entity_id == asset_id)).all()
        assert [(cs.origin, cs.op) for cs in remote] == [("remote", "create")]


def test_concurrent_edits_of_different_fields_both_survive_and_same_field_keeps_the_loser(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    b = make_device("b", "ann")
    tenant = seed_tenant(a, "ACME")
    with a.ws.transaction() as s:
        asset_id = create_asset(
            s, project_id=tenant.project_id, values={"asset_tag": "ACME-0001"}, actor="ann"
        ).asset.id
    a.sync()
    b.sync()
    with a.ws.transaction() as s:
        update_asset(s, asset_id, {"hostname": "pc-a", "model": "OptiPlex"}, actor="ann")
    with b.ws.transaction() as s:
        update_asset(s, asset_id, {"serial": "SN-B", "model": "Latitude"}, actor="ann")
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        asset = _asset(device, asset_id)
        assert (asset.hostname, asset.serial, asset.model) == ("pc-a", "SN-B", "Latitude")
        with device.ws.session() as s:
            conflicts = s.scalars(select(Conflict)).all()
            assert [(c.field, c.kind, c.losing_value, c.winning_value) for c in conflicts] == [
                ("model", "field", '"OptiPlex"', '"Latitude"')
            ]


def test_delete_wins_over_a_concurrent_edit_which_is_kept(live_server: LiveServer, make_device: DeviceFactory) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    b = make_device("b", "ann")
    tenant = seed_tenant(a, "ACME")
    with a.ws.transaction() as s:
        asset_id = create_asset(
            s, project_id=tenant.project_id, values={"asset_tag": "ACME-0001"}, actor="ann"
        ).asset.id
    a.sync()
    b.sync()
    with a.ws.transaction() as s:
        delete_asset(s, asset_id, actor="ann")
    with b.ws.transaction() as s:
        update_asset(s, asset_id, {"hostname": "kept"}, actor="ann")
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        assert _asset(device, asset_id).deleted_at is not None
        with device.ws.session() as s:
            conflicts = s.scalars(select(Conflict)).all()
            assert [(c.kind, c.field, c.losing_value) for c in conflicts] == [("delete-edit", "hostname", '"kept"')]


def test_the_same_tag_on_two_devices_is_flagged_never_merged(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    b = make_device("b", "ann")
    seed_tenant(a, "ACME")
    a.sync()
    b.sync()
    with b.ws.session() as s:
        from models import ActivationProject

        project_id = s.scalars(select(ActivationProject.id)).one()
    ids = []
    for device in (a, b):
        with device.ws.transaction() as s:
            ids.append(create_asset(s, project_id=project_id, values={"asset_tag": "ACME-0007"}, actor="ann").asset.id)
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        with device.ws.session() as s:
            assets = s.scalars(select(Asset).where(Asset.id.in_(ids))).all()
            assert len(assets) == 2
            assert all("duplicate-tag" in asset.attention for asset in assets)
            kinds = [c.kind for c in s.scalars(select(Conflict))]
            assert kinds == ["duplicate-tag"]
