"""Server-only tables on their own metadata: people, tokens, grants, devices, spaces, records, rejects, blobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.base import NAMING, UTCDateTime, utcnow

#: The space of records shared by every client (categories, field definitions, templates, import profiles).
GLOBAL_SPACE = "global"
#: The largest integer every integer column holds (PostgreSQL INTEGER): ids, versions and counters stay within it.
MAX_DB_INT = 2**31 - 1


class ServerBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class User(ServerBase):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Token(ServerBase):
    """A bearer token, stored only as a keyed hash; it expires and can be revoked."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Grant(ServerBase):
    """Access of one user to one project or one whole client (scope_kind "project" or "client")."""

    __tablename__ = "grants"
    __table_args__ = (UniqueConstraint("user_id", "scope_kind", "scope_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    scope_kind: Mapped[str] = mapped_column(String(10))
    scope_id: Mapped[str] = mapped_column(String(36))


class Device(ServerBase):
    """A desktop workspace: the last mutation applied from it (exactly-once) and its current sync lease."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    last_mutation_id: Mapped[int] = mapped_column(Integer, default=0)
    lease_token: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Space(ServerBase):
    """A client's data (or the global catalog): its counter orders every change committed in it."""

    __tablename__ = "spaces"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    #: The highest version of a tombstone purged from this space: a pull whose cursor is below it gets 410.
    purge_floor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Record(ServerBase):
    """The server's copy of one synced record: full fields as JSON, version, tombstone, per-field versions."""

    __tablename__ = "records"
    __table_args__ = (
        Index("ix_records_space_version", "space_id", "version"),
        Index("ix_records_space_tag", "space_id", "entity", "tag"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    space_id: Mapped[str] = mapped_column(String(36))
    #: The project the record belongs to (technicians see only granted ones); NULL for client-wide records.
    project_id: Mapped[str | None] = mapped_column(String(36), index=True, default=None)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: field -> [version, device, actor, hlc] of its last write; "custom.<key>" per custom field.
    field_meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The asset tag, kept apart so duplicate tags are found with an index.
    tag: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class RejectedMutationRecord(ServerBase):
    """A mutation that can never apply; kept visible so the device's queue moves on without losing it."""

    __tablename__ = "rejected_mutations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    mutation_id: Mapped[int] = mapped_column(Integer)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Blob(ServerBase):
    """An attachment's content, stored as a file named by its SHA-256."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BlobUploader(ServerBase):
    """Who uploaded a blob: they may see it exists even before a record refers to it."""

    __tablename__ = "blob_uploaders"

    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class UploadSession(ServerBase):
    """A user's unfinished resumable upload of one content: its row lock orders the parts across server instances.

    `received` bytes are held by the blob store; an S3 store also keeps its multipart upload's id and parts here,
    and `pending`, the bytes that do not yet make a whole S3 part.
    """

    __tablename__ = "upload_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    total: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)
    multipart_id: Mapped[str] = mapped_column(String(1024), default="")
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    pending: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LoginThrottle(ServerBase):
    """Failed sign-ins counted per account name ("name:<user name>", known or not) and per address ("addr:<ip>")."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(default=None)
    slowed_until: Mapped[datetime | None] = mapped_column(default=None)


class KnownAddress(ServerBase):
    """An address a user has signed in from: its right password still works while the account is slowed down."""

    __tablename__ = "known_addresses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


ROLES = ("admin", "manager", "coordinator", "technician")


from server.tag_block_model import TagBlock  # noqa: E402, F401  (registers the table; it imports ServerBase)
