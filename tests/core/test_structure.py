"""Creating and editing clients, projects, sites and the location tree: checks in words, every write journaled."""

from __future__ import annotations

import pytest

from app.catalog import CategorySpec, create_category, find_category
from app.db import Workspace
from app.errors import NotFoundError, ReadOnlyError, ValidationError
from app.journal import history
from app.projects import create_client, create_location, create_project, create_site, find_location, list_locations
from app.structure import edit_project, inner_kind, suggest_code, update_client, update_location, update_site
from app.validation import normalise_technician
from models import ActivationProject, Client, LocationKind, ProjectStatus


def _acme(ws: Workspace) -> tuple[str, str, str]:
    with ws.transaction() as s:
        client = create_client(s, code="acme", name="Acme Corp", tag_prefix="acm-", actor="lee")
        project = create_project(s, client_id=client.id, code="acme-onb", name="Onboarding", actor="lee")
        site = create_site(s, client_id=client.id, name="Head office", actor="lee")
        return client.id, project.id, site.id


def test_a_client_keeps_its_prefix_upper_case_and_refuses_a_bad_or_taken_one(workspace: Workspace) -> None:
    client_id, _, _ = _acme(workspace)
    with workspace.session() as s:
        assert s.get(Client, client_id).tag_prefix == "ACM-"  # type: ignore[union-attr]
    with workspace.transaction() as s, pytest.raises(ValidationError) as caught:
        create_client(s, code="ACME", name="acme corp", tag_prefix="A B", actor="lee")
    assert caught.value.errors == {
        "name": "There is already a client called “acme corp”.",
        "code": "Client code ACME is already used.",
        "tag_prefix": "A tag prefix is up to 16 letters, digits or - _ . / (no spaces), like ACME-.",
    }
    with workspace.transaction() as s, pytest.raises(ValidationError) as caught:
        create_client(s, code="OTHER", name="Other", tag_prefix="acm-", actor="lee")
    assert caught.value.errors == {
        "tag_prefix": "Tags starting with ACM- already belong to Acme Corp; choose another prefix."
    }


def test_editing_a_client_journals_only_what_changed_and_may_keep_its_own_values(workspace: Workspace) -> None:
    client_id, _, _ = _acme(workspace)
    with workspace.transaction() as s:
        changed = update_client(
            s, client_id, name="Acme Corp", code="ACME", tag_prefix="ACME-", tag_digits=5, actor="kim"
        )
    assert changed == ["tag_prefix", "tag_digits"]
    with workspace.session() as s:
        entries = history(s, "client", client_id)
    assert [(e.actor, e.field, e.old_value, e.new_value) for e in entries if e.actor == "kim"] == [
        ("kim", "tag_prefix", "ACM-", "ACME-"),
        ("kim", "tag_digits", 6, 5),
    ]


def test_sites_and_neighbouring_locations_cannot_share_a_name(workspace: Workspace) -> None:
    client_id, _, site_id = _acme(workspace)
    with workspace.transaction() as s, pytest.raises(ValidationError) as caught:
        create_site(s, client_id=client_id, name=" head OFFICE ", actor="lee")
    assert caught.value.errors == {"name": "This client already has a site called “head OFFICE”."}
    with workspace.transaction() as s:
        building = create_location(s, site_id=site_id, kind="building", name="Building A", actor="lee")
        create_location(s, site_id=site_id, kind="floor", name="Floor 1", parent_id=building.id, actor="lee")
        other = create_location(s, site_id=site_id, kind="building", name="Building B", actor="lee")
        create_location(s, site_id=site_id, kind="floor", name="Floor 1", parent_id=other.id, actor="lee")  # elsewhere
        building_id = building.id
    with workspace.transaction() as s, pytest.raises(ValidationError) as caught:
        create_location(s, site_id=site_id, kind="floor", name="floor 1", parent_id=building_id, actor="lee")
    assert caught.value.errors == {"name": "There is already a “floor 1” in this place."}
    with workspace.transaction() as s, pytest.raises(ValidationError) as caught:
        create_location(s, site_id=site_id, kind="room", name="Room 1 / 2", parent_id=building_id, actor="lee")
    assert caught.value.errors == {"name": "A location name cannot hold “/”: add a level inside it instead."}


def test_renaming_a_building_moves_the_paths_of_everything_inside_it(workspace: Workspace) -> None:
    _, _, site_id = _acme(workspace)
    with workspace.transaction() as s:
        building = create_location(s, site_id=site_id, kind="building", name="Building A", actor="lee")
        floor = create_location(s, site_id=site_id, kind="floor", name="Floor 1", parent_id=building.id, actor="lee")
        create_location(s, site_id=site_id, kind="room", name="Server room", parent_id=floor.id, actor="lee")
        create_location(s, site_id=site_id, kind="building", name="Building AB", actor="lee")  # same start
        building_id, floor_id = building.id, floor.id
    with workspace.transaction() as s:
        update_location(s, building_id, name="North wing", kind="building", actor="kim")
        update_location(s, floor_id, name="Floor 1", kind=LocationKind.FLOOR, actor="kim")  # nothing changes
    with workspace.session() as s:
        paths = sorted(loc.path for loc in list_locations(s, site_id))
        floor_history = history(s, "location", floor_id)
    assert paths == ["Building AB", "North wing", "North wing / Floor 1", "North wing / Floor 1 / Server room"]
    moves = [(e.field, e.new_value) for e in floor_history if e.actor == "kim"]
    assert moves == [("path", "North wing / Floor 1")]  # journaled, so the move syncs


def test_a_closed_project_cannot_be_renamed_and_codes_stay_unique(workspace: Workspace) -> None:
    client_id, project_id, _ = _acme(workspace)
    with workspace.transaction() as s:
        other = create_project(s, client_id=client_id, code="ACME-2", name="Second", actor="lee")
        other_id = other.id
    with workspace.transaction() as s, pytest.raises(ValidationError) as caught:
        edit_project(s, other_id, code="acme-onb", name="", actor="kim")
    assert caught.value.errors == {
        "name": "Project name is required.",
        "code": "Project code ACME-ONB is already used.",
    }
    with workspace.transaction() as s:
        assert edit_project(s, project_id, code="ACME-ONB", name="Acme onboarding", actor="kim") == ["name"]
        s.get(ActivationProject, project_id).status = ProjectStatus.CLOSED  # type: ignore[union-attr]
    with workspace.transaction() as s, pytest.raises(ReadOnlyError):
        edit_project(s, project_id, code="ACME-ONB", name="Late rename", actor="kim")


def test_a_site_edit_keeps_the_name_rules(workspace: Workspace) -> None:
    client_id, _, site_id = _acme(workspace)
    with workspace.transaction() as s:
        create_site(s, client_id=client_id, name="Warehouse", actor="lee")
    with workspace.transaction() as s, pytest.raises(ValidationError) as caught:
        update_site(s, site_id, name="warehouse", code="", address="", actor="kim")
    assert caught.value.errors == {"name": "This client already has a site called “warehouse”."}
    with workspace.transaction() as s:
        assert update_site(s, site_id, name="Head office", code="hq", address=" 1 Main St ", actor="kim") == [
            "code",
            "address",
        ]


def test_suggestions_for_codes_kinds_and_names() -> None:
    assert suggest_code("Acme Corporation") == "ACME"
    assert suggest_code("Acme Corporation", {"ACME", "ACME2"}) == "ACME3"
    assert suggest_code("St. Jo Medical Lab") == "SJML"
    assert suggest_code("  ") == ""
    assert [inner_kind(k) for k in (None, "building", "floor", "room", "rack")] == [
        LocationKind.BUILDING,
        LocationKind.FLOOR,
        LocationKind.ROOM,
        LocationKind.RACK,
        LocationKind.RACK,
    ]
    assert normalise_technician("  Pat   Tester\x1b ") == "Pat Tester"
    with pytest.raises(ValueError, match="Enter your name"):
        normalise_technician(" \t")


def test_a_location_named_with_its_site_first_is_found_in_that_site(workspace: Workspace) -> None:
    with workspace.transaction() as s:
        client = create_client(s, code="ACME", name="Acme", tag_prefix="AC-", tag_digits=4, actor="lead")
        hq, depot = (create_site(s, client_id=client.id, name=name, actor="lead") for name in ("Zürich HQ", "Depot"))
        floor = create_location(s, site_id=hq.id, kind=LocationKind.FLOOR, name="Floor 2", actor="lead")
        room = create_location(s, site_id=hq.id, kind=LocationKind.ROOM, name="Lab", parent_id=floor.id, actor="lead")
        store = create_location(s, site_id=depot.id, kind=LocationKind.ROOM, name="Lab", actor="lead")
        assert find_location(s, client.id, "zürich hq / floor 2 / Lab").id == room.id  # as a client's list names it
        assert find_location(s, client.id, "Zürich HQ / Lab").id == room.id  # the site, then a unique tail
        assert find_location(s, client.id, "Zürich HQ / Lab", hq.id).id == room.id
        with pytest.raises(NotFoundError):
            find_location(s, client.id, "Zürich HQ / Lab", depot.id)  # another site than the one asked for
        with pytest.raises(NotFoundError):
            find_location(s, client.id, "Geneva / Lab")
        assert find_location(s, client.id, "Depot / Lab").id == store.id


def test_names_with_accented_capitals_are_found_whatever_their_case(workspace: Workspace) -> None:
    """SQLite's own lower() changes only A to Z: "ÉTAGE 2" and "étage 2" must still name the same floor."""
    with workspace.transaction() as s:
        client = create_client(s, code="ZRH", name="Öztürk AG", tag_prefix="HX-", actor="lead")
        hq = create_site(s, client_id=client.id, name="Zürich HQ", actor="lead")
        floor = create_location(s, site_id=hq.id, kind=LocationKind.FLOOR, name="Étage 2", actor="lead")
        room = create_location(
            s, site_id=hq.id, kind=LocationKind.ROOM, name="Salle Ö1", parent_id=floor.id, actor="lead"
        )
        category = create_category(s, CategorySpec(code="ecran", name="Écrans", icon="monitor"), actor="lead")
        assert find_location(s, client.id, "étage 2").id == floor.id
        assert find_location(s, client.id, "ÉTAGE 2 / SALLE Ö1").id == room.id
        assert find_location(s, client.id, "ZÜRICH HQ / étage 2").id == floor.id
        assert find_category(s, "ÉCRANS").id == category.id
    with workspace.transaction() as s, pytest.raises(ValidationError) as caught:
        create_site(s, client_id=client.id, name="ZÜRICH HQ", actor="lead")
    assert caught.value.errors == {"name": "This client already has a site called “ZÜRICH HQ”."}
    with workspace.transaction() as s, pytest.raises(ValidationError) as caught:
        create_location(s, site_id=hq.id, kind=LocationKind.FLOOR, name="étage 2", actor="lead")
    assert caught.value.errors == {"name": "There is already a “étage 2” in this place."}
    with workspace.transaction() as s, pytest.raises(ValidationError):
        create_client(s, code="ZR2", name="ÖZTÜRK AG", tag_prefix="HY-", actor="lead")
