"""A second sync of one workspace waits while a first run is still applying, even after its server lease lapsed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.db import open_workspace
from app.sync.engine import STAGED_CURSOR_KEY, SyncEngine
from app.sync.errors import SyncBusy
from app.sync.transport import Transport
from models import Asset, ChangeSet
from tests.server.server_harness import LiveServer
from tests.sync.sync_kit import STOPPING_SYNC, DeviceFactory, process_state, seed_tenant, tag_asset


def _staged(home: Path) -> int:
    ws = open_workspace(home)
    try:
        with ws.session() as s:
            return int(s.scalar(text("SELECT count(*) FROM sync_staged_rows")) or 0)
    finally:
        ws.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="stops the first run with SIGSTOP, reads /proc")
def test_a_second_run_waits_for_a_first_one_still_applying_after_its_lease_expired(
    live_server: LiveServer, make_device: DeviceFactory, tmp_path: Path
) -> None:
    live_server.add_user("ann", "coordinator")
    a = make_device("a", "ann")
    tenant = seed_tenant(a, "ACME")
    first = {tag_asset(a, tenant.project_id, f"ACME-{n:04d}") for n in range(1, 41)}
    a.sync()
    home = tmp_path / "laptop"
    open_workspace(home).close()
    with Transport(live_server.url) as login:
        token = login.login("ann", "password-123").token
    env = dict(os.environ, CLOSEOUT_TEST_TOKEN=token)
    child = subprocess.Popen(
        [sys.executable, "-c", STOPPING_SYNC, str(home), live_server.url], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    try:
        for line in child.stdout:
            if line.strip() == "Saving fetched changes…":
                break
        deadline = time.monotonic() + 10
        while process_state(child.pid) != "T":
            assert time.monotonic() < deadline, "the first run did not stop before its apply"
            time.sleep(0.05)
        staged_by_first = _staged(home)
        assert staged_by_first > 0
        # New work reaches the server while the first run sits before its apply, and its lease (3 s here) lapses.
        second = {tag_asset(a, tenant.project_id, f"ACME-{n:04d}") for n in range(41, 51)}
        a.sync()
        time.sleep(live_server.settings.sync_lease_seconds + 0.5)

        ws = open_workspace(home)
        try:
            with Transport(live_server.url, token=token, retries=0) as transport:
                with pytest.raises(SyncBusy):
                    SyncEngine(ws, transport).sync(busy_wait=0.5)
                assert _staged(home) == staged_by_first  # the refused run neither staged nor applied anything

                messages: list[str] = []
                outcome: list[BaseException | None] = []

                def second_run() -> None:
                    try:
                        SyncEngine(ws, transport).sync(lambda _d, _t, words: messages.append(words), busy_wait=30)
                        outcome.append(None)
                    except BaseException as exc:  # handed to the test thread
                        outcome.append(exc)

                waiter = threading.Thread(target=second_run)
                waiter.start()
                deadline = time.monotonic() + 10
                while "Waiting for an earlier sync of this workspace to end…" not in messages:
                    assert time.monotonic() < deadline and waiter.is_alive(), messages
                    time.sleep(0.05)
                assert "Fetching changes…" not in messages
                os.kill(child.pid, signal.SIGCONT)
                assert [line.strip() for line in child.stdout][-1] == "done"  # after its apply (and its check)
                assert child.wait(30) == 0
                waiter.join(60)
                assert outcome == [None]
                assert "Fetching changes…" in messages  # it ran once the first had finished
            with ws.session() as s:
                assert set(s.scalars(select(Asset.id))) == first | second
                creates = s.execute(
                    select(ChangeSet.entity_id, func.count())
                    .where(ChangeSet.origin == "remote", ChangeSet.op == "create", ChangeSet.entity == "asset")
                    .group_by(ChangeSet.entity_id)
                ).all()
                assert sorted(entity_id for entity_id, _ in creates) == sorted(first | second)
                assert {count for _, count in creates} == {1}  # each applied once
                assert s.scalar(text("SELECT count(*) FROM sync_staged_rows")) == 0
            assert ws.meta(STAGED_CURSOR_KEY) == ""
        finally:
            ws.close()
    finally:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGCONT)
            child.kill()
            child.wait(10)
        child.stdout.close()
