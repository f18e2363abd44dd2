"""Apply pulled rows to the workspace in one transaction: journaled as remote, reindexed, own edits on top."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, func, select, text
from sqlalchemy.orm import Session, selectinload

import app.signoff  # noqa: F401  (registers the guard that keeps signed signoffs unchanged, also during sync)
from app.assets import label_pending, refresh_attention
from app.journal import CUSTOM_PREFIX, decode, encode, to_plain
from app.search import index_assets
from app.sync.bulk_insert import insert_rows
from models import Asset, Base, ChangeSet, FieldDefinition, StagedRow, SyncedEntity, utcnow
from models.wire import ENTITY_CLASSES, ENTITY_SPECS, RemovedRow, WireRow, canonical_json, from_plain

CHUNK = 1000
_ASSET_COLUMNS = tuple(Asset.__table__.c)
#: Parents before children (clients before projects before assets), so most foreign keys hold at once.
_TABLE_ORDER = {
    cls.entity_name: index
    for index, table in enumerate(Base.metadata.sorted_tables)
    for cls in ENTITY_CLASSES.values()
    if cls.__tablename__ == table.name
}


@dataclass
class ApplySummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    asset_ids: set[str] = field(default_factory=set)
    #: Asset id -> (serial, tag) it had before this pull changed either: their former twins are looked at too.
    replaced_keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.created + self.updated


#: Per entity, its journaled fields and whether a field's JSON value needs from_plain (dates, enums) or is used as is.
_CONVERTED = {
    entity: [(name, spec.kind in ("date", "datetime", "enum")) for name, spec in entity_spec.fields.items()]
    for entity, entity_spec in ENTITY_SPECS.items()
}


def _values(row: WireRow) -> dict[str, Any]:
    """Model attribute values of a row (journaled fields, Python types)."""
    data, entity = row.data, row.entity
    values: dict[str, Any] = {}
    for name, converted in _CONVERTED[entity]:
        if name in data:
            value = data[name]
            values[name] = from_plain(entity, name, value) if converted and value is not None else value
    return values


def _latest(rows: Iterable[WireRow]) -> list[WireRow]:
    newest: dict[str, WireRow] = {}
    for row in rows:
        if row.entity in ENTITY_CLASSES and (row.id not in newest or newest[row.id].version < row.version):
            newest[row.id] = row
    return sorted(newest.values(), key=lambda r: (_TABLE_ORDER.get(r.entity, 99), r.version))


class _Journal:
    """Remote change sets written in bulk: ids follow the device's sequence, already marked as pushed."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.next_id = int(session.scalar(select(func.max(ChangeSet.id))) or 0) + 1
        self.sets: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.now = utcnow()

    def add(self, row: WireRow, op: str, changes: Sequence[tuple[str, str | None, str | None]]) -> None:
        cs_id = self.next_id
        self.next_id += 1
        self.sets.append(
            {
                "id": cs_id, "entity": row.entity, "entity_id": row.id, "op": op, "actor": "sync",
                "device_id": "", "hlc": "", "at": self.now, "origin": "remote", "pushed_at": self.now,
                "base_version": row.version,
            }
        )  # fmt: skip
        self.changes.extend(
            {"change_set_id": cs_id, "field": name, "old_value": old, "new_value": new} for name, old, new in changes
        )

    def flush(self) -> None:
        insert_rows(self.session, Base.metadata.tables["change_sets"], self.sets)
        insert_rows(self.session, Base.metadata.tables["changes"], self.changes)
        self.sets, self.changes = [], []


def _apply_new(session: Session, model: type[SyncedEntity], rows: list[WireRow], journal: _Journal) -> None:
    payload = []
    no_reasons: list[str] = []  # one (never mutated) list for every new asset: its stored form is made once
    for row in rows:
        values = _values(row)
        values.update(
            id=row.id, created_at=row.created_at, updated_at=row.updated_at, deleted_at=row.deleted_at,
            server_version=row.version,
        )  # fmt: skip
        if model is Asset:
            values.update(attention=no_reasons, needs_attention=False)
        payload.append(values)
        journal.add(row, "create", [("*", None, canonical_json(row.data))])  # already plain JSON
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for values in payload:
        by_keys[tuple(sorted(values))].append(values)
    for group in by_keys.values():
        insert_rows(session, Base.metadata.tables[model.__tablename__], group)


def _apply_existing(obj: SyncedEntity, row: WireRow, journal: _Journal) -> bool:
    changes: list[tuple[str, str | None, str | None]] = []
    for name, value in _values(row).items():
        old = getattr(obj, name)
        if encode(to_plain(old)) != encode(to_plain(value)):
            changes.append((name, encode(to_plain(old)), encode(to_plain(value))))
            setattr(obj, name, value)
    was_deleted = obj.deleted_at is not None
    if (row.deleted_at is not None) != was_deleted:
        changes.append(("deleted_at", encode(obj.deleted_at), encode(row.deleted_at)))
        obj.deleted_at = row.deleted_at
    obj.server_version = row.version
    obj.updated_at = max(obj.updated_at, row.updated_at)
    if changes:
        op = "delete" if row.deleted_at is not None and not was_deleted else "update"
        journal.add(row, op, changes)
    return bool(changes)


def apply_rows(session: Session, rows: Iterable[WireRow]) -> ApplySummary:
    """Bring these server rows into the workspace (inside the caller's transaction)."""
    # Rows arrive in server order per space, not in foreign-key order; the checks run at commit instead.
    # The pragma lasts one transaction, so a write first makes sure that transaction has begun.
    session.execute(text("UPDATE workspace_meta SET value = value WHERE key = 'device_id'"))
    session.execute(text("PRAGMA defer_foreign_keys = ON"))
    summary = ApplySummary()
    journal = _Journal(session)
    latest = _latest(rows)
    by_entity: dict[str, list[WireRow]] = defaultdict(list)
    for row in latest:
        by_entity[row.entity].append(row)
    for entity, entity_rows in by_entity.items():
        model = ENTITY_CLASSES[entity]
        for start in range(0, len(entity_rows), CHUNK):
            chunk = entity_rows[start : start + CHUNK]
            known = {obj.id: obj for obj in session.scalars(select(model).where(model.id.in_([r.id for r in chunk])))}
            fresh = [r for r in chunk if r.id not in known]
            _apply_new(session, model, fresh, journal)
            summary.created += len(fresh)
            for row in chunk:
                if row.id in known:
                    obj = known[row.id]
                    before = (obj.serial, obj.asset_tag) if isinstance(obj, Asset) else None
                    if _apply_existing(obj, row, journal):
                        summary.updated += 1
                    else:
                        summary.unchanged += 1
                    if isinstance(obj, Asset) and before is not None and before != (obj.serial, obj.asset_tag):
                        summary.replaced_keys[obj.id] = before
            if model is Asset:
                summary.asset_ids.update(r.id for r in chunk)
            journal.flush()
    session.flush()
    reapply_pending(session, {row.id for row in latest})
    session.info.pop("field_defs", None)  # field definitions may have arrived
    refresh_assets(session, summary.asset_ids, summary.replaced_keys)
    return summary


def reapply_pending(session: Session, record_ids: set[str]) -> None:
    """Put this device's not-yet-pushed values back on top of what the server sent."""
    if not record_ids:
        return
    pending = session.scalars(
        select(ChangeSet)
        .where(ChangeSet.origin == "local", ChangeSet.pushed_at.is_(None))
        .order_by(ChangeSet.id)
        .options(selectinload(ChangeSet.changes))
    ).all()
    for cs in pending:
        if cs.entity_id not in record_ids or cs.op == "create" or cs.entity not in ENTITY_CLASSES:
            continue
        obj = session.get(ENTITY_CLASSES[cs.entity], cs.entity_id)
        if obj is None:
            continue
        for change in cs.changes:
            value = decode(change.new_value)
            if change.field == "deleted_at":
                obj.deleted_at = datetime.fromisoformat(value) if value else None
            elif change.field.startswith(CUSTOM_PREFIX):
                custom = dict(getattr(obj, "custom_fields", None) or {})
                key = change.field[len(CUSTOM_PREFIX) :]
                if value is None:
                    custom.pop(key, None)
                else:
                    custom[key] = value
                obj.custom_fields = custom  # type: ignore[attr-defined]
            elif change.field in ENTITY_SPECS[cs.entity].fields:
                setattr(obj, change.field, from_plain(cs.entity, change.field, value))


def refresh_assets(
    session: Session, asset_ids: set[str], replaced_keys: Mapping[str, tuple[str, str]] | None = None
) -> None:
    """Search documents and attention flags (duplicate tags, missing fields) of the assets that changed.

    `replaced_keys` holds the former (serial, tag) of assets whose serial or tag changed, as a local edit
    passes them, so an asset that shared the old one is looked at again on every device alike.
    """
    replaced = replaced_keys or {}
    session.flush()
    required = set(
        session.scalars(
            select(FieldDefinition.category_id)
            .where(FieldDefinition.required.is_(True), FieldDefinition.deleted_at.is_(None))
            .distinct()
        )
    )
    ids = sorted(asset_ids)
    connection = session.connection()  # plain rows, read after each chunk's flush
    for start in range(0, len(ids), CHUNK):
        rows = connection.execute(select(*_ASSET_COLUMNS).where(Asset.id.in_(ids[start : start + CHUNK]))).all()
        # A row of every asset column reads like an Asset to the search index (which only reads columns),
        # at a fraction of the cost of loading ORM objects, the biggest part of applying a large pull.
        index_assets(session, cast("list[Asset]", rows))
        twins = _shared_serials_and_tags(session, rows)
        # Only an asset with something to flag (or a flag to clear, or live twins to update after its delete)
        # can change; refresh_attention decides for those, and every other one keeps its empty flags.
        candidates = [
            row.id
            for row in rows
            if row.attention
            or row.deleted_at is not None
            or row.id in replaced
            or row.category_id in required
            or (row.serial and (row.client_id, "serial", row.serial) in twins)
            or (row.client_id, "tag", row.asset_tag) in twins
            or label_pending(row.asset_tag, row.previous_tag)
        ]
        if not candidates:
            continue
        by_client: dict[str, list[Asset]] = defaultdict(list)
        for asset in session.scalars(select(Asset).where(Asset.id.in_(candidates))):
            by_client[asset.client_id].append(asset)
        for client_id, group in by_client.items():
            former = [replaced[a.id] for a in group if a.id in replaced]
            refresh_attention(
                session, client_id, group, serials=[serial for serial, _tag in former], tags=[tag for _s, tag in former]
            )
        session.flush()


def _shared_serials_and_tags(session: Session, assets: Sequence[Row[Any]]) -> set[tuple[str, str, str]]:
    """(client, "serial"|"tag", value) of these assets' serials and tags that two or more live assets share."""
    clients = sorted({a.client_id for a in assets})
    shared: set[tuple[str, str, str]] = set()
    for kind, column, values in (
        ("serial", Asset.serial, {a.serial for a in assets if a.serial}),
        ("tag", Asset.asset_tag, {a.asset_tag for a in assets}),
    ):
        if not values:
            continue
        query = (
            select(Asset.client_id, column)
            .where(Asset.client_id.in_(clients), column.in_(sorted(values)), Asset.deleted_at.is_(None))
            .group_by(Asset.client_id, column)
            .having(func.count() > 1)
        )
        shared.update((client_id, kind, value) for client_id, value in session.connection().execute(query))
    return shared


#: The `entity` of a staged removal (a record the user may no longer see); its payload is the record's entity.
REMOVED = "~removed"


@dataclass
class Pulled:
    """What a pull brought, in arrival order: rows to apply, and records to drop (id -> entity) after them."""

    rows: list[WireRow] = field(default_factory=list)
    removed: dict[str, str] = field(default_factory=dict)

    def add(self, rows: Sequence[WireRow], removed: Iterable[RemovedRow]) -> None:
        # Within one page a removed record is never also sent; a later page's row brings it back (a new grant).
        for gone in removed:
            self.removed[gone.id] = gone.entity
        if self.removed:
            for row in rows:
                self.removed.pop(row.id, None)
        self.rows.extend(rows)

    def kept_rows(self) -> list[WireRow]:
        return [row for row in self.rows if row.id not in self.removed] if self.removed else self.rows


def stage_rows(session: Session, rows: Sequence[WireRow], removed: Sequence[RemovedRow] = ()) -> None:
    staged = [
        {"entity": r.entity, "entity_id": r.id, "version": r.version, "payload": r.model_dump_json()} for r in rows
    ]
    staged.extend({"entity": REMOVED, "entity_id": r.id, "version": 0, "payload": r.entity} for r in removed)
    insert_rows(session, Base.metadata.tables[StagedRow.__tablename__], staged)


def staged_pull(session: Session, *, upto: int | None = None) -> Pulled:
    """The kept rows and removals in the order they arrived (those up to sequence number `upto`, when given)."""
    query = select(StagedRow.entity, StagedRow.entity_id, StagedRow.payload).order_by(StagedRow.seq)
    if upto is not None:
        query = query.where(StagedRow.seq <= upto)
    pulled = Pulled()
    for entity, entity_id, payload in session.execute(query):
        if entity == REMOVED:
            pulled.add((), [RemovedRow(entity=payload, id=entity_id)])
        else:
            pulled.add([WireRow.model_validate_json(payload)], ())
    return pulled
