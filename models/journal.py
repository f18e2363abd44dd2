"""The per-field change journal (history for people, outbox for sync), conflicts and workspace facts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SyncedEntity, utcnow


class ChangeSet(Base):
    """One write through the services to one record: its id is the device's sequential mutation id."""

    __tablename__ = "change_sets"
    __table_args__ = (
        Index("ix_change_sets_entity", "entity", "entity_id"),
        Index("ix_change_sets_pending", "pushed_at", "id"),
        Index("ix_change_sets_outbox", "id", sqlite_where=text("pushed_at IS NULL AND origin = 'local'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    #: create, update or delete.
    op: Mapped[str] = mapped_column(String(8))
    actor: Mapped[str] = mapped_column(String(120), default="")
    device_id: Mapped[str] = mapped_column(String(36), default="")
    #: Hybrid logical clock value: shown to people, never trusted for ordering (the server orders).
    hlc: Mapped[str] = mapped_column(String(40), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: "local" for edits made here, "remote" for edits that arrived by sync (already on the server).
    origin: Mapped[str] = mapped_column(String(8), default="local")
    #: When the server acknowledged this mutation; NULL while it waits in the outbox.
    pushed_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The record's server version this edit was made against.
    base_version: Mapped[int] = mapped_column(Integer, default=0)

    changes: Mapped[list[Change]] = relationship(
        back_populates="change_set", cascade="all, delete-orphan", order_by="Change.id"
    )


class Change(Base):
    """One field of one change set: old and new value as JSON text ("*" holds a whole new record)."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_set_id: Mapped[int] = mapped_column(ForeignKey("change_sets.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(80))
    old_value: Mapped[str | None] = mapped_column(Text, default=None)
    new_value: Mapped[str | None] = mapped_column(Text, default=None)

    change_set: Mapped[ChangeSet] = relationship(back_populates="changes")


class Conflict(SyncedEntity):
    """A concurrent edit of one field that lost; the losing value is kept until someone resolves it."""

    __tablename__ = "conflicts"
    __table_args__ = (Index("ix_conflicts_record", "entity", "entity_id"),)
    entity_name = "conflict"

    project_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(80))
    #: kind: "field" (same field edited twice), "duplicate-tag", "delete-edit", "rejected".
    kind: Mapped[str] = mapped_column(String(20), default="field")
    winning_value: Mapped[str | None] = mapped_column(Text, default=None)
    losing_value: Mapped[str | None] = mapped_column(Text, default=None)
    winner_actor: Mapped[str] = mapped_column(String(120), default="")
    loser_actor: Mapped[str] = mapped_column(String(120), default="")
    loser_device: Mapped[str] = mapped_column(String(36), default="")
    loser_hlc: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str] = mapped_column(String(120), default="")
    #: "kept-winner", "took-loser" or a free text once resolved.
    resolution: Mapped[str] = mapped_column(String(40), default="")


class WorkspaceMeta(Base):
    """Facts about this replica: device id, clock state, sync cursor. Never synced."""

    __tablename__ = "workspace_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
