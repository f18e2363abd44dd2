"""The server's Alembic migrations build exactly the tables its models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.db import make_engine, upgrade_head
from server.models import ServerBase
from tests.server.server_harness import postgres_database


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        upgrade_head(engine)
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), ServerBase.metadata))
    finally:
        engine.dispose()


def test_sqlite_migrations_match_the_models(tmp_path: Path) -> None:
    assert _differences(f"sqlite:///{tmp_path / 'server.sqlite'}") == []


@pytest.mark.postgres
def test_postgresql_migrations_match_the_models(pg_url: str) -> None:
    with postgres_database(pg_url, "schema") as url:
        assert _differences(url) == []
