"""Passwords (argon2id), opaque bearer tokens kept only as keyed hashes, login slow-down, and who sees what."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from server.db import insert_unless_present
from server.models import GLOBAL_SPACE, ROLES, Grant, KnownAddress, LoginThrottle, Record, Token, User
from server.settings import Settings

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
_DUMMY_HASH = _hasher.hash("closeout-timing-equaliser")


class AuthError(Exception):
    """Login refused; `retry_after` is set when the account is slowed down after failures."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def hash_token(settings: Settings, token: str) -> str:
    return hmac.new(settings.secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def create_user(session: Session, *, name: str, role: str, password: str) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name.strip():
        raise ValueError("a user needs a name")
    if len(password) < 8:
        raise ValueError("a password needs at least 8 characters")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise ValueError(f"there is already a user named {name}")
    user = User(name=name, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def _throttle(session: Session, key: str) -> LoginThrottle:
    """The counter of `key`, made if new (concurrent sign-ins may race to make it) and row-locked."""
    insert_unless_present(session, LoginThrottle, {"key": key, "failures": 0}, ["key"])
    row = session.get(LoginThrottle, key, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def _slowed_for(row: LoginThrottle, now: datetime) -> float:
    """Seconds this account name or address is still slowed down (0: not at all)."""
    return (row.slowed_until - now).total_seconds() if row.slowed_until and row.slowed_until > now else 0.0


def _count_failure(row: LoginThrottle, limit: int, settings: Settings, now: datetime) -> None:
    """One more failure; at `limit` and beyond, a slow-down doubling with each (at most an hour). Failures older
    than the window are forgotten."""
    window = timedelta(seconds=settings.login_failure_window_seconds)
    if row.last_failure_at is not None and now - row.last_failure_at > window:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= limit:
        delay = min(settings.login_lockout_seconds * (2 ** min(row.failures - limit, 20)), 3600.0)
        row.slowed_until = now + timedelta(seconds=delay)


def login(
    session: Session, settings: Settings, *, username: str, password: str, address: str = ""
) -> tuple[str, Token, User]:
    """Check the password and issue a new token.

    Unknown names and wrong passwords get the same answer after the same work, and both count towards the name's
    slow-down, so names cannot be told apart. Failures slow down the account name and the address they came from;
    while a name is slowed, only an address this user signed in from before has its password checked, so a
    stranger's guesses cannot lock the user out of a correct sign-in from their usual place.
    """
    now = utcnow()
    account = _throttle(session, f"name:{username}")
    source = _throttle(session, f"addr:{address}")
    user = session.scalar(select(User).where(User.name == username))
    known = user is not None and address != "" and session.get(KnownAddress, (user.id, address)) is not None
    wait = max(_slowed_for(source, now), 0.0 if known else _slowed_for(account, now))
    if wait:
        raise AuthError("too many failed sign-ins; try again later", wait)
    try:
        _hasher.verify(user.password_hash if user is not None else _DUMMY_HASH, password)
        if user is None:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        _count_failure(account, settings.login_max_failures, settings, now)
        _count_failure(source, settings.login_max_failures_per_address, settings, now)
        raise AuthError("wrong user name or password") from None
    if not _slowed_for(account, now):  # a slow-down others caused stays for them when the user signs in
        account.failures, account.slowed_until = 0, None
    session.merge(KnownAddress(user_id=user.id, address=address, last_seen_at=now))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    raw = secrets.token_urlsafe(32)
    token = Token(
        user_id=user.id,
        token_hash=hash_token(settings, raw),
        expires_at=now + timedelta(hours=settings.token_ttl_hours),
    )
    session.add(token)
    session.flush()
    return raw, token, user


def user_for_token(session: Session, settings: Settings, raw: str) -> tuple[User, Token] | None:
    token = session.scalar(select(Token).where(Token.token_hash == hash_token(settings, raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= datetime.now(UTC):
        return None
    user = session.get(User, token.user_id)
    return (user, token) if user is not None else None


def revoke(token: Token) -> None:
    token.revoked_at = utcnow()


@dataclass
class Scope:
    """What one user may see and change: per space either every project (None) or a set of project ids."""

    is_admin: bool = False
    spaces: dict[str, set[str] | None] = field(default_factory=dict)

    def can_see_space(self, space_id: str) -> bool:
        return self.is_admin or space_id == GLOBAL_SPACE or space_id in self.spaces

    def can_see(self, space_id: str, project_id: str | None) -> bool:
        """Client-wide rows are visible with any grant in the client; project rows only with that project."""
        if self.is_admin or space_id == GLOBAL_SPACE:
            return True
        if space_id not in self.spaces:
            return False
        projects = self.spaces[space_id]
        return projects is None or project_id is None or project_id in projects

    def signature(self, space_id: str) -> str:
        """Changes when the user's view of a space changes, so a new grant re-sends the space."""
        if self.is_admin or space_id == GLOBAL_SPACE:
            return "*"
        projects = self.spaces.get(space_id)
        if projects is None:
            return "*"
        return hashlib.sha256(",".join(sorted(projects)).encode()).hexdigest()[:16]


def scope_of(session: Session, user: User) -> Scope:
    if user.role == "admin":
        return Scope(is_admin=True)
    scope = Scope()
    grants = list(session.scalars(select(Grant).where(Grant.user_id == user.id)))
    for grant in grants:
        if grant.scope_kind == "client":
            scope.spaces[grant.scope_id] = None
    project_ids = [g.scope_id for g in grants if g.scope_kind == "project"]
    if project_ids:
        rows = session.execute(
            select(Record.id, Record.space_id).where(Record.id.in_(project_ids), Record.entity == "project")
        ).all()
        for project_id, space_id in rows:
            current = scope.spaces.get(space_id, set())
            if current is not None:
                current.add(project_id)
                scope.spaces[space_id] = current
    return scope


def grant(session: Session, user: User, *, scope_kind: str, scope_id: str) -> Grant:
    existing = session.scalar(
        select(Grant).where(Grant.user_id == user.id, Grant.scope_kind == scope_kind, Grant.scope_id == scope_id)
    )
    if existing is not None:
        return existing
    row = Grant(user_id=user.id, scope_kind=scope_kind, scope_id=scope_id)
    session.add(row)
    session.flush()
    return row


def revoke_grant(session: Session, user: User, *, scope_kind: str, scope_id: str) -> bool:
    """Withdraw a grant; whether there was one. The user's devices drop that data at their next pull."""
    existing = session.scalar(
        select(Grant).where(Grant.user_id == user.id, Grant.scope_kind == scope_kind, Grant.scope_id == scope_id)
    )
    if existing is None:
        return False
    session.delete(existing)
    session.flush()
    return True
