"""A tenant reaches another's data through no reference: a file named by its hash, a cursor issued to someone else,
or the catalog every tenant shares (issue 10, findings 1-3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from models.ids import new_id
from server.models import Record, User
from server.pull import _encode_cursor, _mac
from server.records import CATALOG_REFUSAL
from tests.server.hostile_kit import attachment_fields, call, login, mutation
from tests.server.server_harness import SECRET, LiveServer, seed_tenant_via_device

DEVICE = "01a20000-0000-7000-8000-00000000a11c"


@pytest.fixture
def two_tenants(live_server: LiveServer, tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    live_server.add_user("alice", "coordinator")
    live_server.add_user("bob", "coordinator")
    alice = seed_tenant_via_device(live_server, tmp_path / "alice", "alice", "ALPHA")
    bob = seed_tenant_via_device(live_server, tmp_path / "bob", "bob", "BRAVO")
    return alice, bob


def test_an_attachment_cannot_claim_another_tenants_file_by_its_hash(
    live_server: LiveServer, two_tenants: tuple[dict[str, str], dict[str, str]]
) -> None:
    alice, bob = two_tenants
    token = login(live_server, "alice")
    claim = mutation(1, "attachment", new_id(), "create", attachment_fields(bob["sha"], alice["asset"]))
    never = mutation(2, "attachment", new_id(), "create", attachment_fields("ab" * 32, alice["asset"]))
    answer = call(live_server, token, "POST", "/api/sync/push", {"device_id": DEVICE, "mutations": [claim, never]})
    assert answer.status_code == 200
    reasons = [r["reason"] for r in answer.json()["rejected"]]
    # Another tenant's file and a file nobody uploaded are refused in the same words: existence does not leak.
    assert reasons == ["sha256 names a file that has not been uploaded to the server"] * 2
    assert call(live_server, token, "GET", f"/api/attachments/{bob['sha']}").status_code == 404
    # Her own file, attached in her own space, is still hers to attach again.
    own = mutation(3, "attachment", new_id(), "create", attachment_fields(alice["sha"], alice["asset"]))
    assert (
        call(live_server, token, "POST", "/api/sync/push", {"device_id": DEVICE, "mutations": [own]}).json()["applied"]
        == 1
    )
    # Moving her attachment onto his file is refused too.
    with live_server.engine.connect() as con:
        hers = con.scalar(select(Record.id).where(Record.entity == "attachment", Record.tag == alice["sha"]))
    assert hers is not None
    swap = mutation(4, "attachment", hers, "update", {"sha256": bob["sha"]})
    swapped = call(live_server, token, "POST", "/api/sync/push", {"device_id": DEVICE, "mutations": [swap]}).json()
    assert [r["reason"] for r in swapped["rejected"]] == reasons[:1]
    assert call(live_server, token, "GET", f"/api/attachments/{bob['sha']}").status_code == 404


def test_a_cursor_works_only_for_the_user_and_device_it_was_issued_to(
    live_server: LiveServer, two_tenants: tuple[dict[str, str], dict[str, str]]
) -> None:
    alice, bob = two_tenants
    alice_token, bob_token = login(live_server, "alice"), login(live_server, "bob")
    bob_cursor = call(live_server, bob_token, "POST", "/api/sync/pull", {"device_id": bob["device"]}).json()["cursor"]
    # Alice revokes nothing and holds nothing of Bob's, yet sends his cursor: refused, no id of his listed.
    for path in ("/api/sync/pull", "/api/sync/check"):
        answer = call(live_server, alice_token, "POST", path, {"device_id": alice["device"], "cursor": bob_cursor})
        assert answer.status_code == 400, answer.text
        assert bob["asset"] not in answer.text and bob["project"] not in answer.text
    # Bob's own cursor on another device of his is refused as well.
    other = call(live_server, bob_token, "POST", "/api/sync/pull", {"device_id": DEVICE, "cursor": bob_cursor})
    assert other.status_code == 400
    # His cursor on his device still works.
    again = call(live_server, bob_token, "POST", "/api/sync/pull", {"device_id": bob["device"], "cursor": bob_cursor})
    assert again.status_code == 200 and again.json()["rows"] == []


def test_a_cursor_from_before_binding_asks_for_a_fresh_copy_and_lists_no_removals(
    live_server: LiveServer, two_tenants: tuple[dict[str, str], dict[str, str]]
) -> None:
    alice, bob = two_tenants
    token = login(live_server, "alice")
    with live_server.engine.connect() as con:
        bob_id = con.scalar(select(User.id).where(User.name == "bob"))
    bound = _encode_cursor(SECRET, {bob["client"]: [10_000, None]}, f"{bob_id}:{bob['device']}")
    body = bound.partition(".")[2]
    unbound = f"{_mac(SECRET, body, None)}.{body}"  # as the server signed cursors before they were bound
    gone = call(live_server, token, "POST", "/api/sync/pull", {"device_id": alice["device"], "cursor": unbound})
    assert gone.status_code == 410
    spaces = gone.json()["spaces"]
    fresh = call(
        live_server, token, "POST", "/api/sync/pull", {"device_id": alice["device"], "cursor": unbound, "reset": spaces}
    ).json()
    assert fresh["removed"] == [] and alice["asset"] in {row["id"] for row in fresh["rows"]}
    assert bob["asset"] not in json.dumps(fresh)


def test_only_an_administrator_changes_the_shared_catalog_and_others_are_told_why(live_server: LiveServer) -> None:
    live_server.add_user("root", "admin")
    live_server.add_user("tech", "technician")
    live_server.add_user("coord", "coordinator")
    root, tech = login(live_server, "root"), login(live_server, "tech")
    category_id, field_id = new_id(), new_id()
    category = {"code": "srv", "name": "Server", "icon": "", "position": 0, "description": ""}
    field = {
        "category_id": category_id, "key": "ram_gb", "label": "RAM", "type": "number", "required": False,
        "choices": [], "position": 0, "help_text": "",
    }  # fmt: skip
    seeded = [mutation(1, "category", category_id, "create", category), mutation(2, "field_definition", field_id,
              "create", field)]  # fmt: skip
    assert (
        call(live_server, root, "POST", "/api/sync/push", {"device_id": new_id(), "mutations": seeded}).json()[
            "applied"
        ]
        == 2
    )
    own_id = new_id()
    batch = [
        mutation(1, "category", category_id, "create", category),  # the same values again: a harmless no-op
        mutation(2, "category", category_id, "update", {"name": "Pwned"}),
        mutation(3, "field_definition", field_id, "delete", {}),
        mutation(4, "category", own_id, "create", {**category, "code": "kiosk", "name": "Kiosk"}),
    ]
    answer = call(live_server, tech, "POST", "/api/sync/push", {"device_id": DEVICE, "mutations": batch}).json()
    assert (answer["applied"], answer["last_mutation_id"]) == (2, 4)  # the queue moved on past the refusals
    assert [(r["mutation_id"], r["reason"]) for r in answer["rejected"]] == [(2, CATALOG_REFUSAL), (3, CATALOG_REFUSAL)]
    # The device lists the refusals to show them; the catalog is as the administrator left it.
    listed = call(live_server, tech, "GET", "/api/sync/rejected").json()
    assert [(r["mutation_id"], r["reason"]) for r in listed] == [(2, CATALOG_REFUSAL), (3, CATALOG_REFUSAL)]
    coord = login(live_server, "coord")
    assert call(live_server, coord, "GET", f"/api/records/category/{category_id}").json()["data"]["name"] == "Server"
    assert call(live_server, coord, "GET", f"/api/records/field_definition/{field_id}").json()["deleted_at"] is None
    assert call(live_server, coord, "GET", "/api/conflicts").json() == []
    # The administrator may change it.
    rename = [mutation(3, "category", category_id, "update", {"name": "Servers"})]
    with live_server.engine.connect() as con:
        root_device = con.scalar(select(Record.field_meta).where(Record.id == category_id))["name"][1]
    assert (
        call(live_server, root, "POST", "/api/sync/push", {"device_id": root_device, "mutations": rename}).json()[
            "applied"
        ]
        == 1
    )
