"""Editing many assets at once: every asset journaled on its own, one step takes them all back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.bulk_update import restore_values, update_assets_bulk
from app.catalog import find_category
from app.db import Workspace
from app.errors import ReadOnlyError, ValidationError
from app.journal import history, pending_change_sets
from app.projects import create_site, find_project, list_locations, list_sites, update_project
from models import Asset, AssetStatus, ProjectStatus


def _assets(ws: Workspace, count: int) -> list[Asset]:
    with ws.session() as s:
        project = find_project(s, "NWD-ONB")
        query = select(Asset).where(Asset.project_id == project.id, Asset.deleted_at.is_(None))
        return list(s.scalars(query.order_by(Asset.asset_tag).limit(count)))


def test_a_bulk_edit_journals_each_asset_on_its_own_and_restoring_takes_all_back(demo_workspace: Workspace) -> None:
    chosen = _assets(demo_workspace, 12)
    ids = [a.id for a in chosen]
    before = {a.id: (a.category_id, a.status, a.site_id, a.location_id) for a in chosen}
    with demo_workspace.session() as s:
        printer = find_category(s, "printer").id
        site = list_sites(s, chosen[0].client_id)[-1]
        room = list_locations(s, site.id)[0]
        outbox_before = len(pending_change_sets(s, limit=100_000))
    values = {"category_id": printer, "status": AssetStatus.SPARE.value, "location_id": room.id}
    with demo_workspace.transaction() as s:
        result = update_assets_bulk(s, ids, values, actor="pat")
    assert result.changed + result.unchanged == 12 and result.changed == 12
    with demo_workspace.session() as s:
        for asset_id in ids:
            asset = s.get(Asset, asset_id)
            assert asset is not None
            assert (asset.category_id, asset.status, asset.site_id, asset.location_id) == (
                printer, AssetStatus.SPARE, site.id, room.id
            )  # fmt: skip
            last = history(s, "asset", asset_id)[-1]
            assert last.actor == "pat" and last.op == "update"
        outbox = pending_change_sets(s, limit=100_000)
        new = outbox[outbox_before:]
        assert sorted(cs.entity_id for cs in new) == sorted(ids)  # one change set per asset, so each syncs
    with demo_workspace.transaction() as s:
        assert restore_values(s, result.before, actor="pat") == 12
    with demo_workspace.session() as s:
        for asset_id in ids:
            asset = s.get(Asset, asset_id)
            assert asset is not None
            assert (asset.category_id, asset.status, asset.site_id, asset.location_id) == before[asset_id]


def test_assets_that_already_have_the_values_are_counted_not_journaled(demo_workspace: Workspace) -> None:
    chosen = _assets(demo_workspace, 3)
    with demo_workspace.transaction() as s:
        update_assets_bulk(s, [chosen[0].id], {"status": "retired"}, actor="pat")
    with demo_workspace.transaction() as s:
        result = update_assets_bulk(s, [a.id for a in chosen], {"status": "retired"}, actor="pat")
    assert (result.changed, result.unchanged) == (2, 1)
    assert chosen[0].id not in result.before


def test_a_site_of_another_client_is_refused_naming_the_asset_and_nothing_is_written(
    demo_workspace: Workspace,
) -> None:
    chosen = _assets(demo_workspace, 3)
    with demo_workspace.transaction() as s:
        from app.projects import create_client

        other = create_client(s, code="OTH", name="Other", tag_prefix="OT-", tag_digits=4, actor="lead")
        foreign = create_site(s, client_id=other.id, name="Elsewhere", actor="lead")
    with pytest.raises(ValidationError) as caught, demo_workspace.transaction() as s:
        update_assets_bulk(s, [a.id for a in chosen], {"status": "spare", "site_id": foreign.id}, actor="pat")
    assert chosen[0].asset_tag in " ".join(caught.value.errors.values())
    with demo_workspace.session() as s:
        assert [s.get(Asset, a.id).status for a in chosen] == [a.status for a in chosen]  # type: ignore[union-attr]


def test_only_category_status_site_and_location_can_be_set_in_bulk(demo_workspace: Workspace) -> None:
    chosen = _assets(demo_workspace, 2)
    with pytest.raises(ValidationError, match="cannot be set on many assets"), demo_workspace.transaction() as s:
        update_assets_bulk(s, [a.id for a in chosen], {"serial": "X1"}, actor="pat")
    with pytest.raises(ValidationError, match="at least one field"), demo_workspace.transaction() as s:
        update_assets_bulk(s, [a.id for a in chosen], {}, actor="pat")
    with pytest.raises(ValidationError, match="at least one asset"), demo_workspace.transaction() as s:
        update_assets_bulk(s, [], {"status": "spare"}, actor="pat")


def test_a_closed_project_refuses_a_bulk_edit(demo_workspace: Workspace) -> None:
    chosen = _assets(demo_workspace, 2)
    with demo_workspace.transaction() as s:
        update_project(s, chosen[0].project_id, {"status": ProjectStatus.CLOSED}, actor="lead")
    with pytest.raises(ReadOnlyError, match="closed"), demo_workspace.transaction() as s:
        update_assets_bulk(s, [a.id for a in chosen], {"status": "spare"}, actor="pat")
