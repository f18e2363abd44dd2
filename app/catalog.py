"""Asset categories and their configuration fields, with the defaults every new workspace gets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.db import lowered
from app.errors import NotFoundError, ValidationError
from app.journal import record_create
from app.validation import LONG_TEXT_LIMIT, parse_bool, parse_date, parse_number, printable
from models import Category, FieldDefinition, FieldType
from models.ids import looks_like_id


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    help_text: str = ""


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    icon: str
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)


T, N, D, C, B = FieldType.TEXT, FieldType.NUMBER, FieldType.DATE, FieldType.CHOICE, FieldType.YES_NO

DEFAULT_CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "server",
        "Server",
        "server",
        (
            FieldSpec("role", "Role", T, True, help_text="What it does, e.g. domain controller, file server."),
            FieldSpec("form_factor", "Form factor", C, False, ("Rack", "Tower", "Blade")),
            FieldSpec("rack_units", "Rack units", N),
            FieldSpec("cpu", "CPU", T),
            FieldSpec("ram_gb", "RAM (GB)", N),
            FieldSpec("storage", "Storage", T),
            FieldSpec("raid_level", "RAID level", C, False, ("None", "RAID 1", "RAID 5", "RAID 6", "RAID 10")),
            FieldSpec("oob_ip", "iDRAC/iLO address", T),
            FieldSpec("backed_up", "Backed up", B, True),
        ),
    ),
    CategorySpec(
        "virtual_machine",
        "Virtual machine",
        "vm",
        (
            FieldSpec("role", "Role", T, True),
            FieldSpec("host", "Host", T),
            FieldSpec("vcpus", "vCPUs", N),
            FieldSpec("ram_gb", "RAM (GB)", N),
            FieldSpec("backed_up", "Backed up", B, True),
        ),
    ),
    CategorySpec(
        "workstation",
        "Workstation",
        "desktop",
        (
            FieldSpec("cpu", "CPU", T),
            FieldSpec("ram_gb", "RAM (GB)", N),
            FieldSpec("disk_encrypted", "Disk encrypted", B, True),
            FieldSpec("av_installed", "Endpoint agent installed", B),
        ),
    ),
    CategorySpec(
        "laptop",
        "Laptop",
        "laptop",
        (
            FieldSpec("cpu", "CPU", T),
            FieldSpec("ram_gb", "RAM (GB)", N),
            FieldSpec("disk_encrypted", "Disk encrypted", B, True),
            FieldSpec("av_installed", "Endpoint agent installed", B),
            FieldSpec("dock", "Docking station", T),
        ),
    ),
    CategorySpec(
        "switch",
        "Network switch",
        "switch",
        (
            FieldSpec("ports", "Ports", N, True),
            FieldSpec("poe", "PoE", B),
            FieldSpec("firmware", "Firmware", T),
            FieldSpec("mgmt_vlan", "Management VLAN", N),
            FieldSpec("uplinks", "Uplinks", T),
            FieldSpec("stack_member", "Stack member", N),
        ),
    ),
    CategorySpec(
        "firewall",
        "Firewall / router",
        "firewall",
        (
            FieldSpec("firmware", "Firmware", T, True),
            FieldSpec("wan_ip", "WAN address", T),
            FieldSpec("ha_pair", "HA pair", B),
            FieldSpec("license_expiry", "Licence expiry", D),
            FieldSpec("vpn", "Site-to-site VPN", T),
        ),
    ),
    CategorySpec(
        "access_point",
        "Wireless access point",
        "wifi",
        (
            FieldSpec("controller", "Controller", T),
            FieldSpec("ssids", "SSIDs", T),
            FieldSpec("mount", "Mount", C, False, ("Ceiling", "Wall", "Desk")),
        ),
    ),
    CategorySpec(
        "storage",
        "Storage / NAS",
        "storage",
        (
            FieldSpec("raw_tb", "Raw capacity (TB)", N, True),
            FieldSpec("raid_level", "RAID level", C, False, ("RAID 1", "RAID 5", "RAID 6", "RAID 10", "SHR")),
            FieldSpec("rack_units", "Rack units", N),
        ),
    ),
    CategorySpec(
        "ups",
        "UPS",
        "ups",
        (
            FieldSpec("capacity_va", "Capacity (VA)", N, True),
            FieldSpec("runtime_min", "Runtime at load (min)", N),
            FieldSpec("battery_date", "Battery installed", D),
            FieldSpec("network_card", "Network card", B),
        ),
    ),
    CategorySpec(
        "printer",
        "Printer / MFP",
        "printer",
        (
            FieldSpec("printer_type", "Type", C, True, ("Laser", "Inkjet", "Multifunction", "Label", "Plotter")),
            FieldSpec("colour", "Colour", B),
            FieldSpec("toner", "Toner / ink", T),
            FieldSpec("scan_to", "Scan to", T),
        ),
    ),
    CategorySpec(
        "phone",
        "Desk phone",
        "phone",
        (
            FieldSpec("extension", "Extension", T, True),
            FieldSpec("phone_system", "Phone system", T),
        ),
    ),
    CategorySpec(
        "mobile",
        "Mobile device",
        "mobile",
        (
            FieldSpec("imei", "IMEI", T),
            FieldSpec("phone_number", "Phone number", T),
            FieldSpec("mdm_enrolled", "MDM enrolled", B, True),
        ),
    ),
    CategorySpec("monitor", "Monitor", "monitor", (FieldSpec("size_in", "Size (in)", N),)),
    CategorySpec("other", "Other", "other", ()),
)


def ensure_default_categories(session: Session, actor: str = "system") -> list[Category]:
    """Create the default categories that this workspace does not have yet (matched by code)."""
    existing = {c.code for c in session.scalars(select(Category))}
    created: list[Category] = []
    for position, spec in enumerate(DEFAULT_CATEGORIES):
        if spec.code in existing:
            continue
        created.append(create_category(session, spec, actor=actor, position=position, stable_ids=True))
    return created


# Default categories get the same ids on every device, so that two technicians who each start a workspace offline
# sync one "Server" category, not two. Categories made by users get fresh UUIDv7 ids.
DEFAULT_CATEGORY_NAMESPACE = uuid.UUID("5d1b3c8e-7f0a-4c36-9a55-0c1053c0de00")


def default_category_id(code: str, field_key: str | None = None) -> str:
    name = f"category:{code}" if field_key is None else f"field:{code}:{field_key}"
    return str(uuid.uuid5(DEFAULT_CATEGORY_NAMESPACE, name))


def create_category(
    session: Session, spec: CategorySpec, *, actor: str, position: int = 0, stable_ids: bool = False
) -> Category:
    """Create a category and its configuration fields; `stable_ids` gives the shared ids of a default category."""
    category = Category(code=spec.code, name=spec.name, icon=spec.icon, position=position)
    if stable_ids:
        category.id = default_category_id(spec.code)
    record_create(session, category, actor)
    for index, f in enumerate(spec.fields):
        definition = FieldDefinition(
            **({"id": default_category_id(spec.code, f.key)} if stable_ids else {}),
            category_id=category.id,
            key=f.key,
            label=f.label,
            type=f.type,
            required=f.required,
            choices=list(f.choices),
            position=index,
            help_text=f.help_text,
        )
        record_create(session, definition, actor)
    return category


def list_categories(session: Session) -> list[Category]:
    return list(
        session.scalars(
            select(Category).where(Category.deleted_at.is_(None)).order_by(Category.position, Category.name)
        )
    )


def field_definitions(session: Session, category_id: str | None) -> list[FieldDefinition]:
    if not category_id:
        return []
    cache: dict[str, list[FieldDefinition]] = session.info.setdefault("field_defs", {})
    if category_id not in cache:
        cache[category_id] = list(
            session.scalars(
                select(FieldDefinition)
                .where(FieldDefinition.category_id == category_id, FieldDefinition.deleted_at.is_(None))
                .order_by(FieldDefinition.position)
            )
        )
    return cache[category_id]


def find_category(session: Session, ref: str) -> Category:
    """A category by id, code or name (case-insensitive)."""
    if looks_like_id(ref):
        by_id = session.get(Category, ref)
        if by_id is not None and by_id.deleted_at is None:
            return by_id
    wanted = ref.strip().lower()
    found = session.scalars(
        select(Category)
        .where(
            Category.deleted_at.is_(None),
            or_(lowered(Category.code) == wanted, lowered(Category.name) == wanted),
        )
        .limit(1)
    ).first()
    if found is None:
        names = ", ".join(c.code for c in list_categories(session))
        raise NotFoundError(f"There is no category “{ref}”. Categories: {names}.")
    return found


def coerce_custom_value(definition: FieldDefinition, raw: Any) -> Any:
    """A custom field value in its stored form (numbers as numbers, dates as ISO text, choices as defined)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        if definition.type == FieldType.NUMBER:
            return parse_number(raw)
        if definition.type == FieldType.DATE:
            parsed = parse_date(raw)
            return parsed.isoformat() if parsed else None
        if definition.type == FieldType.YES_NO:
            return parse_bool(raw)
        if definition.type == FieldType.CHOICE:
            text = str(raw).strip()
            for choice in definition.choices:
                if choice.lower() == text.lower():
                    return choice
            raise ValueError(f"“{text}” is not one of: {', '.join(definition.choices)}.")
    except ValueError as exc:
        raise ValidationError({f"custom.{definition.key}": f"{definition.label}: {exc}"}) from None
    text = printable(str(raw)).strip()
    if len(text) > LONG_TEXT_LIMIT:
        raise ValidationError(
            {f"custom.{definition.key}": f"{definition.label} has at most {LONG_TEXT_LIMIT:,} characters."}
        )
    return text


def missing_required(definitions: Sequence[FieldDefinition], values: dict[str, Any]) -> list[FieldDefinition]:
    return [d for d in definitions if d.required and values.get(d.key) in (None, "")]
