"""Pull: the rows changed after a device's cursor, paged per space in version order, sent as ready-made JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from server.auth import Scope
from server.models import GLOBAL_SPACE, Record, Space, User
from server.sync import BadRequest, own_device

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

    def to_json(self) -> str:
        return (
            f'{{"rows":[{",".join(self.rows)}],"cursor":{json.dumps(self.cursor)},'
            f'"has_more":{"true" if self.has_more else "false"},"last_mutation_id":{int(self.last_mutation_id)}}}'
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


def _decode_cursor(text: str) -> dict[str, list[Any]]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise BadRequest("the cursor is not valid") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and len(v) == 2 and isinstance(v[0], int) for k, v in value.items()
    ):
        raise BadRequest("the cursor is not valid")
    return value


def visible_spaces(session: Session, scope: Scope) -> list[str]:
    """Spaces the caller may pull, the global catalog first."""
    if scope.is_admin:
        names = list(session.scalars(select(Space.id)))
    else:
        names = [GLOBAL_SPACE, *scope.spaces]
    return sorted(set(names), key=lambda name: (name != GLOBAL_SPACE, name))


def pull(session: Session, *, user: User, scope: Scope, device_id: str, cursor: str, limit: int) -> PullPage:
    """The rows changed after the cursor, oldest version first, up to `limit`; the cursor never skips a row."""
    device = own_device(session, user, device_id)
    before = _decode_cursor(cursor)
    after: dict[str, list[Any]] = {}
    rows: list[str] = []
    has_more = False
    for space_id in visible_spaces(session, scope):
        signature = scope.signature(space_id)
        since = before[space_id][0] if before.get(space_id, [0, ""])[1] == signature else 0
        room = limit - len(rows)
        top = session.scalar(select(Space.version).where(Space.id == space_id))
        if top is None:
            continue
        if room <= 0:
            has_more = has_more or top > since
            after[space_id] = [since, signature]
            continue
        query = (
            select(*_ROW_COLUMNS)
            .where(Record.space_id == space_id, Record.version > since, Record.version <= top)
            .order_by(Record.version)
            .limit(room + 1)
        )
        projects = None if scope.is_admin else scope.spaces.get(space_id)
        if projects is not None:
            query = query.where(or_(Record.project_id.is_(None), Record.project_id.in_(sorted(projects))))
        found = session.execute(query).all()
        if len(found) > room:
            found = found[:room]
            has_more = True
            after[space_id] = [found[-1].version, signature]
        else:
            after[space_id] = [top, signature]
        rows.extend(row_json(*row) for row in found)
    return PullPage(
        rows=rows,
        cursor=json.dumps(after, separators=(",", ":"), sort_keys=True),
        has_more=has_more,
        last_mutation_id=device.last_mutation_id,
    )
