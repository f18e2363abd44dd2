"""Where attachment content lives, behind one interface: a local folder (one process) or S3-compatible storage.

A store keeps checked content under its SHA-256 and holds the bytes of unfinished uploads; what an upload has
received, and its lock, live in its `upload_sessions` row (server/storage.py), so any instance may take the next part.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from server.models import UploadSession
from server.settings import Settings

#: Unfinished uploads of the local store live here, per user, until their last part arrives or they are purged.
PARTIAL_DIR = ".partial"


class BlobRefused(Exception):
    """The upload is refused: wrong hash, too large, or a malformed name."""


class BlobStore(Protocol):
    """Content by SHA-256 plus the bytes of unfinished uploads; callers hold the upload's row lock."""

    def exists(self, sha256: str) -> bool: ...

    def put(self, sha256: str, data: bytes) -> None:
        """Keep `data` (already checked against `sha256`) so that a reader sees all of it or none."""

    def read(self, sha256: str) -> bytes: ...

    def append(self, upload: UploadSession, data: bytes) -> None:
        """Add `data` at `upload.received` (the caller then adds its length)."""

    def complete(self, upload: UploadSession) -> int:
        """Keep the whole upload under its hash once it matches (its size); BlobRefused, bytes dropped, if not."""

    def abort(self, upload: UploadSession) -> None:
        """Drop the bytes of an unfinished upload."""

    def sweep(self, older_than_seconds: float, live: Sequence[UploadSession]) -> int:
        """Drop unfinished bytes older than this that none of the `live` uploads holds (left by a crash)."""

    def check(self) -> None:
        """Raise unless the store answers (readiness)."""


def sha256_of(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


class LocalBlobStore:
    """Files under `root/<sha[:2]>/<sha>`, written atomically; unfinished uploads under `root/.partial/<user>/`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def partial_path(self, upload: UploadSession) -> Path:
        return self.root / PARTIAL_DIR / str(upload.user_id) / upload.sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, sha256: str, data: bytes) -> None:
        path = self.path(sha256)
        if path.exists():
            return
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

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def append(self, upload: UploadSession, data: bytes) -> None:
        path = self.partial_path(upload)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as fh:
            # Bytes past `received` were written by a request whose transaction never committed: overwritten.
            fh.truncate(upload.received)
            fh.seek(upload.received)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    def complete(self, upload: UploadSession) -> int:
        source = self.partial_path(upload)
        try:
            with source.open("rb") as fh:
                digest = sha256_of(iter(lambda: fh.read(1024 * 1024), b""))
            if digest != upload.sha256 or source.stat().st_size != upload.total:
                raise BlobRefused("the content does not match its SHA-256")
            path = self.path(upload.sha256)
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                os.replace(source, path)
            return path.stat().st_size
        finally:
            source.unlink(missing_ok=True)  # kept as a blob, or refused: either way the upload starts afresh

    def abort(self, upload: UploadSession) -> None:
        self.partial_path(upload).unlink(missing_ok=True)

    def sweep(self, older_than_seconds: float, live: Sequence[UploadSession]) -> int:
        keep = {self.partial_path(upload) for upload in live}
        now, removed = time.time(), 0
        for path in (self.root / PARTIAL_DIR).glob("*/*"):
            try:
                if path not in keep and path.is_file() and now - path.stat().st_mtime > older_than_seconds:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def check(self) -> None:
        if not os.access(self.root, os.W_OK):
            raise OSError(f"the blob folder {self.root} is not writable")


def make_blob_store(settings: Settings) -> BlobStore:
    """The store the settings choose: `storage=s3` with a bucket, else the data folder's blobs/."""
    if settings.storage == "s3":
        from server.s3store import S3BlobStore

        return S3BlobStore.from_settings(settings)
    return LocalBlobStore(settings.blobs_dir)
