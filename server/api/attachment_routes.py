"""Attachments by SHA-256: HEAD to skip what the server has, PUT to upload (hash checked), GET on demand."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from server import storage
from server.api.deps import CurrentUser, SessionDep, SettingsDep

router = APIRouter(prefix="/api/attachments", tags=["attachments"])


def _visible_or_404(session: SessionDep, caller: CurrentUser, sha256: str) -> None:
    if not storage.SHA256_PATTERN.match(sha256) or not storage.may_see_blob(session, caller.scope, caller.user, sha256):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such attachment")


@router.head("/{sha256}")
def has_attachment(sha256: str, caller: CurrentUser, session: SessionDep) -> Response:
    _visible_or_404(session, caller, sha256)
    return Response(status_code=status.HTTP_200_OK)


@router.put("/{sha256}", status_code=status.HTTP_201_CREATED)
async def upload_attachment(
    sha256: str, request: Request, caller: CurrentUser, session: SessionDep, settings: SettingsDep
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
        created = storage.store_blob(
            session, settings.blobs_dir, caller.user, sha256, bytes(body), settings.max_attachment_bytes
        )
    except storage.BlobRefused as exc:
        raise HTTPException(422, str(exc)) from None
    return {"created": created}


@router.get("/{sha256}")
def download_attachment(sha256: str, caller: CurrentUser, session: SessionDep, settings: SettingsDep) -> Response:
    _visible_or_404(session, caller, sha256)
    return Response(storage.read_blob(settings.blobs_dir, sha256), media_type="application/octet-stream")
