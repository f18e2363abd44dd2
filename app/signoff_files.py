"""Signature images and scans kept in the workspace's content-addressed blob store (see app.attachments)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from app.attachments import store_bytes
from app.journal import record_create
from models import Attachment, AttachmentKind


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
    digest = store_bytes(blobs_dir, data)
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
