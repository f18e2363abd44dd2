"""Attachment content on disk, named by SHA-256: written atomically, checked before it is kept."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth import Scope
from server.models import Blob, BlobUploader, Record, User

SHA256_PATTERN = re.compile(r"\A[0-9a-f]{64}\Z")  # (not ^…$: "$" also matches before a trailing newline)
#: The largest part of a resumable upload accepted in one request.
MAX_PART_BYTES = 8 * 1024 * 1024
#: Unfinished uploads live here, per user, until their last part arrives (or `purge-tombstones` clears old ones).
PARTIAL_DIR = ".partial"


class BlobRefused(Exception):
    """The upload is refused: wrong hash, too large, or a malformed name."""


class WrongOffset(Exception):
    """A part that does not continue the upload where it stands (`received` bytes so far)."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


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
    """Keep `data` under its hash after checking it; returns whether this user had not uploaded it before (never
    whether someone else had: that would tell who holds which file)."""
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
    return _record_blob(session, user, sha256, len(data), existed)


def _record_blob(session: Session, user: User, sha256: str, size: int, existed: bool) -> bool:
    """The rows of a blob now on disk: the blob itself (unless it `existed`) and this user as one who uploaded it;
    whether this user is new to it."""
    if not existed:
        session.add(Blob(sha256=sha256, size=size))
        session.flush()
    if session.get(BlobUploader, (sha256, user.id)) is not None:
        return False
    session.add(BlobUploader(sha256=sha256, user_id=user.id))
    return True


def partial_path(root: Path, user: User, sha256: str) -> Path:
    return root / PARTIAL_DIR / str(user.id) / sha256


def unfinished_uploads(root: Path, user: User) -> int:
    """How many unfinished uploads this user has on the server."""
    folder = root / PARTIAL_DIR / str(user.id)
    return sum(1 for path in folder.iterdir() if path.is_file()) if folder.is_dir() else 0


def received(root: Path, user: User, sha256: str) -> int:
    """How many bytes of an unfinished upload of `sha256` by `user` the server holds."""
    path = partial_path(root, user, sha256)
    return path.stat().st_size if path.exists() else 0


#: Without fcntl (Windows) unfinished uploads are serialised in this process only: run one server process there.
_process_lock = threading.Lock()


@contextmanager
def _locked_partial(path: Path) -> Iterator[BinaryIO]:
    """The unfinished upload's file, open for appending and locked against other requests and server processes.

    A file finished (moved into the blob store) or purged while this request waited for the lock is no longer
    the one at `path`; it is opened again.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        with _process_lock, path.open("ab") as fh:
            yield fh
        return
    while True:
        with path.open("ab") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # released when the file is closed
            try:
                current = os.stat(path).st_ino == os.fstat(fh.fileno()).st_ino
            except FileNotFoundError:
                current = False
            if current:
                yield fh
                return


def finished(session: Session, root: Path, user: User, sha256: str) -> bool:
    """Whether this user's upload of this content already completed (its last part's answer may have been lost)."""
    return session.get(BlobUploader, (sha256, user.id)) is not None and blob_path(root, sha256).exists()


def append_part(
    session: Session, root: Path, user: User, sha256: str, *, offset: int, total: int, data: bytes, max_bytes: int
) -> tuple[int, bool | None]:
    """Add `data` at `offset` to the user's upload of `total` bytes; returns the bytes received and, once the last
    part arrived and the content matched its hash, whether the blob is new (None while parts are missing)."""
    if not SHA256_PATTERN.match(sha256):
        raise BlobRefused("an attachment is named by the lowercase hex SHA-256 of its content")
    if total > max_bytes:
        raise BlobRefused(f"an attachment may have at most {max_bytes} bytes")
    if not data or offset < 0 or offset + len(data) > total:
        raise BlobRefused("the part does not fit in the upload")
    path = partial_path(root, user, sha256)
    with _locked_partial(path) as fh:
        current = os.fstat(fh.fileno()).st_size
        if offset != current:
            if current == 0:
                path.unlink(missing_ok=True)  # (opening it for the lock made it)
                if finished(session, root, user, sha256):  # a retried last part: it is done already
                    return total, False
            raise WrongOffset(current)
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
        current += len(data)
        if current < total:
            return current, None
        try:
            return current, store_file(session, root, user, sha256, path)
        finally:
            path.unlink(missing_ok=True)  # kept as a blob, or refused: either way the upload starts afresh


def store_file(session: Session, root: Path, user: User, sha256: str, source: Path) -> bool:
    """Keep the file `source` (on the blob store's file system) under its hash after checking it; returns whether
    this user had not uploaded it before."""
    digest = hashlib.sha256()
    with source.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    if digest.hexdigest() != sha256:
        raise BlobRefused("the content does not match its SHA-256")
    existed = session.get(Blob, sha256) is not None
    path = blob_path(root, sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, path)
    return _record_blob(session, user, sha256, path.stat().st_size, existed)


def purge_partials(root: Path, *, older_than_seconds: float) -> int:
    """Remove unfinished uploads untouched for longer than this (a device that never came back); returns how many.
    One that a request holds right now is left alone."""
    now, removed = time.time(), 0
    for path in (root / PARTIAL_DIR).glob("*/*"):
        try:
            if not path.is_file() or now - path.stat().st_mtime <= older_than_seconds:
                continue
            with path.open("rb") as fh:
                if fcntl is not None:
                    try:
                        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        continue
                path.unlink()
                removed += 1
        except FileNotFoundError:  # its last part arrived meanwhile
            continue
    return removed


def read_blob(root: Path, sha256: str) -> bytes:
    return blob_path(root, sha256).read_bytes()
