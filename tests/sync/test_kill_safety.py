"""A sync process killed outright (SIGKILL) while fetching or saving leaves a workspace the next sync completes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select, text

from app.db import open_workspace
from app.sync.engine import STAGED_CURSOR_KEY, SyncEngine
from app.sync.transport import Transport
from models import Asset, ChangeSet
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import DeviceFactory, seed_tenant, tag_asset

#: A sync in a process of its own that prints each progress step, so the test can kill it at a chosen one.
CHILD = """
import os, sys
from pathlib import Path
from app.db import open_workspace
from app.sync.engine import SyncEngine
from app.sync.transport import Transport

ws = open_workspace(Path(sys.argv[1]))
transport = Transport(sys.argv[2], token=os.environ["CLOSEOUT_TEST_TOKEN"], retries=0)
SyncEngine(ws, transport, page_size=10).sync(lambda done, total, text: print(text, flush=True))
print("done", flush=True)
"""


def _sync_killed_at(home: Path, url: str, token: str, step: str) -> bool:
    """Run a sync and kill it as soon as it reports `step`; whether it was killed before finishing."""
    env = dict(os.environ, CLOSEOUT_TEST_TOKEN=token)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(home), url], stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    killed = False
    for line in child.stdout:
        if line.strip() == step:
            child.kill()
            killed = True
            break
    child.wait(60)
    child.stdout.close()
    return killed


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
        killed = _sync_killed_at(home, live_server.url, token, step)
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
