"""Helpers of the sync tests: a device (workspace + engine), a seeded tenant, tagging an asset offline."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.assets import create_asset
from app.db import Workspace
from app.projects import create_client, create_project
from app.sync import engine as sync_engine
from server import cli as server_cli_module
from tests.server.server_harness import SECRET, LiveServer


@dataclass
class Device:
    """A technician's laptop: a real workspace and a sync engine signed in to the live server."""

    name: str
    actor: str
    ws: Workspace
    engine: sync_engine.SyncEngine

    def sync(self) -> sync_engine.SyncReport:
        return self.engine.sync()

    def close(self) -> None:
        self.engine.transport.close()
        self.ws.close()


@dataclass
class Tenant:
    client_id: str
    project_id: str


def seed_tenant(device: Device, code: str) -> Tenant:
    """A client with one project and a tag scheme, made on `device` (not yet synced)."""
    with device.ws.transaction() as s:
        client = create_client(
            s, code=code, name=f"{code} Ltd", tag_prefix=f"{code}-", tag_digits=4, actor=device.actor
        )
        project = create_project(s, client_id=client.id, code=f"{code}-P1", name="Onboarding", actor=device.actor)
        return Tenant(client.id, project.id)


def tag_asset(device: Device, project_id: str, tag: str, **values: object) -> str:
    """Tag a new asset on `device` (offline); returns its id."""
    with device.ws.transaction() as s:
        result = create_asset(s, project_id=project_id, values={"asset_tag": tag, **values}, actor=device.actor)
        return result.asset.id


#: A sync in a process of its own that stops itself (SIGSTOP) just before it applies what it fetched, so the
#: test can hold it there (past the server lease, say), start another run meanwhile, or kill it.
STOPPING_SYNC = """
import os, signal, sys
from pathlib import Path
from app.db import open_workspace
from app.sync.engine import SyncEngine
from app.sync.transport import Transport

def progress(done, total, text):
    print(text, flush=True)
    if text == "Saving fetched changes…":
        os.kill(os.getpid(), signal.SIGSTOP)

ws = open_workspace(Path(sys.argv[1]))
transport = Transport(sys.argv[2], token=os.environ["CLOSEOUT_TEST_TOKEN"], retries=0)
SyncEngine(ws, transport, page_size=10).sync(progress)
print("done", flush=True)
"""


def process_state(pid: int) -> str:
    """The process's state letter from /proc ("T" once it has stopped itself)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return fields[0]


DeviceFactory = Callable[..., Device]


def server_cli(server: LiveServer, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """`closeout-server ARGS` against the live server's database, as an operator would run it."""
    monkeypatch.setenv("CLOSEOUT_SERVER_SECRET_KEY", SECRET)
    monkeypatch.setenv("CLOSEOUT_SERVER_DATABASE_URL", server.settings.database_url)
    return server_cli_module.main(["--data-dir", str(server.settings.data_dir), *args])


#: A sync in a process of its own that prints each progress step, so the test can kill it at a chosen one.
PRINTING_SYNC = """
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


def sync_killed_at(home: Path, url: str, token: str, step: str, *, after: str | None = None) -> bool:
    """Run PRINTING_SYNC and kill it (SIGKILL) at `step`, once it has reported `after` if given; whether it was
    killed before finishing."""
    env = dict(os.environ, CLOSEOUT_TEST_TOKEN=token)
    command = [sys.executable, "-c", PRINTING_SYNC, str(home), url]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    seen = after is None
    killed = False
    for line in child.stdout:
        seen = seen or line.strip() == after
        if seen and line.strip() == step:
            child.kill()
            killed = True
            break
    child.wait(60)
    child.stdout.close()
    return killed
