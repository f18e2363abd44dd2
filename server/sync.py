"""Push of synced records (exactly-once, per-field merge, conflicts), device leases and record reads."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models.base import utcnow
from models.ids import new_id
from models.wire import (
    ENTITY_SPECS,
    MERGED_FIELDS,
    WIRE_SCHEMA,
    Mutation,
    PushRequest,
    PushResponse,
    RejectedMutation,
    WireRow,
    canonical_json,
)
from server import metrics
from server.auth import Scope, grant
from server.models import GLOBAL_SPACE, Device, Record, RejectedMutationRecord, Space, User
from server.records import (
    CONFLICT_EDITABLE,
    Rejected,
    check_catalog_change,
    check_fields,
    check_references,
    field_value,
    placement,
    set_field_value,
)
from server.storage import may_see_blob


class NotFound(Exception):
    """The thing does not exist for this caller (another tenant's data answers exactly like missing data)."""


class Busy(Exception):
    """Another sync of this device is running."""


class BadRequest(Exception):
    pass


def _ensure_space(session: Session, space_id: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(Space).values(id=space_id, version=0).on_conflict_do_nothing(index_elements=["id"]))


def own_device(session: Session, user: User, device_id: str, *, lock: bool = False) -> Device:
    """The caller's device, registered on first use; someone else's device id answers NotFound."""
    device = session.get(Device, device_id, with_for_update=lock or None)
    if device is None:
        device = Device(id=device_id, user_id=user.id, last_mutation_id=0)
        session.add(device)
        session.flush()
    elif device.user_id != user.id:
        raise NotFound()
    return device


def claim_lease(session: Session, user: User, device_id: str, token: str, seconds: float) -> None:
    """Hold the device's sync lease for this run (renewed by each request); a different live run is Busy."""
    device = own_device(session, user, device_id, lock=True)
    now = utcnow()
    if device.lease_token and device.lease_token != token and device.lease_until and device.lease_until > now:
        raise Busy()
    device.lease_token = token
    device.lease_until = now + timedelta(seconds=seconds)


def release_lease(session: Session, user: User, device_id: str, token: str) -> None:
    device = own_device(session, user, device_id, lock=True)
    if device.lease_token == token:
        device.lease_token = ""
        device.lease_until = None


@dataclass
class Applier:
    """Applies one push's mutations inside its transaction, holding each touched space's row lock."""

    session: Session
    user: User
    scope: Scope
    device_id: str
    versions: dict[str, int] = field(default_factory=dict)
    loaded: dict[str, Record] = field(default_factory=dict)

    def lock(self, space_id: str) -> None:
        if space_id not in self.versions:
            _ensure_space(self.session, space_id)
            # The row lock makes pushes into one space commit in the order of the versions they take,
            # so a pull that has seen version N can never later meet a row below N.
            locked = self.session.scalar(select(Space.version).where(Space.id == space_id).with_for_update())
            self.versions[space_id] = int(locked or 0)

    def prepare(self, mutations: list[Mutation]) -> None:
        """Lock the spaces of the records this batch touches (in a fixed order), then load those records.

        Loading after locking means no concurrent push can change them underneath this one.
        """
        ids = sorted({m.entity_id for m in mutations})
        for space_id in sorted(set(self.session.scalars(select(Record.space_id).where(Record.id.in_(ids))))):
            self.lock(space_id)
        query = select(Record).where(Record.id.in_(ids)).execution_options(populate_existing=True)
        self.loaded = {record.id: record for record in self.session.scalars(query)}  # strong refs: the map is weak

    def next_version(self, space_id: str) -> int:
        self.lock(space_id)
        self.versions[space_id] += 1
        return self.versions[space_id]

    def write_versions(self) -> None:
        for space_id, version in self.versions.items():
            space = self.session.get(Space, space_id)
            assert space is not None
            space.version = version

    def apply(self, m: Mutation) -> None:
        entity = ENTITY_SPECS.get(m.entity)
        if entity is None:
            raise Rejected(f"{m.entity} is not a kind of record the server keeps")
        record = self.loaded.get(m.entity_id) or self.session.get(Record, m.entity_id)
        if record is not None and (
            record.entity != m.entity or not self.scope.can_see(record.space_id, record.project_id)
        ):
            raise Rejected("no such record")  # the same words as a missing record: nothing leaks
        if m.op == "create" and record is None:
            self._create(m, entity.name)
            return
        if record is None:
            raise Rejected("no such record")
        if record.space_id == GLOBAL_SPACE and not self.scope.is_admin:
            check_catalog_change(m.fields, record, delete=m.op == "delete")
        if m.entity == "conflict" and (m.op != "update" or not set(m.fields) <= CONFLICT_EDITABLE):
            raise Rejected("a conflict can only be resolved")
        signed = m.entity == "signoff" and record.data.get("status") in ("signed", "superseded")
        if signed and not (m.op == "update" and m.fields == {"status": "superseded"}):
            raise Rejected("a signed signoff cannot change; create a new version instead")
        if m.op == "delete":
            self._delete(m, record)
        else:
            self._update(m, record)

    def _create(self, m: Mutation, entity_name: str) -> None:
        entity = ENTITY_SPECS[entity_name]
        if entity_name == "conflict":
            raise Rejected("conflicts are made by the server")
        check_fields(entity, m.fields, whole=True)
        space_id, project_id = placement(self.session, entity_name, m.entity_id, m.fields)
        if entity_name == "client":
            if self.user.role == "technician":
                raise Rejected("technicians cannot create clients")
            if self.session.get(Space, space_id) is not None:
                raise Rejected("no such record")
            if self.user.role != "admin":
                grant(self.session, self.user, scope_kind="client", scope_id=space_id)
                self.scope.spaces[space_id] = None
        elif not self.scope.can_see(space_id, project_id) or (
            project_id is None and space_id != GLOBAL_SPACE and not self.scope.can_see_space(space_id)
        ):
            raise Rejected("its parent record does not exist on the server")
        check_references(self.session, entity, m.fields, space_id)
        self._check_file(m.fields)
        version = self.next_version(space_id)
        meta = [version, self.device_id, m.actor, m.hlc]
        data = {name: m.fields.get(name) for name in entity.fields}
        field_meta: dict[str, Any] = {name: meta for name in entity.fields}
        for key in (data.get("custom_fields") or {}) if entity.has_custom else {}:
            field_meta[f"custom.{key}"] = meta
        now = utcnow()
        record = Record(
            id=m.entity_id,
            entity=entity_name,
            space_id=space_id,
            project_id=project_id,
            version=version,
            data=data,
            field_meta=field_meta,
            tag=data.get("asset_tag")
            if entity_name == "asset"
            else data.get("sha256")
            if entity_name == "attachment"
            else None,
            created_at=min(m.at if m.at.tzinfo else m.at.replace(tzinfo=UTC), now),  # naive: read as UTC
            updated_at=now,
        )
        self.session.add(record)
        self.session.flush()
        if entity_name == "asset":
            self._flag_duplicate_tag(record, m)

    def _check_file(self, fields: dict[str, Any]) -> None:
        """An attachment may name only a file this user uploaded or may already see attached somewhere: content
        addressing is no access grant (another tenant's file answers exactly like a missing one)."""
        sha256 = fields.get("sha256")
        if sha256 is None:
            return
        if not isinstance(sha256, str) or not may_see_blob(self.session, self.scope, self.user, sha256):
            raise Rejected("sha256 names a file that has not been uploaded to the server")

    def _update(self, m: Mutation, record: Record) -> None:
        entity = ENTITY_SPECS[record.entity]
        fields = dict(m.fields)
        # A create of a known id (a re-registered device pushing again) merges every field.
        check_fields(entity, fields, whole=m.op == "create")
        for blocked in ("client_id", "project_id") if record.entity != "conflict" else ():
            if blocked in fields and fields[blocked] != record.data.get(blocked):
                raise Rejected(f"{blocked} of an existing {record.entity} cannot change")
        check_references(self.session, entity, fields, record.space_id)
        if record.entity == "attachment" and fields.get("sha256", record.data.get("sha256")) != record.data.get(
            "sha256"
        ):
            self._check_file(fields)
        restore = "deleted_at" in fields and fields["deleted_at"] is None
        if "deleted_at" in fields and fields["deleted_at"] is not None:
            self._delete(m, record)
            return
        if record.deleted_at is not None and not restore:
            # Delete wins over a concurrent edit; the edit is kept in the conflict log and can be restored.
            deleter = record.field_meta.get("deleted_at") or [0, "", "", ""]
            for name, value in fields.items():
                self._conflict(record, name, "delete-edit", None, value, deleter, [0, self.device_id, m.actor, m.hlc])
            return
        version = 0
        data = dict(record.data)
        field_meta = dict(record.field_meta)
        mine = [0, self.device_id, m.actor, m.hlc]
        conflicts: list[tuple[str, Any, Any, list[Any]]] = []
        merged = MERGED_FIELDS.get(record.entity, frozenset())
        for name, value in fields.items():
            if name == "deleted_at":
                continue
            current = field_value(data, name)
            if canonical_json(current) == canonical_json(value):
                continue
            previous = field_meta.get(name)
            if previous and previous[0] > m.base_version and previous[1] != self.device_id and name not in merged:
                conflicts.append((name, value, current, previous))
            set_field_value(data, name, value)
            version = version or self.next_version(record.space_id)
            field_meta[name] = [version, *mine[1:]]
        if restore:
            version = version or self.next_version(record.space_id)
            record.deleted_at = None
            field_meta["deleted_at"] = [version, *mine[1:]]
        if not version:
            return
        record.data, record.field_meta, record.version, record.updated_at = data, field_meta, version, utcnow()
        for name, winning, losing, previous in conflicts:
            # The server's order decides: this later arrival wins and the earlier value is kept here.
            self._conflict(record, name, "field", winning, losing, mine, previous)
        if record.entity == "asset" and ("asset_tag" in fields or restore):
            record.tag = data.get("asset_tag")
            self.session.flush()
            self._flag_duplicate_tag(record, m)

    def _delete(self, m: Mutation, record: Record) -> None:
        if record.deleted_at is not None:
            return
        version = self.next_version(record.space_id)
        now = utcnow()
        mine = [version, self.device_id, m.actor, m.hlc]
        for name, previous in sorted(record.field_meta.items()):
            if name != "deleted_at" and previous[0] > m.base_version and previous[1] != self.device_id:
                value = field_value(record.data, name)
                self._conflict(record, name, "delete-edit", None, value, mine, previous)
        record.deleted_at = now
        record.updated_at = now
        record.version = version
        record.field_meta = {**record.field_meta, "deleted_at": mine}

    def _flag_duplicate_tag(self, record: Record, m: Mutation) -> None:
        """Two assets of one client with one tag: both stay, and a duplicate-tag conflict asks a person."""
        others = self.session.scalars(
            select(Record).where(
                Record.space_id == record.space_id,
                Record.entity == "asset",
                Record.tag == record.tag,
                Record.id != record.id,
                Record.deleted_at.is_(None),
            )
        ).all()
        for other in others:
            detail = f"Tag {record.tag} is also on asset {other.id}."
            other_meta = other.field_meta.get("asset_tag") or [0, "", "", ""]
            self._conflict(
                record, "asset_tag", "duplicate-tag", record.tag, other.id, [0, self.device_id, m.actor, m.hlc],
                other_meta, detail=detail,
            )  # fmt: skip

    def _conflict(
        self,
        record: Record,
        name: str,
        kind: str,
        winning: Any,
        losing: Any,
        winner: list[Any],
        loser: list[Any],
        detail: str = "",
    ) -> None:
        metrics.CONFLICTS.labels(kind).inc()  # (a push rolled back after this is rare enough to count anyway)
        version = self.next_version(record.space_id)
        project_id = record.project_id if record.entity != "project" else record.id
        data = {
            "project_id": project_id,
            "entity": record.entity,
            "entity_id": record.id,
            "field": name,
            "kind": kind,
            "winning_value": canonical_json(winning),
            "losing_value": canonical_json(losing),
            "winner_actor": str(winner[2]),
            "loser_actor": str(loser[2]),
            "loser_device": str(loser[1]),
            "loser_hlc": str(loser[3]),
            "detail": detail,
            "resolved_at": None,
            "resolved_by": "",
            "resolution": "",
        }
        meta = [version, "server", "server", ""]
        now = utcnow()
        self.session.add(
            Record(
                id=new_id(),
                entity="conflict",
                space_id=record.space_id,
                project_id=project_id,
                version=version,
                data=data,
                field_meta=dict.fromkeys(data, meta),
                created_at=now,
                updated_at=now,
            )
        )


#: A refused mutation is kept for people to read, not replayed: its reason and values are kept shortened.
MAX_REASON = 500
MAX_KEPT_VALUE = 200
MAX_KEPT_FIELDS = 100


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kept_payload(m: Mutation) -> dict[str, Any]:
    """The refused mutation as stored: each field's value as JSON text cut to MAX_KEPT_VALUE characters, at most
    MAX_KEPT_FIELDS fields (a 10 MB push keeps a few kilobytes)."""
    payload: dict[str, Any] = json.loads(m.model_dump_json(exclude={"fields"}))
    names = sorted(m.fields)
    payload["fields"] = {
        _shortened(name, MAX_KEPT_VALUE): _shortened(json.dumps(m.fields[name], ensure_ascii=False), MAX_KEPT_VALUE)
        for name in names[:MAX_KEPT_FIELDS]
    }
    if len(names) > MAX_KEPT_FIELDS:
        payload["fields_left_out"] = len(names) - MAX_KEPT_FIELDS
    return payload


def push(session: Session, *, user: User, scope: Scope, request: PushRequest) -> PushResponse:
    """Apply the mutations after the device's last one, in order, exactly once; stop at a gap."""
    if request.schema_version > WIRE_SCHEMA:
        raise BadRequest("this client is newer than the server; update the server")
    device = own_device(session, user, request.device_id, lock=True)
    applier = Applier(session, user, scope, device.id)
    last = device.last_mutation_id
    applier.prepare([m for m in request.mutations if m.mutation_id > last])
    applied = skipped = 0
    gap = False
    rejected: list[RejectedMutation] = []
    for m in sorted(request.mutations, key=lambda item: item.mutation_id):
        if m.mutation_id <= last:
            skipped += 1
            continue
        if m.prev_id != last:
            gap = True
            break
        try:
            applier.apply(m)
            applied += 1
        except Rejected as exc:
            reason = _shortened(str(exc).replace("\x00", ""), MAX_REASON)
            rejected.append(
                RejectedMutation(mutation_id=m.mutation_id, entity=m.entity, entity_id=m.entity_id, reason=reason)
            )
            session.add(
                RejectedMutationRecord(
                    device_id=device.id,
                    user_id=user.id,
                    mutation_id=m.mutation_id,
                    entity=m.entity,
                    entity_id=m.entity_id,
                    reason=reason,
                    payload=kept_payload(m),
                )
            )
        last = m.mutation_id
    applier.write_versions()
    device.last_mutation_id = last  # in the same transaction as the effects: exactly once
    return PushResponse(last_mutation_id=last, applied=applied, skipped=skipped, rejected=rejected, gap=gap)


def to_wire(record: Record) -> WireRow:
    # Built without validation: the row comes from our own database.
    return WireRow.model_construct(
        entity=record.entity,
        id=record.id,
        version=record.version,
        created_at=record.created_at,
        updated_at=record.updated_at,
        deleted_at=record.deleted_at,
        data=record.data,
    )


def visible_record(session: Session, scope: Scope, entity: str, record_id: str) -> Record:
    record = session.get(Record, record_id)
    if record is None or record.entity != entity or not scope.can_see(record.space_id, record.project_id):
        raise NotFound()
    return record


def conflicts_of(session: Session, scope: Scope, project_id: str | None) -> list[Record]:
    """Open and resolved conflicts the caller may see, optionally of one (visible) project."""
    query = select(Record).where(Record.entity == "conflict").order_by(Record.version)
    if project_id is not None:
        project = visible_record(session, scope, "project", project_id)
        query = query.where(Record.project_id == project.id)
    return [r for r in session.scalars(query) if scope.can_see(r.space_id, r.project_id)]


def rejected_of(session: Session, user: User) -> list[RejectedMutationRecord]:
    return list(
        session.scalars(
            select(RejectedMutationRecord)
            .where(RejectedMutationRecord.user_id == user.id)
            .order_by(RejectedMutationRecord.id)
        )
    )


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
