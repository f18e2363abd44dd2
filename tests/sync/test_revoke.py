"""A revoked grant arrives as deletes: the device drops that data without pushing deletes, and keeps what it typed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.assets import update_asset
from app.db import Workspace, open_workspace
from app.projects import create_project
from app.sync import conflicts as conflict_service
from app.sync.apply import REMOVED
from app.sync.engine import SyncEngine
from app.sync.transport import Transport
from models import ActivationProject, Asset, ChangeSet, Client, Conflict, RejectedChange, StagedRow
from models.wire import canonical_json
from server.models import Record
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import (
    STOPPING_SYNC,
    Device,
    DeviceFactory,
    process_state,
    seed_tenant,
    server_cli,
    tag_asset,
)


def _ids(device: Device, model: type[Asset] | type[ActivationProject] | type[Client]) -> set[str]:
    with device.ws.session() as s:
        return set(s.scalars(select(model.id)))


def test_a_revoked_project_leaves_the_device_and_its_unsent_edits_stay_as_conflicts(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    live_server.add_user("cora", "coordinator")
    live_server.add_user("tom", "technician")
    office = make_device("office", "cora")
    tenant = seed_tenant(office, "ACME")
    with office.ws.transaction() as s:
        kept_project = tenant.project_id
        gone_project = create_project(s, client_id=tenant.client_id, code="ACME-P2", name="Move", actor="cora").id
    kept = {tag_asset(office, kept_project, f"ACME-{n:04d}") for n in range(1, 4)}
    gone = {tag_asset(office, gone_project, f"ACME-{n:04d}") for n in range(4, 8)}
    office.sync()
    assert server_cli(live_server, monkeypatch, "grant", "tom", "ACME-P1") == 0
    assert server_cli(live_server, monkeypatch, "grant", "tom", "ACME-P2") == 0

    laptop = make_device("laptop", "tom")
    laptop.sync()
    assert _ids(laptop, Asset) == kept | gone
    # Offline work in both projects: an edit in each, and a new asset in the project about to be withdrawn.
    edited_gone, edited_kept = sorted(gone)[0], sorted(kept)[0]
    with laptop.ws.transaction() as s:
        update_asset(s, edited_gone, {"hostname": "typed-by-tom"}, actor="tom")
        update_asset(s, edited_kept, {"hostname": "kept-edit"}, actor="tom")
    new_in_gone = tag_asset(laptop, gone_project, "ACME-0099", hostname="new-on-site")

    assert server_cli(live_server, monkeypatch, "revoke", "tom", "ACME-P2") == 0
    report = laptop.sync()

    assert report.removed >= len(gone) + 1  # the assets, the project and the asset made here
    assert _ids(laptop, Asset) == kept
    assert _ids(laptop, ActivationProject) == {kept_project}
    assert _ids(laptop, Client) == {tenant.client_id}
    with laptop.ws.session() as s:
        assert s.get(Asset, edited_kept).hostname == "kept-edit"  # type: ignore[union-attr]
        # Nothing was journaled as a local delete, and nothing waits to be pushed.
        local_deletes = s.scalar(
            select(func.count()).select_from(ChangeSet).where(ChangeSet.origin == "local", ChangeSet.op == "delete")
        )
        assert local_deletes == 0
        assert s.scalar(select(func.count()).select_from(ChangeSet).where(ChangeSet.pushed_at.is_(None))) == 0
        # The server's history of the withdrawn records left with them.
        remote = s.scalar(
            select(func.count())
            .select_from(ChangeSet)
            .where(ChangeSet.origin == "remote", ChangeSet.entity_id.in_(sorted(gone | {gone_project})))
        )
        assert remote == 0
        withdrawn = {(c.entity_id, c.field): c for c in s.scalars(select(Conflict).where(Conflict.kind == "rejected"))}
        refused = set(s.scalars(select(RejectedChange.entity_id)))
    assert withdrawn[(edited_gone, "hostname")].losing_value == canonical_json("typed-by-tom")
    assert withdrawn[(edited_gone, "hostname")].project_id == gone_project
    assert "new-on-site" in (withdrawn[(new_in_gone, "*")].losing_value or "")
    assert not any(entity_id in kept for entity_id, _field in withdrawn)
    assert {edited_gone, new_in_gone} <= refused  # the server refused them; the values are in the conflicts

    # The server lost nothing: the withdrawn records are still there, unchanged by the device.
    with live_server.engine.connect() as con:
        rows = con.execute(select(Record.id, Record.deleted_at, Record.data).where(Record.id.in_(sorted(gone)))).all()
    assert {row.id for row in rows} == gone
    assert all(row.deleted_at is None and row.data.get("hostname") != "typed-by-tom" for row in rows)

    # A withdrawn conflict resolves locally, without sending anything.
    with laptop.ws.transaction() as s:
        conflict_service.resolve(s, withdrawn[(edited_gone, "hostname")].id, "keep", actor="tom")
    assert laptop.engine.pending() == 0
    assert laptop.sync().removed == 0

    # The last project of the client goes: the whole client leaves; a new grant brings it back as creates.
    assert server_cli(live_server, monkeypatch, "revoke", "tom", "ACME-P1") == 0
    laptop.sync()
    assert _ids(laptop, Asset) == _ids(laptop, ActivationProject) == _ids(laptop, Client) == set()
    assert server_cli(live_server, monkeypatch, "grant", "tom", "ACME-P2") == 0
    laptop.sync()
    assert _ids(laptop, Asset) == gone
    assert _ids(laptop, ActivationProject) == {gone_project}
    assert _ids(laptop, Client) == {tenant.client_id}


def test_a_revoked_client_grant_removes_the_client_from_a_device_that_made_it(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    live_server.add_user("mia", "manager")
    laptop = make_device("laptop", "mia")
    tenant = seed_tenant(laptop, "BETA")  # a manager who creates a client is granted it
    tag_asset(laptop, tenant.project_id, "BETA-0001")
    laptop.sync()
    assert server_cli(live_server, monkeypatch, "revoke", "mia", "BETA", "--client") == 0
    assert laptop.sync().removed == 3
    assert _ids(laptop, Asset) == _ids(laptop, Client) == set()
    with laptop.ws.session() as s:
        assert s.scalar(select(func.count()).select_from(Conflict)) == 0  # everything she typed had reached the server
    assert server_cli(live_server, monkeypatch, "revoke", "mia", "BETA", "--client") == 1  # no such grant now


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="stops the first run with SIGSTOP, reads /proc")
def test_a_revoke_kept_by_a_pull_killed_before_its_apply_is_applied_by_the_next_sync(
    live_server: LiveServer, make_device: DeviceFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    live_server.add_user("cora", "coordinator")
    live_server.add_user("tom", "technician")
    office = make_device("office", "cora")
    tenant = seed_tenant(office, "ACME")
    with office.ws.transaction() as s:
        gone_project = create_project(s, client_id=tenant.client_id, code="ACME-P2", name="Move", actor="cora").id
    kept = {tag_asset(office, tenant.project_id, f"ACME-{n:04d}") for n in range(1, 3)}
    gone = {tag_asset(office, gone_project, f"ACME-{n:04d}") for n in range(3, 6)}
    office.sync()
    for code in ("ACME-P1", "ACME-P2"):
        assert server_cli(live_server, monkeypatch, "grant", "tom", code) == 0
    home = tmp_path / "laptop"
    with Transport(live_server.url) as login:
        token = login.login("tom", "password-123").token
    ws = open_workspace(home)
    try:
        with Transport(live_server.url, token=token) as transport:
            SyncEngine(ws, transport).sync()
        assert _held(ws) == kept | gone
        assert server_cli(live_server, monkeypatch, "revoke", "tom", "ACME-P2") == 0
        # A sync that fetches the revoke, keeps it staged, and dies before applying it.
        child = subprocess.Popen(
            [sys.executable, "-c", STOPPING_SYNC, str(home), live_server.url],
            stdout=subprocess.PIPE, text=True, env=dict(os.environ, CLOSEOUT_TEST_TOKEN=token),
        )  # fmt: skip
        assert child.stdout is not None
        for line in child.stdout:
            if line.strip() == "Saving fetched changes…":
                break
        deadline = time.monotonic() + 10
        while process_state(child.pid) != "T":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        child.kill()
        child.wait(10)
        child.stdout.close()
        with ws.session() as s:
            staged = set(s.scalars(select(StagedRow.entity_id).where(StagedRow.entity == REMOVED)))
        assert gone | {gone_project} <= staged
        assert _held(ws) == kept | gone  # not applied yet
        with Transport(live_server.url, token=token) as transport:
            SyncEngine(ws, transport).sync()
        assert _held(ws) == kept
        with ws.session() as s:
            assert s.scalar(select(func.count()).select_from(StagedRow)) == 0
    finally:
        ws.close()


def _held(ws: Workspace) -> set[str]:
    with ws.session() as s:
        return set(s.scalars(select(Asset.id)))
