"""Signature images and scans kept in the workspace's content-addressed blob store (app.attachments' layout).

app.attachments stores files from disk; a signature pad hands over bytes, so this adds the bytes variant.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from app.attachments import blob_path
from app.errors import NotFoundError
from app.journal import record_create
from models import Attachment, AttachmentKind


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_blob(blobs_dir: Path, data: bytes) -> str:
    """Write `data` once (atomically) and return its SHA-256; storing the same bytes again is free."""
    digest = sha256_hex(data)
    path = blob_path(blobs_dir, digest)
    if path.exists() and path.stat().st_size == len(data):
        return digest
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def read_blob(blobs_dir: Path, sha256: str) -> bytes:
    """The blob's bytes, checked against its name so a damaged file is never passed on as genuine."""
    path = blob_path(blobs_dir, sha256)
    if not path.exists():
        raise NotFoundError(f"The stored file {sha256[:12]}… is missing from this workspace.")
    data = path.read_bytes()
    if sha256_hex(data) != sha256:
        raise NotFoundError(f"The stored file {sha256[:12]}… is damaged (its content no longer matches its name).")
    return data


def attach(
    session: Session,
    blobs_dir: Path,
    *,
    owner_entity: str,
    owner_id: str,
    data: bytes,
    kind: AttachmentKind,
    filename: str,
    mime_type: str,
    actor: str,
) -> Attachment:
    """Store the bytes and record an Attachment row pointing at them."""
    digest = store_blob(blobs_dir, data)
    row = Attachment(
        sha256=digest,
        owner_entity=owner_entity,
        owner_id=owner_id,
        kind=kind,
        filename=filename,
        mime_type=mime_type,
        size=len(data),
    )
    record_create(session, row, actor)
    return row


def guess_mime(data: bytes) -> str | None:
    """The MIME type of a signature or scan from its first bytes; None when it is none of PNG, JPEG, PDF."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None
