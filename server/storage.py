"""Attachments named by SHA-256: checked before they are kept in the blob store, uploaded whole or in parts.

An unfinished upload is a row of `upload_sessions`, locked while a part is added: parts of one upload are ordered
across requests, worker processes and server instances by the database, not by files or memory.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from server.auth import Scope
from server.blobstore import BlobRefused, BlobStore, sha256_of
from server.db import insert_unless_present
from server.models import Blob, BlobUploader, Record, UploadSession, User

__all__ = ["BlobRefused", "WrongOffset"]

SHA256_PATTERN = re.compile(r"\A[0-9a-f]{64}\Z")  # (not ^…$: "$" also matches before a trailing newline)
#: The largest part of a resumable upload accepted in one request.
MAX_PART_BYTES = 8 * 1024 * 1024


class WrongOffset(Exception):
    """A part that does not continue the upload where it stands (`received` bytes so far)."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


def may_see_blob(session: Session, scope: Scope, user: User, sha256: str) -> bool:
    """A blob is visible to whoever uploaded it and to whoever may see a record attached to it."""
    if session.get(Blob, sha256) is None:
        return False
    if session.get(BlobUploader, (sha256, user.id)) is not None or scope.is_admin:
        return True
    owners = session.scalars(
        select(Record).where(Record.entity == "attachment", Record.tag == sha256, Record.deleted_at.is_(None))
    ).all()
    return any(scope.can_see(r.space_id, r.project_id) for r in owners)


def _check_name(sha256: str) -> None:
    if not SHA256_PATTERN.match(sha256):
        raise BlobRefused("an attachment is named by the lowercase hex SHA-256 of its content")


def store_blob(session: Session, store: BlobStore, user: User, sha256: str, data: bytes, max_bytes: int) -> bool:
    """Keep `data` under its hash after checking it; returns whether this user had not uploaded it before (never
    whether someone else had: that would tell who holds which file)."""
    _check_name(sha256)
    if len(data) > max_bytes:
        raise BlobRefused(f"an attachment may have at most {max_bytes} bytes")
    if sha256_of([data]) != sha256:
        raise BlobRefused("the content does not match its SHA-256")
    existed = session.get(Blob, sha256) is not None
    store.put(sha256, data)
    return _record_blob(session, user, sha256, len(data), existed)


def _record_blob(session: Session, user: User, sha256: str, size: int, existed: bool) -> bool:
    """The rows of a blob now in the store: the blob itself (unless it `existed`) and this user as one who uploaded
    it; whether this user is new to it."""
    if not existed:
        insert_unless_present(session, Blob, {"sha256": sha256, "size": size, "created_at": utcnow()}, ["sha256"])
    if session.get(BlobUploader, (sha256, user.id)) is not None:
        return False
    session.add(BlobUploader(sha256=sha256, user_id=user.id))
    return True


def unfinished_uploads(session: Session, user: User) -> int:
    """How many unfinished uploads this user has on the server."""
    return int(session.scalar(select(func.count()).where(UploadSession.user_id == user.id)) or 0)


def received(session: Session, user: User, sha256: str) -> int:
    """How many bytes of an unfinished upload of `sha256` by `user` the server holds."""
    upload = session.get(UploadSession, (user.id, sha256))
    return upload.received if upload is not None else 0


def finished(session: Session, store: BlobStore, user: User, sha256: str) -> bool:
    """Whether this user's upload of this content already completed (its last part's answer may have been lost)."""
    return session.get(BlobUploader, (sha256, user.id)) is not None and store.exists(sha256)


def _locked_upload(session: Session, user: User, sha256: str, total: int) -> UploadSession:
    """The user's upload of this content, made if new (parallel first parts may race to make it) and row-locked:
    a second request for it waits here, on whichever instance it arrived."""
    fresh = {"user_id": user.id, "sha256": sha256, "total": total, "received": 0, "multipart_id": "", "parts": []}
    while True:
        insert_unless_present(
            session, UploadSession, {**fresh, "pending": b"", "updated_at": utcnow()}, ["user_id", "sha256"]
        )
        upload = session.get(UploadSession, (user.id, sha256), with_for_update=True, populate_existing=True)
        if upload is not None:
            return upload
        # The request holding it finished the upload (deleting its row) while this one waited: made afresh.


def append_part(
    session: Session, store: BlobStore, user: User, sha256: str, *, offset: int, total: int, data: bytes,
    max_bytes: int,
) -> tuple[int, bool | None]:  # fmt: skip
    """Add `data` at `offset` to the user's upload of `total` bytes; returns the bytes received and, once the last
    part arrived and the content matched its hash, whether the blob is new (None while parts are missing).

    The caller commits afterwards, also after BlobRefused (the refused upload is gone and starts afresh).
    """
    _check_name(sha256)
    if total > max_bytes:
        raise BlobRefused(f"an attachment may have at most {max_bytes} bytes")
    if not data or offset < 0 or offset + len(data) > total:
        raise BlobRefused("the part does not fit in the upload")
    upload = _locked_upload(session, user, sha256, total)
    if offset != upload.received:
        if upload.received == 0:
            session.delete(upload)  # (made for the lock)
            if finished(session, store, user, sha256):  # a retried last part: it is done already
                return total, False
        raise WrongOffset(upload.received)
    upload.total = total
    store.append(upload, data)
    upload.received += len(data)
    upload.updated_at = utcnow()
    if upload.received < total:
        return upload.received, None
    existed = session.get(Blob, sha256) is not None
    try:
        size = store.complete(upload)
    finally:
        session.delete(upload)  # kept as a blob, or refused: either way the upload starts afresh
    return total, _record_blob(session, user, sha256, size, existed)


def purge_partials(session: Session, store: BlobStore, *, older_than_seconds: float) -> int:
    """Remove unfinished uploads untouched for longer than this (a device that never came back); returns how many.
    One that a request holds right now is left alone (skipped, not waited for)."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    stale = session.scalars(
        select(UploadSession).where(UploadSession.updated_at < cutoff).with_for_update(skip_locked=True)
    ).all()
    for upload in stale:
        store.abort(upload)
        session.delete(upload)
    session.commit()
    live = session.scalars(select(UploadSession)).all()
    store.sweep(older_than_seconds, live)  # bytes a crash left with no row
    session.commit()
    return len(stale)


def read_blob(store: BlobStore, sha256: str) -> bytes:
    return store.read(sha256)
