"""The sanity check at the end of a sync (SYNC.md): per space, this device's count and digest of the live records
it holds from the server, to compare with the server's. A difference means a record was missed, kept too long or
held at another version; the engine then pulls that space again whole (a replacement sync)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.sync.withdraw import chunks, space_records
from models.wire import ENTITY_CLASSES, UNCHECKED_ENTITIES, records_digest


def local_check(session: Session, space_id: str) -> tuple[int, str]:
    """(count, digest) of the live records of one space held here from the server, at their server versions."""
    members = space_records(session, space_id, with_conflicts="conflict" not in UNCHECKED_ENTITIES)

    def rows() -> Iterator[tuple[str, str, int]]:
        for entity, ids in members.items():
            if entity in UNCHECKED_ENTITIES:
                continue
            model = ENTITY_CLASSES[entity]
            for chunk in chunks(ids):
                query = select(model.id, model.server_version).where(
                    model.id.in_(chunk), model.server_version > 0, model.deleted_at.is_(None)
                )
                for record_id, version in session.execute(query):
                    yield entity, record_id, version

    return records_digest(rows())
