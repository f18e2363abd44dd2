"""Push the outbox: local change sets become mutations, sent in order; acknowledged ones leave the outbox."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from app.attachments import blob_path
from app.journal import decode
from app.sync.transport import Transport
from models import ChangeSet, RejectedChange, utcnow
from models.wire import PAGE_SIZE, Mutation, PushResponse

log = logging.getLogger(__name__)


def outbox(session: Session, limit: int = PAGE_SIZE) -> list[Mutation]:
    """The next pending local change sets as mutations, each naming its predecessor so gaps are seen."""
    sets = list(
        session.scalars(
            select(ChangeSet)
            .where(ChangeSet.pushed_at.is_(None), ChangeSet.origin == "local")
            .order_by(ChangeSet.id)
            .limit(limit)
            .options(selectinload(ChangeSet.changes))
        )
    )
    if not sets:
        return []
    prev = session.scalar(select(func.max(ChangeSet.id)).where(ChangeSet.origin == "local", ChangeSet.id < sets[0].id))
    prev = int(prev or 0)
    mutations: list[Mutation] = []
    for cs in sets:
        if cs.op == "create":
            whole = next((c for c in cs.changes if c.field == "*"), None)
            fields = decode(whole.new_value) if whole is not None else {}
        else:
            fields = {c.field: decode(c.new_value) for c in cs.changes}
        mutations.append(
            Mutation(
                mutation_id=cs.id,
                prev_id=prev,
                entity=cs.entity,
                entity_id=cs.entity_id,
                op=cs.op,
                base_version=cs.base_version,
                actor=cs.actor[:120],
                hlc=cs.hlc,
                at=cs.at,
                fields=fields,
            )
        )
        prev = cs.id
    return mutations


def mark_processed(session: Session, last_mutation_id: int) -> int:
    """Everything up to the server's last mutation id has been applied (or refused) there."""
    result = session.execute(
        update(ChangeSet)
        .where(ChangeSet.origin == "local", ChangeSet.pushed_at.is_(None), ChangeSet.id <= last_mutation_id)
        .values(pushed_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def reopen_after(session: Session, last_mutation_id: int) -> None:
    """The server lost mutations it had acknowledged (restored from a backup): send them again."""
    session.execute(
        update(ChangeSet).where(ChangeSet.origin == "local", ChangeSet.id > last_mutation_id).values(pushed_at=None)
    )


def upload_attachments(transport: Transport, blobs_dir: Path, mutations: list[Mutation]) -> None:
    """A record is pushed only after the server has its file; files it already has are skipped."""
    for m in mutations:
        if m.entity != "attachment" or m.op != "create":
            continue
        sha = str(m.fields.get("sha256") or "")
        path = blob_path(blobs_dir, sha)
        if not sha or not path.exists() or transport.has_blob(sha):
            continue
        transport.put_blob_file(sha, path)


def record_rejections(session: Session, response: PushResponse) -> None:
    for r in response.rejected:
        session.merge(
            RejectedChange(mutation_id=r.mutation_id, entity=r.entity, entity_id=r.entity_id, reason=r.reason)
        )
