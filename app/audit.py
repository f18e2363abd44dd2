"""The onsite audit: the room a technician is in, verifying assets there (moving those listed elsewhere), and
marking listed assets missing or not in scope. Every write goes through the journal and syncs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.assets import (
    find_by_previous_tag,
    find_by_tag,
    get_asset,
    refresh_attention,
    suggest_next_tag,
    update_asset,
)
from app.errors import NotFoundError, ValidationError
from app.journal import record_update
from app.projects import ensure_open, find_location, find_site, get_project
from app.room_labels import LOCATION_LABEL, is_location_label, place_of_label
from app.search import index_assets
from app.validation import normalise_mac, normalise_serial, normalise_tag, tag_problem
from models import Asset, AuditState, Client, Location, Site, utcnow
from models.enums import MISSING_REASONS

#: The fields a verification writes (besides a move's site and location); an undo writes their old values back.
SEEN_FIELDS = ("seen_at", "seen_by", "seen_site_id", "seen_location_id", "audit_mark", "audit_reason")
_MARKS = {AuditState.MISSING: "missing", AuditState.OUT_OF_SCOPE: "out_of_scope", AuditState.EXPECTED: ""}


def audit_state(asset: Asset) -> AuditState:
    """Seen beats a mark: a missing asset that turns up (on another laptop, say) counts as seen."""
    if not asset.listed:
        return AuditState.FOUND
    if asset.seen_at is not None:
        return AuditState.SEEN
    if asset.audit_mark == "missing":
        return AuditState.MISSING
    if asset.audit_mark == "out_of_scope":
        return AuditState.OUT_OF_SCOPE
    return AuditState.EXPECTED


def state_column() -> ColumnElement[str]:
    """`audit_state` as SQL, for counting and filtering without loading assets."""
    return case(
        (Asset.listed.is_(False), AuditState.FOUND.value),
        (Asset.seen_at.is_not(None), AuditState.SEEN.value),
        (Asset.audit_mark == "missing", AuditState.MISSING.value),
        (Asset.audit_mark == "out_of_scope", AuditState.OUT_OF_SCOPE.value),
        else_=AuditState.EXPECTED.value,
    )


# -- the room ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Room:
    """Where the technician is: a site, and a location in it (None: the site itself)."""

    site_id: str
    location_id: str | None
    name: str  # "Main Clinic / Floor 1 / Server room"


def place_name(session: Session, site_id: str | None, location_id: str | None) -> str:
    site = session.get(Site, site_id) if site_id else None
    location = session.get(Location, location_id) if location_id else None
    return " / ".join(filter(None, (site.name if site else "", location.path if location else ""))) or "no place"


def room_at(session: Session, client_id: str, site_id: str, location_id: str | None) -> Room:
    """The room for a site and location of the client (the navigator's choice)."""
    site = session.get(Site, site_id)
    if site is None or site.client_id != client_id or site.deleted_at is not None:
        raise NotFoundError("That site is not one of this client's.")
    if location_id:
        location = session.get(Location, location_id)
        if location is None or location.site_id != site_id or location.deleted_at is not None:
            raise NotFoundError("That location is not at this site.")
    return Room(site_id, location_id, place_name(session, site_id, location_id))


def find_room(session: Session, client_id: str, ref: str, site_ref: str | None = None) -> Room:
    """A room from a scanned location label, a site, or a location's path or name ("Floor 1 / Server room")."""
    text = ref.strip()
    if is_location_label(text):
        labelled = place_of_label(session, client_id, text)  # the short code of a printed room label
        if labelled is not None:
            return room_at(session, client_id, *labelled)
        text = text[len(LOCATION_LABEL) :].strip().lower()
    site_id = find_site(session, client_id, site_ref).id if site_ref else None
    if site_id is None:
        try:
            return room_at(session, client_id, find_site(session, client_id, text).id, None)
        except NotFoundError:
            pass
    location = find_location(session, client_id, text, site_id)
    return room_at(session, client_id, location.site_id, location.id)


# -- scan matching -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScanMatch:
    """What a scan found: `how` is "tag", "previous_tag", "serial", "mac" or "" (nothing); more than one asset
    means the scan is ambiguous and a person chooses."""

    how: str
    assets: list[Asset] = field(default_factory=list)

    @property
    def ambiguous(self) -> bool:
        return len(self.assets) > 1


def _live(session: Session, client_id: str, column: Any, value: str) -> list[Asset]:
    """The client's live assets with this serial or MAC (sorted here: an ORDER BY would let SQLite walk the
    client in tag order rather than use the serial or MAC index)."""
    query = select(Asset).where(Asset.client_id == client_id, column == value, Asset.deleted_at.is_(None))
    return sorted(session.scalars(query.limit(50)), key=lambda a: a.asset_tag)[:20]


def match_scan(session: Session, client_id: str, text: str, tag: str | None = None) -> ScanMatch:
    """Look a scan up by Closeout tag (`tag`: the scan with the tag prefix added), previous (client) tag,
    serial number and MAC address, in that order; the first that finds anything decides."""
    found = find_by_tag(session, client_id, tag or text)
    if found is None and tag and normalise_tag(tag) != normalise_tag(text):
        found = find_by_tag(session, client_id, text)
    if found is not None:
        return ScanMatch("tag", [found])
    previous = find_by_previous_tag(session, client_id, text)
    if previous:
        return ScanMatch("previous_tag", previous)
    serial = normalise_serial(text)
    if serial:
        by_serial = _live(session, client_id, Asset.serial, serial)
        if by_serial:
            return ScanMatch("serial", by_serial)
    try:
        mac = normalise_mac(text)
    except ValueError:
        mac = ""
    if mac:
        by_mac = _live(session, client_id, Asset.mac_address, mac)
        if by_mac:
            return ScanMatch("mac", by_mac)
    return ScanMatch("")


def has_closeout_tag(session: Session, asset: Asset) -> bool:
    """Whether the asset carries a tag of the client's Closeout scheme (not only the client's own old tag)."""
    client = session.get(Client, asset.client_id)
    return client is None or tag_problem(asset.asset_tag, client.tag_prefix, client.tag_digits) is None


# -- verifying ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verification:
    asset_id: str
    tag: str
    #: Where the asset was listed before this verification moved it ("" when it was already there).
    moved_from: str
    #: The old values of every field written, for `undo_verification`.
    before: dict[str, Any]
    state: AuditState


def _writable(session: Session, asset_id: str) -> Asset:
    asset = get_asset(session, asset_id)
    ensure_open(get_project(session, asset.project_id))
    return asset


def _write(session: Session, asset: Asset, values: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """Journal the values; returns the old values of what changed."""
    old = {name: getattr(asset, name) for name in values}
    changed = record_update(session, asset, values, actor)
    if {"site_id", "location_id"} & set(changed):
        index_assets(session, [asset])  # the place is part of the search document
    return {name: old[name] for name in changed}


def verify_asset(session: Session, asset_id: str, *, room: Room | None, actor: str) -> Verification:
    """Seen on site now, by `actor`, in `room` (or where it is listed). An asset listed elsewhere is moved to the
    room; its old place stays in the journal and in `moved_from`."""
    asset = _writable(session, asset_id)
    if room is not None and room.site_id != asset.site_id:
        site = session.get(Site, room.site_id)
        if site is None or site.client_id != asset.client_id:
            raise ValidationError({"location_id": "That room is not at one of this asset's client's sites."})
    values: dict[str, Any] = {"seen_at": utcnow(), "seen_by": actor, "audit_mark": "", "audit_reason": ""}
    moved_from = ""
    if room is None:
        values.update(seen_site_id=asset.site_id, seen_location_id=asset.location_id)
    else:
        values.update(seen_site_id=room.site_id, seen_location_id=room.location_id)
        moves = room.site_id != asset.site_id or (room.location_id and room.location_id != asset.location_id)
        if moves:
            if asset.site_id or asset.location_id:
                moved_from = place_name(session, asset.site_id, asset.location_id)
            values.update(site_id=room.site_id, location_id=room.location_id)
    before = _write(session, asset, values, actor)
    return Verification(asset.id, asset.asset_tag, moved_from, before, audit_state(asset))


def undo_verification(session: Session, asset_id: str, before: Mapping[str, Any], *, actor: str) -> None:
    """Write the values a verification (or a tag assignment) replaced back, as a journaled change."""
    asset = _writable(session, asset_id)
    values = dict(before)
    if "asset_tag" in values and values["asset_tag"] != asset.asset_tag:
        other = find_by_tag(session, asset.client_id, values["asset_tag"])
        if other is not None and other.id != asset.id:
            raise ValidationError({"asset_tag": f"Tag {values['asset_tag']} is now on another asset."})
    record_update(session, asset, values, actor)
    refresh_attention(session, asset.client_id, [asset])  # "awaiting its label" again, when the tag went back
    index_assets(session, [asset])


def assign_next_tag(session: Session, asset_id: str, *, actor: str, tag: str = "") -> dict[str, Any]:
    """Give an asset that carries only the client's old tag (or none) a Closeout tag: `tag` as scanned from a
    pre-printed label (checked as any tag typed in: the client's form, on no other asset), else the client's next
    one. Its old tag is kept as the previous tag; the "awaiting its label" flag goes. Returns the old values (for
    `undo_verification`)."""
    asset = _writable(session, asset_id)
    values: dict[str, Any] = {"asset_tag": tag or suggest_next_tag(session, asset.client_id)}
    if not asset.previous_tag and asset.asset_tag:
        values["previous_tag"] = asset.asset_tag
    if tag:
        before = {name: getattr(asset, name) for name in values}
        update_asset(session, asset_id, values, actor=actor, allow_incomplete=True)
        return {name: value for name, value in before.items() if getattr(asset, name) != value}
    before = _write(session, asset, values, actor)
    refresh_attention(session, asset.client_id, [asset])
    index_assets(session, [asset])
    return before


# -- marking -----------------------------------------------------------------------------------------------------
def parse_reason(raw: str) -> str:
    """A missing reason as stored: "disposed", "off_site" or "not_found" (also "off site", "Not found")."""
    key = raw.strip().lower().replace("-", "_").replace(" ", "_")
    if key in MISSING_REASONS:
        return key
    words = ", ".join(label.lower() for label in MISSING_REASONS.values())
    raise ValidationError({"audit_reason": f"“{raw.strip()}” is not a reason; use one of: {words}."})


def mark_assets(
    session: Session, asset_ids: Sequence[str], state: AuditState, *, reason: str = "", actor: str
) -> dict[str, dict[str, Any]]:
    """Mark listed assets nobody saw as missing (a reason is required), not in scope, or expected again.

    All or nothing. Returns asset id → the old values (what `undo_verification` writes back)."""
    if state not in _MARKS:
        raise ValidationError({"audit_mark": f"An asset cannot be marked “{state.label}” by hand."})
    if state is AuditState.MISSING:
        reason = parse_reason(reason)
    elif state is AuditState.EXPECTED:
        reason = ""
    before: dict[str, dict[str, Any]] = {}
    for asset_id in asset_ids:
        asset = _writable(session, asset_id)
        current = audit_state(asset)
        if current is AuditState.FOUND:
            raise ValidationError({"audit_mark": f"{asset.asset_tag} is not on the client's list; only a listed "
                                                 "asset can be marked missing or not in scope."})  # fmt: skip
        if current is AuditState.SEEN:
            raise ValidationError(
                {"audit_mark": f"{asset.asset_tag} was seen on site; only an unseen listed asset can be marked."}
            )
        old = _write(session, asset, {"audit_mark": _MARKS[state], "audit_reason": reason.strip()[:200]}, actor)
        if old:
            before[asset.id] = old
    return before


def mark_listed(session: Session, asset_ids: Sequence[str], *, actor: str) -> int:
    """The assets are on the client's own list (an import matched them): the audit expects to see them."""
    count = 0
    for asset_id in asset_ids:
        asset = get_asset(session, asset_id)
        if not asset.listed:
            record_update(session, asset, {"listed": True}, actor)
            count += 1
    return count


def seen_place(session: Session, asset: Asset) -> str:
    """Where the asset was last seen, in words ("" when never)."""
    if asset.seen_at is None:
        return ""
    return place_name(session, asset.seen_site_id, asset.seen_location_id)
