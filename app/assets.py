"""Asset capture: validate and save assets through the journal, find them by tag, suggest the next tag."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import tag_blocks
from app.catalog import coerce_custom_value, field_definitions, find_category, missing_required
from app.errors import AmbiguousError, NotFoundError, ValidationError
from app.journal import CUSTOM_PREFIX, record_create, record_delete, record_restore, record_update
from app.projects import ensure_open, find_location, find_site, get_project
from app.search import index_assets
from app.validation import (
    LONG_TEXT_LIMIT,
    normalise_currency,
    normalise_hostname,
    normalise_ip,
    normalise_mac,
    normalise_serial,
    normalise_tag,
    parse_bool,
    parse_cost,
    parse_date,
    printable,
    tag_problem,
)
from models import ActivationProject, Asset, AssetStatus, Category, Client, Location, Site, utcnow

#: Fields a person may set, with their labels (custom fields come from the category).
ASSET_FIELDS: dict[str, str] = {
    "asset_tag": "Asset tag",
    "category_id": "Category",
    "manufacturer": "Manufacturer",
    "model": "Model",
    "model_number": "Model number",
    "serial": "Serial number",
    "hostname": "Host name",
    "ip_address": "IP address",
    "mac_address": "MAC address",
    "os": "Operating system",
    "site_id": "Site",
    "location_id": "Location",
    "assigned_user": "Assigned user",
    "department": "Department",
    "status": "Status",
    "managed": "Managed by us",
    "critical": "Critical",
    "purchase_date": "Purchase date",
    "warranty_end": "Warranty end",
    "purchase_cost": "Purchase cost",
    "currency": "Currency",
    "supplier": "Supplier",
    "order_number": "Order number",
    "previous_tag": "Previous tag",
    "notes": "Notes",
}

#: Words people (and spreadsheets, and the command line) use for the fields above.
FIELD_ALIASES: dict[str, str] = {
    "tag": "asset_tag",
    "category": "category_id",
    "make": "manufacturer",
    "vendor": "manufacturer",
    "sn": "serial",
    "serial_number": "serial",
    "host": "hostname",
    "ip": "ip_address",
    "mac": "mac_address",
    "site": "site_id",
    "location": "location_id",
    "user": "assigned_user",
    "owner": "assigned_user",
    "warranty": "warranty_end",
    "cost": "purchase_cost",
    "price": "purchase_cost",
    "vendor_order": "order_number",
    "old_tag": "previous_tag",
}

_TEXT_LIMITS = {
    "manufacturer": 120,
    "model": 160,
    "os": 120,
    "assigned_user": 200,
    "department": 120,
    "model_number": 120,
    "supplier": 160,
    "order_number": 120,
}


_TEXT_DEFAULTS = (
    "manufacturer", "model", "serial", "hostname", "ip_address", "mac_address", "os", "assigned_user",
    "department", "notes", "model_number", "supplier", "order_number", "currency", "previous_tag",
)  # fmt: skip


#: The fields whose change can change an asset's "needs attention" flags.
_ATTENTION_INPUTS = frozenset({"asset_tag", "serial", "category_id", "notes", "previous_tag"})
#: The attention reason of an asset whose client's old tag stands in for its Closeout tag (imported with the tag
#: "given on site"): it waits for a label to be stuck and scanned (`give_label_tag`).
LABEL_PENDING = "label-pending"


def label_pending(asset_tag: str, previous_tag: str) -> bool:
    """Whether the asset still carries the client's old tag as its tag, awaiting a Closeout label."""
    return bool(previous_tag) and asset_tag == previous_tag


#: A line of the notes that starts with this flags the asset ("Check Serial number: ..."): an import keeps there
#: what it could not read, and the flag goes when the line does. Derived from the notes, so every replica agrees.
CHECK_LINE = "Check "


def check_flags(notes: str) -> list[str]:
    """The attention flags the notes ask for: "check:Serial number" for each line "Check Serial number: …"."""
    if CHECK_LINE not in notes:
        return []
    flags = []
    for line in notes.splitlines():
        if line.startswith(CHECK_LINE) and ":" in line:
            flags.append("check:" + line[len(CHECK_LINE) : line.index(":")].strip())
    return flags


@dataclass
class SaveResult:
    asset: Asset
    changed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@cache  # asked for every cell of an import; the answer depends on the name only
def canonical_field(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    if key.startswith(CUSTOM_PREFIX):
        return key
    return FIELD_ALIASES.get(key, key)


def parse_status(raw: Any) -> AssetStatus:
    if isinstance(raw, AssetStatus):
        return raw
    text = str(raw).strip().lower().replace(" ", "_").replace("-", "_")
    try:
        return AssetStatus(text)
    except ValueError:
        choices = ", ".join(s.label.lower() for s in AssetStatus)
        raise ValueError(f"“{raw}” is not a status; use one of: {choices}.") from None


def _cached(session: Session, model: type[Any], key: str | None) -> Any:
    if not key:
        return None
    return session.get(model, key)


class References:
    """Turns what people type for category, site and location into ids; memoised, for bulk work."""

    def __init__(self, session: Session, client_id: str) -> None:
        self.session, self.client_id = session, client_id
        self._memo: dict[tuple[str, str, str], Any] = {}

    def _remember(self, key: tuple[str, str, str], find: Any) -> Any:
        if key not in self._memo:
            try:
                self._memo[key] = find()
            except (NotFoundError, AmbiguousError) as exc:
                self._memo[key] = exc
        found = self._memo[key]
        if isinstance(found, Exception):
            raise found
        return found

    def category_id(self, ref: str) -> str:
        return str(self._remember(("category", ref, ""), lambda: find_category(self.session, ref).id))

    def site_id(self, ref: str) -> str:
        return str(self._remember(("site", ref, ""), lambda: find_site(self.session, self.client_id, ref).id))

    def location(self, ref: str, site_ref: str | None) -> Location:
        def find() -> Location:
            site = self.site_id(site_ref) if site_ref else None
            return find_location(self.session, self.client_id, ref, site)

        location: Location = self._remember(("location", ref, site_ref or ""), find)
        return location


def clean_values(
    session: Session,
    client: Client,
    values: Mapping[str, Any],
    category_id: str | None,
    refs: References | None = None,
    *,
    any_tag: bool = False,
) -> dict[str, Any]:
    """Coerce and check the given fields; references (category, site, location) may be names or ids.

    `any_tag` accepts a tag outside the client's prefix (the client's own tag, kept by an import).

    Returns model field → stored value, custom fields as "custom.<key>". Raises ValidationError with
    every problem found, each in the technician's words.
    """
    refs = refs or References(session, client.id)
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    raw_custom: dict[str, Any] = {}
    for name, raw in values.items():
        key = canonical_field(name)
        try:
            if key.startswith(CUSTOM_PREFIX):
                raw_custom[key[len(CUSTOM_PREFIX) :]] = raw
            elif key in _TEXT_LIMITS:  # asked first: most fields of a row are plain text
                text = " ".join(printable(str(raw or "")).split())
                if len(text) > _TEXT_LIMITS[key]:
                    errors[key] = f"{ASSET_FIELDS[key]} has at most {_TEXT_LIMITS[key]} characters."
                cleaned[key] = text
            elif key == "asset_tag":
                tag = normalise_tag(str(raw or ""))
                problem = tag_problem(tag, "" if any_tag else client.tag_prefix, client.tag_digits)
                if problem:
                    errors[key] = problem
                cleaned[key] = tag
            elif key == "category_id":
                cleaned[key] = refs.category_id(str(raw)) if raw not in (None, "") else None
            elif key == "serial":
                cleaned[key] = normalise_serial(str(raw or ""))
            elif key == "hostname":
                cleaned[key] = normalise_hostname(str(raw or ""))
            elif key == "ip_address":
                cleaned[key] = normalise_ip(str(raw or ""))
            elif key == "mac_address":
                cleaned[key] = normalise_mac(str(raw or ""))
            elif key == "site_id":
                cleaned[key] = refs.site_id(str(raw)) if raw not in (None, "") else None
            elif key == "location_id":
                cleaned[key] = None
                if raw not in (None, ""):
                    site_ref = values.get("site_id") or values.get("site")
                    location = refs.location(str(raw), str(site_ref) if site_ref else None)
                    cleaned[key] = location.id
                    cleaned["site_id"] = location.site_id
            elif key == "status":
                cleaned[key] = parse_status(raw)
            elif key in ("managed", "critical"):
                cleaned[key] = parse_bool(raw)
            elif key in ("purchase_date", "warranty_end"):
                cleaned[key] = parse_date(raw)
            elif key == "purchase_cost":
                cleaned[key] = parse_cost(raw)
            elif key == "currency":
                cleaned[key] = normalise_currency(str(raw or ""))
            elif key == "previous_tag":
                cleaned[key] = normalise_tag(str(raw or ""))
            elif key == "notes":
                notes = printable(str(raw or "")).strip()
                if len(notes) > LONG_TEXT_LIMIT:
                    errors[key] = f"Notes have at most {LONG_TEXT_LIMIT:,} characters (this has {len(notes):,})."
                cleaned[key] = notes
            else:
                raw_custom[key] = raw  # a configuration field of the category, named without "custom."
        except (ValueError, NotFoundError, AmbiguousError) as exc:
            errors[key] = f"{ASSET_FIELDS.get(key, name)}: {exc}"
    if raw_custom:
        definitions = {d.key: d for d in field_definitions(session, cleaned.get("category_id", category_id))}
        for key, raw in raw_custom.items():
            definition = definitions.get(key)
            if definition is None:
                errors[f"custom.{key}"] = (
                    f"“{key}” is not an asset field or a field of this category."
                    if definitions
                    else f"“{key}” is not an asset field."
                )
                continue
            try:
                cleaned[f"custom.{key}"] = coerce_custom_value(definition, raw)
            except ValidationError as exc:
                errors.update(exc.errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def find_by_tag(session: Session, client_id: str, tag: str) -> Asset | None:
    """The client's live asset with this tag (as scanned: case and spaces do not matter)."""
    return session.scalars(
        select(Asset)
        .where(Asset.client_id == client_id, Asset.asset_tag == normalise_tag(tag), Asset.deleted_at.is_(None))
        .limit(1)
    ).first()


def find_by_previous_tag(session: Session, client_id: str, tag: str) -> list[Asset]:
    """The client's live assets that carried this tag in the client's own asset system (as scanned)."""
    wanted = normalise_tag(tag)
    if not wanted:
        return []
    # Sorted here, not in SQL: an ORDER BY asset_tag lets SQLite walk the whole client in tag order instead of
    # using the previous-tag index (over 100 ms at 100,000 assets for a scan that finds nothing).
    found = session.scalars(
        select(Asset).where(Asset.client_id == client_id, Asset.previous_tag == wanted, Asset.deleted_at.is_(None))
    )
    return sorted(found, key=lambda a: a.asset_tag)


def find_by_tag_anywhere(session: Session, tag: str, project_id: str | None = None) -> Asset:
    """The live asset with this tag, in `project_id` when given; a tag found only in other projects says where."""
    tag = normalise_tag(tag)
    query = select(Asset).where(Asset.asset_tag == tag, Asset.deleted_at.is_(None))
    if project_id:
        query = query.where(Asset.project_id == project_id)
    found = list(session.scalars(query.limit(2)))
    if not found and project_id:
        elsewhere = session.scalars(
            select(ActivationProject.code)
            .join(Asset, Asset.project_id == ActivationProject.id)
            .where(Asset.asset_tag == tag, Asset.deleted_at.is_(None))
            .order_by(ActivationProject.code)
            .limit(3)
        ).all()
        if elsewhere:
            raise NotFoundError(
                f"{tag} is not in that project; it is in {', '.join(elsewhere)}. Name that project, or leave the "
                "project out."
            )
    if not found:
        raise NotFoundError(f"No asset has the tag {tag}.")
    if len(found) > 1:
        raise AmbiguousError(f"Several clients have an asset tagged {tag}; name the project.")
    return found[0]


def get_asset(session: Session, asset_id: str) -> Asset:
    asset = session.get(Asset, asset_id)
    if asset is None or asset.deleted_at is not None:
        raise NotFoundError("That asset no longer exists.")
    return asset


def _describe(asset: Asset, session: Session) -> str:
    """“the Dell OptiPlex 7010 (NWD-00012) at Main Clinic / Floor 1 / Reception”."""
    what = " ".join(filter(None, (asset.manufacturer, asset.model))) or "an asset"
    location = _cached(session, Location, asset.location_id)
    site = _cached(session, Site, asset.site_id)
    where = " / ".join(filter(None, (site.name if site else "", location.path if location else "")))
    return f"{'the ' if what != 'an asset' else ''}{what} ({asset.asset_tag}){' at ' + where if where else ''}"


def _check_tag_free(session: Session, client_id: str, tag: str, own_id: str | None) -> None:
    other = find_by_tag(session, client_id, tag)
    if other is not None and other.id != own_id:
        raise ValidationError({"asset_tag": f"Tag {tag} is already on {_describe(other, session)}."})


def _serial_warning(session: Session, asset: Asset, peers: Sequence[Asset]) -> str | None:
    """Words for a serial shared with other live assets of the client (`peers` from refresh_attention)."""
    if not asset.serial:
        return None
    others = [p for p in peers if p.serial == asset.serial and p.id != asset.id and p.deleted_at is None][:3]
    if not others:
        return None
    names = ", ".join(_describe(o, session) for o in others)
    return f"Serial {asset.serial} is also recorded on {names}. Check the label before moving on."


def _ensure_complete(session: Session, asset: Asset) -> None:
    missing = missing_required(field_definitions(session, asset.category_id), asset.custom_fields or {})
    if missing:
        raise ValidationError({f"custom.{d.key}": f"{d.label} is required for this category." for d in missing})


def refresh_attention(
    session: Session,
    client_id: str,
    assets: Sequence[Asset],
    serials: Sequence[str] = (),
    tags: Sequence[str] = (),
    *,
    tags_known_unique: bool = False,
) -> list[Asset]:
    """Recompute the "needs attention" flags of these assets and of every asset sharing a serial or tag with them.

    `tags_known_unique` skips looking for tag twins (the caller has just checked the tags are free).
    Returns those live peers (the assets themselves included).
    """
    serial_set = {a.serial for a in assets if a.serial} | {s for s in serials if s}
    tag_set = set() if tags_known_unique else {a.asset_tag for a in assets} | set(tags)
    # Two queries rather than one with OR: each then walks its own (client, serial|tag) index.
    found: dict[str, Asset] = {}
    for column, wanted in ((Asset.serial, serial_set), (Asset.asset_tag, tag_set)):
        if wanted:
            query = select(Asset).where(Asset.client_id == client_id, column.in_(wanted), Asset.deleted_at.is_(None))
            found.update((a.id, a) for a in session.scalars(query))
    found.update((a.id, a) for a in assets if a.deleted_at is None)
    peers = list(found.values())
    serial_counts = Counter(a.serial for a in peers if a.serial)
    tag_counts = Counter(a.asset_tag for a in peers)
    # A peer found through its serial may have a tag twin outside this set (and the other way round): count
    # those values over the whole client, so that a real flag on the peer is never dropped.
    own_tags = {a.asset_tag for a in assets} if tags_known_unique else set()
    extra_serials = {a.serial for a in peers if a.serial} - serial_set
    extra_tags = {a.asset_tag for a in peers} - tag_set - own_tags
    for column, extra, counts in (
        (Asset.serial, extra_serials, serial_counts),
        (Asset.asset_tag, extra_tags, tag_counts),
    ):
        if extra:
            totals = session.execute(
                select(column, func.count())
                .where(Asset.client_id == client_id, column.in_(extra), Asset.deleted_at.is_(None))
                .group_by(column)
            )
            for value, number in totals:
                counts[value] = int(number)  # the whole client's count replaces the partial one
    for asset in {a.id: a for a in [*peers, *assets]}.values():
        reasons: list[str] = []
        if asset.deleted_at is None:
            for definition in missing_required(
                field_definitions(session, asset.category_id), asset.custom_fields or {}
            ):
                reasons.append(f"missing:{definition.label}")
            if asset.serial and serial_counts[asset.serial] > 1:
                reasons.append("duplicate-serial")
            if tag_counts[asset.asset_tag] > 1:
                reasons.append("duplicate-tag")
            if label_pending(asset.asset_tag, asset.previous_tag):
                reasons.append(LABEL_PENDING)
            reasons.extend(check_flags(asset.notes or ""))
        if reasons != (asset.attention or []):
            asset.attention = reasons
            asset.needs_attention = bool(reasons)
    return peers


def _open_project_and_client(session: Session, project_id: str) -> tuple[ActivationProject, Client]:
    """The project (which must be open) and its client, in one query."""
    row = session.execute(
        select(ActivationProject, Client)
        .join(Client, Client.id == ActivationProject.client_id)
        .where(ActivationProject.id == project_id, ActivationProject.deleted_at.is_(None))
    ).first()
    if row is None:
        raise NotFoundError("That project no longer exists.")
    project, client = row
    ensure_open(project)
    return project, client


def create_asset(
    session: Session,
    *,
    project_id: str,
    values: Mapping[str, Any],
    actor: str,
    allow_incomplete: bool = False,
) -> SaveResult:
    """Tag a new asset. The tag must be free within the client; a shared serial is allowed but warned about."""
    project, client = _open_project_and_client(session, project_id)
    cleaned = clean_values(session, client, values, None)
    tag = cleaned.pop("asset_tag", "")
    if not tag:
        raise ValidationError({"asset_tag": "Enter or scan an asset tag."})
    _check_tag_free(session, client.id, tag, None)
    custom = {k[len(CUSTOM_PREFIX) :]: v for k, v in cleaned.items() if k.startswith(CUSTOM_PREFIX) and v is not None}
    plain = {k: v for k, v in cleaned.items() if not k.startswith(CUSTOM_PREFIX)}
    defaults: dict[str, Any] = {name: "" for name in _TEXT_DEFAULTS}
    defaults.update(status=AssetStatus.IN_SERVICE, managed=True, critical=False, listed=False, seen_by="")
    defaults.update(audit_mark="", audit_reason="")
    defaults.update({k: v for k, v in plain.items() if v is not None or k not in defaults})
    asset = Asset(
        client_id=client.id,
        project_id=project.id,
        asset_tag=tag,
        custom_fields=custom,
        tagged_by=actor,
        tagged_at=utcnow(),
        attention=[],
        needs_attention=False,
        **defaults,
    )
    if not allow_incomplete:
        _ensure_complete(session, asset)
    record_create(session, asset, actor)
    index_assets(session, [asset])
    peers = refresh_attention(session, client.id, [asset], tags_known_unique=True)
    warning = _serial_warning(session, asset, peers)
    return SaveResult(asset=asset, changed=["*"], warnings=[warning] if warning else [])


def update_asset(
    session: Session,
    asset_id: str,
    values: Mapping[str, Any],
    *,
    actor: str,
    allow_incomplete: bool = False,
    any_tag: bool = False,
) -> SaveResult:
    """Change some fields of an asset; only fields whose value really changes are journaled (`any_tag`: a tag
    outside the client's prefix is accepted, as an import that keeps the client's tags does)."""
    asset = get_asset(session, asset_id)
    _project, client = _open_project_and_client(session, asset.project_id)
    values = dict(values)
    if normalise_tag(str(values.get("asset_tag") or "")) == asset.asset_tag:
        del values["asset_tag"]  # a kept tag of the client's own scheme stays valid however the prefix is set
    cleaned = clean_values(session, client, values, asset.category_id, any_tag=any_tag)
    if "asset_tag" in cleaned:
        if not cleaned["asset_tag"]:
            raise ValidationError({"asset_tag": "An asset must keep a tag."})
        _check_tag_free(session, client.id, cleaned["asset_tag"], asset.id)
    if (
        "site_id" in cleaned
        and "location_id" not in cleaned
        and asset.location_id is not None
        and cleaned["site_id"] != asset.site_id
    ):
        # A move to another site: the old room or rack is not at the new site, so it goes with the move.
        location = session.get(Location, asset.location_id)
        if location is None or location.site_id != cleaned["site_id"]:
            cleaned["location_id"] = None
    old_serial, old_tag = asset.serial, asset.asset_tag
    changed = record_update(session, asset, cleaned, actor)
    if not changed:
        return SaveResult(asset=asset)
    if not allow_incomplete and ("category_id" in changed or any(c.startswith(CUSTOM_PREFIX) for c in changed)):
        _ensure_complete(session, asset)
    index_assets(session, [asset])
    peers: list[Asset] = []
    if any(name in _ATTENTION_INPUTS or name.startswith(CUSTOM_PREFIX) for name in changed):
        peers = refresh_attention(session, client.id, [asset], serials=[old_serial], tags=[old_tag])
    warning = _serial_warning(session, asset, peers) if "serial" in changed else None
    return SaveResult(asset=asset, changed=changed, warnings=[warning] if warning else [])


def delete_asset(session: Session, asset_id: str, *, actor: str) -> Asset:
    asset = get_asset(session, asset_id)
    ensure_open(get_project(session, asset.project_id))
    record_delete(session, asset, actor)
    index_assets(session, [asset])
    refresh_attention(session, asset.client_id, [asset])
    return asset


def restore_asset(session: Session, asset_id: str, *, actor: str) -> Asset:
    """Bring a deleted asset back (undo of a delete). Its tag must still be free within the client."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise NotFoundError("That asset no longer exists.")
    if asset.deleted_at is None:
        return asset
    ensure_open(get_project(session, asset.project_id))
    _check_tag_free(session, asset.client_id, asset.asset_tag, asset.id)
    record_restore(session, asset, actor)
    index_assets(session, [asset])
    refresh_attention(session, asset.client_id, [asset], serials=[asset.serial], tags=[asset.asset_tag])
    return asset


def suggest_next_tag(session: Session, client_id: str) -> str:
    """The next unused tag of a pre-printed run, else the tag after the highest one of the client's form PREFIX +
    digits, past the numbers other devices reserved (deleted tags are never reused)."""
    client = session.get(Client, client_id)
    if client is None:
        raise NotFoundError("That client no longer exists.")
    block_tag = tag_blocks.next_block_tag(session, client_id)
    if block_tag is not None:  # a pre-printed run's tags go first
        return block_tag
    prefix = client.tag_prefix.upper()
    digits = max(client.tag_digits, 1)
    pattern = prefix.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]") + "[0-9]" * digits
    last = session.scalar(
        select(Asset.asset_tag)
        .where(Asset.client_id == client_id, Asset.asset_tag.op("GLOB")(pattern))
        .order_by(Asset.asset_tag.desc())
        .limit(1)
    )
    number = tag_blocks.past_reserved(session, client_id, int(last[len(prefix) :]) + 1 if last else 1)
    candidate = f"{prefix}{number:0{digits}d}"
    while find_by_tag(session, client_id, candidate) is not None:  # a wider tag made by hand
        number = tag_blocks.past_reserved(session, client_id, number + 1)
        candidate = f"{prefix}{number:0{digits}d}"
    return candidate


def category_name(session: Session, category_id: str | None) -> str:
    category = _cached(session, Category, category_id)
    return category.name if category else ""
