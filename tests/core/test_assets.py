"""Tagging assets through the services: validation in words, journaled writes, duplicate flags."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from app.assets import (
    create_asset,
    delete_asset,
    find_by_tag,
    refresh_attention,
    restore_asset,
    suggest_next_tag,
    update_asset,
)
from app.catalog import ensure_default_categories, field_definitions, list_categories
from app.db import Workspace, open_workspace
from app.errors import ReadOnlyError, ValidationError
from app.journal import history, pending_count
from app.projects import create_client, create_location, create_project, create_site, update_project
from models import Asset, AssetStatus, ChangeSet, LocationKind, ProjectStatus


@dataclass
class Setup:
    ws: Workspace
    client_id: str
    project_id: str
    site_id: str
    rack_id: str


@pytest.fixture
def acme(workspace: Workspace) -> Iterator[Setup]:
    with workspace.transaction() as s:
        ensure_default_categories(s)
        client = create_client(s, code="ACME", name="Acme Corp", tag_prefix="AC-", tag_digits=4, actor="lead")
        project = create_project(s, client_id=client.id, code="ACME-ONB", name="Acme onboarding", actor="lead")
        site = create_site(s, client_id=client.id, name="HQ", actor="lead")
        room = create_location(s, site_id=site.id, kind=LocationKind.ROOM, name="Server room", actor="lead")
        rack = create_location(
            s, site_id=site.id, kind=LocationKind.RACK, name="Rack 1", parent_id=room.id, actor="lead"
        )
        ids = Setup(workspace, client.id, project.id, site.id, rack.id)
    yield ids


def _create(setup: Setup, **values: object) -> Asset:
    with setup.ws.transaction() as s:
        return create_asset(s, project_id=setup.project_id, values=values, actor="alex").asset


def test_a_new_asset_is_saved_with_normalised_fields_and_journaled(acme: Setup) -> None:
    asset = _create(
        acme,
        tag="ac-0001",
        category="switch",
        manufacturer="  Cisco ",
        serial=" s/n: fdo1234 ",
        mac="001a.2b3c.4d5e",
        ip="010.000.001.002",
        location="Server room / Rack 1",
        ports="48",
        poe="yes",
    )
    with acme.ws.session() as s:
        saved = s.get(Asset, asset.id)
        assert saved is not None
        assert (saved.asset_tag, saved.manufacturer, saved.serial) == ("AC-0001", "Cisco", "FDO1234")
        assert (saved.mac_address, saved.ip_address) == ("00:1A:2B:3C:4D:5E", "10.0.1.2")
        assert saved.site_id == acme.site_id and saved.location_id == acme.rack_id
        assert saved.custom_fields == {"ports": 48, "poe": True}
        assert saved.tagged_by == "alex" and saved.tagged_at is not None
        assert saved.status == AssetStatus.IN_SERVICE
        entries = history(s, "asset", asset.id)
        assert [(e.op, e.field, e.actor) for e in entries] == [("create", "*", "alex")]
        assert entries[0].new_value["asset_tag"] == "AC-0001"
        assert pending_count(s) > 0


def test_every_problem_is_reported_at_once_in_the_technicians_words(acme: Setup) -> None:
    with pytest.raises(ValidationError) as caught, acme.ws.transaction() as s:
        create_asset(
            s,
            project_id=acme.project_id,
            values={"tag": "XX-1", "mac": "nope", "ip": "300.1.1.1", "status": "lost in space"},
            actor="alex",
        )
    errors = caught.value.errors
    assert errors["asset_tag"] == "Tags for this client start with AC- (for example AC-0001)."
    assert "is not a MAC address" in errors["mac_address"]
    assert "is not an IP address" in errors["ip_address"]
    assert "is not a status" in errors["status"]
    with acme.ws.session() as s:
        assert s.scalars(select(Asset)).first() is None


def test_a_duplicate_tag_is_refused_with_where_the_tag_already_is(acme: Setup) -> None:
    _create(acme, tag="AC-0001", manufacturer="Dell", model="OptiPlex 7010", location="Rack 1")
    with pytest.raises(ValidationError) as caught, acme.ws.transaction() as s:
        create_asset(s, project_id=acme.project_id, values={"tag": " ac-0001"}, actor="sam")
    assert caught.value.errors["asset_tag"] == (
        "Tag AC-0001 is already on the Dell OptiPlex 7010 (AC-0001) at HQ / Server room / Rack 1."
    )


def test_a_shared_serial_is_allowed_but_warned_and_flagged_on_both(acme: Setup) -> None:
    first = _create(acme, tag="AC-0001", serial="ABC123")
    with acme.ws.transaction() as s:
        result = create_asset(s, project_id=acme.project_id, values={"tag": "AC-0002", "serial": "abc123"}, actor="a")
    assert result.warnings and "Serial ABC123 is also recorded on" in result.warnings[0]
    with acme.ws.session() as s:
        flags = {a.asset_tag: a.attention for a in s.scalars(select(Asset))}
    assert flags == {"AC-0001": ["duplicate-serial"], "AC-0002": ["duplicate-serial"]}
    with acme.ws.transaction() as s:
        update_asset(s, first.id, {"serial": "XYZ999"}, actor="alex")
    with acme.ws.session() as s:
        assert {a.asset_tag: a.needs_attention for a in s.scalars(select(Asset))} == {
            "AC-0001": False,
            "AC-0002": False,
        }


def test_required_configuration_fields_are_enforced_unless_capture_is_partial(acme: Setup) -> None:
    with pytest.raises(ValidationError) as caught, acme.ws.transaction() as s:
        create_asset(s, project_id=acme.project_id, values={"tag": "AC-0001", "category": "server"}, actor="a")
    assert caught.value.errors == {
        "custom.role": "Role is required for this category.",
        "custom.backed_up": "Backed up is required for this category.",
    }
    with acme.ws.transaction() as s:
        result = create_asset(
            s,
            project_id=acme.project_id,
            values={"tag": "AC-0001", "category": "server", "role": "DC"},
            actor="a",
            allow_incomplete=True,
        )
        assert result.asset.attention == ["missing:Backed up"]
        assert result.asset.needs_attention


def test_a_custom_value_of_the_wrong_type_is_explained(acme: Setup) -> None:
    with pytest.raises(ValidationError) as caught, acme.ws.transaction() as s:
        create_asset(
            s,
            project_id=acme.project_id,
            values={"tag": "AC-0001", "category": "server", "role": "DC", "backed_up": "y", "raid_level": "RAID 99"},
            actor="a",
        )
    assert caught.value.errors["custom.raid_level"].startswith("RAID level: “RAID 99” is not one of: None, RAID 1")


def test_an_update_journals_only_the_fields_that_really_change(acme: Setup) -> None:
    asset = _create(acme, tag="AC-0001", category="switch", ports=24, hostname="sw1")
    with acme.ws.transaction() as s:
        result = update_asset(
            s, asset.id, {"hostname": "SW1", "ports": "48", "poe": "no", "model": "C9200"}, actor="sam"
        )
    assert sorted(result.changed) == ["custom.poe", "custom.ports", "model"]
    with acme.ws.session() as s:
        entries = [(e.field, e.old_value, e.new_value, e.actor) for e in history(s, "asset", asset.id)[1:]]
        assert sorted(entries) == [
            ("custom.poe", None, False, "sam"),
            ("custom.ports", 24, 48, "sam"),
            ("model", "", "C9200", "sam"),
        ]
        again = update_asset(s, asset.id, {"hostname": "sw1"}, actor="sam")
        assert again.changed == []


def test_deleting_leaves_a_tombstone_that_syncs_and_frees_the_tag(acme: Setup) -> None:
    asset = _create(acme, tag="AC-0001")
    with acme.ws.transaction() as s:
        delete_asset(s, asset.id, actor="alex")
    with acme.ws.session() as s:
        row = s.get(Asset, asset.id)
        assert row is not None and row.deleted_at is not None
        assert find_by_tag(s, acme.client_id, "AC-0001") is None
        ops = [cs.op for cs in s.scalars(select(ChangeSet).where(ChangeSet.entity_id == asset.id))]
        assert ops == ["create", "delete"]
        # The label is physically gone with the asset, so the suggestion never hands it out again.
        assert suggest_next_tag(s, acme.client_id) == "AC-0002"


def test_the_next_tag_follows_the_highest_one(acme: Setup) -> None:
    with acme.ws.session() as s:
        assert suggest_next_tag(s, acme.client_id) == "AC-0001"
    _create(acme, tag="AC-0007")
    _create(acme, tag="AC-0003")
    _create(acme, tag="AC-SPARE")
    with acme.ws.session() as s:
        assert suggest_next_tag(s, acme.client_id) == "AC-0008"


def test_a_closed_project_is_read_only(acme: Setup) -> None:
    asset = _create(acme, tag="AC-0001")
    with acme.ws.transaction() as s:
        update_project(s, acme.project_id, {"status": ProjectStatus.CLOSED}, actor="lead")
    with pytest.raises(ReadOnlyError, match="is closed"), acme.ws.transaction() as s:
        update_asset(s, asset.id, {"model": "X"}, actor="alex")
    with pytest.raises(ReadOnlyError), acme.ws.transaction() as s:
        create_asset(s, project_id=acme.project_id, values={"tag": "AC-0002"}, actor="alex")


def test_a_failed_save_leaves_nothing_behind(acme: Setup) -> None:
    with acme.ws.session() as s:
        before = s.scalar(select(ChangeSet.id).order_by(ChangeSet.id.desc()).limit(1))
    with pytest.raises(ValidationError), acme.ws.transaction() as s:
        create_asset(s, project_id=acme.project_id, values={"tag": "AC-0001"}, actor="a")
        create_asset(s, project_id=acme.project_id, values={"tag": "AC-0001"}, actor="a")
    with acme.ws.session() as s:
        assert s.scalar(select(ChangeSet.id).order_by(ChangeSet.id.desc()).limit(1)) == before
        assert s.scalars(select(Asset)).first() is None


def test_moving_an_asset_to_another_site_drops_the_old_sites_room(acme: Setup) -> None:
    asset = _create(acme, tag="AC-0101", category="other", location="Server room / Rack 1")
    assert asset.location_id == acme.rack_id
    with acme.ws.transaction() as s:
        other = create_site(s, client_id=acme.client_id, name="Warehouse", actor="lead")
        result = update_asset(s, asset.id, {"site": "Warehouse"}, actor="alex")
        assert result.asset.site_id == other.id
        assert result.asset.location_id is None
        assert set(result.changed) == {"site_id", "location_id"}
    with acme.ws.session() as s:
        fields = {e.field for e in history(s, "asset", asset.id)}
    assert {"site_id", "location_id"} <= fields


def test_a_deleted_asset_is_restored_with_its_tag_unless_the_tag_was_reused(acme: Setup) -> None:
    first = _create(acme, tag="AC-0201", category="other")
    with acme.ws.transaction() as s:
        delete_asset(s, first.id, actor="alex")
        restored = restore_asset(s, first.id, actor="alex")
        assert restored.deleted_at is None
    with acme.ws.session() as s:
        assert find_by_tag(s, acme.client_id, "AC-0201") is not None
        deleted_at = [(e.op, e.new_value) for e in history(s, "asset", first.id) if e.field == "deleted_at"]
    assert len(deleted_at) == 2 and {op for op, _ in deleted_at} == {"delete", "update"}
    assert any(value is None for _, value in deleted_at)
    with acme.ws.transaction() as s:
        delete_asset(s, first.id, actor="alex")
    second = _create(acme, tag="AC-0201", category="other")
    with acme.ws.transaction() as s, pytest.raises(ValidationError, match="already on"):
        restore_asset(s, first.id, actor="alex")
    assert second.id != first.id


def test_default_categories_have_the_same_ids_in_every_workspace(tmp_path: Path) -> None:
    ids = []
    for name in ("a", "b"):
        ws = open_workspace(tmp_path / name, create=True)
        try:
            with ws.transaction() as s:
                ensure_default_categories(s)
            with ws.session() as s:
                ids.append(
                    sorted(
                        (c.code, c.id, tuple(sorted(d.id for d in field_definitions(s, c.id))))
                        for c in list_categories(s)
                    )
                )
        finally:
            ws.close()
    assert ids[0] == ids[1] and len(ids[0]) >= 10


def test_a_peer_found_by_serial_keeps_its_duplicate_tag_flag(acme: Setup) -> None:
    a = _create(acme, tag="AC-0301", category="other", serial="SER-A")
    b = _create(acme, tag="AC-0302", category="other", serial="SER-B")
    c = _create(acme, tag="AC-0303", category="other", serial="SER-C")
    with acme.ws.transaction() as s:
        # Two devices gave one tag to two assets: sync stores both and flags them (no service allows this locally).
        twin = s.get(Asset, c.id)
        assert twin is not None
        twin.asset_tag = "AC-0302"
        refresh_attention(s, acme.client_id, [twin], tags=["AC-0303"])
    with acme.ws.transaction() as s:
        update_asset(s, a.id, {"serial": "SER-B"}, actor="alex")  # now shares a serial with b
    with acme.ws.session() as s:
        flags = {asset.asset_tag + "/" + asset.serial: sorted(asset.attention) for asset in s.scalars(select(Asset))}
    assert flags["AC-0302/SER-B"] == ["duplicate-serial", "duplicate-tag"]
    assert flags["AC-0301/SER-B"] == ["duplicate-serial"]
    assert flags["AC-0302/SER-C"] == ["duplicate-tag"]
    assert b.id != c.id


def test_notes_longer_than_a_spreadsheet_cell_are_refused_and_control_characters_dropped(acme: Setup) -> None:
    with acme.ws.transaction() as s, pytest.raises(ValidationError, match="at most 32,000 characters"):
        create_asset(s, project_id=acme.project_id, values={"tag": "AC-0401", "notes": "x" * 40_000}, actor="alex")
    asset = _create(acme, tag="AC-0402", category="other", notes="rack\x1b[31m A\x00\tline\nnext", model="R\x01740")
    assert asset.notes == "rack[31m A\tline\nnext"
    assert asset.model == "R740"
