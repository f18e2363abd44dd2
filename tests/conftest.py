"""Shared fixtures: every test gets its own home, data and config folders; workspaces are real SQLite files."""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from app.db import Workspace, open_workspace

if TYPE_CHECKING:
    from tests.server.server_harness import LiveServer

PG_URL_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pytest_configure(config: pytest.Config) -> None:
    """Cycles are collected on the main thread only, as the app does (ui.collector explains the crash this avoids).

    Automatic collection would run in whichever thread allocates, a runner worker or the live server's thread
    included, and free a previous test's widgets there.

    Qt's offscreen screen is 800x600 unless told otherwise; the tests run on a 1920x1080 one, and the window tests
    that need a laptop's screen resize to it.
    """
    gc.disable()
    if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        screen = Path(__file__).with_name("offscreen-screen.json")
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"


@pytest.fixture(autouse=True)
def collect_cycles_on_main_thread() -> Iterator[None]:
    from ui.collector import collect_due

    yield
    collect_due()


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point HOME, XDG folders and CLOSEOUT_HOME into tmp_path so no test touches the real user's data."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    monkeypatch.setenv("CLOSEOUT_HOME", str(tmp_path / "workspace"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return tmp_path


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A new, empty (migrated) workspace."""
    ws = open_workspace(tmp_path / "workspace")
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo workspace built once per test session; tests get copies."""
    from app.demo import seed_demo

    home = tmp_path_factory.mktemp("demo-template")
    ws = open_workspace(home)
    with ws.transaction() as session:
        seed_demo(session)
    ws.engine.dispose()
    return home


@pytest.fixture
def demo_workspace(demo_template: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A private copy of the 300-asset demo workspace."""
    home = tmp_path / "workspace"
    shutil.copytree(demo_template, home, dirs_exist_ok=True)
    ws = open_workspace(home)
    yield ws
    ws.close()


def postgres_url() -> str:
    return os.environ.get("CLOSEOUT_TEST_PG", PG_URL_DEFAULT)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """The PostgreSQL server for tests. Absent: skip with the reason, except in CI, where it is required."""
    import psycopg

    url = postgres_url()
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(dsn, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") or os.environ.get("CLOSEOUT_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required in CI but {dsn} is unreachable: {exc}")
        pytest.skip(f"SKIPPED: no PostgreSQL at {dsn} ({exc}); set CLOSEOUT_TEST_PG to run these tests")
    return url


@pytest.fixture(scope="session")
def pg_server_db(pg_url: str) -> Iterator[str]:
    """A PostgreSQL database of this worker's own for the sync server (server and sync tests share it)."""
    from tests.server.server_harness import postgres_database

    with postgres_database(pg_url, "srv") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The sync server's database, emptied: once an SQLite file, once PostgreSQL."""
    from tests.server.server_harness import empty_database

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite'}"
    url: str = request.getfixturevalue("pg_server_db")
    empty_database(url)
    return url


@pytest.fixture
def live_server(server_db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A real sync server on a loopback port over `server_db_url`."""
    from tests.server.server_harness import LiveServer, make_settings

    server = LiveServer(make_settings(tmp_path / "server-data", server_db_url))
    server.start()
    yield server
    server.close()
