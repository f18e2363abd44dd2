"""Pull: the rows changed after a device's cursor, paged per space in version order, sent as ready-made JSON."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from models.wire import RECENTLY_CHECKED, UNCHECKED_ENTITIES, SpaceCheck, records_digest
from server.auth import Scope
from server.models import GLOBAL_SPACE, MAX_DB_INT, Record, Space, User
from server.sync import BadRequest, own_device


class CursorExpired(Exception):
    """The cursor is older than tombstones purged from these spaces: the device must replace its copy of them."""

    def __init__(self, spaces: list[str]) -> None:
        super().__init__(", ".join(spaces))
        self.spaces = spaces


#: The columns of a pulled row; `data` comes back as the JSON text the database holds, so a page of hundreds
#: of rows is never decoded into dicts and encoded again (that round trip was most of a pull's server time).
_ROW_COLUMNS = (
    Record.entity,
    Record.id,
    Record.version,
    Record.created_at,
    Record.updated_at,
    Record.deleted_at,
    cast(Record.data, Text).label("data_json"),
)


@dataclass
class PullPage:
    """One page of a pull; `to_json()` is a models.wire.PullResponse (the client validates it as one)."""

    rows: list[str]
    cursor: str
    has_more: bool
    last_mutation_id: int
    removed: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> str:
        removed = ",".join(f'{{"entity":{json.dumps(e)},"id":{json.dumps(i)}}}' for e, i in self.removed)
        return (
            f'{{"rows":[{",".join(self.rows)}],"cursor":{json.dumps(self.cursor)},'
            f'"has_more":{"true" if self.has_more else "false"},"last_mutation_id":{int(self.last_mutation_id)},'
            f'"removed":[{removed}]}}'
        )


def _time(value: datetime | None) -> str:
    return "null" if value is None else f'"{value.isoformat()}"'


def row_json(
    entity: str,
    record_id: str,
    version: int,
    created_at: datetime,
    updated_at: datetime,
    deleted_at: datetime | None,
    data_json: str,
) -> str:
    """A models.wire.WireRow as JSON text, with the record's stored `data` text spliced in as it is."""
    return (
        f'{{"entity":{json.dumps(entity)},"id":{json.dumps(record_id)},"version":{int(version)},'
        f'"created_at":{_time(created_at)},"updated_at":{_time(updated_at)},"deleted_at":{_time(deleted_at)},'
        f'"data":{data_json}}}'
    )


@dataclass(frozen=True)
class _Seen:
    """What a cursor says the device holds of one space: rows up to `version` of `projects` (None: all of them).

    `legacy` marks an entry of an unsigned cursor from before revokes were sent: its view is not known.
    `base` is the version the device held before the pull that is still paging through the space began (the
    version itself once the space is complete): deletes after `base` reach it in this pull's later pages, so only
    `base` is compared with the space's purge floor.
    """

    version: int
    projects: frozenset[str] | None
    legacy: str | None = None
    base: int | None = None

    @property
    def held(self) -> int:
        return self.version if self.base is None else self.base


_MAC_PATTERN = re.compile(r"\A[0-9a-f]{32}\Z")


def _mac(key: str, body: str, bound_to: str | None) -> str:
    """The cursor's signature; `bound_to` ("<user id>:<device id>") ties it to the user and device it was issued to.
    None gives the signature of cursors from before that binding."""
    prefix = b"pull-cursor:" if bound_to is None else f"pull-cursor:{bound_to}:".encode()
    return hmac.new(key.encode(), prefix + body.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]


def cursor_binding(user: User, device_id: str) -> str:
    return f"{user.id}:{device_id}"


def _encode_cursor(key: str, after: dict[str, list[Any]], bound_to: str) -> str:
    body = json.dumps(after, separators=(",", ":"), sort_keys=True)
    return f"{_mac(key, body, bound_to)}.{body}"


def _in_range(value: Any) -> bool:
    return isinstance(value, int) and 0 <= value <= MAX_DB_INT


def _decode_cursor(key: str, text: str, bound_to: str) -> dict[str, _Seen] | None:
    """The device's view per space. The cursor is signed for the user and device it was issued to: the projects it
    names decide which ids a revoke sends, so a made-up cursor, or another user's or device's, must not make the
    server list ids of records the caller never saw. None: a cursor this server signed before cursors were bound
    (the caller must pull its spaces again; see `pull`)."""
    if not text:
        return {}
    mac, dot, body = text.partition(".")
    signed = bool(dot) and not text.startswith("{")
    if signed:
        if not _MAC_PATTERN.match(mac):
            raise BadRequest("the cursor is not valid")
        if not hmac.compare_digest(mac.encode(), _mac(key, body, bound_to).encode()):
            if hmac.compare_digest(mac.encode(), _mac(key, body, None).encode()):
                return None
            raise BadRequest("the cursor is not valid")
    try:
        value = json.loads(body if signed else text)
    except (ValueError, RecursionError):
        raise BadRequest("the cursor is not valid") from None
    if not isinstance(value, dict):
        raise BadRequest("the cursor is not valid")
    seen: dict[str, _Seen] = {}
    for space_id, entry in value.items():
        if not (isinstance(space_id, str) and isinstance(entry, list) and len(entry) in (2, 3)):
            raise BadRequest("the cursor is not valid")
        version, view, *rest = entry
        base = rest[0] if rest else None
        if not _in_range(version) or (rest and not (signed and _in_range(base))):
            raise BadRequest("the cursor is not valid")
        if not signed and isinstance(view, str):
            seen[space_id] = _Seen(version, None, legacy=view)
        elif signed and view is None:
            seen[space_id] = _Seen(version, None, base=base)
        elif signed and isinstance(view, list) and all(isinstance(p, str) for p in view):
            seen[space_id] = _Seen(version, frozenset(view), base=base)
        else:
            raise BadRequest("the cursor is not valid")
    return seen


def _view(scope: Scope, space_id: str) -> frozenset[str] | None:
    projects = None if scope.is_admin or space_id == GLOBAL_SPACE else scope.spaces.get(space_id)
    return None if projects is None else frozenset(projects)


def _covers(old: frozenset[str] | None, new: frozenset[str] | None) -> bool:
    """Whether a device holding `old` of a space already has every row of `new` (None: the whole space)."""
    return old is None or (new is not None and new <= old)


def _removed(session: Session, scope: Scope, space_id: str, seen: _Seen, visible: bool) -> list[tuple[str, str]]:
    """Records the device holds of a space that its current grants no longer show: a revoke arrives as deletes."""
    new = _view(scope, space_id) if visible else frozenset()
    if seen.legacy is not None or space_id == GLOBAL_SPACE or (visible and new is None):
        return []
    query = select(Record.entity, Record.id).where(Record.space_id == space_id, Record.version <= seen.version)
    if not visible:
        # The whole space went: every row the old view showed (client-wide rows and the old projects' rows).
        if seen.projects is not None:
            query = query.where(or_(Record.project_id.is_(None), Record.project_id.in_(sorted(seen.projects))))
    elif seen.projects is None:
        assert new is not None
        query = query.where(Record.project_id.is_not(None), Record.project_id.not_in(sorted(new)))
    else:
        assert new is not None
        gone = seen.projects - new
        if not gone:
            return []
        query = query.where(Record.project_id.in_(sorted(gone)))
    return [(entity, record_id) for entity, record_id in session.execute(query.order_by(Record.version))]


def visible_spaces(session: Session, scope: Scope) -> list[str]:
    """Spaces the caller may pull, the global catalog first."""
    if scope.is_admin:
        names = list(session.scalars(select(Space.id)))
    else:
        names = [GLOBAL_SPACE, *scope.spaces]
    return sorted(set(names), key=lambda name: (name != GLOBAL_SPACE, name))


def pull(
    session: Session,
    *,
    user: User,
    scope: Scope,
    device_id: str,
    cursor: str,
    limit: int,
    key: str,
    reset: Sequence[str] = (),
) -> PullPage:
    """The rows changed after the cursor, oldest version first, up to `limit`; the cursor never skips a row.

    Records that left the caller's view since the cursor (a revoked grant) are listed in `removed`, all in the
    first page that sees the change; `key` signs the cursor. Spaces in `reset` are sent again from the start (a
    replacement sync). A cursor below a space's purge floor raises CursorExpired: deletes it has not seen may
    have been purged.
    """
    device = own_device(session, user, device_id)
    bound_to = cursor_binding(user, device_id)
    decoded = _decode_cursor(key, cursor, bound_to)
    spaces = visible_spaces(session, scope)
    if decoded is None:
        # A cursor from before cursors were bound to their user and device: what it says cannot be trusted to be
        # this device's, so the device pulls its spaces again from the start (a replacement sync, as after a purge).
        if not set(spaces) <= set(reset):
            raise CursorExpired(spaces)
        decoded = {}
    before = decoded
    for space_id in reset:
        before.pop(space_id, None)
    removed: list[tuple[str, str]] = []
    for space_id, held in sorted(before.items()):
        removed.extend(_removed(session, scope, space_id, held, space_id in spaces))
    after: dict[str, list[Any]] = {}
    rows: list[str] = []
    has_more = False
    expired: list[str] = []
    for space_id in spaces:
        view = _view(scope, space_id)
        seen = before.get(space_id)
        if seen is None:
            since = 0
        elif seen.legacy is not None:
            since = seen.version if seen.legacy == scope.signature(space_id) else 0
        else:
            since = seen.version if _covers(seen.projects, view) else 0  # a widened view is sent again
        entry: list[Any] = [since, None if view is None else sorted(view)]
        base = 0 if seen is None else seen.held
        room = limit - len(rows)
        counters = session.execute(select(Space.version, Space.purge_floor).where(Space.id == space_id)).first()
        if counters is None:
            continue
        top, floor = counters
        if 0 < base < floor:
            expired.append(space_id)  # the device may hold records whose (purged) delete it never received
            continue
        if room <= 0:
            has_more = has_more or top > since
            after[space_id] = entry if base == since else [*entry, base]
            continue
        query = (
            select(*_ROW_COLUMNS)
            .where(Record.space_id == space_id, Record.version > since, Record.version <= top)
            .order_by(Record.version)
            .limit(room + 1)
        )
        if view is not None:
            query = query.where(or_(Record.project_id.is_(None), Record.project_id.in_(sorted(view))))
        found = session.execute(query).all()
        if len(found) > room:
            found = found[:room]
            has_more = True
            entry[0] = found[-1].version
            if base != entry[0]:
                entry.append(base)  # still paging: what the device held before this pull is what counts
        else:
            entry[0] = top
        after[space_id] = entry
        rows.extend(row_json(*row) for row in found)
    if expired:
        raise CursorExpired(expired)
    return PullPage(
        rows=rows,
        cursor=_encode_cursor(key, after, bound_to),
        has_more=has_more,
        last_mutation_id=device.last_mutation_id,
        removed=removed,
    )


def check(
    session: Session,
    *,
    user: User,
    scope: Scope,
    device_id: str,
    cursor: str,
    key: str,
    fresh: Collection[str] = (),
) -> list[SpaceCheck]:
    """The sanity check at the end of a pull (SYNC.md): per space the device holds, the count and digest of the
    live records in its view, as of its cursor. A space that changed since the cursor, whose pull has not
    finished, or whose view changed since is not compared now (the next pull brings the difference anyway)."""
    own_device(session, user, device_id)
    seen = _decode_cursor(key, cursor, cursor_binding(user, device_id)) or {}  # an unbound cursor: compare nothing
    answers: list[SpaceCheck] = []
    for space_id in visible_spaces(session, scope):
        held = seen.get(space_id)
        if held is None:
            continue
        view = _view(scope, space_id)
        top = session.scalar(select(Space.version).where(Space.id == space_id))
        reason = ""
        if space_id in fresh:
            reason = RECENTLY_CHECKED
        elif held.legacy is not None or held.base is not None:
            reason = "the last pull of this space did not finish"
        elif held.projects != view:
            reason = "access to this space changed since the last pull"
        elif top != held.version:
            reason = "this space changed since the last pull"
        if reason:
            answers.append(SpaceCheck(space=space_id, reason=reason))
            continue
        query = select(Record.entity, Record.id, Record.version).where(
            Record.space_id == space_id,
            Record.deleted_at.is_(None),
            Record.version <= held.version,
            Record.entity.not_in(sorted(UNCHECKED_ENTITIES)),
        )
        if view is not None:
            query = query.where(or_(Record.project_id.is_(None), Record.project_id.in_(sorted(view))))
        count, digest = records_digest(
            (entity, record_id, version) for entity, record_id, version in session.execute(query)
        )
        answers.append(SpaceCheck(space=space_id, count=count, digest=digest))
    return answers
