"""Room labels: the label stuck by a room's door (or on a rack) that a technician scans on entering it.

A room label reads "LOC:" and a short code, the last eight hex digits of the place's id ("LOC:1A40CD46"), short
enough for a Code 128 that a laser scanner reads on a small label. Ids are made on the device and never change
(UUIDv7, whose last digits are random), so the code is the same on every laptop and after every sync. A code that
two places of one client share (about one client in ten thousand with a thousand places) is printed in full
instead. A place is a site (its door) or a location of any depth; the full "LOC:<id>" form is read as well.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import AmbiguousError, NotFoundError
from models import Client, Location, Site

#: What a room label reads: this prefix, then the place's short code or id.
LOCATION_LABEL = "LOC:"
CODE_DIGITS = 8
_SHORT = re.compile(rf"^[0-9a-f]{{{CODE_DIGITS}}}$")


@dataclass(frozen=True)
class RoomLabel:
    """One label: the code scanned, the room's own name (printed large) and where it is (site and parents)."""

    code: str
    name: str
    where: str
    site_id: str
    location_id: str | None


def is_location_label(text: str) -> bool:
    return text.strip().upper().startswith(LOCATION_LABEL)


def location_label_text(place_id: str) -> str:
    """The full form of a place's label ("LOC:" and its whole id), read as well as the short one."""
    return LOCATION_LABEL + place_id


def short_code(place_id: str) -> str:
    return place_id.replace("-", "")[-CODE_DIGITS:].upper()


def _places(session: Session, client_id: str) -> tuple[list[Site], list[Location]]:
    sites = list(session.scalars(select(Site).where(Site.client_id == client_id, Site.deleted_at.is_(None))))
    locations = list(
        session.scalars(
            select(Location)
            .join(Site, Site.id == Location.site_id)
            .where(Site.client_id == client_id, Site.deleted_at.is_(None), Location.deleted_at.is_(None))
        )
    )
    return sites, locations


def room_labels(
    session: Session, client_id: str, site_id: str | None = None, location_id: str | None = None
) -> list[RoomLabel]:
    """The labels of a place and every place inside it (all the client's places when none is given), a site's
    door first, then its locations in path order: the order a technician walks them."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFoundError("That client does not exist.")
    sites, locations = _places(session, client_id)
    codes = Counter(short_code(place.id) for place in [*sites, *locations])

    def code(place_id: str) -> str:
        short = short_code(place_id)
        return LOCATION_LABEL + (short if codes[short] == 1 else place_id.upper())

    site_names = {s.id: s.name for s in sites}
    if location_id is not None:
        chosen = next((loc for loc in locations if loc.id == location_id), None)
        if chosen is None:
            raise NotFoundError("That location is not one of this client's.")
        wanted = [
            loc
            for loc in locations
            if loc.site_id == chosen.site_id and (loc.id == chosen.id or loc.path.startswith(chosen.path + " / "))
        ]
        chosen_sites: list[Site] = []
    else:
        chosen_sites = [s for s in sites if site_id in (None, s.id)]
        if site_id is not None and not chosen_sites:
            raise NotFoundError("That site is not one of this client's.")
        wanted = [loc for loc in locations if loc.site_id in {s.id for s in chosen_sites}]
    labels = [RoomLabel(code(s.id), s.name, client.name, s.id, None) for s in chosen_sites]
    for loc in wanted:
        parents = loc.path.rsplit(" / ", 1)[0] if " / " in loc.path else ""
        where = " / ".join(filter(None, (site_names.get(loc.site_id, ""), parents)))
        labels.append(RoomLabel(code(loc.id), loc.name, where, loc.site_id, loc.id))
    site_order = {s.id: s.name.lower() for s in sites}
    paths = {loc.id: loc.path.lower() for loc in locations}
    labels.sort(key=lambda r: (site_order.get(r.site_id, ""), paths.get(r.location_id or "", "")))
    return labels


def place_of_label(session: Session, client_id: str, text: str) -> tuple[str, str | None] | None:
    """(site id, location id or None) of a scanned "LOC:" label of this client; None when `text` is no short code
    (a full id or a path, found the usual way)."""
    code = text.strip()[len(LOCATION_LABEL) :].strip().lower() if is_location_label(text) else ""
    if not _SHORT.match(code):
        return None
    ending = f"%{code}"  # the code is the end of the id's last group
    sites = session.scalars(
        select(Site.id).where(Site.client_id == client_id, Site.deleted_at.is_(None), func.lower(Site.id).like(ending))
    )
    found: list[tuple[str, str | None]] = [(site_id, None) for site_id in sites]
    found += [
        (site_id, location_id)
        for site_id, location_id in session.execute(
            select(Location.site_id, Location.id)
            .join(Site, Site.id == Location.site_id)
            .where(
                Site.client_id == client_id,
                Site.deleted_at.is_(None),
                Location.deleted_at.is_(None),
                func.lower(Location.id).like(ending),
            )
        )
    ]
    if not found:
        raise NotFoundError(
            f"No room of this client has the label {text.strip().upper()}: it may be another client's label, or "
            "the room was deleted. Choose the room in “I am in” instead."
        )
    if len(found) > 1:
        raise AmbiguousError(
            f"Two rooms share the label {text.strip().upper()}; print their labels again (they then carry the full "
            "code) or choose the room in “I am in”."
        )
    return found[0]
