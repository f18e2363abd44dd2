"""Pre-printed runs of tags: blocks reserved through the server (or a device's own range offline) never collide."""

from __future__ import annotations

from pathlib import Path

import requests
from sqlalchemy import select

from app.assets import create_asset, suggest_next_tag
from app.sync.transport import Transport
from app.tag_blocks import device_code, load_state, reserve_run, return_unused
from models import Asset
from tests.server.server_harness import LiveServer, free_port, seed_tenant_via_device
from tests.sync.sync_kit import Device, DeviceFactory, seed_tenant


def _tag_with_suggestions(device: Device, project_id: str, client_id: str, count: int) -> list[str]:
    """Tag `count` new assets offline, each with the tag the app suggests (as quick-tag does without a scan)."""
    tags = []
    for _ in range(count):
        with device.ws.transaction() as s:
            tag = suggest_next_tag(s, client_id)
            create_asset(s, project_id=project_id, values={"asset_tag": tag}, actor=device.actor)
            tags.append(tag)
    return tags


def _tags(device: Device) -> list[str]:
    with device.ws.session() as s:
        return list(s.scalars(select(Asset.asset_tag).where(Asset.deleted_at.is_(None))))


def _two_devices(live_server: LiveServer, make_device: DeviceFactory) -> tuple[Device, Device, str, str]:
    live_server.add_user("ann", "coordinator")
    live_server.add_user("bob", "technician")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    with a.ws.transaction() as s:
        create_asset(s, project_id=tenant.project_id, values={"asset_tag": "ACME-0001"}, actor="ann")
    a.sync()
    live_server.grant("bob", "client", tenant.client_id)
    b = make_device("b", "bob")
    b.sync()
    return a, b, tenant.client_id, tenant.project_id


def test_two_devices_pre_print_100_tags_each_tag_offline_and_sync_without_a_tag_used_twice(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    a, b, client_id, project_id = _two_devices(live_server, make_device)
    run_a = reserve_run(a.ws, client_id, 100, a.engine.transport)
    run_b = reserve_run(b.ws, client_id, 100, b.engine.transport)
    assert run_a.online and run_b.online
    assert run_a.tags[0] == "ACME-0002" and run_b.tags[0] == "ACME-0102"  # above the tag the server already had
    a.sync()  # each learns the other's block, then both go offline
    b.sync()
    # Offline: every printed label goes on an asset; one more asset of A's gets a new number, past B's block.
    used_a = _tag_with_suggestions(a, project_id, client_id, 101)
    used_b = _tag_with_suggestions(b, project_id, client_id, 100)
    assert used_a[:100] == run_a.tags and used_b == run_b.tags and used_a[100] == "ACME-0202"
    for device in (a, b, a):
        device.sync()
    for device in (a, b):
        tags = _tags(device)
        assert len(tags) == len(set(tags)) == 202


def test_devices_that_cannot_reach_the_server_print_runs_of_their_own_code(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    a, b, client_id, project_id = _two_devices(live_server, make_device)
    with Transport(f"http://127.0.0.1:{free_port()}", retries=0) as dead:
        run_a = reserve_run(a.ws, client_id, 100, dead)
    run_b = reserve_run(b.ws, client_id, 100, None)
    assert not run_a.online and "Offline" in run_a.note and "Not signed in" in run_b.note
    assert run_a.tags[0] == f"ACME-{device_code(a.ws.device_id)}0001" and run_a.tags[-1].endswith("0100")
    assert device_code(a.ws.device_id) != device_code(b.ws.device_id)
    for device, run in ((a, run_a), (b, run_b)):
        for tag in run.tags:
            with device.ws.transaction() as s:
                create_asset(s, project_id=project_id, values={"asset_tag": tag}, actor=device.actor)
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        tags = _tags(device)
        assert len(tags) == len(set(tags)) == 201
    assert reserve_run(a.ws, client_id, 5, None).tags[0].endswith("0101")  # a second offline run goes on


def test_the_unused_rest_of_a_run_is_kept_until_returned_and_then_numbered_again(
    live_server: LiveServer, make_device: DeviceFactory
) -> None:
    a, b, client_id, project_id = _two_devices(live_server, make_device)
    run = reserve_run(a.ws, client_id, 100, a.engine.transport)
    _tag_with_suggestions(a, project_id, client_id, 10)
    a.sync()  # kept: the labels are still in the technician's bag
    assert reserve_run(b.ws, client_id, 5, b.engine.transport).tags[0] == "ACME-0102"
    with a.ws.transaction() as s:
        assert return_unused(s, client_id) == 90
    a.sync()
    with a.ws.session() as s:
        assert [blk.return_sent for blk in load_state(s).own] == [True]
    assert reserve_run(b.ws, client_id, 5, b.engine.transport).tags[0] == "ACME-0107"
    assert run.tags[10] == "ACME-0012"
    assert reserve_run(a.ws, client_id, 3, a.engine.transport).tags == ["ACME-0112", "ACME-0113", "ACME-0114"]


def _call(server: LiveServer, path: str, body: object, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(server.url + path, json=body, headers=headers, timeout=10)


def test_tag_block_endpoints_refuse_anonymous_callers_and_answer_other_tenants_like_missing_ones(
    live_server: LiveServer, tmp_path: Path
) -> None:
    live_server.add_user("alice", "coordinator")
    live_server.add_user("bob", "coordinator")
    alice = seed_tenant_via_device(live_server, tmp_path / "alice", "alice", "ALPHA")
    bob = seed_tenant_via_device(live_server, tmp_path / "bob", "bob", "BRAVO")
    login = requests.post(f"{live_server.url}/api/auth/login", json={"username": "alice", "password": "password-123"},
                          timeout=10)  # fmt: skip
    token = login.json()["token"]
    device = "01a20000-0000-7000-8000-0000000000aa"
    reserve = {"client_id": bob["client"], "device_id": device, "count": 10}
    settle = {"client_id": bob["client"], "device_id": device, "returns": []}
    for path, body in (("/api/tag-blocks", reserve), ("/api/tag-blocks/settle", settle)):
        assert _call(live_server, path, body, None).status_code == 401
        refused = _call(live_server, path, body, token)
        assert refused.status_code == 404 and "BRAVO" not in refused.text
    own = _call(live_server, "/api/tag-blocks", dict(reserve, client_id=alice["client"]), token)
    assert own.status_code == 200 and own.json()["first"] == 2
    # Bob may not give back Alice's numbers, and a count above the limit is refused before anything is reserved.
    bob_login = requests.post(f"{live_server.url}/api/auth/login", json={"username": "bob", "password": "password-123"},
                              timeout=10)  # fmt: skip
    theft = {"client_id": alice["client"], "device_id": device, "returns": [{"block_id": own.json()["id"],
                                                                            "unused_from": 2}]}  # fmt: skip
    assert _call(live_server, "/api/tag-blocks/settle", theft, bob_login.json()["token"]).status_code == 404
    assert _call(live_server, "/api/tag-blocks", dict(reserve, client_id=alice["client"], count=5000),
                 token).status_code == 422  # fmt: skip
    listed = _call(live_server, "/api/tag-blocks/settle", dict(settle, client_id=alice["client"]), token).json()
    assert [(b["first"], b["last"]) for b in listed["blocks"]] == [(2, 11)]
