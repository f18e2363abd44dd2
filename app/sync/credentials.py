"""The sign-in token in the OS keyring (never a plain file); without a keyring it lives for this session only."""

from __future__ import annotations

import contextlib
import logging

import keyring
import keyring.errors
from keyring.backends import fail, null

log = logging.getLogger(__name__)

SERVICE = "closeout-sync"
_session_tokens: dict[str, str] = {}


def keyring_available() -> bool:
    """True when a real keyring backend is configured (PYTHON_KEYRING_BACKEND is honoured by keyring)."""
    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring | null.Keyring) and backend.priority > 0


NO_KEYRING_MESSAGE = (
    "No keyring is available on this computer, so the sign-in is not stored: "
    "you will be asked for the password in each session."
)


def _key(server: str, user: str) -> str:
    return f"{user}@{server.rstrip('/')}"


def save_token(server: str, user: str, token: str) -> bool:
    """Keep the token; returns False when it could only be kept in memory for this session."""
    _session_tokens[_key(server, user)] = token
    if not keyring_available():
        return False
    try:
        keyring.set_password(SERVICE, _key(server, user), token)
    except keyring.errors.KeyringError as exc:
        log.warning("could not store the sign-in in the keyring: %s", type(exc).__name__)
        return False
    return True


def load_token(server: str, user: str) -> str | None:
    key = _key(server, user)
    if key in _session_tokens:
        return _session_tokens[key]
    if not keyring_available():
        return None
    try:
        return keyring.get_password(SERVICE, key)
    except keyring.errors.KeyringError:
        return None


def forget_token(server: str, user: str) -> None:
    """Drop the token everywhere (logout, or the server said it is no longer valid)."""
    key = _key(server, user)
    _session_tokens.pop(key, None)
    if not keyring_available():
        return
    with contextlib.suppress(keyring.errors.KeyringError):
        keyring.delete_password(SERVICE, key)
