"""Conflicts and refused changes as people see them, and one-step resolution (itself a change that syncs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import refresh_attention
from app.errors import NotFoundError, ValidationError
from app.journal import CUSTOM_PREFIX, decode, record_restore, record_update
from app.search import index_assets
from app.sync.withdraw import WITHDRAWN
from models import Asset, Conflict, RejectedChange, utcnow
from models.wire import ENTITY_CLASSES, ENTITY_SPECS, from_plain

Choice = Literal["keep", "take"]


@dataclass(frozen=True)
class ConflictView:
    id: str
    kind: str
    entity: str
    entity_id: str
    field: str
    winning_value: Any
    losing_value: Any
    winner_actor: str
    loser_actor: str
    loser_hlc: str
    detail: str
    resolved: bool
    resolution: str
    #: The record as people know it: "Asset NWD-00012", or the kind of record when it is no longer here.
    record: str = ""


def list_conflicts(session: Session, *, include_resolved: bool = False) -> list[ConflictView]:
    query = select(Conflict).where(Conflict.deleted_at.is_(None)).order_by(Conflict.created_at, Conflict.id)
    if not include_resolved:
        query = query.where(Conflict.resolved_at.is_(None))
    conflicts = list(session.scalars(query))
    asset_ids = {c.entity_id for c in conflicts if c.entity == "asset"}
    tags: dict[str, str] = {}
    if asset_ids:
        tags = {
            row.id: row.asset_tag
            for row in session.execute(select(Asset.id, Asset.asset_tag).where(Asset.id.in_(asset_ids)))
        }
    return [
        ConflictView(
            id=c.id,
            kind=c.kind,
            entity=c.entity,
            entity_id=c.entity_id,
            field=c.field,
            winning_value=decode(c.winning_value),
            losing_value=decode(c.losing_value),
            winner_actor=c.winner_actor,
            loser_actor=c.loser_actor,
            loser_hlc=c.loser_hlc,
            detail=c.detail,
            resolved=c.resolved_at is not None,
            resolution=c.resolution,
            record=_record_label(c, tags),
        )
        for c in conflicts
    ]


def _record_label(conflict: Conflict, tags: dict[str, str]) -> str:
    kind = conflict.entity.replace("_", " ").capitalize()
    if conflict.entity == "asset" and conflict.entity_id in tags:
        return f"Asset {tags[conflict.entity_id]}"
    if conflict.kind == WITHDRAWN:
        return f"{kind} (no longer here)"
    return f"{kind} …{conflict.entity_id[-6:]}"


def list_rejected(session: Session) -> list[RejectedChange]:
    return list(session.scalars(select(RejectedChange).order_by(RejectedChange.mutation_id)))


def find_conflict(session: Session, ref: str) -> Conflict:
    """A conflict by its id or a unique prefix of it (as printed by `closeout-cli conflicts`)."""
    matches = list(session.scalars(select(Conflict).where(Conflict.id.startswith(ref.strip())).limit(2)))
    if len(matches) != 1:
        raise NotFoundError(f"There is no single conflict “{ref}”.")
    return matches[0]


def resolve(session: Session, conflict_id: str, choice: Choice, *, actor: str) -> Conflict:
    """Keep the current value, or take the losing one back; either way the conflict is marked resolved."""
    conflict = find_conflict(session, conflict_id)
    if conflict.resolved_at is not None:
        raise ValidationError({"conflict": "This conflict is already resolved."})
    if choice == "take":
        _take_losing_value(session, conflict, actor)
    resolution = "took-loser" if choice == "take" else "kept-winner"
    if conflict.server_version == 0 and conflict.kind == WITHDRAWN:
        # Made here when access was withdrawn: the server never had it, so its resolution is not journaled.
        conflict.resolved_at, conflict.resolved_by, conflict.resolution = utcnow(), actor, resolution
        return conflict
    record_update(session, conflict, {"resolved_at": utcnow(), "resolved_by": actor, "resolution": resolution}, actor)
    return conflict


def _take_losing_value(session: Session, conflict: Conflict, actor: str) -> None:
    if conflict.kind == "duplicate-tag":
        raise ValidationError({"conflict": "Give one of the two assets a new tag, then keep this one."})
    model = ENTITY_CLASSES.get(conflict.entity)
    target = session.get(model, conflict.entity_id) if model is not None else None
    if target is None:
        raise NotFoundError("The record of this conflict is not in this workspace.")
    if target.deleted_at is not None:
        record_restore(session, target, actor)
    value = decode(conflict.losing_value)
    name = conflict.field
    if not name.startswith(CUSTOM_PREFIX):
        if name not in ENTITY_SPECS[conflict.entity].fields:
            raise ValidationError({"conflict": f"{name} cannot be set back."})
        value = from_plain(conflict.entity, name, value)
    record_update(session, target, {name: value}, actor)
    if isinstance(target, Asset):
        index_assets(session, [target])
        refresh_attention(session, target.client_id, [target])
