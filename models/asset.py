"""The tagged IT asset and the files attached to records (photos, scans, signatures)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Date, Enum, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SyncedEntity
from models.enums import AssetStatus, AttachmentKind


class Asset(SyncedEntity):
    __tablename__ = "assets"
    __table_args__ = (
        Index("ix_assets_client_tag", "client_id", "asset_tag"),
        Index("ix_assets_client_serial", "client_id", "serial"),
        Index("ix_assets_client_previous_tag", "client_id", "previous_tag"),
        Index("ix_assets_project_tag", "project_id", "asset_tag"),
        Index("ix_assets_project_place", "project_id", "deleted_at", "site_id", "location_id"),
        Index("ix_assets_client_mac", "client_id", "mac_address"),
    )
    entity_name = "asset"
    journal_exempt: ClassVar[frozenset[str]] = frozenset({"attention", "needs_attention"})

    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    #: Unique among a client's live assets; enforced by the services (not the schema) so that
    #: two offline devices choosing the same tag can be flagged after sync rather than lost.
    asset_tag: Mapped[str] = mapped_column(String(64))
    #: The tag the client's own asset system gave it (kept when the import gives a new Closeout tag): searchable,
    #: and a scan of it finds the asset.
    previous_tag: Mapped[str] = mapped_column(String(64), default="")
    category_id: Mapped[str | None] = mapped_column(ForeignKey("categories.id"), index=True, default=None)
    manufacturer: Mapped[str] = mapped_column(String(120), default="")
    model: Mapped[str] = mapped_column(String(160), default="")
    #: The maker's part or product number ("20XW00K4GE"), beside the model's name.
    model_number: Mapped[str] = mapped_column(String(120), default="")
    serial: Mapped[str] = mapped_column(String(120), default="")
    hostname: Mapped[str] = mapped_column(String(255), default="")
    ip_address: Mapped[str] = mapped_column(String(45), default="")
    mac_address: Mapped[str] = mapped_column(String(17), default="")
    os: Mapped[str] = mapped_column(String(120), default="")
    site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), index=True, default=None)
    location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"), index=True, default=None)
    assigned_user: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(120), default="")
    status: Mapped[AssetStatus] = mapped_column(
        Enum(AssetStatus, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=AssetStatus.IN_SERVICE,
        index=True,
    )
    managed: Mapped[bool] = mapped_column(Boolean, default=True)
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    purchase_date: Mapped[date | None] = mapped_column(Date, default=None)
    warranty_end: Mapped[date | None] = mapped_column(Date, default=None)
    #: What it cost, in `currency` (ISO 4217 code, "" when not known); rounded to cents.
    purchase_cost: Mapped[float | None] = mapped_column(Float, default=None)
    currency: Mapped[str] = mapped_column(String(3), default="")
    supplier: Mapped[str] = mapped_column(String(160), default="")
    order_number: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    custom_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tagged_by: Mapped[str] = mapped_column(String(120), default="")
    tagged_at: Mapped[datetime | None] = mapped_column(default=None)
    #: The onsite audit. `listed`: on the client's own list (an import); an asset made on site is "found, not
    #: listed". `seen_*`: when, where and by whom it was last verified on site (merged latest-wins on the server:
    #: two technicians verifying one asset is no conflict). `audit_mark`: "missing" or "out_of_scope" for a
    #: listed asset nobody saw, with `audit_reason` (models.enums.MISSING_REASONS, or free words).
    listed: Mapped[bool] = mapped_column(Boolean, default=False)
    seen_at: Mapped[datetime | None] = mapped_column(default=None)
    seen_by: Mapped[str] = mapped_column(String(120), default="")
    seen_site_id: Mapped[str | None] = mapped_column(ForeignKey("sites.id"), default=None)
    seen_location_id: Mapped[str | None] = mapped_column(ForeignKey("locations.id"), default=None)
    audit_mark: Mapped[str] = mapped_column(String(16), default="")
    audit_reason: Mapped[str] = mapped_column(String(200), default="")
    #: Derived on each replica, never journaled: why the asset needs a look
    #: ("missing:Rack units", "duplicate-serial", "duplicate-tag"), empty when it is fine.
    attention: Mapped[list[str]] = mapped_column(JSON, default=list)
    needs_attention: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class Attachment(SyncedEntity):
    """A file kept outside the database, named by the SHA-256 of its content."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_owner", "owner_entity", "owner_id"),)
    entity_name = "attachment"

    sha256: Mapped[str] = mapped_column(String(64), index=True)
    owner_entity: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[AttachmentKind] = mapped_column(
        Enum(AttachmentKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=AttachmentKind.PHOTO,
    )
    filename: Mapped[str] = mapped_column(String(255), default="")
    mime_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer, default=0)
    caption: Mapped[str] = mapped_column(Text, default="")
