"""Editing a client's structure after it was created: the client, its projects, sites and the location tree.

Creating them is `app.projects` (shared with the demo and the tests); the checks are the same ones.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import ensure_default_categories
from app.errors import NotFoundError, ValidationError
from app.journal import record_update
from app.projects import (
    PATH_SEPARATOR,
    client_problems,
    create_client,
    ensure_open,
    get_project,
    list_projects,
    location_problems,
    project_problems,
    site_problems,
)
from models import Client, Location, LocationKind, Site
from models.base import SyncedEntity

E = TypeVar("E", bound=SyncedEntity)

#: What usually sits inside each kind of place, so "new location here" starts with the likely kind.
INNER_KIND = {
    None: LocationKind.BUILDING,
    LocationKind.BUILDING: LocationKind.FLOOR,
    LocationKind.FLOOR: LocationKind.ROOM,
    LocationKind.ROOM: LocationKind.RACK,
    LocationKind.RACK: LocationKind.RACK,
}


def inner_kind(parent_kind: LocationKind | str | None) -> LocationKind:
    """The kind a new location inside a place of this kind most likely is (a building directly in a site)."""
    return INNER_KIND[LocationKind(parent_kind) if parent_kind else None]


def suggest_code(name: str, taken: Collection[str] = ()) -> str:
    """A short upper-case code for a name ("Acme Corporation" → "ACME"), made unique against `taken`."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    base = (words[0][:8] if words else "").upper()
    if len(base) < 3 and len(words) > 1:
        base = "".join(w[0] for w in words[:6]).upper()
    code, n = base, 2
    while code and code in taken:
        code, n = f"{base}{n}", n + 1
    return code


def _get(session: Session, model: type[E], record_id: str, what: str) -> E:
    obj = session.get(model, record_id)
    if obj is None or obj.deleted_at is not None:
        raise NotFoundError(f"That {what} no longer exists.")
    return obj


def update_client(
    session: Session, client_id: str, *, name: str, code: str, tag_prefix: str, tag_digits: int, actor: str
) -> list[str]:
    """Rename a client or change its code or tag rules; returns the fields that changed."""
    client = _get(session, Client, client_id, "client")
    code, tag_prefix = code.strip().upper(), tag_prefix.strip().upper()
    errors = client_problems(
        session, code=code, name=name, tag_prefix=tag_prefix, tag_digits=tag_digits, client_id=client_id
    )
    if errors:
        raise ValidationError(errors)
    values = {"name": name.strip(), "code": code, "tag_prefix": tag_prefix, "tag_digits": tag_digits}
    return record_update(session, client, values, actor)


def edit_project(session: Session, project_id: str, *, code: str, name: str, actor: str) -> list[str]:
    """Rename an open project or change its code; returns the fields that changed."""
    project = get_project(session, project_id)
    ensure_open(project)
    code = code.strip().upper()
    errors = project_problems(session, client_id=project.client_id, code=code, name=name, project_id=project_id)
    if errors:
        raise ValidationError(errors)
    return record_update(session, project, {"code": code, "name": name.strip()}, actor)


def update_site(session: Session, site_id: str, *, name: str, code: str, address: str, actor: str) -> list[str]:
    site = _get(session, Site, site_id, "site")
    errors = site_problems(session, client_id=site.client_id, name=name, site_id=site_id)
    if errors:
        raise ValidationError(errors)
    values = {"name": name.strip(), "code": code.strip().upper(), "address": address.strip()}
    return record_update(session, site, values, actor)


def update_location(
    session: Session, location_id: str, *, name: str, kind: LocationKind | str, actor: str
) -> list[str]:
    """Rename a location or change its kind; the paths of the places inside it follow a new name."""
    location = _get(session, Location, location_id, "location")
    errors = location_problems(
        session, site_id=location.site_id, parent_id=location.parent_id, name=name, location_id=location_id
    )
    try:
        kind = LocationKind(kind)
    except ValueError:
        errors["kind"] = "A location is a building, floor, room or rack."
    if errors:
        raise ValidationError(errors)
    name = name.strip()
    parent = session.get(Location, location.parent_id) if location.parent_id else None
    path = f"{parent.path}{PATH_SEPARATOR}{name}" if parent else name
    old_path = location.path
    changed = record_update(session, location, {"name": name, "kind": LocationKind(kind), "path": path}, actor)
    if path != old_path:
        _move_paths(session, location.site_id, old_path, path, actor)
    return changed


def _move_paths(session: Session, site_id: str, old: str, new: str, actor: str) -> None:
    """Every place inside a renamed one keeps its path in step (each change journaled, so it syncs)."""
    inside = session.scalars(
        select(Location).where(
            Location.site_id == site_id,
            Location.deleted_at.is_(None),
            Location.path.startswith(old + PATH_SEPARATOR, autoescape=True),
        )
    )
    for location in inside:
        record_update(session, location, {"path": new + location.path[len(old) :]}, actor)


def start_client(
    session: Session, *, code: str, name: str, tag_prefix: str = "", tag_digits: int = 6, actor: str
) -> Client:
    """A client ready to tag: with the default asset categories too, which a new workspace does not have yet.

    The default categories have the same ids on every device, so a later sync never doubles them.
    """
    client = create_client(session, code=code, name=name, tag_prefix=tag_prefix, tag_digits=tag_digits, actor=actor)
    ensure_default_categories(session, actor=actor)
    return client


def suggest_project_code(session: Session, client_id: str) -> str:
    """CODE-ONB for a client's first project, CODE-ONB2 for the next one."""
    client = _get(session, Client, client_id, "client")
    taken = {p.code for p in list_projects(session)}
    base = code = f"{client.code}-ONB"
    n = 2
    while code in taken:
        code, n = f"{base}{n}", n + 1
    return code
