"""A real sync server on a loopback port for tests: uvicorn in a thread over SQLite or a per-worker PostgreSQL."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import uvicorn
from sqlalchemy import Engine, text

from server import auth
from server.db import make_engine, make_session_factory, upgrade_head
from server.main import SERVE_OPTIONS, create_app
from server.models import ServerBase, User
from server.settings import Settings

SECRET = "test-secret-0123456789abcdef"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving the real application on 127.0.0.1; can be stopped and started again (same port, same DB)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.app = create_app(settings)

    def start(self) -> None:
        # Keep-alive well past any pause of a test (a sync waiting out a lease sleeps up to 2 s): with uvicorn's
        # 1-5 s, the server could close an idle connection just as the client reused it, and the tests' clients
        # do not retry (retries=0), so that race failed a test now and then.
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off", ws="none",
            http="h11", loop="asyncio", timeout_keep_alive=60, **SERVE_OPTIONS,
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)
        self._server = self._thread = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        self.app.state.engine.dispose()

    @property
    def engine(self) -> Engine:
        engine: Engine = self.app.state.engine
        return engine

    def add_user(self, name: str, role: str, password: str = "password-123") -> User:
        with make_session_factory(self.engine)() as session, session.begin():
            return auth.create_user(session, name=name, role=role, password=password)

    def grant(self, name: str, kind: str, scope_id: str) -> None:
        from sqlalchemy import select

        with make_session_factory(self.engine)() as session, session.begin():
            user = session.scalar(select(User).where(User.name == name))
            assert user is not None
            auth.grant(session, user, scope_kind=kind, scope_id=scope_id)


def worker_name() -> str:
    """This xdist worker's name, with CLOSEOUT_TEST_DB_SUFFIX when several checkouts test on one server at once."""
    suffix = os.environ.get("CLOSEOUT_TEST_DB_SUFFIX", "")
    return os.environ.get("PYTEST_XDIST_WORKER", "main") + (f"_{suffix}" if suffix else "")


@contextmanager
def postgres_database(pg_url: str, label: str) -> Iterator[str]:
    """A database of its own for this xdist worker, created from the `test` database and dropped after."""
    name = f"closeout_{label}_{worker_name()}".lower()
    admin_dsn = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_dsn, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    url = pg_url.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade_head(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_database(url: str) -> None:
    """Remove every row (the schema stays) so each test starts from an empty server."""
    engine = make_engine(url)
    try:
        names = ", ".join(f'"{t.name}"' for t in ServerBase.metadata.sorted_tables)
        with engine.begin() as con:
            con.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


def make_settings(tmp: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp,
        database_url=database_url,
        secret_key=SECRET,
        sync_lease_seconds=3.0,
        login_lockout_seconds=1.0,
        max_attachment_bytes=1024 * 1024,
    )


def seed_tenant_via_device(server: LiveServer, home: Path, user: str, code: str) -> dict[str, str]:
    """A real workspace of `user` creates a client, a project, an asset and an attachment, then syncs."""
    from app.assets import create_asset
    from app.attachments import store_bytes as store_blob
    from app.db import open_workspace
    from app.journal import record_create
    from app.projects import create_client, create_project
    from app.sync import engine as sync_engine
    from models import Attachment

    ws = open_workspace(home)
    try:
        with ws.transaction() as s:
            client = create_client(s, code=code, name=f"{code} Ltd", tag_prefix=f"{code}-", tag_digits=4, actor=user)
            project = create_project(s, client_id=client.id, code=f"{code}-P1", name="Onboarding", actor=user)
            asset = create_asset(s, project_id=project.id, values={"asset_tag": f"{code}-0001"}, actor=user).asset
            sha = store_blob(ws.blobs_dir, f"photo of {code}".encode())
            attachment = Attachment(sha256=sha, owner_entity="asset", owner_id=asset.id, filename="p.jpg", size=11)
            record_create(s, attachment, user)
            ids = {"client": client.id, "project": project.id, "asset": asset.id, "sha": sha}
        sync_engine.login(ws, server.url, user, "password-123")
        engine = sync_engine.connect(ws)
        try:
            engine.sync()
        finally:
            engine.transport.close()
        ids["device"] = ws.device_id
        return ids
    finally:
        ws.close()
