"""Reserving blocks of tag numbers for pre-printed labels, and giving back what a device did not print."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, status

from models.tag_block_wire import BlockInfo, ReserveRequest, SettleRequest, SettleResponse
from server import sync, tag_blocks
from server.api.deps import CurrentUser, SessionDep
from server.api.inputs import answers

router = APIRouter(prefix="/api/tag-blocks", tags=["tag blocks"])
#: 401 without a valid session; 404 for a client (or block) the caller may not see, told apart from none at all.
ANSWERS: dict[int | str, dict[str, Any]] = answers(401, 404)


@router.post("", responses=ANSWERS)
def reserve_block(body: ReserveRequest, caller: CurrentUser, session: SessionDep) -> BlockInfo:
    try:
        return tag_blocks.reserve(session, caller.scope, caller.user, body)
    except sync.NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such client") from None


@router.post("/settle", responses=ANSWERS)
def settle_blocks(body: SettleRequest, caller: CurrentUser, session: SessionDep) -> SettleResponse:
    try:
        return SettleResponse(blocks=tag_blocks.settle(session, caller.scope, caller.user, body))
    except sync.NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such client or tag block") from None
