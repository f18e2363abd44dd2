"""Domain errors that the UI and the command line both turn into words for the user."""

from __future__ import annotations

import errno


class CloseoutError(Exception):
    """Base of every error meant to be shown to a user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(CloseoutError):
    """One or more fields are not acceptable; `errors` maps each field to a message in the user's words."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


class NotFoundError(CloseoutError):
    pass


class AmbiguousError(CloseoutError):
    pass


class ReadOnlyError(CloseoutError):
    """The record is locked: a closed project or a signed signoff."""


class WorkspaceError(CloseoutError):
    """The workspace file cannot be opened safely (corrupt, newer than this version, unreadable, disk full)."""


class OutputError(CloseoutError):
    """A file the user asked for cannot be written there (no permission, a folder, a full disk)."""


def output_problem(path: object, exc: OSError) -> OutputError:
    """Words for a failed write of the user's own file, naming that file (never a temporary one)."""
    reason = {
        errno.EACCES: "you may not write there",
        errno.EPERM: "you may not write there",
        errno.EROFS: "that disk is read-only",
        errno.ENOSPC: "the disk is full",
        errno.EISDIR: "that is a folder; give a file name",
        errno.ENOENT: "that folder does not exist",
        errno.ENOTDIR: "part of that path is a file, not a folder",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return OutputError(f"{path} cannot be written: {reason}. Nothing was left behind; choose another place.")
