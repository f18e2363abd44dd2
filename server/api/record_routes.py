"""Read access to single records and to conflicts, scoped to what the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from models.wire import ConflictInfo, WireRow
from server import sync
from server.api.deps import CurrentUser, SessionDep
from server.api.inputs import PathId, PathName, answers

router = APIRouter(prefix="/api", tags=["records"])


@router.get("/records/{entity}/{record_id}", responses=answers(401, 404))
def get_record(entity: PathName, record_id: PathId, caller: CurrentUser, session: SessionDep) -> WireRow:
    try:
        return sync.to_wire(sync.visible_record(session, caller.scope, entity, record_id))
    except sync.NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such record") from None


@router.get("/conflicts", responses=answers(401, 404))
def list_conflicts(
    caller: CurrentUser,
    session: SessionDep,
    project_id: Annotated[str | None, Query(min_length=1, max_length=36, pattern=r"^[^\x00]*$")] = None,
) -> list[ConflictInfo]:
    try:
        records = sync.conflicts_of(session, caller.scope, project_id)
    except sync.NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such project") from None
    return [
        ConflictInfo(
            id=r.id,
            kind=r.data["kind"],
            entity=r.data["entity"],
            entity_id=r.data["entity_id"],
            field=r.data["field"],
            winning_value=r.data["winning_value"],
            losing_value=r.data["losing_value"],
            winner_actor=r.data["winner_actor"],
            loser_actor=r.data["loser_actor"],
            resolved=r.data.get("resolved_at") is not None,
        )
        for r in records
    ]
