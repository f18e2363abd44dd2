"""Attachments by SHA-256: HEAD to skip what the server has, PUT to upload (hash checked), GET on demand.

Large files go up in parts that survive a dropped connection: GET .../parts says how much of an unfinished upload
the server holds, PUT .../parts?offset=&total= adds the next part; the last part is checked against the hash.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from server import storage
from server.api.deps import BlobStoreDep, CurrentUser, SessionDep, SettingsDep
from server.api.inputs import answers

router = APIRouter(prefix="/api/attachments", tags=["attachments"])


def _visible_or_404(session: SessionDep, caller: CurrentUser, sha256: str) -> None:
    if not storage.SHA256_PATTERN.match(sha256) or not storage.may_see_blob(session, caller.scope, caller.user, sha256):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such attachment")


@router.head("/{sha256}", responses=answers(401, 404))
def has_attachment(sha256: str, caller: CurrentUser, session: SessionDep) -> Response:
    _visible_or_404(session, caller, sha256)
    return Response(status_code=status.HTTP_200_OK)


@router.put("/{sha256}", status_code=status.HTTP_201_CREATED, responses=answers(401, refused_content=True))
async def upload_attachment(
    sha256: str,
    request: Request,
    caller: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    store: BlobStoreDep,
) -> dict[str, bool]:
    declared = int(request.headers.get("content-length") or 0)
    if declared > settings.max_attachment_bytes:
        raise HTTPException(413, "the attachment is too large")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > settings.max_attachment_bytes:
            raise HTTPException(413, "the attachment is too large")
    try:
        created = await run_in_threadpool(
            storage.store_blob, session, store, caller.user, sha256, bytes(body), settings.max_attachment_bytes
        )
    except storage.BlobRefused as exc:
        raise HTTPException(422, str(exc)) from None
    session.commit()  # before the answer: a HEAD right after it must find the file
    return {"created": created}


@router.get("/{sha256}/parts", responses=answers(401, 404))
def upload_progress(sha256: str, caller: CurrentUser, session: SessionDep) -> dict[str, int]:
    """How many bytes of the caller's unfinished upload of this content the server holds (0: none)."""
    if not storage.SHA256_PATTERN.match(sha256):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such attachment")
    return {"received": storage.received(session, caller.user, sha256)}


@router.put(
    "/{sha256}/parts",
    responses={
        **answers(401, 404, 416, 429, refused_content=True),
        200: {"description": "The whole content arrived; this user had uploaded it before."},
        201: {"description": "The whole content arrived and matched its hash."},
        202: {"description": "The part was kept; more parts are to come."},
    },
)
async def upload_part(
    sha256: str,
    request: Request,
    caller: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    store: BlobStoreDep,
    response: Response,
    offset: int = Query(ge=0),
    total: int = Query(gt=0),
) -> dict[str, int | bool]:
    """Add a part at `offset` of an upload of `total` bytes: 202 while parts are missing, 201 or 200 once the whole
    content arrived and matched its hash (422 if not: the upload starts again), 416 with the bytes held when the
    part does not continue the upload."""
    if total > settings.max_attachment_bytes:
        raise HTTPException(413, f"an attachment may have at most {settings.max_attachment_bytes} bytes")
    if not storage.SHA256_PATTERN.match(sha256):
        raise HTTPException(404, "no such attachment")
    held = storage.received(session, caller.user, sha256)
    if held == 0 and storage.unfinished_uploads(session, caller.user) >= settings.max_unfinished_uploads:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many unfinished uploads; finish one first (unfinished ones go after 14 days)",
            {"Retry-After": "60"},
        )
    if offset != held and not (held == 0 and storage.finished(session, store, caller.user, sha256)):
        raise _resume_from(held)  # said before the part is read: it is not worth receiving
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > storage.MAX_PART_BYTES:
            raise HTTPException(413, f"a part may have at most {storage.MAX_PART_BYTES} bytes")
    session.commit()  # the reads above end here: the part is added under the upload's row lock alone

    def append() -> tuple[int, bool | None]:
        """Add the part and commit in one worker thread, so the upload's row lock is released there (see
        deps.get_session); a refused upload's removal is committed too."""
        try:
            answer = storage.append_part(
                session, store, caller.user, sha256,
                offset=offset, total=total, data=bytes(body), max_bytes=settings.max_attachment_bytes,
            )  # fmt: skip
        except storage.BlobRefused:
            session.commit()
            raise
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return answer

    try:
        received, created = await run_in_threadpool(append)
    except storage.WrongOffset as exc:
        raise _resume_from(exc.received) from None
    except storage.BlobRefused as exc:
        raise HTTPException(422, str(exc)) from None
    if created is None:
        response.status_code = status.HTTP_202_ACCEPTED
        return {"received": received}
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return {"received": received, "created": created}


def _resume_from(received: int) -> HTTPException:
    """416: the part does not continue the upload, which stands at `received` bytes."""
    return HTTPException(416, {"message": "resume the upload from here", "received": received})


@router.get(
    "/{sha256}",
    responses={
        **answers(401, 404),
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
    },
)
def download_attachment(sha256: str, caller: CurrentUser, session: SessionDep, store: BlobStoreDep) -> Response:
    _visible_or_404(session, caller, sha256)
    return Response(storage.read_blob(store, sha256), media_type="application/octet-stream")
