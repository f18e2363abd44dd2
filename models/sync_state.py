"""Sync bookkeeping of a workspace: pulled rows staged until a pull completes, and refused local changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, utcnow


class StagedRow(Base):
    """One pulled row kept until the last page arrives; then all are applied with the new cursor at once."""

    __tablename__ = "sync_staged_rows"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    #: The row as the server sent it (models.wire.WireRow as JSON).
    payload: Mapped[str] = mapped_column(Text)


class RejectedChange(Base):
    """A local change the server refused for good: kept for people to see, never retried."""

    __tablename__ = "sync_rejected_changes"

    mutation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
