"""Sync failures in words a technician can act on."""

from __future__ import annotations

from app.errors import CloseoutError


class SyncError(CloseoutError):
    """A sync could not finish; nothing half-done was kept and the next sync resumes."""


class OfflineError(SyncError):
    """The server cannot be reached (no network, server down, TLS failure)."""


class SignInRequired(SyncError):
    """No valid sign-in: the token is missing, expired or was revoked."""


class SyncBusy(SyncError):
    """Another sync of this workspace is still running on the server."""


class CursorExpired(SyncError):
    """The server purged deletes newer than this device's cursor of some spaces: they must be pulled again whole."""

    def __init__(self, message: str, spaces: list[str]) -> None:
        super().__init__(message)
        self.spaces = spaces
