"""The rows of an inventory workbook, gathered in SQL and streamed: assets, categories, locations, actions, changes.

Values come out as plain Python (text, numbers, dates, Yes/No); the exporters decide how a file shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from app.assets import ASSET_FIELDS
from app.catalog import field_definitions, list_categories
from app.journal import CUSTOM_PREFIX, decode
from app.projects import get_project, list_projects
from models import (
    ActionItem,
    ActivationProject,
    Asset,
    AssetStatus,
    Category,
    Change,
    ChangeSet,
    Client,
    FieldDefinition,
    FieldType,
    Location,
    Site,
)

#: Header of the column holding Closeout's record id, so that an edited workbook finds its assets again.
ID_LABEL = "Closeout ID"
BATCH = 2000


class ColumnKind(StrEnum):
    TEXT = "text"
    #: Tags, serials, addresses: always text, so that a spreadsheet never turns them into numbers or dates.
    IDENTIFIER = "identifier"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = ColumnKind.TEXT
    width: float = 14


@dataclass(frozen=True)
class Scope:
    """What a workbook covers: one project, or several for a manager."""

    project_ids: tuple[str, ...]
    client_names: str
    title: str

    @property
    def several(self) -> bool:
        return len(self.project_ids) > 1


_WIDTHS = {
    "asset_tag": 13, "category_id": 16, "manufacturer": 14, "model": 22, "serial": 16, "hostname": 18,
    "ip_address": 15, "mac_address": 18, "os": 20, "site_id": 16, "location_id": 30, "assigned_user": 20,
    "department": 15, "status": 11, "managed": 9, "critical": 9, "purchase_date": 12, "warranty_end": 12,
    "notes": 36,
}  # fmt: skip
_IDENTIFIERS = {
    "asset_tag", "previous_tag", "serial", "hostname", "ip_address", "mac_address", "model_number", "order_number",
}  # fmt: skip
_CUSTOM_KINDS = {
    FieldType.TEXT: ColumnKind.IDENTIFIER,
    FieldType.CHOICE: ColumnKind.TEXT,
    FieldType.NUMBER: ColumnKind.NUMBER,
    FieldType.DATE: ColumnKind.DATE,
    FieldType.YES_NO: ColumnKind.YES_NO,
}
#: The standard fields on each category's own sheet, before its configuration fields.
CATEGORY_SHEET_FIELDS = ("asset_tag", "manufacturer", "model", "serial", "hostname", "ip_address", "site_id",
                         "location_id", "status")  # fmt: skip


def make_scope(session: Session, project_ids: Sequence[str] | None = None) -> Scope:
    """A scope of the given projects, or of every project when none are named."""
    projects = [get_project(session, pid) for pid in project_ids] if project_ids else list_projects(session)
    clients = {p.client_id: session.get(Client, p.client_id) for p in projects}
    names = ", ".join(sorted(c.name for c in clients.values() if c is not None))
    title = projects[0].name if len(projects) == 1 else f"{len(projects)} projects"
    return Scope(tuple(p.id for p in projects), names, title)


def _standard_column(key: str) -> Column:
    kind = ColumnKind.TEXT
    if key in _IDENTIFIERS:
        kind = ColumnKind.IDENTIFIER
    elif key in ("managed", "critical"):
        kind = ColumnKind.YES_NO
    elif key in ("purchase_date", "warranty_end"):
        kind = ColumnKind.DATE
    elif key == "purchase_cost":
        kind = ColumnKind.NUMBER
    return Column(key, ASSET_FIELDS[key], kind, _WIDTHS.get(key, 14))


def custom_columns(definitions: Sequence[FieldDefinition], taken: set[str]) -> list[Column]:
    """One column per configuration field key, labelled by its first definition, labels kept unique."""
    columns: list[Column] = []
    seen: set[str] = set()
    for d in definitions:
        if d.key in seen:
            continue
        seen.add(d.key)
        label = d.label if d.label.lower() not in taken else f"{d.label} ({d.key})"
        taken.add(label.lower())
        columns.append(Column(CUSTOM_PREFIX + d.key, label, _CUSTOM_KINDS[d.type], max(10, min(len(label) + 2, 24))))
    return columns


def asset_columns(session: Session, scope: Scope | None = None, category_id: str | None = None) -> list[Column]:
    """The columns of the Assets sheet (every field and configuration field) or of one category's sheet."""
    keys = CATEGORY_SHEET_FIELDS if category_id else tuple(ASSET_FIELDS)
    columns = [_standard_column(k) for k in keys]
    taken = {c.label.lower() for c in columns} | {"needs attention", "tagged by", "tagged at (utc)", "project"}
    if category_id:
        definitions = field_definitions(session, category_id)
    else:
        definitions = []
        for category in list_categories(session):
            definitions.extend(field_definitions(session, category.id))
    columns += custom_columns(definitions, taken)
    columns += [
        Column("attention", "Needs attention", ColumnKind.TEXT, 18),
        Column("tagged_by", "Tagged by", ColumnKind.TEXT, 12),
        Column("tagged_at", "Tagged at (UTC)", ColumnKind.DATETIME, 17),
    ]
    if scope is not None and scope.several:
        columns.append(Column("project", "Project", ColumnKind.TEXT, 12))
    columns.append(Column("id", ID_LABEL, ColumnKind.IDENTIFIER, 38))
    return columns


def column_keys_by_label(session: Session) -> dict[str, str]:
    """Header → field of every column an export may write, for reading an edited workbook back exactly."""
    labels: dict[str, str] = {}
    for category in [None, *list_categories(session)]:
        for column in asset_columns(session, None, category.id if category else None):
            labels.setdefault(column.label, column.key)
    return labels


_cat, _site, _loc, _proj = aliased(Category), aliased(Site), aliased(Location), aliased(ActivationProject)


#: Columns read for the asset sheets, in this order; names, paths and codes come from joins.
_READ = ("id", "custom_fields", "attention", *ASSET_FIELDS, "tagged_by", "tagged_at")
_JOINED = {"category_id": 0, "site_id": 1, "location_id": 2, "project": 3}


def _asset_query(scope: Scope, category_id: str | None) -> Select[*tuple[Any, ...]]:
    query = (
        select(*(getattr(Asset, name) for name in _READ), _cat.name, _site.name, _loc.path, _proj.code)
        .outerjoin(_cat, _cat.id == Asset.category_id)
        .outerjoin(_site, _site.id == Asset.site_id)
        .outerjoin(_loc, _loc.id == Asset.location_id)
        .join(_proj, _proj.id == Asset.project_id)
        .where(Asset.project_id.in_(scope.project_ids), Asset.deleted_at.is_(None))
    )
    if category_id:
        query = query.where(Asset.category_id == category_id)
    return query.order_by(Asset.asset_tag, Asset.id)


def count_assets(session: Session, scope: Scope, category_id: str | None = None) -> int:
    query = select(func.count()).select_from(Asset)
    query = query.where(Asset.project_id.in_(scope.project_ids), Asset.deleted_at.is_(None))
    if category_id:
        query = query.where(Asset.category_id == category_id)
    return int(session.scalar(query) or 0)


def _naive_utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC).replace(tzinfo=None, microsecond=0) if value else None


def cell_value(column: Column, value: Any) -> Any:
    """A field value as a sheet shows it: Yes/No, dates as dates, status in words, empty as None."""
    if value is None or value == "":
        return None
    if column.kind == ColumnKind.YES_NO:
        return "Yes" if value else "No"
    if column.kind == ColumnKind.DATE:
        return date.fromisoformat(value) if isinstance(value, str) else value
    if column.kind == ColumnKind.DATETIME:
        return _naive_utc(value)
    if isinstance(value, AssetStatus):
        return value.label
    return value


def _getter(column: Column) -> Callable[[Sequence[Any]], Any]:
    """How to take one standard column's value out of a row of `_asset_query`, ready for a sheet."""
    attention_at = _READ.index("attention")
    if column.key in _JOINED:
        at = len(_READ) + _JOINED[column.key]
        return lambda row: row[at] or None
    if column.key == "attention":
        return lambda row: ", ".join(a.removeprefix("missing:") for a in row[attention_at] or []) or None
    at = _READ.index(column.key)
    if column.kind in (ColumnKind.TEXT, ColumnKind.IDENTIFIER) and column.key != "status":
        return lambda row: row[at] or None
    return lambda row: cell_value(column, row[at])


def iter_asset_rows(
    session: Session, scope: Scope, columns: Sequence[Column], category_id: str | None = None
) -> Iterator[list[Any]]:
    """Rows of the asset sheet in tag order, read from the database in batches (memory stays flat)."""
    standard = [(i, _getter(c)) for i, c in enumerate(columns) if not c.key.startswith(CUSTOM_PREFIX)]
    custom = {c.key[len(CUSTOM_PREFIX) :]: (i, c) for i, c in enumerate(columns) if c.key.startswith(CUSTOM_PREFIX)}
    custom_at = _READ.index("custom_fields")
    width = len(columns)
    result = session.execute(_asset_query(scope, category_id).execution_options(yield_per=BATCH))
    for row in result:
        values: list[Any] = [None] * width
        for index, get in standard:
            values[index] = get(row)
        for key, value in (row[custom_at] or {}).items():
            place = custom.get(key)
            if place is not None:
                values[place[0]] = cell_value(place[1], value)
        yield values


def categories_in_use(session: Session, scope: Scope) -> list[Category]:
    used = set(
        session.scalars(
            select(Asset.category_id)
            .where(Asset.project_id.in_(scope.project_ids), Asset.deleted_at.is_(None))
            .distinct()
        )
    )
    return [c for c in list_categories(session) if c.id in used]


@dataclass(frozen=True)
class Table:
    """A small table for the sheets that are not streamed."""

    columns: list[Column]
    rows: list[list[Any]]


def location_table(session: Session, scope: Scope) -> Table:
    client_ids = {get_project(session, pid).client_id for pid in scope.project_ids}
    counts = dict(
        session.execute(
            select(Asset.location_id, func.count())
            .where(Asset.project_id.in_(scope.project_ids), Asset.deleted_at.is_(None))
            .group_by(Asset.location_id)
        ).all()
    )
    rows = session.execute(
        select(Site.name, Site.code, Location.kind, Location.name, Location.path, Location.id)
        .join(Site, Site.id == Location.site_id)
        .where(Site.client_id.in_(client_ids), Location.deleted_at.is_(None), Site.deleted_at.is_(None))
        .order_by(Site.name, Location.path)
    ).all()
    columns = [
        Column("site", "Site", width=18),
        Column("code", "Site code", width=10),
        Column("kind", "Kind", width=10),
        Column("name", "Name", width=20),
        Column("path", "Path", width=44),
        Column("assets", "Assets", ColumnKind.NUMBER, 8),
    ]
    return Table(columns, [[s, c or None, k.label, n, p, int(counts.get(i, 0))] for s, c, k, n, p, i in rows])


def action_item_table(session: Session, scope: Scope) -> Table:
    columns = [
        Column("project", "Project", width=12),
        Column("title", "Title", width=44),
        Column("kind", "Kind", width=16),
        Column("owner", "Owner", width=20),
        Column("due", "Due", ColumnKind.DATE, 12),
        Column("status", "Status", width=12),
        Column("closed", "Closed at (UTC)", ColumnKind.DATETIME, 17),
        Column("description", "Description", width=50),
    ]
    rows = session.execute(
        select(ActionItem, ActivationProject.code)
        .join(ActivationProject, ActivationProject.id == ActionItem.project_id)
        .where(ActionItem.project_id.in_(scope.project_ids), ActionItem.deleted_at.is_(None))
        .order_by(ActivationProject.code, ActionItem.due_date.nulls_last(), ActionItem.title)
    ).all()
    return Table(
        columns,
        [
            [
                code,
                item.title,
                "Activation issue" if item.is_issue else "Follow-up",
                item.owner or None,
                item.due_date,
                item.status.label,
                _naive_utc(item.closed_at),
                item.description or None,
            ]
            for item, code in rows
        ],
    )


CHANGE_COLUMNS = [
    Column("at", "When (UTC)", ColumnKind.DATETIME, 17),
    Column("actor", "Who", width=14),
    Column("record", "Record", ColumnKind.IDENTIFIER, 16),
    Column("op", "Action", width=9),
    Column("field", "Field", width=18),
    Column("old", "Old value", width=28),
    Column("new", "New value", width=28),
    Column("origin", "Made", width=9),
]


def _change_filter(scope: Scope) -> Any:
    assets = select(Asset.id).where(Asset.project_id.in_(scope.project_ids))
    items = select(ActionItem.id).where(ActionItem.project_id.in_(scope.project_ids))
    return (ChangeSet.entity_id.in_(assets)) | (ChangeSet.entity_id.in_(items))


def count_changes(session: Session, scope: Scope) -> int:
    query = select(func.count()).select_from(Change).join(ChangeSet, ChangeSet.id == Change.change_set_id)
    return int(session.scalar(query.where(_change_filter(scope))) or 0)


def iter_change_rows(session: Session, scope: Scope) -> Iterator[list[Any]]:
    """The journal of the scope's assets and action items, oldest first: who changed which field, from what to what."""
    names: dict[str, str] = {c.id: c.name for c in session.scalars(select(Category))}
    names.update({s.id: s.name for s in session.scalars(select(Site))})
    names.update({loc.id: loc.path for loc in session.scalars(select(Location))})
    labels = dict(ASSET_FIELDS)
    labels.update({CUSTOM_PREFIX + d.key: d.label for d in session.scalars(select(FieldDefinition))})
    records: dict[str, str] = {
        i: t
        for i, t in session.execute(select(Asset.id, Asset.asset_tag).where(Asset.project_id.in_(scope.project_ids)))
    }
    items = select(ActionItem.id, ActionItem.title).where(ActionItem.project_id.in_(scope.project_ids))
    records.update({i: t for i, t in session.execute(items)})
    query = (
        select(ChangeSet.at, ChangeSet.actor, ChangeSet.entity_id, ChangeSet.op, ChangeSet.origin, Change.field)
        .add_columns(Change.old_value, Change.new_value)
        .join(Change, Change.change_set_id == ChangeSet.id)
        .where(_change_filter(scope))
        .order_by(ChangeSet.id, Change.id)
    )

    def shown(field: str, text: str | None) -> Any:
        value = decode(text)
        if isinstance(value, str) and field.endswith("_id"):
            return names.get(value, value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return value if value is None or isinstance(value, int | float | str) else str(value)

    for at, actor, entity_id, op, origin, field, old, new in session.execute(query.execution_options(yield_per=BATCH)):
        whole = field == "*"
        yield [
            _naive_utc(at),
            actor,
            records.get(entity_id, entity_id),
            {"create": "Created", "update": "Changed", "delete": "Deleted"}.get(op, op),
            None if whole else labels.get(field, field),
            None if whole else shown(field, old),
            None if whole else shown(field, new),
            "Here" if origin == "local" else "By sync",
        ]
