"""What the server knows of each synced entity: its fields and their types, and which space a record lives in."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from models.wire import EntitySpec, FieldSpec, canonical_json
from server.models import GLOBAL_SPACE, Record

CUSTOM_PREFIX = "custom."
MAX_TEXT = 100_000
MAX_JSON_TEXT = 200_000

#: Entities shared by every client (the catalog): anyone may add to it, only an administrator may change or delete
#: what is there (docs/sync.md, "Who may change what").
GLOBAL_ENTITIES = frozenset({"category", "field_definition", "checklist_template", "import_profile", "lifecycle_rule"})
CATALOG_REFUSAL = (
    "only an administrator can change or delete what the shared catalog holds "
    "(categories, fields, checklist templates, import profiles, lifecycle rules)"
)
#: Entities that belong to a project through their project_id field.
PROJECT_ENTITIES = frozenset(
    {"project_technician", "knowledge_transfer", "activation_call", "action_item", "signoff", "conflict"}
)
#: Fields of a conflict record a device may change: resolving it is the only edit.
CONFLICT_EDITABLE = frozenset({"resolved_at", "resolved_by", "resolution"})


class Rejected(Exception):
    """A mutation that can never apply (unknown record, bad value, not permitted): stored, never retried."""


def _check_value(spec: FieldSpec, value: Any) -> None:
    if value is None:
        if not spec.nullable:
            raise Rejected(f"{spec.name} may not be empty")
        return
    kind = spec.kind
    ok = True
    if kind == "text":
        ok = isinstance(value, str) and len(value) <= (spec.length or MAX_TEXT)
    elif kind == "enum":
        ok = isinstance(value, str) and value in spec.choices
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**62
    elif kind == "float":
        _check_finite(spec.name, value)
        ok = isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 2**62
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "date":
        ok = isinstance(value, str) and _parses(date.fromisoformat, value)
    elif kind == "datetime":
        ok = isinstance(value, str) and _aware(value)
    elif kind == "json":
        ok = len(_strict_json(spec.name, value)) <= MAX_JSON_TEXT
    if not ok:
        raise Rejected(f"{spec.name} has a value of the wrong kind or size")


def _check_finite(name: str, value: Any) -> None:
    """NaN and infinity are refused in words: JSON has no such numbers (PostgreSQL refuses them, SQLite's
    json functions fail on the row)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise Rejected(f"{name} must be a finite number, not {value}")


def _strict_json(name: str, value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    except ValueError:
        raise Rejected(f"{name} holds a number that is not finite (NaN or infinity)") from None
    except (TypeError, RecursionError):
        raise Rejected(f"{name} has a value of the wrong kind or size") from None


def _aware(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def _parses(parser: Any, text: str) -> bool:
    try:
        parser(text)
    except ValueError:
        return False
    return True


def check_fields(entity: EntitySpec, fields: dict[str, Any], *, whole: bool) -> None:
    """Refuse unknown fields and values of the wrong type or size; `whole` also requires every field."""
    for name, value in fields.items():
        if name.startswith(CUSTOM_PREFIX):
            key = name[len(CUSTOM_PREFIX) :]
            if not entity.has_custom or whole or not key or len(key) > 60:
                raise Rejected(f"{name} is not a field of {entity.name}")
            _check_finite(name, value)
            if (
                not (value is None or isinstance(value, str | int | float | bool))
                or (isinstance(value, str) and len(value) > 10_000)
                or (isinstance(value, int | float) and abs(value) >= 2**62)
            ):
                raise Rejected(f"{name} has a value of the wrong kind or size")
            continue
        if name == "deleted_at" and not whole:
            if value is not None and not isinstance(value, str):
                raise Rejected("deleted_at has a value of the wrong kind")
            continue
        spec = entity.fields.get(name)
        if spec is None:
            raise Rejected(f"{name} is not a field of {entity.name}")
        _check_value(spec, value)
    if whole:
        missing = [name for name, spec in entity.fields.items() if name not in fields and not spec.nullable]
        if missing:
            raise Rejected(f"a new {entity.name} lacks {', '.join(sorted(missing))}")


def field_value(data: dict[str, Any], name: str) -> Any:
    if name.startswith(CUSTOM_PREFIX):
        return (data.get("custom_fields") or {}).get(name[len(CUSTOM_PREFIX) :])
    return data.get(name)


def set_field_value(data: dict[str, Any], name: str, value: Any) -> None:
    """Set one field in a record's data (already copied by the caller)."""
    if name.startswith(CUSTOM_PREFIX):
        custom = dict(data.get("custom_fields") or {})
        key = name[len(CUSTOM_PREFIX) :]
        if value is None:
            custom.pop(key, None)
        else:
            custom[key] = value
        data["custom_fields"] = custom
    else:
        data[name] = value


def live_record(session: Session, entity: str, record_id: Any) -> Record | None:
    if not isinstance(record_id, str):
        return None
    record = session.get(Record, record_id)
    return record if record is not None and record.entity == entity else None


def placement(session: Session, entity: str, record_id: str, fields: dict[str, Any]) -> tuple[str, str | None]:
    """The space and project a new record belongs in, derived from its parent records."""
    if entity in GLOBAL_ENTITIES:
        return GLOBAL_SPACE, None
    if entity == "client":
        return record_id, None
    if entity in ("site", "contact", "project", "asset"):
        client = live_record(session, "client", fields.get("client_id"))
        if client is None:
            raise Rejected("its client does not exist on the server")
        if entity == "project":
            return client.space_id, record_id
        if entity == "asset":
            project = live_record(session, "project", fields.get("project_id"))
            if project is None or project.space_id != client.space_id:
                raise Rejected("its project does not exist on the server")
            return client.space_id, project.id
        return client.space_id, None
    if entity == "location":
        site = live_record(session, "site", fields.get("site_id"))
        if site is None:
            raise Rejected("its site does not exist on the server")
        return site.space_id, None
    if entity in PROJECT_ENTITIES:
        project = live_record(session, "project", fields.get("project_id"))
        if project is None:
            raise Rejected("its project does not exist on the server")
        return project.space_id, project.id
    if entity == "attachment":
        owner = live_record(session, str(fields.get("owner_entity")), fields.get("owner_id"))
        if owner is None:
            raise Rejected("the record it is attached to does not exist on the server")
        return owner.space_id, owner.project_id
    raise Rejected(f"{entity} records are not synced")


def check_references(session: Session, entity: EntitySpec, fields: dict[str, Any], space_id: str) -> None:
    """Every foreign key must name a record of the same space (or the global catalog)."""
    for name, value in fields.items():
        spec = entity.fields.get(name)
        if spec is None or spec.references is None or value is None:
            continue
        target = live_record(session, spec.references, value)
        if target is None or target.space_id not in (space_id, GLOBAL_SPACE):
            raise Rejected(f"{name} refers to a record that does not exist on the server")


def check_catalog_change(fields: dict[str, Any], record: Record, *, delete: bool) -> None:
    """A non-administrator's mutation of an existing catalog record: refused unless it changes nothing (a device
    pushing the default categories every workspace makes, which the server already holds)."""
    if delete or record.deleted_at is not None:
        raise Rejected(CATALOG_REFUSAL)
    for name, value in fields.items():
        if name == "deleted_at":
            if value is not None:
                raise Rejected(CATALOG_REFUSAL)
            continue
        if canonical_json(field_value(record.data, name)) != canonical_json(value):
            raise Rejected(CATALOG_REFUSAL)
