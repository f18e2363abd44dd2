"""What the audit screens read and write, composed only from app/ services (no SQL here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.assets import find_by_previous_tag, get_asset, label_pending, suggest_next_tag
from app.audit import (
    Room,
    Verification,
    assign_next_tag,
    audit_state,
    find_room,
    has_closeout_tag,
    mark_assets,
    match_scan,
    place_name,
    room_at,
    undo_verification,
    verify_asset,
)
from app.audit_report import Reconciliation, reconcile, unseen_assets
from app.db import Workspace
from app.projects import list_locations, list_sites
from models import AuditState


@dataclass(frozen=True)
class Candidate:
    """An asset a scan found, as a line of the candidates list."""

    id: str
    tag: str
    description: str
    place: str
    state: AuditState

    @property
    def text(self) -> str:
        what = f"  ·  {self.description}" if self.description else ""
        return f"{self.tag}{what}  ·  {self.place}  ·  {self.state.label}"


@dataclass(frozen=True)
class Match:
    how: str  # "tag", "previous_tag", "serial", "mac" or "" (nothing)
    candidates: list[Candidate]
    #: The one asset found carries only the client's old tag (or a serial): it is offered the next Closeout tag.
    untagged: bool = False

    @property
    def words(self) -> str:
        return {"previous_tag": "previous tag", "mac": "MAC address", "serial": "serial number"}.get(self.how, "")


def _candidate(session: Any, asset: Any) -> Candidate:
    description = " ".join(filter(None, (asset.manufacturer, asset.model)))
    place = place_name(session, asset.site_id, asset.location_id)
    return Candidate(asset.id, asset.asset_tag, description, place, audit_state(asset))


def match(ws: Workspace, client_id: str, text: str, tag: str) -> Match:
    with ws.session() as session:
        found = match_scan(session, client_id, text, tag)
        candidates = [_candidate(session, a) for a in found.assets]
        # One asset, found by its old tag or serial, or imported with its tag "given on site" (label-pending).
        one = found.assets[0] if len(found.assets) == 1 else None
        untagged = one is not None and (
            label_pending(one.asset_tag, one.previous_tag)
            or (found.how != "tag" and not has_closeout_tag(session, one))
        )
        return Match(found.how, candidates, untagged)


def is_previous_tag(ws: Workspace, client_id: str, text: str) -> bool:
    with ws.session() as session:
        return bool(find_by_previous_tag(session, client_id, text))


def verify(ws: Workspace, asset_id: str, room: Room | None, actor: str) -> Verification:
    with ws.transaction() as session:
        return verify_asset(session, asset_id, room=room, actor=actor)


def undo(ws: Workspace, asset_id: str, before: dict[str, Any], actor: str) -> None:
    with ws.transaction() as session:
        undo_verification(session, asset_id, before, actor=actor)


def next_tag(ws: Workspace, client_id: str) -> str:
    with ws.session() as session:
        return suggest_next_tag(session, client_id)


def give_next_tag(ws: Workspace, asset_id: str, actor: str, tag: str = "") -> tuple[str, dict[str, Any]]:
    """A Closeout tag (`tag` as scanned from a label, else the next) for an asset found by its old tag or serial;
    returns the tag and the old values."""
    with ws.transaction() as session:
        before = assign_next_tag(session, asset_id, actor=actor, tag=tag)
        return get_asset(session, asset_id).asset_tag, before


def room_from_scan(ws: Workspace, client_id: str, text: str) -> Room:
    with ws.session() as session:
        return find_room(session, client_id, text)


def room(ws: Workspace, client_id: str, site_id: str, location_id: str | None) -> Room:
    with ws.session() as session:
        return room_at(session, client_id, site_id, location_id)


def places(ws: Workspace, client_id: str) -> list[Room]:
    """Every site of the client and every location in it, as rooms to choose from."""
    with ws.session() as session:
        rooms: list[Room] = []
        for site in list_sites(session, client_id):
            rooms.append(Room(site.id, None, site.name))
            rooms.extend(Room(site.id, loc.id, f"{site.name} / {loc.path}") for loc in list_locations(session, site.id))
        return rooms


def reconciliation(ws: Workspace, project_id: str) -> Reconciliation:
    with ws.session() as session:
        return reconcile(session, project_id)


def to_look_for(ws: Workspace, project_id: str, room: Room | None) -> list[Candidate]:
    """The listed assets not seen yet in the room (in the whole project when no room is set)."""
    with ws.session() as session:
        found = unseen_assets(
            session, project_id, site_id=room.site_id if room else None, location_id=room.location_id if room else None
        )
        return [_candidate(session, a) for a in found]


def mark(ws: Workspace, asset_ids: list[str], state: AuditState, reason: str, actor: str) -> dict[str, dict[str, Any]]:
    with ws.transaction() as session:
        return mark_assets(session, asset_ids, state, reason=reason, actor=actor)


def unmark(ws: Workspace, before: dict[str, dict[str, Any]], actor: str) -> None:
    with ws.transaction() as session:
        for asset_id, values in before.items():
            undo_verification(session, asset_id, values, actor=actor)
