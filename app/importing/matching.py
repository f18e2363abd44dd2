"""Which asset a row of the client's list is about: by Closeout id, tag, previous tag, serial or MAC; rows that
are about no asset get the client's next tag."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.importing.client_tags import ClientTags
from app.importing.mapping import ID_TARGET
from app.importing.plan import ImportPlan
from app.importing.results import RowResult, RowStatus
from app.validation import normalise_mac, normalise_serial, normalise_tag


def match_row(plan: ImportPlan, result: RowResult, raw: dict[str, Any], seen: dict[str, dict[str, int]]) -> None:
    """Find the asset a row is about: by Closeout id, else by tag (or previous tag), else by serial (only one asset
    may have it). A new row without a tag gets the client's next tag; so does every new row when the client's tags
    are kept as previous tags, unless the tag is given on site (LATER): the client's tag stands in until then."""
    tag = normalise_tag(str(raw.get("asset_tag") or ""))
    serial = normalise_serial(str(raw.get("serial") or ""))
    previous = plan.client_tags is not None and plan.client_tags.as_previous
    later = plan.client_tags == ClientTags.LATER
    if previous:
        raw.pop("asset_tag", None)
        if tag:
            raw["previous_tag"] = tag
    result.tag = tag
    problems = len(result.reasons)
    asset_id: str | None = None
    row_id = str(raw.pop(ID_TARGET, "") or "").strip()
    by_tag = plan.by_previous if previous else plan.by_tag
    if row_id and row_id in plan.by_id:
        asset_id, result.matched_by = row_id, "id"
    elif tag and tag in by_tag:
        asset_id, result.matched_by = by_tag[tag], "tag"
    elif serial and serial in plan.by_serial:
        owners = plan.by_serial[serial]
        if len(owners) > 1:
            tags = ", ".join(sorted(plan.by_id[i][1] for i in owners)[:4])
            result.reasons.append(f"Serial {serial} is on several assets ({tags}); add the asset tag to say which.")
        else:
            asset_id, result.matched_by, result.serial = owners[0], "serial", serial
    elif not tag and not serial and _mac(raw) in plan.by_mac:  # a scan's host, known by its network card
        asset_id, result.matched_by = plan.by_mac[_mac(raw)], "mac"
    if asset_id is not None:
        project, own_tag = plan.by_id[asset_id]
        if project != plan.project.id:
            result.reasons.append(f"Asset {own_tag} belongs to another project; import it into that project.")
        elif tag and not previous and plan.by_tag.get(tag, asset_id) != asset_id:
            result.reasons.append(f"Tag {tag} is already on another asset.")
        elif asset_id in seen["ids"]:
            result.reasons.append(f"Asset {own_tag} is also on row {seen['ids'][asset_id]}; keep one of the two rows.")
        else:
            seen["ids"][asset_id] = result.row_number
        result.asset_id = asset_id
        result.tag = own_tag
    for kind, value, words in (("tags", tag, f"Tag {tag}"), ("serials", serial, f"Serial {serial}")):
        if value and value in seen[kind] and len(result.reasons) == problems:
            result.reasons.append(f"{words} is also on row {seen[kind][value]}; keep one of the two rows.")
        if value:
            seen[kind].setdefault(value, result.row_number)
    if later and tag and asset_id is None and tag in plan.by_tag and len(result.reasons) == problems:
        result.reasons.append(f"Tag {tag} is already on another asset; it cannot stand in until the label is stuck.")
    if len(result.reasons) > problems:
        result.status = RowStatus.REJECTED
    elif asset_id is None and later and tag:
        raw["asset_tag"] = tag  # awaiting its Closeout label: app.assets flags it until it is given a tag
        plan.given_tags.add(tag)
    elif asset_id is None and (previous or not tag):
        result.tag = plan.tags.next(plan.given_tags)  # in file order, after the client's highest tag
        plan.given_tags.add(result.tag)
        raw["asset_tag"] = result.tag


def _mac(raw: Mapping[str, Any]) -> str:
    try:
        return normalise_mac(str(raw.get("mac_address") or ""))
    except ValueError:
        return ""
