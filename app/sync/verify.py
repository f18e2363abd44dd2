"""The sanity check at the end of a sync (SYNC.md): per space, this device's count and digest of the live records
it holds from the server, to compare with the server's. A difference means a record was missed, kept too long or
held at another version; the engine then pulls that space again whole (a replacement sync)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.sync.withdraw import CHUNK, held_from_server
from models.wire import ENTITY_CLASSES, UNCHECKED_ENTITIES, records_digest


def local_check(session: Session, space_id: str) -> tuple[int, str]:
    """(count, digest) of the live records of one space held here at their server versions."""
    by_entity: dict[str, list[str]] = defaultdict(list)
    for record_id, entity in held_from_server(session, space_id).items():
        if entity not in UNCHECKED_ENTITIES:
            by_entity[entity].append(record_id)

    def rows() -> Iterator[tuple[str, str, int]]:
        for entity, ids in by_entity.items():
            model = ENTITY_CLASSES[entity]
            for start in range(0, len(ids), CHUNK):
                query = select(model.id, model.server_version).where(
                    model.id.in_(ids[start : start + CHUNK]), model.deleted_at.is_(None)
                )
                for record_id, version in session.execute(query):
                    yield entity, record_id, version

    return records_digest(rows())
