"""Push and pull of mutations and rows, and the sync lease of a device."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response, status
from sqlalchemy.orm import Session

from models.wire import (
    SYNC_SESSION_HEADER,
    CheckResponse,
    CursorExpiredError,
    PullResponse,
    PushResponse,
    RejectedInfo,
)
from server import metrics, sync
from server import pull as pulling
from server.api.deps import CurrentUser, SessionDep, SettingsDep
from server.api.inputs import CheckInput, PathId, PullInput, PushInput, answers
from server.settings import Settings

router = APIRouter(prefix="/api/sync", tags=["sync"])
SyncSession = Annotated[str, Header(alias=SYNC_SESSION_HEADER, min_length=8, max_length=64, pattern=r"^[!-~]+$")]


@contextmanager
def _refusals(session: Session) -> Iterator[None]:
    """A refused request rolls back what it did and answers 400 (bad request) or 404 (not the caller's device)."""
    try:
        yield
    except sync.BadRequest as exc:
        session.rollback()
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    except sync.NotFound:
        session.rollback()
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such device") from None


def _hold_lease(session: SessionDep, caller: CurrentUser, device_id: str, token: str, seconds: float) -> None:
    """Claim the device's lease (row-locked, committed with the request): an overlapping run gets 409."""
    try:
        with _refusals(session):
            sync.claim_lease(session, caller.user, device_id, token, seconds)
    except sync.Busy:
        session.rollback()
        raise HTTPException(
            status.HTTP_409_CONFLICT, "another sync of this device is running", {"Retry-After": "2"}
        ) from None


@router.post("/push", responses=answers(400, 401, 404, 409))
def push(
    body: PushInput,
    run: SyncSession,
    caller: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> PushResponse:
    _hold_lease(session, caller, body.device_id, run, settings.sync_lease_seconds)
    with _refusals(session):
        answer = sync.push(session, user=caller.user, scope=caller.scope, request=body)
        session.commit()  # release the space and device locks in this thread (see deps.get_session)
        metrics.SYNC_ITEMS.labels("push").observe(len(body.mutations))
        return answer


@router.post("/pull", response_model=PullResponse, responses=answers(400, 401, 404, 409, 410))
def pull(
    body: PullInput,
    run: SyncSession,
    caller: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    _hold_lease(session, caller, body.device_id, run, settings.sync_lease_seconds)
    with _refusals(session):
        return _pull_page(session, caller, body, settings)


def _pull_page(session: Session, caller: CurrentUser, body: PullInput, settings: Settings) -> Response:
    try:
        page = pulling.pull(
            session,
            user=caller.user,
            scope=caller.scope,
            device_id=body.device_id,
            cursor=body.cursor,
            limit=body.limit,
            key=settings.secret_key,
            reset=body.reset,
        )
        session.commit()  # release the device lock in this thread (see deps.get_session)
        metrics.SYNC_ITEMS.labels("pull").observe(len(page.rows))
        # Built as text from the stored JSON: a page holds hundreds of rows (the client validates it).
        return Response(page.to_json(), media_type="application/json")
    except pulling.CursorExpired as exc:
        session.commit()  # the lease stays claimed: the device's replacement sync follows at once
        error = CursorExpiredError(
            message="This device's copy of these spaces is older than the server keeps deleted records; "
            "pull them again from the start (a replacement sync) with `reset`.",
            spaces=exc.spaces,
        )
        return Response(error.model_dump_json(), status_code=status.HTTP_410_GONE, media_type="application/json")


@router.post("/check", responses=answers(400, 401, 404))
def check(body: CheckInput, caller: CurrentUser, session: SessionDep, settings: SettingsDep) -> CheckResponse:
    """The sanity check after a pull: per space, the count and digest of the live records in the caller's view as
    of the device's cursor; the device compares them with its own copy and pulls a space again on a mismatch."""
    with _refusals(session):
        spaces = pulling.check(
            session,
            user=caller.user,
            scope=caller.scope,
            device_id=body.device_id,
            cursor=body.cursor,
            key=settings.secret_key,
            fresh=set(body.fresh),
        )
        session.commit()
        return CheckResponse(spaces=spaces)


@router.post("/done/{device_id}", status_code=status.HTTP_204_NO_CONTENT, responses=answers(400, 401, 404))
def done(device_id: PathId, run: SyncSession, caller: CurrentUser, session: SessionDep) -> None:
    """End a sync run: the device's lease is released at once instead of expiring."""
    with _refusals(session):
        sync.release_lease(session, caller.user, device_id, run)


@router.get("/rejected", responses=answers(401))
def rejected(caller: CurrentUser, session: SessionDep) -> list[RejectedInfo]:
    """Mutations of the caller's devices that the server refused for good."""
    return [
        RejectedInfo(
            device_id=r.device_id,
            mutation_id=r.mutation_id,
            entity=r.entity,
            entity_id=r.entity_id,
            reason=r.reason,
            at=r.at,
        )
        for r in sync.rejected_of(session, caller.user)
    ]
