"""Activation projects, the technicians assigned to them, and where a client's assets physically are."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SyncedEntity
from models.enums import LocationKind, ProjectStatus


class ActivationProject(SyncedEntity):
    __tablename__ = "projects"
    entity_name = "project"

    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    target_go_live: Mapped[date | None] = mapped_column(Date, default=None)
    actual_go_live: Mapped[date | None] = mapped_column(Date, default=None)
    services_in_scope: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[ProjectStatus] = mapped_column(
        Enum(ProjectStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=ProjectStatus.OPEN,
    )
    description: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class ProjectTechnician(SyncedEntity):
    __tablename__ = "project_technicians"
    entity_name = "project_technician"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    technician: Mapped[str] = mapped_column(String(120))


class Site(SyncedEntity):
    __tablename__ = "sites"
    entity_name = "site"

    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), default="")
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Location(SyncedEntity):
    """A building, floor, room or rack inside a site; rooms may sit directly under a site."""

    __tablename__ = "locations"
    entity_name = "location"

    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"), index=True, default=None)
    kind: Mapped[LocationKind] = mapped_column(
        Enum(LocationKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e])
    )
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: "Building A / Floor 2 / Server room / Rack 3": kept with the row so lists and search need no recursion.
    path: Mapped[str] = mapped_column(Text, default="")
