"""One sync run at a time per workspace: an OS file lock held from the push to the end of the apply.

The server's lease alone cannot guarantee this: it expires after a quiet spell (a long apply sends no requests),
so a second run could start and share the staged rows with a first one that is still applying. The OS lock is
released by the kernel when its process dies, so a killed run never blocks the next one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "sync.lock"


class RunLocked(Exception):
    """Another sync run of this workspace (in this process or another) holds the lock."""


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        # flock (not fcntl/lockf): its locks belong to the open file, so two runs in one process exclude each other.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def sync_run_lock(home: Path) -> Iterator[None]:
    """Hold the workspace's sync lock for the block; RunLocked at once when another run holds it."""
    fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if not _try_lock(fd):
            raise RunLocked()
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)
