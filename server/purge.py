"""Purge of old tombstones: deleted records older than the retention leave the database for good.

Each space remembers the highest version it purged (its purge floor). A device whose pull cursor for the space is
below that floor may have missed a delete that no longer exists to be sent, so its pull gets 410 and it does a
replacement sync of the space (see server.pull and app.sync.engine).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.wire import ENTITY_SPECS
from server.models import Record, Space

CHUNK = 1000
#: Per entity, the fields naming another record (a local foreign key on the devices).
_REFERENCES = {
    name: [field_name for field_name, spec in entity.fields.items() if spec.references]
    for name, entity in ENTITY_SPECS.items()
}


@dataclass
class PurgeReport:
    purged: int = 0
    #: Tombstones old enough but kept because a record that stays still refers to them.
    kept_referenced: int = 0
    #: Space id -> its purge floor after this purge (only the spaces that purged something).
    floors: dict[str, int] = field(default_factory=dict)


def _referrers(session: Session, candidates: set[str]) -> dict[str, set[str]]:
    """For each candidate tombstone, the records that refer to it (a foreign key field or an attachment's owner)."""
    found: dict[str, set[str]] = defaultdict(set)
    query = select(Record.id, Record.entity, Record.data).execution_options(yield_per=2000)
    for record_id, entity, data in session.execute(query):
        names = _REFERENCES.get(entity, ())
        targets = [data.get(name) for name in names]
        if entity == "attachment":
            targets.append(data.get("owner_id"))
        for target in targets:
            if isinstance(target, str) and target in candidates and target != record_id:
                found[target].add(record_id)
    return found


def purge_tombstones(session: Session, *, older_than_days: float, now: datetime | None = None) -> PurgeReport:
    """Delete tombstones deleted more than `older_than_days` ago and raise their spaces' purge floors.

    A tombstone that a remaining record still refers to is kept (a device must be able to hold that record), so a
    purge never leaves a dangling reference. Each space is purged under its row lock, in its own transaction.
    """
    cutoff = (now or utcnow()) - timedelta(days=older_than_days)
    old = session.execute(
        select(Record.id, Record.space_id).where(Record.deleted_at.is_not(None), Record.deleted_at < cutoff)
    ).all()
    session.rollback()
    report = PurgeReport()
    if not old:
        return report
    candidates = {record_id for record_id, _space in old}
    referrers = _referrers(session, candidates)
    session.rollback()
    purgeable = set(candidates)
    changed = True
    while changed:  # a tombstone referred to by a record that stays must stay too
        changed = False
        for record_id in list(purgeable):
            if referrers.get(record_id, set()) - purgeable:
                purgeable.discard(record_id)
                changed = True
    report.kept_referenced = len(candidates) - len(purgeable)
    by_space: dict[str, list[str]] = defaultdict(list)
    for record_id, space_id in old:
        if record_id in purgeable:
            by_space[space_id].append(record_id)
    for space_id, ids in sorted(by_space.items()):
        with session.begin():
            # The space's row lock orders this purge with pushes into the space (they take it before reading).
            space = session.scalar(select(Space).where(Space.id == space_id).with_for_update())
            top = 0
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                # Checked again under the lock: a record restored since the scan above is no tombstone any more.
                gone = session.execute(
                    select(Record.id, Record.version).where(
                        Record.id.in_(chunk), Record.deleted_at.is_not(None), Record.deleted_at < cutoff
                    )
                ).all()
                if not gone:
                    continue
                top = max(top, max(version for _id, version in gone))
                session.execute(
                    delete(Record).where(Record.id.in_([record_id for record_id, _v in gone])),
                    execution_options={"synchronize_session": False},
                )
                report.purged += len(gone)
            if space is not None and top:
                space.purge_floor = max(space.purge_floor, top)
                report.floors[space_id] = space.purge_floor
    return report
