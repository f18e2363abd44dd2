"""Bulk tagging checks and journals each row exactly as one-by-one tagging does; only the writing is batched."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from app.asset_query import AssetFilter, count_assets
from app.assets import create_asset
from app.bulk import create_assets_bulk
from app.catalog import ensure_default_categories
from app.db import Workspace
from app.errors import ValidationError
from app.journal import history, pending_change_sets, snapshot
from app.projects import create_client, create_location, create_project, create_site
from models import Asset, ChangeSet, LocationKind


@pytest.fixture
def project_id(workspace: Workspace) -> str:
    with workspace.transaction() as s:
        ensure_default_categories(s)
        client = create_client(s, code="ACME", name="Acme", tag_prefix="AC-", tag_digits=4, actor="lead")
        project = create_project(s, client_id=client.id, code="ACME-ONB", name="Acme onboarding", actor="lead")
        site = create_site(s, client_id=client.id, name="HQ", actor="lead")
        create_location(s, site_id=site.id, kind=LocationKind.ROOM, name="Lab", actor="lead")
        return project.id


ROW: dict[str, Any] = {
    "category": "switch",
    "manufacturer": "Cisco",
    "model": "C9200",
    "ip": "010.0.0.1",
    "mac": "001a2b3c4d5e",
    "location": "Lab",
    "ports": "24",
    "user": "Zoë",
}


def _comparable(asset: Asset) -> dict[str, Any]:
    data = snapshot(asset)
    for volatile in ("asset_tag", "serial", "tagged_at"):
        data.pop(volatile)
    return data


def test_a_bulk_row_equals_a_one_by_one_save(workspace: Workspace, project_id: str) -> None:
    with workspace.transaction() as s:
        single = create_asset(s, project_id=project_id, values={**ROW, "tag": "AC-0001", "serial": "A1"}, actor="t")
        bulk = create_assets_bulk(s, project_id=project_id, rows=[{**ROW, "tag": "AC-0002", "serial": "B2"}], actor="t")
        single_id, bulk_id = single.asset.id, bulk.created[0]
    with workspace.session() as s:
        one, many = s.get(Asset, single_id), s.get(Asset, bulk_id)
        assert one is not None and many is not None
        assert _comparable(one) == _comparable(many)
        assert (one.attention, one.needs_attention) == (many.attention, many.needs_attention)
        h_one, h_many = history(s, "asset", single_id), history(s, "asset", bulk_id)
        assert [(e.op, e.field, e.actor, e.origin) for e in h_one] == [
            (e.op, e.field, e.actor, e.origin) for e in h_many
        ]
        assert h_many[0].new_value == snapshot(many)
        assert count_assets(s, AssetFilter(project_id=project_id, text="zoe cisco")) == 2


def test_bad_rows_are_reported_and_good_rows_kept(workspace: Workspace, project_id: str) -> None:
    rows = [
        {**ROW, "tag": "AC-0001"},
        {**ROW, "tag": "AC-0001"},
        {**ROW, "tag": "XX-9"},
        {**ROW, "tag": "AC-0003", "mac": "nonsense"},
        {**ROW, "tag": "AC-0004", "ports": "many"},
        {**ROW, "tag": ""},
    ]
    with workspace.transaction() as s:
        result = create_assets_bulk(s, project_id=project_id, rows=rows, actor="t")
    assert len(result.created) == 1
    assert result.rejected[1] == {"asset_tag": "Tag AC-0001 appears twice (also in row 1)."}
    assert "start with AC-" in result.rejected[2]["asset_tag"]
    assert "is not a MAC address" in result.rejected[3]["mac_address"]
    assert result.rejected[4]["custom.ports"] == "Ports: “many” is not a number."
    assert result.rejected[5] == {"asset_tag": "Enter or scan an asset tag."}


def test_strict_mode_writes_nothing_when_any_row_is_bad(workspace: Workspace, project_id: str) -> None:
    with pytest.raises(ValidationError) as caught, workspace.transaction() as s:
        create_assets_bulk(
            s,
            project_id=project_id,
            rows=[{**ROW, "tag": "AC-0001"}, {**ROW, "tag": "bad tag"}],
            actor="t",
            strict=True,
        )
    assert list(caught.value.errors) == ["row 2: asset_tag"]
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 0


def test_existing_tags_are_refused_and_shared_serials_flagged(workspace: Workspace, project_id: str) -> None:
    with workspace.transaction() as s:
        create_asset(s, project_id=project_id, values={"tag": "AC-0001", "serial": "DUP1"}, actor="t")
    with workspace.transaction() as s:
        result = create_assets_bulk(
            s,
            project_id=project_id,
            rows=[{"tag": "AC-0001"}, {"tag": "AC-0002", "serial": "dup1"}, {"tag": "AC-0003", "serial": "X"}],
            actor="t",
        )
    assert result.rejected == {0: {"asset_tag": "Tag AC-0001 is already on another asset of this client."}}
    assert result.warnings == {1: ["Serial DUP1 is also recorded on another asset; check the label."]}
    with workspace.session() as s:
        flags = {a.asset_tag: a.attention for a in s.scalars(select(Asset))}
    assert flags == {"AC-0001": ["duplicate-serial"], "AC-0002": ["duplicate-serial"], "AC-0003": []}


def test_mutation_ids_and_clock_stay_sequential_around_a_bulk_load(workspace: Workspace, project_id: str) -> None:
    with workspace.transaction() as s:
        create_asset(s, project_id=project_id, values={"tag": "AC-0001"}, actor="t")
        create_assets_bulk(s, project_id=project_id, rows=[{"tag": f"AC-{n:04d}"} for n in range(2, 502)], actor="t")
        create_asset(s, project_id=project_id, values={"tag": "AC-0999"}, actor="t")
    with workspace.session() as s:
        sets = list(s.scalars(select(ChangeSet).where(ChangeSet.entity == "asset").order_by(ChangeSet.id)))
        assert len(sets) == 502
        assert [c.id for c in sets] == list(range(sets[0].id, sets[0].id + 502))
        hlcs = [c.hlc for c in sets]
        assert hlcs == sorted(hlcs) and len(set(hlcs)) == 502
        assert len(pending_change_sets(s, limit=10_000)) >= 502


def test_progress_is_reported_and_can_cancel_everything(workspace: Workspace, project_id: str) -> None:
    seen: list[tuple[int, int]] = []

    def stop_after_first_chunk(done: int, total: int) -> None:
        seen.append((done, total))
        raise KeyboardInterrupt

    rows = [{"tag": f"AC-{n:04d}"} for n in range(1, 251)]
    with pytest.raises(KeyboardInterrupt), workspace.transaction() as s:
        create_assets_bulk(s, project_id=project_id, rows=rows, actor="t", chunk=100, progress=stop_after_first_chunk)
    assert seen == [(100, 250)]
    with workspace.session() as s:
        assert s.scalar(select(func.count()).select_from(Asset)) == 0
