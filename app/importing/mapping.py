"""Which asset field each column of a client's list holds: import targets, header synonyms, saved profiles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import ASSET_FIELDS, FIELD_ALIASES
from app.errors import ValidationError
from app.importing.cells import squash
from app.importing.presets import detect_preset, preset_mapping
from app.inventory_export import ID_LABEL, column_keys_by_label
from app.journal import CUSTOM_PREFIX, record_create, record_update
from models import FieldDefinition, FieldType, ImportProfile

#: The target of the column that holds Closeout's own record id (written by the export).
ID_TARGET = "id"
IGNORE = ""

#: Header words people use for each field, compared without case, spaces or punctuation ("Tag #" = "tag").
SYNONYMS: dict[str, tuple[str, ...]] = {
    "asset_tag": (
        "assettag", "tag", "tagno", "tagnumber", "tagid", "assetno", "assetnumber", "assetid", "inventorytag",
        "inventorynumber", "inventoryno", "barcode", "propertytag", "assettagnumber", "label", "inventarnummer",
        "inventarnr",
    ),
    "serial": ("serial", "serialnumber", "serialno", "sn", "servicetag", "serialnr", "snr"),
    "manufacturer": ("manufacturer", "make", "vendor", "brand", "mfr", "mfg", "oem"),
    "model": ("model", "modelname", "product", "productname"),
    "model_number": ("modelnumber", "modelno", "partnumber", "partno", "productnumber", "productno", "sku", "mtm"),
    "purchase_cost": ("purchasecost", "cost", "price", "purchaseprice", "value", "amount", "unitprice", "netprice"),
    "currency": ("currency", "curr", "ccy"),
    "supplier": ("supplier", "reseller", "purchasedfrom", "vendorname", "distributor", "seller"),
    "order_number": ("ordernumber", "orderno", "po", "ponumber", "purchaseorder", "order", "invoice", "invoiceno"),
    "previous_tag": ("previoustag", "oldtag", "oldassettag", "legacytag", "formertag"),
    "hostname": (
        "hostname", "host", "computername", "devicename", "machinename", "fqdn", "dnsname", "netbiosname",
        "computer", "systemname",
    ),
    "ip_address": ("ip", "ipaddress", "ipv4", "ipv4address", "ipaddr", "managementip", "ipv6"),
    "mac_address": ("mac", "macaddress", "physicaladdress", "ethernetaddress", "macaddr", "hardwareaddress"),
    "os": ("os", "operatingsystem", "osversion", "osname", "platform", "firmwareos"),
    "site_id": ("site", "sitename", "office", "branch", "campus", "facility"),
    "location_id": ("location", "room", "locationpath", "area", "position", "rack"),
    "assigned_user": (
        "user", "assigneduser", "assignedto", "owner", "employee", "username", "primaryuser", "custodian", "usedby",
    ),
    "department": ("department", "dept", "team", "division", "costcenter", "costcentre"),
    "status": ("status", "state", "lifecycle", "lifecyclestatus", "condition"),
    "category_id": ("category", "type", "assettype", "devicetype", "class", "kind", "equipmenttype", "assetclass"),
    "managed": ("managed", "managedbyus", "inscope", "monitored"),
    "critical": ("critical", "businesscritical", "priority"),
    "purchase_date": ("purchasedate", "purchased", "dateofpurchase", "acquired", "acquisitiondate", "bought"),
    "warranty_end": (
        "warranty", "warrantyend", "warrantyexpiry", "warrantyexpiration", "warrantyenddate", "warrantyexpires",
        "warrantyuntil", "endofwarranty", "warrantymonths", "warrantyperiod", "warrantyterm", "warrantyyears",
    ),
    "notes": ("notes", "note", "comments", "comment", "remarks", "description"),
    ID_TARGET: ("closeoutid",),
}  # fmt: skip

#: Fields whose values are identifiers: stored as text, and a number there means Excel changed it.
IDENTIFIER_FIELDS = frozenset(
    {"asset_tag", "previous_tag", "serial", "hostname", "ip_address", "mac_address", "model_number", "order_number"}
)
DATE_FIELDS = frozenset({"purchase_date", "warranty_end"})


@dataclass(frozen=True)
class ImportTarget:
    """A field a column can be imported into: "serial", "custom.rack_units", "id" or "" (ignore)."""

    key: str
    label: str
    kind: FieldType = FieldType.TEXT


def import_targets(session: Session) -> list[ImportTarget]:
    """Every field a column may go to: the asset fields, then each configuration field (one per key)."""
    targets = [ImportTarget(IGNORE, "(do not import)"), ImportTarget(ID_TARGET, ID_LABEL)]
    for key, label in ASSET_FIELDS.items():
        kind = FieldType.DATE if key in DATE_FIELDS else FieldType.NUMBER if key == "purchase_cost" else FieldType.TEXT
        targets.append(ImportTarget(key, label, kind))
    seen: set[str] = set()
    for definition in session.scalars(
        select(FieldDefinition).where(FieldDefinition.deleted_at.is_(None)).order_by(FieldDefinition.label)
    ):
        if definition.key in seen:
            continue
        seen.add(definition.key)
        targets.append(ImportTarget(CUSTOM_PREFIX + definition.key, definition.label, definition.type))
    return targets


def suggest_mapping(
    headers: Sequence[str], targets: Sequence[ImportTarget], exact: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Header → target for every header: exact labels first, then field names and synonyms; each target once.

    `exact` maps the headers of Closeout's own export to their fields, so an edited export maps back exactly.
    """
    words: dict[str, str] = {}
    for target in targets:  # labels of configuration fields and their keys ("Rack units", "rack_units")
        if target.key.startswith(CUSTOM_PREFIX):
            words.setdefault(squash(target.label), target.key)
            words.setdefault(squash(target.key[len(CUSTOM_PREFIX) :]), target.key)
    for alias, key in FIELD_ALIASES.items():
        words[squash(alias)] = key
    for key, synonyms in SYNONYMS.items():
        for word in synonyms:
            words[word] = key
    for key, label in ASSET_FIELDS.items():  # our own export's labels win over everything
        words[squash(label)] = key
        words[squash(key)] = key
    words[squash(ID_LABEL)] = ID_TARGET
    known = {t.key for t in targets}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    exact = exact or {}
    for header in headers:
        key = exact.get(header) or words.get(squash(header), IGNORE)
        if key in used or key not in known:
            key = IGNORE
        mapping[header] = key
        if key:
            used.add(key)
    return mapping


def suggest_for(session: Session, headers: Sequence[str]) -> dict[str, str]:
    """The mapping to propose for a file: a saved profile that fits, else suggestions from the header names."""
    targets = import_targets(session)
    exact = column_keys_by_label(session) if ID_LABEL in headers else None
    suggested = suggest_mapping(headers, targets, exact)
    preset = detect_preset(headers) if exact is None else None
    if preset is not None:  # the tool's own columns first; the generic synonyms keep the rest
        suggested = apply_profile(headers, preset_mapping(preset, headers, {t.key for t in targets}), suggested)
    profile = best_profile(session, headers)
    return apply_profile(headers, profile.mapping, suggested) if profile else suggested


def check_mapping(mapping: Mapping[str, str]) -> None:
    """Refuse a mapping that sends two columns to one field or has nothing to match assets on."""
    errors: dict[str, str] = {}
    seen: dict[str, str] = {}
    for header, key in mapping.items():
        if not key:
            continue
        if key in seen:
            errors[header] = f"Columns “{seen[key]}” and “{header}” both go to the same field; keep one."
        seen[key] = header
    if not {"asset_tag", "serial", ID_TARGET, "mac_address"} & set(seen):
        errors["asset_tag"] = (
            "Choose the column that holds the asset tag (or the serial number, or the MAC address) to match assets on."
        )
    if errors:
        raise ValidationError(errors)


def list_profiles(session: Session) -> list[ImportProfile]:
    return list(
        session.scalars(select(ImportProfile).where(ImportProfile.deleted_at.is_(None)).order_by(ImportProfile.name))
    )


def save_profile(
    session: Session,
    *,
    name: str,
    mapping: Mapping[str, str],
    actor: str,
    client_id: str | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    client_tags: str | None = None,
) -> ImportProfile:
    """Save a column mapping under a name (replacing the one of that name), journaled so that it syncs.

    With `client_id`, the client's value mapping (field → value → target) and tag choice are kept with it, beside
    those of other clients.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the mapping a name, e.g. the client's or the tool's that made the list."})
    clean = {str(k): str(v) for k, v in mapping.items() if v}
    existing = next((p for p in list_profiles(session) if p.name.lower() == name.lower()), None)
    choices: dict[str, Any] = dict(existing.choices or {}) if existing is not None else {}
    if client_id is not None:
        mine = dict(choices.get(client_id) or {})
        if values is not None:
            mine["values"] = {f: dict(v) for f, v in values.items()}
        if client_tags is not None:
            mine["client_tags"] = client_tags
        choices[client_id] = mine
    if existing is not None:
        record_update(session, existing, {"mapping": clean, "choices": choices}, actor)
        return existing
    profile = ImportProfile(name=name, mapping=clean, choices=choices)
    record_create(session, profile, actor)
    return profile


def client_choices(profile: ImportProfile | None, client_id: str) -> tuple[dict[str, dict[str, str]], str | None]:
    """What a profile remembers for a client: its value mapping (field → value → target) and its tag choice."""
    mine = ((profile.choices or {}).get(client_id) or {}) if profile is not None else {}
    return dict(mine.get("values") or {}), mine.get("client_tags")


def best_profile(session: Session, headers: Sequence[str]) -> ImportProfile | None:
    """The saved profile that knows most of these headers (at least half of its own columns present)."""
    present = {squash(h) for h in headers}
    best: tuple[int, ImportProfile] | None = None
    for profile in list_profiles(session):
        known = [h for h in profile.mapping if squash(h) in present]
        if not known or len(known) * 2 < len(profile.mapping):
            continue
        if best is None or len(known) > best[0]:
            best = (len(known), profile)
    return best[1] if best else None


def apply_profile(
    headers: Sequence[str], profile_mapping: Mapping[str, str], suggested: Mapping[str, str]
) -> dict[str, str]:
    """The suggested mapping overridden by what a profile says about the same headers."""
    by_word = {squash(h): v for h, v in profile_mapping.items()}
    mapping = dict(suggested)
    from_profile = {h for h in headers if squash(h) in by_word}
    for header in from_profile:
        mapping[header] = by_word[squash(header)]
    taken = {mapping[h] for h in from_profile if mapping[h]}
    for header in headers:  # a suggestion for a field the profile gives to another column loses
        if header not in from_profile and mapping.get(header) in taken:
            mapping[header] = IGNORE
    return mapping
