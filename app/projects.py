"""Clients, activation projects, sites and locations, contacts and assigned technicians."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import lowered
from app.errors import AmbiguousError, NotFoundError, ReadOnlyError, ValidationError
from app.journal import record_create, record_update
from models import (
    ActivationProject,
    Asset,
    Client,
    Contact,
    Location,
    LocationKind,
    ProjectStatus,
    ProjectTechnician,
    Site,
)
from models.ids import looks_like_id

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
#: Between the levels of a location's path: "Building A / Floor 2 / Server room".
PATH_SEPARATOR = " / "
#: What a tag prefix may hold: the characters a tag may hold, at most as many as the column keeps.
PREFIX_RE = re.compile(r"^[A-Z0-9][A-Z0-9\-_./]{0,15}$")


def _required(errors: dict[str, str], field: str, value: str, label: str) -> None:
    if not value.strip():
        errors[field] = f"{label} is required."


def _live(model: Any, *conditions: Any) -> Any:
    return select(model).where(model.deleted_at.is_(None), *conditions).limit(1)


def client_problems(
    session: Session, *, code: str, name: str, tag_prefix: str, tag_digits: int, client_id: str | None = None
) -> dict[str, str]:
    """What is wrong with these client values (field → message); `client_id` is the client being edited."""
    errors: dict[str, str] = {}
    others = (Client.id != client_id,) if client_id else ()
    _required(errors, "name", name, "Client name")
    if "name" not in errors and session.scalar(_live(Client, lowered(Client.name) == name.strip().lower(), *others)):
        errors["name"] = f"There is already a client called “{name.strip()}”."
    if not code:
        errors["code"] = "Client code is required: letters and digits, like ACME."
    elif not CODE_RE.match(code):
        errors["code"] = "A client code is letters and digits (with - or _), like ACME."
    elif session.scalar(_live(Client, Client.code == code, *others)):
        errors["code"] = f"Client code {code} is already used."
    if tag_prefix and not PREFIX_RE.match(tag_prefix):
        errors["tag_prefix"] = "A tag prefix is up to 16 letters, digits or - _ . / (no spaces), like ACME-."
    elif tag_prefix and (same := session.scalar(_live(Client, Client.tag_prefix == tag_prefix, *others))):
        errors["tag_prefix"] = f"Tags starting with {tag_prefix} already belong to {same.name}; choose another prefix."
    if not 1 <= tag_digits <= 12:
        errors["tag_digits"] = "Tag digits must be between 1 and 12."
    return errors


def project_problems(
    session: Session, *, client_id: str, code: str, name: str, project_id: str | None = None
) -> dict[str, str]:
    """What is wrong with these project values (field → message); `project_id` is the project being edited."""
    errors: dict[str, str] = {}
    others = (ActivationProject.id != project_id,) if project_id else ()
    _required(errors, "name", name, "Project name")
    if not code:
        errors["code"] = "Project code is required: letters and digits, like ACME-ONB."
    elif not CODE_RE.match(code):
        errors["code"] = "A project code is letters and digits (with - or _), like ACME-ONB."
    elif session.scalar(_live(ActivationProject, ActivationProject.code == code, *others)):
        errors["code"] = f"Project code {code} is already used."
    client = session.get(Client, client_id)
    if client is None or client.deleted_at is not None:
        errors["client_id"] = "Choose the client this project is for."
    return errors


def site_problems(session: Session, *, client_id: str, name: str, site_id: str | None = None) -> dict[str, str]:
    """What is wrong with this site name: missing, or another site of the client has it."""
    errors: dict[str, str] = {}
    _required(errors, "name", name, "Site name")
    others = (Site.id != site_id,) if site_id else ()
    same = lowered(Site.name) == name.strip().lower()
    if "name" not in errors and session.scalar(_live(Site, Site.client_id == client_id, same, *others)):
        errors["name"] = f"This client already has a site called “{name.strip()}”."
    return errors


def location_problems(
    session: Session, *, site_id: str, parent_id: str | None, name: str, location_id: str | None = None
) -> dict[str, str]:
    """What is wrong with this location name: missing, or a neighbour in the same place has it."""
    errors: dict[str, str] = {}
    _required(errors, "name", name, "Location name")
    if PATH_SEPARATOR.strip() in name:
        errors["name"] = "A location name cannot hold “/”: add a level inside it instead."
    others = (Location.id != location_id,) if location_id else ()
    same_place = Location.parent_id == parent_id if parent_id else Location.parent_id.is_(None)
    same = lowered(Location.name) == name.strip().lower()
    if "name" not in errors and session.scalar(_live(Location, Location.site_id == site_id, same_place, same, *others)):
        errors["name"] = f"There is already a “{name.strip()}” in this place."
    return errors


def create_client(
    session: Session,
    *,
    code: str,
    name: str,
    tag_prefix: str = "",
    tag_digits: int = 6,
    actor: str,
    **extra: Any,
) -> Client:
    code, tag_prefix = code.strip().upper(), tag_prefix.strip().upper()
    errors = client_problems(session, code=code, name=name, tag_prefix=tag_prefix, tag_digits=tag_digits)
    if errors:
        raise ValidationError(errors)
    client = Client(code=code, name=name.strip(), tag_prefix=tag_prefix, tag_digits=tag_digits)
    for key, value in extra.items():
        setattr(client, key, value)
    record_create(session, client, actor)
    return client


def list_clients(session: Session) -> list[Client]:
    return list(session.scalars(select(Client).where(Client.deleted_at.is_(None)).order_by(Client.name)))


def find_client(session: Session, ref: str) -> Client:
    wanted = ref.strip().lower()
    matches = [c for c in list_clients(session) if wanted in (c.id, c.code.lower(), c.name.lower())]
    if not matches:
        raise NotFoundError(f"There is no client “{ref}”.")
    return matches[0]


def create_project(
    session: Session,
    *,
    client_id: str,
    code: str,
    name: str,
    target_go_live: date | None = None,
    services_in_scope: Sequence[str] = (),
    technicians: Sequence[str] = (),
    description: str = "",
    actor: str,
) -> ActivationProject:
    code = code.strip().upper()
    errors = project_problems(session, client_id=client_id, code=code, name=name)
    if errors:
        raise ValidationError(errors)
    project = ActivationProject(
        client_id=client_id,
        code=code,
        name=name.strip(),
        target_go_live=target_go_live,
        services_in_scope=[s.strip() for s in services_in_scope if s.strip()],
        description=description,
        status=ProjectStatus.OPEN,
    )
    record_create(session, project, actor)
    for tech in technicians:
        assign_technician(session, project_id=project.id, technician=tech, actor=actor)
    return project


def update_project(session: Session, project_id: str, values: dict[str, Any], *, actor: str) -> list[str]:
    project = get_project(session, project_id)
    ensure_open(project)
    return record_update(session, project, values, actor)


def ensure_open(project: ActivationProject) -> None:
    if project.status == ProjectStatus.CLOSED:
        raise ReadOnlyError(f"Project {project.code} is closed; its records can no longer be changed.")


def assign_technician(session: Session, *, project_id: str, technician: str, actor: str) -> ProjectTechnician:
    link = ProjectTechnician(project_id=project_id, technician=technician.strip())
    record_create(session, link, actor)
    return link


def project_technicians(session: Session, project_id: str) -> list[str]:
    return list(
        session.scalars(
            select(ProjectTechnician.technician)
            .where(ProjectTechnician.project_id == project_id, ProjectTechnician.deleted_at.is_(None))
            .order_by(ProjectTechnician.technician)
        )
    )


def list_projects(session: Session, client_id: str | None = None) -> list[ActivationProject]:
    query = select(ActivationProject).where(ActivationProject.deleted_at.is_(None))
    if client_id:
        query = query.where(ActivationProject.client_id == client_id)
    return list(session.scalars(query.order_by(ActivationProject.code)))


def get_project(session: Session, project_id: str) -> ActivationProject:
    project = session.get(ActivationProject, project_id)
    if project is None or project.deleted_at is not None:
        raise NotFoundError("That project no longer exists.")
    return project


def find_project(session: Session, ref: str | None) -> ActivationProject:
    """A project by id, code or name; with no reference, the only open project if there is just one."""
    projects = list_projects(session)
    if not ref:
        open_projects = [p for p in projects if p.status != ProjectStatus.CLOSED]
        if len(open_projects) == 1:
            return open_projects[0]
        if not open_projects:
            raise NotFoundError("There is no open project. Create one or run 'closeout-cli demo'.")
        codes = ", ".join(p.code for p in open_projects)
        raise AmbiguousError(f"Several projects are open ({codes}); name one with --project.")
    wanted = ref.strip().lower()
    for project in projects:
        if wanted in (project.id, project.code.lower(), project.name.lower()):
            return project
    raise NotFoundError(f"There is no project “{ref}”.")


def create_site(session: Session, *, client_id: str, name: str, code: str = "", address: str = "", actor: str) -> Site:
    errors = site_problems(session, client_id=client_id, name=name)
    if errors:
        raise ValidationError(errors)
    site = Site(client_id=client_id, name=name.strip(), code=code.strip().upper(), address=address)
    record_create(session, site, actor)
    return site


def list_sites(session: Session, client_id: str) -> list[Site]:
    return list(
        session.scalars(select(Site).where(Site.client_id == client_id, Site.deleted_at.is_(None)).order_by(Site.name))
    )


def create_location(
    session: Session,
    *,
    site_id: str,
    kind: LocationKind | str,
    name: str,
    parent_id: str | None = None,
    position: int = 0,
    actor: str,
) -> Location:
    errors = location_problems(session, site_id=site_id, parent_id=parent_id, name=name)
    try:
        kind = LocationKind(kind)
    except ValueError:
        errors["kind"] = "A location is a building, floor, room or rack."
    parent = session.get(Location, parent_id) if parent_id else None
    if parent_id and (parent is None or parent.site_id != site_id):
        errors["parent_id"] = "The parent location is not at this site."
    if errors:
        raise ValidationError(errors)
    path = f"{parent.path}{PATH_SEPARATOR}{name.strip()}" if parent else name.strip()
    location = Location(
        site_id=site_id, parent_id=parent_id, kind=LocationKind(kind), name=name.strip(), position=position, path=path
    )
    record_create(session, location, actor)
    return location


def list_locations(session: Session, site_id: str) -> list[Location]:
    return list(
        session.scalars(
            select(Location)
            .where(Location.site_id == site_id, Location.deleted_at.is_(None))
            .order_by(Location.path, Location.position)
        )
    )


def find_location(session: Session, client_id: str, ref: str, site_id: str | None = None) -> Location:
    """A location by id, full path, unique name ("Rack 3") or unique tail of a path ("Floor 1 / Server room")."""
    by_id = session.get(Location, ref.strip()) if looks_like_id(ref.strip()) else None
    if by_id is not None and by_id.deleted_at is None:
        site = session.get(Site, by_id.site_id)
        if site is not None and site.client_id == client_id and (site_id is None or by_id.site_id == site_id):
            return by_id
    wanted = ref.strip().lower()
    base = (
        select(Location)
        .join(Site, Site.id == Location.site_id)
        .where(Site.client_id == client_id, Location.deleted_at.is_(None))
    )
    if site_id:
        base = base.where(Location.site_id == site_id)
    exact = session.scalars(base.where(lowered(Location.path) == wanted).limit(1)).first()
    if exact is not None:
        return exact
    for condition in (
        lowered(Location.name) == wanted,
        lowered(Location.path).endswith(" / " + wanted, autoescape=True),
    ):
        matches = list(session.scalars(base.where(condition).limit(6)))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            sites = {site.id: site.name for site in session.scalars(select(Site).where(Site.client_id == client_id))}
            places = "; ".join(f"{sites.get(loc.site_id, '?')}: {loc.path}" for loc in matches[:5])
            raise AmbiguousError(f"Several locations match “{ref}” ({places}); name the site or give the full path.")
    head, separator, rest = ref.strip().partition(" / ")
    if separator and rest:  # named with its site first, as lists and the message above name places: "HQ / Lab"
        site = session.scalars(
            select(Site).where(
                Site.client_id == client_id, lowered(Site.name) == head.strip().lower(), Site.deleted_at.is_(None)
            )
        ).first()
        if site is not None and site_id in (None, site.id):
            return find_location(session, client_id, rest, site.id)
    raise NotFoundError(f"There is no location “{ref}”.")


def find_site(session: Session, client_id: str, ref: str) -> Site:
    wanted = ref.strip().lower()
    for site in list_sites(session, client_id):
        if wanted in (site.id, site.name.lower(), site.code.lower()):
            return site
    raise NotFoundError(f"There is no site “{ref}”.")


def create_contact(session: Session, *, client_id: str, name: str, actor: str, **fields: Any) -> Contact:
    errors: dict[str, str] = {}
    _required(errors, "name", name, "Contact name")
    email = str(fields.get("email", "")).strip()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors["email"] = f"“{email}” is not an e-mail address."
    if errors:
        raise ValidationError(errors)
    contact = Contact(client_id=client_id, name=name.strip(), **fields)
    record_create(session, contact, actor)
    return contact


def list_contacts(session: Session, client_id: str) -> list[Contact]:
    return list(
        session.scalars(
            select(Contact)
            .where(Contact.client_id == client_id, Contact.deleted_at.is_(None))
            .order_by(Contact.escalation_order == 0, Contact.escalation_order, Contact.name)
        )
    )


@dataclass(frozen=True)
class LocationCount:
    location_id: str | None
    site_id: str | None
    count: int


def asset_counts(session: Session, project_id: str) -> dict[tuple[str | None, str | None], int]:
    """Live assets of a project per (site, location), for the navigator's counts."""
    rows = session.execute(
        select(Asset.site_id, Asset.location_id, func.count())
        .where(Asset.project_id == project_id, Asset.deleted_at.is_(None))
        .group_by(Asset.site_id, Asset.location_id)
    ).all()
    return {(site, loc): int(n) for site, loc, n in rows}
