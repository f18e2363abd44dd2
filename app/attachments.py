"""Files attached to records (asset photos): stored once by SHA-256 under the workspace's blobs folder."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import get_asset
from app.errors import NotFoundError, ValidationError
from app.journal import record_create, record_delete, record_restore
from app.projects import ensure_open, get_project
from models import Attachment, AttachmentKind

#: Photos bigger than this are refused: a phone photo is a few MB; anything larger is a mistake.
MAX_BYTES = 50 * 1024 * 1024
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".heic", ".tif", ".tiff"})


def blob_path(blobs_dir: Path, sha256: str) -> Path:
    """Where the content with this hash lives: blobs/ab/abcdef…"""
    return blobs_dir / sha256[:2] / sha256


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a blob to a temporary file that is fsynced and renamed into place, so a power cut never leaves a
    half-written blob under a valid name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def store_blob(blobs_dir: Path, source: Path) -> str:
    """Copy a file into the blob store (once per content) and return its SHA-256."""
    sha = file_sha256(source)
    target = blob_path(blobs_dir, sha)
    if not target.exists():

        def copy(out: BinaryIO) -> None:
            with source.open("rb") as src:
                shutil.copyfileobj(src, out)

        _write_atomically(target, copy)
    return sha


def store_bytes(blobs_dir: Path, data: bytes) -> str:
    """Put bytes (a drawn signature, a downloaded attachment) into the blob store once; return their SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    target = blob_path(blobs_dir, sha)
    if not (target.exists() and target.stat().st_size == len(data)):
        _write_atomically(target, lambda out: out.write(data))
    return sha


def read_blob(blobs_dir: Path, sha256: str) -> bytes:
    """The blob's bytes, checked against its name so a damaged file is never passed on as genuine."""
    path = blob_path(blobs_dir, sha256)
    if not path.exists():
        raise NotFoundError(f"The stored file {sha256[:12]}… is missing from this workspace.")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise NotFoundError(f"The stored file {sha256[:12]}… is damaged (its content no longer matches its name).")
    return data


def is_photo(path: Path) -> bool:
    return path.suffix.lower() in PHOTO_SUFFIXES


def add_asset_photo(
    session: Session,
    *,
    blobs_dir: Path,
    asset_id: str,
    source: Path,
    actor: str,
    caption: str = "",
) -> Attachment:
    """Attach a photo file to an asset (journaled like every synced record)."""
    asset = get_asset(session, asset_id)
    ensure_open(get_project(session, asset.project_id))
    if not source.is_file():
        raise ValidationError({"file": f"{source.name} is not a file that can be read."})
    if not is_photo(source):
        raise ValidationError({"file": f"{source.name} is not a photo (JPEG, PNG, HEIC…)."})
    size = source.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError({"file": f"{source.name} is larger than {MAX_BYTES // (1024 * 1024)} MB."})
    sha = store_blob(blobs_dir, source)
    attachment = Attachment(
        sha256=sha,
        owner_entity=asset.entity_name,
        owner_id=asset.id,
        kind=AttachmentKind.PHOTO,
        filename=source.name,
        mime_type=mimetypes.guess_type(source.name)[0] or "application/octet-stream",
        size=size,
        caption=caption,
    )
    record_create(session, attachment, actor)
    return attachment


def list_attachments(session: Session, owner_entity: str, owner_id: str) -> list[Attachment]:
    """The live attachments of a record, oldest first."""
    return list(
        session.scalars(
            select(Attachment)
            .where(
                Attachment.owner_entity == owner_entity,
                Attachment.owner_id == owner_id,
                Attachment.deleted_at.is_(None),
            )
            .order_by(Attachment.created_at, Attachment.id)
        )
    )


def _asset_photo(session: Session, attachment_id: str) -> Attachment:
    """The photo of an asset whose project is still open (a signature or another record's file is refused)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.owner_entity != "asset" or attachment.kind != AttachmentKind.PHOTO:
        raise NotFoundError("That photo is not in this workspace.")
    ensure_open(get_project(session, get_asset(session, attachment.owner_id).project_id))
    return attachment


def remove_attachment(session: Session, attachment_id: str, *, actor: str) -> Attachment:
    """Tombstone an asset's photo (it syncs as a delete); the blob stays, so an undo can bring it back."""
    attachment = _asset_photo(session, attachment_id)
    if attachment.deleted_at is not None:
        raise ValidationError({"file": f"The photo {attachment.filename} was already removed."})
    record_delete(session, attachment, actor)
    return attachment


def restore_attachment(session: Session, attachment_id: str, *, actor: str) -> Attachment:
    """Bring a removed photo back (the undo of `remove_attachment`), journaled as an edit."""
    attachment = _asset_photo(session, attachment_id)
    if attachment.deleted_at is not None:
        record_restore(session, attachment, actor)
    return attachment
