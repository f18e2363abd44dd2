"""Fixtures for server tests: a live server on loopback over SQLite and over PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.server_harness import LiveServer, empty_database, make_settings, postgres_database


@pytest.fixture(scope="session")
def pg_server_db(pg_url: str) -> Iterator[str]:
    with postgres_database(pg_url, "srv") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite'}"
    url: str = request.getfixturevalue("pg_server_db")
    empty_database(url)
    return url


@pytest.fixture
def live_server(server_db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(make_settings(tmp_path / "server-data", server_db_url))
    server.start()
    yield server
    server.close()
