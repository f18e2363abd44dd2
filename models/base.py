"""Declarative base and the columns every synced record carries: device-made id, timestamps, tombstone."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Integer, MetaData, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.ids import new_id

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp always handed back timezone-aware in UTC, whether the engine is SQLite or PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[str]: JSON(),
    }


class SyncedEntity(Base):
    """A record that is journaled and synced: UUIDv7 key, timestamps, soft delete, server version."""

    __abstract__ = True
    #: Fields that the journal never records (bookkeeping, or derived on every replica).
    journal_exempt: ClassVar[frozenset[str]] = frozenset()
    #: Entity name used in the journal and on the wire.
    entity_name: ClassVar[str] = ""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The server's version of this row as last seen by this replica (0: never synced).
    server_version: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


BOOKKEEPING_FIELDS = frozenset({"id", "created_at", "updated_at", "deleted_at", "server_version"})
