"""What applying a pull derives on each device: search documents and "needs attention" flags, as where made."""

from __future__ import annotations

from sqlalchemy import select

from app.asset_query import search_assets
from app.assets import create_asset, delete_asset, update_asset
from app.catalog import CategorySpec, FieldSpec, create_category
from models import Asset
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import Device, DeviceFactory, seed_tenant


def _flags(device: Device) -> dict[str, list[str]]:
    with device.ws.session() as s:
        return {a.asset_tag: list(a.attention) for a in s.scalars(select(Asset).where(Asset.deleted_at.is_(None)))}


def _found(device: Device, project_id: str, words: str) -> list[str]:
    with device.ws.session() as s:
        return sorted(row.asset_tag for row in search_assets(s, project_id, words))


def _tag(device: Device, project_id: str, tag: str, **values: object) -> str:
    with device.ws.transaction() as s:
        values = {"asset_tag": tag, **values}
        return create_asset(s, project_id=project_id, values=values, actor=device.actor, allow_incomplete=True).asset.id


def test_pulled_assets_are_searchable_and_flagged_as_on_the_device_that_made_them(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    with a.ws.transaction() as s:
        spec = CategorySpec("rackgear", "Rack gear", "", (FieldSpec("units", "Rack units", required=True),))
        category_id = create_category(s, spec, actor="ann").id
    _tag(a, tenant.project_id, "ACME-0001", category_id=category_id)  # its required field is missing
    _tag(a, tenant.project_id, "ACME-0002", serial="SN-TWIN")
    _tag(a, tenant.project_id, "ACME-0003", serial="SN-TWIN")
    _tag(a, tenant.project_id, "ACME-0004", hostname="lobby-printer", notes="by the lifts")
    a.sync()
    b = make_device("b", "ann")
    b.sync()
    expected = {
        "ACME-0001": ["missing:Rack units"],
        "ACME-0002": ["duplicate-serial"],
        "ACME-0003": ["duplicate-serial"],
        "ACME-0004": [],
    }
    assert _flags(a) == expected
    assert _flags(b) == expected
    assert _found(b, tenant.project_id, "lobby") == ["ACME-0004"]
    assert _found(b, tenant.project_id, "lifts") == ["ACME-0004"]
    assert _found(b, tenant.project_id, "SN-TWIN") == ["ACME-0002", "ACME-0003"]


def test_a_twin_changed_or_deleted_elsewhere_is_unflagged_on_every_device(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    first = _tag(a, tenant.project_id, "ACME-0001", serial="SN-1")
    second = _tag(a, tenant.project_id, "ACME-0002", serial="SN-1")
    third = _tag(a, tenant.project_id, "ACME-0003", serial="SN-3")
    fourth = _tag(a, tenant.project_id, "ACME-0004", serial="SN-3")
    a.sync()
    b = make_device("b", "ann")
    b.sync()
    assert set(map(tuple, _flags(b).values())) == {("duplicate-serial",)}
    with a.ws.transaction() as s:
        update_asset(s, second, {"serial": "SN-2"}, actor="ann")  # the first is no longer a twin
        delete_asset(s, fourth, actor="ann")  # nor is the third
    a.sync()
    b.sync()
    expected = {"ACME-0001": [], "ACME-0002": [], "ACME-0003": []}
    assert _flags(a) == expected
    assert _flags(b) == expected
    assert _found(b, tenant.project_id, "SN-3") == ["ACME-0003"]
    with b.ws.session() as s:
        assert set(s.scalars(select(Asset.id).where(Asset.deleted_at.is_(None)))) == {first, second, third}
