"""Category, site and location names of imported rows resolved to ids once per import, not once per row."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import CategorySpec, create_category, find_category, list_categories
from app.errors import CloseoutError
from app.projects import create_location, create_site, find_location, find_site, list_sites
from models import ActivationProject, Client, FieldDefinition, Location, LocationKind

REFERENCE_FIELDS = ("category_id", "site_id", "location_id")
#: Ids of records an import will create, until it does ("new:site:zürich hq"); never a real (UUID) id.
PLANNED = "new:"
_KIND_WORDS = (
    (LocationKind.RACK, ("rack", "cabinet", "schrank")),
    (LocationKind.FLOOR, ("floor", "etage", "étage", "stock", "level", "storey", "og", "eg", "ug", "geschoss")),
    (LocationKind.BUILDING, ("building", "haus", "gebäude", "bâtiment", "block", "wing", "hall")),
)


@dataclass(frozen=True)
class PlannedRecord:
    """A category, site or location the import creates first: `site` and `parent` may be planned ids too."""

    id: str
    kind: str  # "category", "site" or "location"
    name: str
    site: str | None = None
    parent: str | None = None


def location_kind(name: str) -> LocationKind:
    """A created location's kind, from its name's words ("Étage 2" → floor, "Rack B" → rack, else room)."""
    words = set(re.findall(r"\w+", name.lower()))
    return next((kind for kind, names in _KIND_WORDS if words & set(names)), LocationKind.ROOM)


def split_path(text: str) -> list[str]:
    """The parts of a place as clients write it: "Zürich HQ / Étage 2 / Room 201" (also > and \\)."""
    for separator in ("/", ">", "\\"):
        if separator in text:
            return [part.strip() for part in text.split(separator) if part.strip()]
    return [text.strip()] if text.strip() else []


class NameIndex:
    """The client's categories, sites and locations by id, code, name and path (lower case).

    Holding the loaded records also keeps them in the session's identity map, so the asset services find
    them there instead of reading them again for every row.
    """

    def __init__(self, session: Session, client_id: str) -> None:
        self.session = session
        self.client_id = client_id
        categories = list_categories(session)
        sites = list_sites(session, client_id)
        site_ids = [s.id for s in sites]
        locations = list(
            session.scalars(select(Location).where(Location.site_id.in_(site_ids), Location.deleted_at.is_(None)))
        )
        self._kept: list[Any] = [
            *categories,
            *sites,
            *locations,
            *session.scalars(select(FieldDefinition)),
            *session.scalars(select(ActivationProject).where(ActivationProject.client_id == client_id)),
            session.get(Client, client_id),
        ]
        self.categories: dict[str, str] = {}
        for c in categories:
            for word in (c.id, c.code.lower(), c.name.lower()):
                self.categories.setdefault(word, c.id)
        self.sites: dict[str, str] = {}
        for s in sites:
            for word in (s.id, s.name.lower(), s.code.lower()):
                if word:
                    self.sites.setdefault(word, s.id)
        self.locations = {loc.id: loc for loc in locations}
        #: Records to create before writing, in creation order (parents first), and the location texts to create.
        self.planned: dict[str, PlannedRecord] = {}
        self.create_locations: set[str] = set()
        #: Id → what the user calls it, to show a row's changes in words.
        self.names: dict[str, str] = {
            **{c.id: c.name for c in categories},
            **{s.id: s.name for s in sites},
            **{loc.id: loc.path for loc in locations},
        }

    def plan(self, kind: str, name: str, site: str | None = None, parent: str | None = None) -> str:
        """The planned id of a record to create (the same for the same name at the same place)."""
        existing = self.categories if kind == "category" else self.sites if kind == "site" else {}
        if name.lower() in existing:  # made by an earlier import (a saved "create" choice) or meanwhile
            return existing[name.lower()]
        pid = f"{PLANNED}{kind}:{site or ''}:{parent or ''}:{name.lower()}"
        if pid not in self.planned:
            self.planned[pid] = PlannedRecord(pid, kind, name, site, parent)
            self.names[pid] = name if kind != "location" or parent is None else f"{self.names[parent]} / {name}"
            if kind == "category":
                self.categories[name.lower()] = self.categories[pid] = pid
            elif kind == "site":
                self.sites[name.lower()] = self.sites[pid] = pid
        return pid

    def _planned_location(self, text: str, site_id: str | None) -> tuple[str | None, str | None]:
        """(location id, site id) for a place to create: under the row's site, else its first part is the site."""
        parts = split_path(text)
        if site_id is None:
            site_name, parts = parts[0], parts[1:]
            site_id = self.sites.get(site_name.lower()) or self.plan("site", site_name)
        parent: str | None = None
        for part in parts:
            existing = [
                loc.id for loc in self.locations.values()
                if loc.site_id == site_id and loc.parent_id == parent and loc.name.lower() == part.lower()
            ]  # fmt: skip
            parent = existing[0] if existing else self.plan("location", part, site_id, parent)
        return parent, site_id

    def _location(self, ref: str, site_id: str | None) -> Location:
        wanted = ref.strip().lower()
        candidates = [loc for loc in self.locations.values() if site_id is None or loc.site_id == site_id]
        exact = [loc for loc in candidates if wanted in (loc.id, loc.path.lower())]
        if exact:
            return exact[0]
        named = [loc for loc in candidates if loc.name.lower() == wanted]
        if len(named) == 1:
            return named[0]
        return find_location(self.session, self.client_id, ref, site_id)  # raises in the user's words

    def resolve(
        self, values: dict[str, Any], current: Mapping[str, Any] | None
    ) -> tuple[dict[str, str | None], list[str]]:
        """Pop category, site and location from `values`: their ids (None: cleared) and any problems in words."""
        out: dict[str, str | None] = {}
        problems: list[str] = []
        raw = {key: str(values.pop(key) or "").strip() for key in REFERENCE_FIELDS if key in values}
        try:
            if "category_id" in raw:
                text = raw["category_id"]
                out["category_id"] = (
                    (self.categories.get(text.lower()) or find_category(self.session, text).id) if text else None
                )
        except CloseoutError as exc:
            problems.append(str(exc))
        try:
            if "site_id" in raw:
                text = raw["site_id"]
                out["site_id"] = (
                    (self.sites.get(text.lower()) or find_site(self.session, self.client_id, text).id) if text else None
                )
            if raw.get("location_id") and raw["location_id"].lower() in self.create_locations:
                site = out.get("site_id") if "site_id" in raw else None
                location_id, site_id = self._planned_location(raw["location_id"], site)
                out["location_id"], out["site_id"] = location_id, site_id
            elif raw.get("location_id"):
                location = self._location(raw["location_id"], out.get("site_id") if "site_id" in raw else None)
                out["location_id"], out["site_id"] = location.id, location.site_id
            elif "location_id" in raw:
                out["location_id"] = None
            elif "site_id" in raw and current is not None and current["location_id"]:
                old = self.locations.get(current["location_id"])
                if old is None or old.site_id != out["site_id"]:
                    out["location_id"] = None  # the old room is not at the new site
        except CloseoutError as exc:
            problems.append(str(exc))
        return out, problems


def create_planned(
    session: Session, client_id: str, planned: Mapping[str, PlannedRecord], actor: str
) -> dict[str, str]:
    """Create the planned categories, sites and locations (parents first): planned id → the new record's id."""
    made: dict[str, str] = {}
    existing_codes = {c.code for c in list_categories(session)}
    for record in planned.values():
        if record.kind == "category":
            code = re.sub(r"[^0-9a-z]+", "_", record.name.lower()).strip("_")[:36] or "category"
            while code in existing_codes:
                code += "_"
            existing_codes.add(code)
            made[record.id] = create_category(session, CategorySpec(code, record.name, "other"), actor=actor).id
        elif record.kind == "site":
            made[record.id] = create_site(session, client_id=client_id, name=record.name, actor=actor).id
        else:
            assert record.site is not None
            site = made.get(record.site, record.site)
            parent = made.get(record.parent, record.parent) if record.parent else None
            made[record.id] = create_location(
                session, site_id=site, kind=location_kind(record.name), name=record.name, parent_id=parent, actor=actor
            ).id
    return made
