"""Category, site and location names of imported rows resolved to ids once per import, not once per row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import find_category, list_categories
from app.errors import CloseoutError
from app.projects import find_location, find_site, list_sites
from models import ActivationProject, Client, FieldDefinition, Location

REFERENCE_FIELDS = ("category_id", "site_id", "location_id")


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
        #: Id → what the user calls it, to show a row's changes in words.
        self.names: dict[str, str] = {
            **{c.id: c.name for c in categories},
            **{s.id: s.name for s in sites},
            **{loc.id: loc.path for loc in locations},
        }

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
            if raw.get("location_id"):
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
