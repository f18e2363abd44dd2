"""Attachment content on disk, named by SHA-256: written atomically, checked before it is kept."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth import Scope
from server.models import Blob, BlobUploader, Record, User

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


class BlobRefused(Exception):
    """The upload is refused: wrong hash, too large, or a malformed name."""


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


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


def store_blob(session: Session, root: Path, user: User, sha256: str, data: bytes, max_bytes: int) -> bool:
    """Keep `data` under its hash after checking it; returns False when it was already there."""
    if not SHA256_PATTERN.match(sha256):
        raise BlobRefused("an attachment is named by the lowercase hex SHA-256 of its content")
    if len(data) > max_bytes:
        raise BlobRefused(f"an attachment may have at most {max_bytes} bytes")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BlobRefused("the content does not match its SHA-256")
    existed = session.get(Blob, sha256) is not None
    path = blob_path(root, sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    if not existed:
        session.add(Blob(sha256=sha256, size=len(data)))
        session.flush()
    if session.get(BlobUploader, (sha256, user.id)) is None:
        session.add(BlobUploader(sha256=sha256, user_id=user.id))
    return not existed


def read_blob(root: Path, sha256: str) -> bytes:
    return blob_path(root, sha256).read_bytes()
