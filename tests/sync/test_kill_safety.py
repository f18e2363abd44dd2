"""A sync process killed outright (SIGKILL) while fetching or saving leaves a workspace the next sync completes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text

from app.db import open_workspace
from app.sync.engine import STAGED_CURSOR_KEY, SyncEngine
from app.sync.transport import Transport
from models import Asset, ChangeSet
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import DeviceFactory, seed_tenant, sync_killed_at, tag_asset


def test_a_sync_killed_while_fetching_or_saving_is_completed_by_the_next(
    live_server: LiveServer, make_device: DeviceFactory, tmp_path: Path
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    ids = {tag_asset(a, tenant.project_id, f"ACME-{n:04d}", hostname=f"host-{n}") for n in range(1, 61)}
    a.sync()
    home = tmp_path / "killed-device"
    open_workspace(home).close()
    with Transport(live_server.url) as login:
        token = login.login("ann", "password-123").token
    # Early in the fetch, late in the fetch, and once every page is kept and the apply has begun.
    for step in ("Fetched 10 changes…", "Fetched 40 changes…", "Saving fetched changes…"):
        killed = sync_killed_at(home, live_server.url, token, step)
        ws = open_workspace(home)
        try:
            with ws.session() as s:
                applied = s.scalar(select(func.count()).select_from(Asset))
            assert applied in (0, len(ids)), f"killed at {step!r}: a partial apply of {applied} assets"
        finally:
            ws.close()
        assert killed or step == "Saving fetched changes…"
    ws = open_workspace(home)
    try:
        with Transport(live_server.url, token=token) as transport:
            SyncEngine(ws, transport).sync()
        with ws.session() as s:
            assert set(s.scalars(select(Asset.id))) == ids
            creates = s.execute(
                select(ChangeSet.entity_id, func.count())
                .where(ChangeSet.origin == "remote", ChangeSet.op == "create", ChangeSet.entity == "asset")
                .group_by(ChangeSet.entity_id)
            ).all()
            assert sorted(entity_id for entity_id, _ in creates) == sorted(ids)
            assert {count for _, count in creates} == {1}  # journaled once, never twice
            assert s.scalar(text("SELECT count(*) FROM sync_staged_rows")) == 0
            assert s.scalar(text("SELECT count(*) FROM asset_search_docs")) == len(ids)
        assert ws.meta(STAGED_CURSOR_KEY) == ""
    finally:
        ws.close()
