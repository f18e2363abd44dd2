"""Reconciliation of the onsite audit: what was listed against what was found, per site and location."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.audit import state_column
from app.projects import find_site, get_project
from models import Asset, AuditState, Location, Site


@dataclass
class PlaceCounts:
    """Counts of one site / location (or of everything): `expected` is every listed asset there."""

    site: str = ""
    location: str = ""
    site_id: str | None = None
    location_id: str | None = None
    expected: int = 0
    seen: int = 0
    missing: int = 0
    out_of_scope: int = 0
    found: int = 0

    @property
    def unseen(self) -> int:
        """Listed, not seen, not explained: what is still to look for."""
        return self.expected - self.seen - self.missing - self.out_of_scope

    @property
    def done(self) -> int:
        return self.expected - self.unseen

    @property
    def progress(self) -> float:
        """The share of the listed assets seen or explained (1.0 when nothing was listed)."""
        return self.done / self.expected if self.expected else 1.0

    def add(self, state: str, number: int) -> None:
        if state == AuditState.FOUND.value:
            self.found += number
            return
        self.expected += number
        if state == AuditState.SEEN.value:
            self.seen += number
        elif state == AuditState.MISSING.value:
            self.missing += number
        elif state == AuditState.OUT_OF_SCOPE.value:
            self.out_of_scope += number

    def as_dict(self) -> dict[str, object]:
        return {
            "site": self.site, "location": self.location, "expected": self.expected, "seen": self.seen,
            "missing": self.missing, "out_of_scope": self.out_of_scope, "found_not_listed": self.found,
            "unseen": self.unseen,
        }  # fmt: skip


@dataclass
class Reconciliation:
    places: list[PlaceCounts] = field(default_factory=list)
    total: PlaceCounts = field(default_factory=PlaceCounts)

    @property
    def complete(self) -> bool:
        """Capture is complete: no listed asset is left unseen and unexplained."""
        return self.total.unseen == 0

    @property
    def audited(self) -> bool:
        """Whether there is anything to reconcile: a client's list was imported (without one, every asset is simply
        one found on site)."""
        return bool(self.total.expected)


def _project_assets(project_id: str, site_id: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Asset.project_id == project_id, Asset.deleted_at.is_(None)]
    if site_id:
        conditions.append(Asset.site_id == site_id)
    return conditions


def reconcile(session: Session, project_id: str, *, site: str | None = None) -> Reconciliation:
    """Per site and location counts of the project's assets (at a site, when `site` names one), with totals."""
    project = get_project(session, project_id)
    site_id = find_site(session, project.client_id, site).id if site else None
    state = state_column().label("state")
    rows = session.execute(
        select(Asset.site_id, Asset.location_id, state, func.count())
        .where(*_project_assets(project_id, site_id))
        .group_by(Asset.site_id, Asset.location_id, state)
    ).all()
    sites = {s.id: s.name for s in session.scalars(select(Site).where(Site.client_id == project.client_id))}
    location_ids = {row[1] for row in rows if row[1]}
    paths = dict(session.execute(select(Location.id, Location.path).where(Location.id.in_(location_ids))).all())
    places: dict[tuple[str | None, str | None], PlaceCounts] = {}
    result = Reconciliation()
    for place_site, place_location, place_state, number in rows:
        key = (place_site, place_location)
        if key not in places:
            places[key] = PlaceCounts(
                site=sites.get(place_site or "", "(no site)"),
                location=paths.get(place_location or "", ""),
                site_id=place_site,
                location_id=place_location,
            )
        places[key].add(place_state, int(number))
        result.total.add(place_state, int(number))
    result.places = sorted(places.values(), key=lambda p: (p.site.lower(), p.location.lower()))
    return result


def audit_unseen(session: Session, project_id: str) -> str:
    """Why the onsite audit keeps capture from being complete, in words ("" when every listed asset is seen or
    explained)."""
    unseen = session.scalar(
        select(func.count())
        .select_from(Asset)
        .where(*_project_assets(project_id, None), state_column() == AuditState.EXPECTED.value)
    )
    if not unseen:
        return ""
    many = "asset" if unseen == 1 else "assets"
    return (
        f"{unseen} listed {many} not seen on site yet: find {'it' if unseen == 1 else 'them'}, or mark "
        f"{'it' if unseen == 1 else 'them'} missing or not in scope (Audit ▸ Reconciliation)."
    )


def unseen_assets(
    session: Session, project_id: str, *, site_id: str | None = None, location_id: str | None = None, limit: int = 500
) -> list[Asset]:
    """Listed assets not yet seen nor explained at a place (a location and the rooms inside it): what to look for."""
    query = select(Asset).where(
        Asset.project_id == project_id, Asset.deleted_at.is_(None), state_column() == AuditState.EXPECTED.value
    )
    if location_id:
        location = session.get(Location, location_id)
        inside = select(Location.id).where(
            Location.site_id == (location.site_id if location else ""),
            (Location.id == location_id) | Location.path.startswith((location.path if location else "") + " / "),
        )
        query = query.where(Asset.location_id.in_(inside))
    elif site_id:
        query = query.where(Asset.site_id == site_id)
    return list(session.scalars(query.order_by(Asset.asset_tag).limit(limit)))


@dataclass(frozen=True)
class AuditRow:
    """One line of the reconciliation sheet."""

    tag: str
    previous_tag: str
    description: str
    serial: str
    site: str
    location: str
    state: AuditState
    reason: str
    seen_at: datetime | None
    seen_by: str


def audit_rows(session: Session, project_id: str) -> list[AuditRow]:
    """Every listed asset with its state, then every asset found on site that was not listed."""
    from app.audit import audit_state
    from models.enums import MISSING_REASONS

    project = get_project(session, project_id)
    sites = {s.id: s.name for s in session.scalars(select(Site).where(Site.client_id == project.client_id))}
    paths = dict(
        session.execute(
            select(Location.id, Location.path)
            .join(Site, Site.id == Location.site_id)
            .where(Site.client_id == project.client_id)
        ).all()
    )
    assets = session.scalars(
        select(Asset).where(*_project_assets(project_id, None)).order_by(Asset.listed.desc(), Asset.asset_tag)
    )
    rows: list[AuditRow] = []
    for asset in assets:
        state = audit_state(asset)
        rows.append(
            AuditRow(
                tag=asset.asset_tag,
                previous_tag=asset.previous_tag,
                description=" ".join(filter(None, (asset.manufacturer, asset.model))),
                serial=asset.serial,
                site=sites.get(asset.site_id or "", ""),
                location=paths.get(asset.location_id or "", ""),
                state=state,
                reason=MISSING_REASONS.get(asset.audit_reason, asset.audit_reason)
                if state in (AuditState.MISSING, AuditState.OUT_OF_SCOPE)
                else "",
                seen_at=asset.seen_at,
                seen_by=asset.seen_by,
            )
        )
    return rows
