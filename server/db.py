"""The server's database: engine (SQLite with immediate transactions, or PostgreSQL) and Alembic upgrades."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 60) -> Engine:
    """An engine for `url`; SQLite takes its write lock at BEGIN so concurrent pushes queue instead of failing."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below drive transactions
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Each process holds at most pool_size + max_overflow connections: with several instances and workers, their
    # sum must stay under PostgreSQL's max_connections (settings db_pool_size, db_max_overflow).
    return create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


#: The PostgreSQL advisory lock held while the schema is upgraded ("closeout" in ASCII).
MIGRATION_LOCK = 0x636C6F7365


def upgrade_head(engine: Engine) -> None:
    """Bring the schema to the newest revision (run before every start).

    On PostgreSQL, instances starting together take turns under an advisory lock: the first upgrades, the others
    then find the schema at head and do nothing (SQLite serialises them with its write lock).
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def insert_unless_present(session: Session, model: type[Any], values: dict[str, Any], keys: list[str]) -> None:
    """INSERT a row unless one with these `keys` exists: concurrent requests may race to make the same row, and
    the loser finds the winner's (PostgreSQL and SQLite both speak ON CONFLICT DO NOTHING)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=keys))
