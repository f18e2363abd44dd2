"""What the labels say, read through app/: the tags to print (assets, a range, a file), room labels, and the MSP's
details."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit import find_room
from app.db import meta_value
from app.errors import CloseoutError
from app.projects import find_project
from app.room_labels import room_labels
from app.validation import normalise_tag
from exporters.label_layout import LabelContent
from exporters.pdf_data import DEFAULT_MSP_NAME
from models import Asset, Client

#: Workspace settings printed on every label (the MSP's name is the one the PDFs print).
MSP_NAME_KEY = "msp_name"
SUPPORT_PHONE_KEY = "support_phone"
MAX_LABELS = 5000
_RANGE = re.compile(r"^(?P<a>.*?)(?P<n>\d+)\.\.(?P<b>.*?)(?P<m>\d+)$")


def tag_range(text: str) -> list[str]:
    """The tags of "ACME-0001..ACME-0100" (the same prefix and width at both ends) in order."""
    found = _RANGE.match(normalise_tag(text))
    if found is None or found["a"] != found["b"] or len(found["n"]) != len(found["m"]):
        raise CloseoutError(f"“{text}” is not a range of tags; write it like ACME-0001..ACME-0100.")
    first, last, width = int(found["n"]), int(found["m"]), len(found["n"])
    if last < first or last - first >= MAX_LABELS:
        raise CloseoutError(f"A range holds 1 to {MAX_LABELS} tags, the first one before the last.")
    return [f"{found['a']}{n:0{width}d}" for n in range(first, last + 1)]


def tags_from_file(path: Path) -> list[str]:
    """One tag per line (blank lines and lines starting with # are skipped), as a selection was saved."""
    try:
        lines = path.expanduser().read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CloseoutError(f"The selection file {path} cannot be read ({exc}).") from None
    tags = [normalise_tag(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not tags:
        raise CloseoutError(f"The selection file {path} holds no tags (one per line).")
    return tags


def msp_details(session: Session) -> tuple[str, str]:
    return meta_value(session, MSP_NAME_KEY, DEFAULT_MSP_NAME), meta_value(session, SUPPORT_PHONE_KEY)


def contents_for_tags(session: Session, client_name: str, tags: Sequence[str]) -> list[LabelContent]:
    msp, phone = msp_details(session)
    return [LabelContent(tag, client_name, msp, phone) for tag in tags]


def contents_for_project(session: Session, project_ref: str | None, tags: Sequence[str]) -> list[LabelContent]:
    """Labels of `tags` for the project's client (a tag need not belong to an asset yet: runs are printed first)."""
    project = find_project(session, project_ref)
    client = session.get(Client, project.client_id)
    return contents_for_tags(session, client.name if client else "", tags)


def contents_for_assets(session: Session, asset_ids: Sequence[str]) -> list[LabelContent]:
    """Labels of the given assets, in the order given; deleted or unknown ids are skipped."""
    msp, phone = msp_details(session)
    rows = session.execute(
        select(Asset.id, Asset.asset_tag, Client.name)
        .join(Client, Client.id == Asset.client_id)
        .where(Asset.id.in_(list(asset_ids)), Asset.deleted_at.is_(None))
    ).all()
    by_id = {row[0]: LabelContent(row[1], row[2], msp, phone) for row in rows}
    return [by_id[i] for i in asset_ids if i in by_id]


def contents_for_rooms(
    session: Session, project_ref: str | None, site_id: str | None = None, location_id: str | None = None
) -> list[LabelContent]:
    """Room labels of a place and the places inside it (every place of the project's client when none is given):
    the room's name printed large, where it is below, the code a scan of it sets the room with."""
    project = find_project(session, project_ref)
    labels = room_labels(session, project.client_id, site_id, location_id)
    if not labels:
        raise CloseoutError("This client has no sites or locations yet; add them in the navigator, then print.")
    msp, phone = msp_details(session)
    return [LabelContent(label.code, label.where, msp, phone, title=label.name) for label in labels]


def rooms_of_place(session: Session, project_ref: str | None, place: str) -> list[LabelContent]:
    """Room labels of a place named as people name it ("Main Clinic", "Main Clinic / Floor 1"); "" for all."""
    if not place.strip():
        return contents_for_rooms(session, project_ref)
    project = find_project(session, project_ref)
    room = find_room(session, project.client_id, place)
    return contents_for_rooms(session, project.id, room.site_id, room.location_id)
