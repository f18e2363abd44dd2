"""Apply pulled rows to the workspace in one transaction: journaled as remote, reindexed, own edits on top."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, selectinload

import app.signoff  # noqa: F401  (registers the guard that keeps signed signoffs unchanged, also during sync)
from app.assets import refresh_attention
from app.journal import CUSTOM_PREFIX, decode, encode, to_plain
from app.search import index_assets
from models import Asset, Base, ChangeSet, StagedRow, SyncedEntity, utcnow
from models.wire import ENTITY_CLASSES, ENTITY_SPECS, WireRow, canonical_json, from_plain

CHUNK = 1000
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

    @property
    def changed(self) -> int:
        return self.created + self.updated


def _values(row: WireRow) -> dict[str, Any]:
    """Model attribute values of a row (journaled fields, Python types)."""
    spec = ENTITY_SPECS[row.entity]
    return {name: from_plain(row.entity, name, row.data.get(name)) for name in spec.fields if name in row.data}


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
        if self.sets:
            self.session.execute(insert(Base.metadata.tables["change_sets"]), self.sets)
        if self.changes:
            self.session.execute(insert(Base.metadata.tables["changes"]), self.changes)
        self.sets, self.changes = [], []


def _apply_new(session: Session, model: type[SyncedEntity], rows: list[WireRow], journal: _Journal) -> None:
    payload = []
    for row in rows:
        values = _values(row)
        values.update(
            id=row.id, created_at=row.created_at, updated_at=row.updated_at, deleted_at=row.deleted_at,
            server_version=row.version,
        )  # fmt: skip
        if model is Asset:
            values.update(attention=[], needs_attention=False)
        payload.append(values)
        journal.add(row, "create", [("*", None, canonical_json(row.data))])  # already plain JSON
    by_keys: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for values in payload:
        by_keys[tuple(sorted(values))].append(values)
    for group in by_keys.values():
        session.execute(insert(Base.metadata.tables[model.__tablename__]), group)


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
                    if _apply_existing(known[row.id], row, journal):
                        summary.updated += 1
                    else:
                        summary.unchanged += 1
            if model is Asset:
                summary.asset_ids.update(r.id for r in chunk)
            journal.flush()
    session.flush()
    reapply_pending(session, {row.id for row in latest})
    session.info.pop("field_defs", None)  # field definitions may have arrived
    refresh_assets(session, summary.asset_ids)
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


def refresh_assets(session: Session, asset_ids: set[str]) -> None:
    """Search documents and attention flags (duplicate tags, missing fields) of the assets that changed."""
    ids = sorted(asset_ids)
    for start in range(0, len(ids), CHUNK):
        assets = list(session.scalars(select(Asset).where(Asset.id.in_(ids[start : start + CHUNK]))))
        index_assets(session, assets)
        by_client: dict[str, list[Asset]] = defaultdict(list)
        for asset in assets:
            by_client[asset.client_id].append(asset)
        for client_id, group in by_client.items():
            refresh_attention(session, client_id, group)
        session.flush()


def stage_rows(session: Session, rows: Sequence[WireRow]) -> None:
    if rows:
        session.execute(
            insert(StagedRow),
            [
                {"entity": r.entity, "entity_id": r.id, "version": r.version, "payload": r.model_dump_json()}
                for r in rows
            ],
        )


def staged_rows(session: Session) -> list[WireRow]:
    return [
        WireRow.model_validate_json(payload)
        for payload in session.scalars(select(StagedRow.payload).order_by(StagedRow.seq))
    ]
