"""Records the user may no longer see (a revoked grant) leave the workspace; edits the server never took stay.

The removal is not a delete of the record (it lives on on the server), so nothing is journaled for it: a journaled
delete would be pushed back. Edits of this device that the server did not accept (still waiting, or refused) are
kept as "rejected" conflicts, local to this workspace, so nothing a technician typed vanishes unseen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, or_, select, text
from sqlalchemy.orm import Session, selectinload

from app.assets import refresh_attention
from models import Asset, Attachment, ChangeSet, Conflict, RejectedChange
from models.wire import ENTITY_CLASSES, ENTITY_SPECS

#: Conflict kind of an edit that can no longer reach the server.
WITHDRAWN = "rejected"
WITHDRAWN_DETAIL = "Access to this record was withdrawn on the server before this change reached it; it is kept here."
PURGED_DETAIL = (
    "This record was deleted on the server long ago (its deletion is no longer kept there) before this change "
    "reached it; the change is kept here."
)
#: Records of the catalog every client shares (the server's "global" space); every other space is one client.
GLOBAL_SPACE = "global"
GLOBAL_ENTITIES = ("category", "field_definition", "checklist_template", "import_profile", "lifecycle_rule")
CHUNK = 5000
_DELETE_SEARCH_DOC = text("DELETE FROM asset_search_docs WHERE asset_id = :asset_id")


def chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _present(session: Session, by_entity: Mapping[str, set[str]]) -> dict[str, set[str]]:
    """The ids of each entity that this workspace holds."""
    found: dict[str, set[str]] = {}
    for entity, ids in by_entity.items():
        model = ENTITY_CLASSES[entity]
        query = select(model.id)
        found[entity] = {i for chunk in chunks(ids) for i in session.scalars(query.where(model.id.in_(chunk)))}
    return found


def _with_dependents(session: Session, by_entity: dict[str, set[str]]) -> None:
    """Add the local records that hang off removed ones (foreign keys, attachments), made here or not."""
    grown = True
    while grown:
        grown = False
        for entity, spec in ENTITY_SPECS.items():
            model = ENTITY_CLASSES[entity]
            queries: list[tuple[Any, set[str], str | None]] = [
                (getattr(model, name).in_, by_entity[f.references], None)
                for name, f in spec.fields.items()
                if f.references and by_entity.get(f.references)
            ]
            if entity == "attachment":
                queries += [(Attachment.owner_id.in_, ids, owner) for owner, ids in by_entity.items() if ids]
            for within, parents, owner in queries:
                for chunk in chunks(parents):
                    query = select(model.id).where(within(chunk))
                    if owner is not None:
                        query = query.where(Attachment.owner_entity == owner)
                    new = set(session.scalars(query)) - by_entity[entity]
                    if new:
                        by_entity[entity] |= new
                        grown = True


def _keep_unaccepted_edits(session: Session, by_entity: Mapping[str, set[str]], detail: str) -> None:
    """A "rejected" conflict per field of each local edit of these records that the server has not taken."""
    ids = {i for found in by_entity.values() for i in found}
    if not ids:
        return
    projects: dict[str, str | None] = {}
    for entity, found in by_entity.items():
        model = ENTITY_CLASSES[entity]
        for chunk in chunks(found):
            for obj in session.scalars(select(model).where(model.id.in_(chunk))):
                projects[obj.id] = obj.id if entity == "project" else getattr(obj, "project_id", None)
    refused = select(RejectedChange.mutation_id).scalar_subquery()
    for chunk in chunks(ids):
        sets = session.scalars(
            select(ChangeSet)
            .where(ChangeSet.origin == "local", ChangeSet.entity_id.in_(chunk))
            .where(or_(ChangeSet.pushed_at.is_(None), ChangeSet.id.in_(refused)))
            .order_by(ChangeSet.id)
            .options(selectinload(ChangeSet.changes))
        ).all()
        for cs in sets:
            for change in cs.changes:
                session.add(
                    Conflict(
                        project_id=projects.get(cs.entity_id),
                        entity=cs.entity,
                        entity_id=cs.entity_id,
                        field=change.field,
                        kind=WITHDRAWN,
                        winning_value=None,
                        losing_value=change.new_value,
                        loser_actor=cs.actor,
                        loser_device=cs.device_id,
                        loser_hlc=cs.hlc,
                        detail=detail,
                    )
                )  # not journaled: the server never had this record's edit and must not get a conflict of it


def remove_records(session: Session, removed: Mapping[str, str], *, detail: str = WITHDRAWN_DETAIL) -> int:
    """Drop these records (id -> entity) and their local dependents, inside the caller's transaction.

    Their history that came from the server goes too; this device's own edits stay in its journal, and those
    the server never took are listed as conflicts. Returns how many records left the workspace.
    """
    if not removed:
        return 0
    by_entity: dict[str, set[str]] = defaultdict(set)
    for record_id, entity in removed.items():
        if entity in ENTITY_CLASSES:
            by_entity[entity].add(record_id)
    _with_dependents(session, by_entity)
    present = _present(session, by_entity)
    session.flush()
    _keep_unaccepted_edits(session, present, detail)
    # Assets that stay may have been flagged for sharing a tag or serial with one that goes: looked at again below.
    keys: dict[str, tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for chunk in chunks(present.get("asset", ())):
        for client_id, serial, tag in session.execute(
            select(Asset.client_id, Asset.serial, Asset.asset_tag).where(Asset.id.in_(chunk))
        ):
            keys[client_id][0].add(serial or "")
            keys[client_id][1].add(tag)
    count = 0
    for entity, ids in present.items():
        model = ENTITY_CLASSES[entity]
        for chunk in chunks(ids):
            session.execute(
                delete(ChangeSet).where(ChangeSet.origin == "remote", ChangeSet.entity_id.in_(chunk)),
                execution_options={"synchronize_session": False},
            )
            session.execute(delete(model).where(model.id.in_(chunk)), execution_options={"synchronize_session": False})
            if entity == "asset":
                session.execute(_DELETE_SEARCH_DOC, [{"asset_id": i} for i in chunk])
        count += len(ids)
    session.expire_all()
    for client_id, (serials, tags) in keys.items():
        refresh_attention(session, client_id, [], serials=sorted(serials - {""}), tags=sorted(tags))
    session.flush()
    return count


def space_records(session: Session, space_id: str, *, with_conflicts: bool = True) -> dict[str, set[str]]:
    """The ids, per entity, of the records of one server space (a client and all that hangs off it, or the global
    catalog) held in this workspace, made here or pulled; conflicts live in the space of the record they are
    about (two devices editing a category offline put one in the catalog)."""
    by_entity: dict[str, set[str]] = defaultdict(set)
    if space_id == GLOBAL_SPACE:
        for entity in GLOBAL_ENTITIES:
            by_entity[entity] = set(session.scalars(select(ENTITY_CLASSES[entity].id)))
        owned = select(Attachment.id).where(Attachment.owner_entity.in_(GLOBAL_ENTITIES))
        by_entity["attachment"] = set(session.scalars(owned))
    else:
        by_entity["client"] = {space_id}
        _with_dependents(session, by_entity)
    if with_conflicts:
        about = {i for ids in by_entity.values() for i in ids}
        for chunk in chunks(about):
            by_entity["conflict"] |= set(session.scalars(select(Conflict.id).where(Conflict.entity_id.in_(chunk))))
        for chunk in chunks(by_entity.get("project", ())):
            by_entity["conflict"] |= set(session.scalars(select(Conflict.id).where(Conflict.project_id.in_(chunk))))
    return by_entity


def held_from_server(session: Session, space_id: str) -> dict[str, str]:
    """The records of one server space that this workspace holds from the server (id -> entity); records made here
    and never pulled back are not listed."""
    held: dict[str, str] = {}
    for entity, ids in space_records(session, space_id).items():
        model = ENTITY_CLASSES[entity]
        for chunk in chunks(ids):
            query = select(model.id).where(model.id.in_(chunk), model.server_version > 0)
            held.update(dict.fromkeys(session.scalars(query), entity))
    return held
