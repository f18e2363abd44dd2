"""Sync wire schemas, defined once and imported by both the desktop client and the server."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import JSON, Boolean, Date, DateTime, Enum, Float, Integer, String, Text, inspect

import models  # noqa: F401  (registers every synced entity class before the specs are built)
from models.base import BOOKKEEPING_FIELDS, SyncedEntity, UTCDateTime

#: Bumped when the meaning of a mutation changes; the server refuses mutations from a newer schema.
WIRE_SCHEMA = 1
#: Rows per pull page and mutations per push request.
PAGE_SIZE = 500
MAX_PUSH_MUTATIONS = 1000
#: Header carrying the id of one sync run; the server answers 409 to a second, overlapping run of a device.
SYNC_SESSION_HEADER = "X-Sync-Session"

Op = Literal["create", "update", "delete"]
Role = Literal["admin", "manager", "coordinator", "technician"]


def canonical_json(value: Any) -> str | None:
    """The journal's text form of a plain JSON value (None stays None); equal values give equal text."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginRequest(_Strict):
    username: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=1024)


class UserInfo(_Strict):
    name: str
    role: Role


class LoginResponse(_Strict):
    token: str
    expires_at: datetime
    user: UserInfo


class Mutation(_Strict):
    """One journaled change set of a device, as pushed: `fields` holds new values ("custom.<key>" per key)."""

    mutation_id: int = Field(ge=1)
    #: The device's previous mutation id (0 for its first): a mismatch with the server's last id is a gap.
    prev_id: int = Field(ge=0)
    entity: str = Field(min_length=1, max_length=40)
    entity_id: str = Field(min_length=1, max_length=36)
    op: Op
    base_version: int = Field(ge=0)
    actor: str = Field(default="", max_length=120)
    hlc: str = Field(default="", max_length=40)
    at: datetime
    fields: dict[str, Any]


class PushRequest(_Strict):
    device_id: str = Field(min_length=1, max_length=36)
    schema_version: int = WIRE_SCHEMA
    mutations: list[Mutation] = Field(max_length=MAX_PUSH_MUTATIONS)


class RejectedMutation(_Strict):
    mutation_id: int
    entity: str
    entity_id: str
    reason: str


class PushResponse(_Strict):
    last_mutation_id: int
    applied: int
    skipped: int
    rejected: list[RejectedMutation] = []
    #: True when the batch did not continue the device's sequence: the client resends from last_mutation_id.
    gap: bool = False


class PullRequest(_Strict):
    device_id: str = Field(min_length=1, max_length=36)
    cursor: str = Field(default="", max_length=200_000)
    limit: int = Field(default=PAGE_SIZE, ge=1, le=2000)
    #: Spaces to send again from the start whatever the cursor says (a replacement sync after a 410).
    reset: list[str] = Field(default=[], max_length=10_000)


class WireRow(_Strict):
    """A record as the server holds it: the full journaled fields, its version and tombstone."""

    entity: str
    id: str
    version: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    data: dict[str, Any]


class CursorExpiredError(_Strict):
    """The body of a 410 answer to a pull: tombstones newer than the cursor were purged from these spaces."""

    error: Literal["cursor_expired"] = "cursor_expired"
    message: str
    spaces: list[str]


class RemovedRow(_Strict):
    """A record the caller may no longer see (a grant was revoked): the device drops its copy, nothing is deleted."""

    entity: str
    id: str


class PullResponse(_Strict):
    rows: list[WireRow]
    cursor: str
    has_more: bool
    last_mutation_id: int
    #: Records that left the caller's view since the cursor: "a grant arrives as creates, a revoke as deletes".
    removed: list[RemovedRow] = []


#: Fields the server merges latest-arrival-wins without a conflict record: "seen on site" is the same fact when two
#: technicians verify one asset, so the later verification simply stands (docs/sync.md).
MERGED_FIELDS: dict[str, frozenset[str]] = {
    "asset": frozenset({"seen_at", "seen_by", "seen_site_id", "seen_location_id"}),
}
#: The reason given for a space the device compared recently (it named it in `fresh`).
RECENTLY_CHECKED = "compared recently"
#: Entities the sanity check leaves out. A conflict lives in the space of the record it is about, and that
#: record may be purged (delete-versus-edit) or be a conflict itself, so a device cannot always place it.
UNCHECKED_ENTITIES = frozenset({"conflict"})


class CheckRequest(_Strict):
    """Ask for the sanity check of the spaces a completed pull left the device with (SYNC.md)."""

    device_id: str = Field(min_length=1, max_length=36)
    cursor: str = Field(default="", max_length=200_000)
    #: Spaces the device compared recently: answered with RECENTLY_CHECKED instead of a count.
    fresh: list[str] = Field(default=[], max_length=10_000)


class SpaceCheck(_Strict):
    """What the server holds of one space in the device's view, as of the device's cursor: how many live records
    and their `records_digest`. `count` is None when the two cannot be compared now (`reason` says why)."""

    space: str
    count: int | None = None
    digest: str = ""
    reason: str = ""


class CheckResponse(_Strict):
    spaces: list[SpaceCheck]


def records_digest(rows: Iterable[tuple[str, str, int]]) -> tuple[int, str]:
    """(count, digest) of (entity, id, version) rows, in any order: the sum of each row's 64-bit hash.

    The server and the device compute it the same way over the live records of a space, so a row one of them
    misses, holds twice, or holds at another version shows as a difference.
    """
    count = total = 0
    for entity, record_id, version in rows:
        hashed = hashlib.sha256(f"{entity}\x1f{record_id}\x1f{int(version)}".encode()).digest()
        total = (total + int.from_bytes(hashed[:8], "big")) & 0xFFFF_FFFF_FFFF_FFFF
        count += 1
    return count, f"{total:016x}"


class ConflictInfo(_Strict):
    id: str
    kind: str
    entity: str
    entity_id: str
    field: str
    winning_value: str | None
    losing_value: str | None
    winner_actor: str
    loser_actor: str
    resolved: bool


class RejectedInfo(_Strict):
    device_id: str
    mutation_id: int
    entity: str
    entity_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text, int, float, bool, date, datetime, enum, json
    nullable: bool
    length: int | None
    choices: frozenset[str]
    references: str | None  # entity name of a foreign key target
    enum_class: type[Any] | None = None


@dataclass(frozen=True)
class EntitySpec:
    name: str
    fields: dict[str, FieldSpec]
    has_custom: bool


def _kind(column_type: Any) -> str:
    if isinstance(column_type, Enum):
        return "enum"
    if isinstance(column_type, UTCDateTime | DateTime):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, Integer):
        return "int"
    if isinstance(column_type, Float):
        return "float"
    if isinstance(column_type, String | Text):
        return "text"
    if isinstance(column_type, JSON):
        return "json"
    raise TypeError(f"no wire kind for {column_type!r}")


def _entity_classes() -> list[type[SyncedEntity]]:
    found: list[type[SyncedEntity]] = []
    pending: list[type[SyncedEntity]] = list(SyncedEntity.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.entity_name:
            found.append(cls)
    return found


def _build_specs() -> dict[str, EntitySpec]:
    table_entity = {cls.__tablename__: cls.entity_name for cls in _entity_classes()}
    specs: dict[str, EntitySpec] = {}
    for cls in _entity_classes():
        fields: dict[str, FieldSpec] = {}
        for attr in inspect(cls).column_attrs:
            if attr.key in BOOKKEEPING_FIELDS or attr.key in cls.journal_exempt:
                continue
            column = attr.columns[0]
            choices = frozenset(column.type.enums) if isinstance(column.type, Enum) else frozenset()
            target = next(iter(column.foreign_keys), None)
            fields[attr.key] = FieldSpec(
                name=attr.key,
                kind=_kind(column.type),
                nullable=bool(column.nullable),
                length=getattr(column.type, "length", None),
                choices=choices,
                references=table_entity.get(target.column.table.name) if target is not None else None,
                enum_class=getattr(column.type, "enum_class", None),
            )
        specs[cls.entity_name] = EntitySpec(cls.entity_name, fields, "custom_fields" in fields)
    return specs


ENTITY_SPECS: dict[str, EntitySpec] = _build_specs()
#: Entity name -> model class, for every synced record.
ENTITY_CLASSES: dict[str, type[SyncedEntity]] = {cls.entity_name: cls for cls in _entity_classes()}


def from_plain(entity: str, name: str, value: Any) -> Any:
    """The Python value of a field from its JSON form (dates parsed, enums looked up)."""
    if value is None:
        return None
    spec = ENTITY_SPECS[entity].fields[name]
    if spec.kind == "date":
        return date.fromisoformat(value)
    if spec.kind == "datetime":
        return datetime.fromisoformat(value)
    if spec.kind == "enum" and spec.enum_class is not None:
        return spec.enum_class(value)
    return value
