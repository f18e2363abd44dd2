"""What a client's own categories, statuses, sites, locations and choices mean in Closeout: the distinct values of
each mapped column, with counts, a suggested target, and the user's choice (map, create, or leave empty)."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.catalog import field_definitions, list_categories
from app.errors import ValidationError
from app.importing.cells import cell_text, squash
from app.importing.client_tags import ClientTags, suggest_for_file
from app.importing.mapping import client_choices
from app.journal import CUSTOM_PREFIX
from app.projects import list_sites
from models import AssetStatus, Client, FieldType, ImportProfile, Location

#: Fields whose values must be one of Closeout's (configuration fields of the choice type are added per import).
VALUE_FIELDS = ("category_id", "status", "site_id", "location_id")
#: What `--map-value` and saved profiles write for "create it" and "leave it empty".
NEW = "new"
EMPTY = ""
#: Separator of nested locations in a client's list ("Zürich HQ / Étage 2 / Room 201"); also > and \ are read.
PATH_SEPARATORS = ("/", ">", "\\")

STATUS_SYNONYMS: dict[str, AssetStatus] = {
    word: status
    for status, words in {
        AssetStatus.IN_SERVICE: (
            "inservice", "deployed", "active", "inuse", "assigned", "production", "live", "online", "checkedout",
            "operational", "running", "used", "managed", "compliant",
        ),
        AssetStatus.SPARE: (
            "spare", "readytodeploy", "instock", "stock", "available", "inventory", "storage", "instorage",
            "pending", "unassigned", "new", "ordered", "reserve", "reserved", "standby",
        ),
        AssetStatus.RETIRED: (
            "retired", "archived", "disposed", "decommissioned", "broken", "scrapped", "sold", "returned",
            "undeployable", "endoflife", "eol", "recycled", "donated", "writtenoff", "outofservice", "inactive",
            "nonactive", "retirepending", "wipepending",
        ),
        AssetStatus.MISSING: ("missing", "lost", "stolen", "loststolen", "notfound"),
        AssetStatus.UNKNOWN: ("unknown", "pendingdiagnostics", "inrepair", "repair", "rtm", "offline", "other"),
    }.items()
    for word in words
}  # fmt: skip

#: Words clients use for Closeout's default categories (by code), compared squashed and without a plural "s".
CATEGORY_SYNONYMS: dict[str, str] = {
    word: code
    for code, words in {
        "workstation": ("desktop", "pc", "computer", "workstation", "tower", "allinone", "aio", "thinclient",
                        "desktopcomputer", "windowsworkstation", "mac", "imac", "macmini", "generalpurpose",
                        "windowscomputer", "windowsdesktop", "windows", "windowsworkstation"),
        "laptop": ("laptop", "notebook", "ultrabook", "macbook", "portable", "windowslaptop", "maclaptop"),
        "server": ("server", "windowsserver", "linuxserver", "physicalserver", "host", "hypervisor", "esxihost",
                   "linux", "linuxhost"),
        "virtual_machine": ("vm", "virtualmachine", "virtualserver", "guest", "vmwareguest", "hypervguest"),
        "switch": ("switch", "networkswitch", "coreswitch", "accessswitch", "networking", "nmsswitch"),
        "firewall": ("firewall", "router", "gateway", "utm", "securityappliance", "networkdevice",
                     "nmsfirewall", "nmsrouter"),
        "access_point": ("accesspoint", "ap", "wap", "wifi", "wireless", "wlan", "wirelessaccesspoint", "nmsap",
                         "nmswap"),
        "storage": ("storage", "nas", "san", "diskarray", "fileserver", "storagemisc"),
        "ups": ("ups", "powersupply", "batterybackup", "pdu"),
        "printer": ("printer", "nmsprinter", "mfp", "mfd", "copier", "multifunction", "scanner", "plotter",
                    "labelprinter"),
        "phone": ("phone", "deskphone", "voip", "voipphone", "ipphone", "telephone", "conferencephone"),
        "mobile": ("mobile", "mobilephone", "smartphone", "cellphone", "tablet", "ipad", "iphone", "handheld",
                   "mobiledevice", "android", "ios"),
    }.items()
    for word in words
}  # fmt: skip


class Action(StrEnum):
    MAP = "map"
    CREATE = "create"
    EMPTY = "empty"

    @property
    def label(self) -> str:
        return {"map": "Map to", "create": "Create", "empty": "Leave empty (keep in notes)"}[self.value]


@dataclass
class ValueChoice:
    """One distinct value of one column and what it becomes."""

    field: str
    column: str
    value: str
    count: int
    action: Action
    #: MAP: the id of the category, site or location, the status value or the choice text; CREATE: the name or
    #: path to create (the value itself unless changed); EMPTY: "".
    target: str = ""
    #: Why this was proposed: "saved", "same", "synonym", "similar", "chosen", or "" (nothing matched).
    reason: str = ""

    @property
    def noted(self) -> bool:
        """Whether the client's word goes into the asset's notes (left empty, or a status nothing matched)."""
        unknown = (
            self.field == "status" and self.target == AssetStatus.UNKNOWN.value and squash(self.value) != "unknown"
        )
        return self.action == Action.EMPTY or (self.action == Action.MAP and unknown)


@dataclass
class ValueMapping:
    """Every value choice of one import, looked up by (field, value as in the file, compared without case)."""

    choices: list[ValueChoice] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._index = {(c.field, c.value.lower()): c for c in self.choices}

    def get(self, field_key: str, value: str) -> ValueChoice | None:
        return self._index.get((field_key, value.strip().lower()))

    def add(self, choice: ValueChoice) -> None:
        self.choices.append(choice)
        self._index[(choice.field, choice.value.lower())] = choice

    def saved_form(self) -> dict[str, dict[str, str]]:
        """Field → value → target as saved with a profile: an id or value, NEW, or EMPTY."""
        out: dict[str, dict[str, str]] = {}
        for c in self.choices:
            out.setdefault(c.field, {})[c.value] = (
                c.target if c.action == Action.MAP else NEW if (c.action == Action.CREATE) else EMPTY
            )
        return out

    def describe(self) -> list[str]:
        """One line per value, for a dry run: “Category “Laptops” (12 rows) → Laptop (similar name)”."""
        return [describe_choice(c, self.target_names) for c in self.choices if c.reason != "same"]

    target_names: dict[str, str] = field(default_factory=dict)


class Targets:
    """What a client's values may become: categories, statuses, sites, locations and choice lists, with names."""

    def __init__(self, session: Session, client_id: str) -> None:
        self.categories = list_categories(session)
        self.sites = list_sites(session, client_id)
        site_ids = [s.id for s in self.sites]
        self.locations: list[Location] = [
            loc for loc in session.query(Location).filter(Location.site_id.in_(site_ids), Location.deleted_at.is_(None))
        ]
        self.site_names = {s.id: s.name for s in self.sites}
        self.names: dict[str, str] = {
            **{c.id: c.name for c in self.categories},
            **{s.id: s.name for s in self.sites},
            **{loc.id: f"{self.site_names.get(loc.site_id, '?')} / {loc.path}" for loc in self.locations},
            **{s.value: s.label for s in AssetStatus},
        }
        #: Configuration fields of the choice type: every choice any category's field of that key offers.
        self.choice_fields: dict[str, list[str]] = {}
        for category in self.categories:
            for definition in field_definitions(session, category.id):
                if definition.type == FieldType.CHOICE:
                    known = self.choice_fields.setdefault(CUSTOM_PREFIX + definition.key, [])
                    known.extend(str(c) for c in definition.choices if str(c) not in known)

    def options(self, field_key: str) -> list[tuple[str, str]]:
        """(name, target) pairs a value of this field may be mapped to, in the order a list shows them."""
        if field_key == "category_id":
            return [(c.name, c.id) for c in self.categories]
        if field_key == "status":
            return [(s.label, s.value) for s in AssetStatus]
        if field_key == "site_id":
            return [(s.name, s.id) for s in self.sites]
        if field_key == "location_id":
            return sorted(((self.names[loc.id], loc.id) for loc in self.locations), key=lambda p: p[0].lower())
        return [(c, c) for c in self.choice_fields.get(field_key, [])]

    def can_create(self, field_key: str) -> bool:
        return field_key in ("category_id", "site_id", "location_id")

    def suggest(self, field_key: str, value: str) -> tuple[Action, str, str]:
        """(action, target, reason) for a value nobody has decided about yet."""
        word = squash(value)
        options = self.options(field_key)
        for name, target in options:  # the same name, id or code
            if word in (squash(name), squash(target)):
                return Action.MAP, target, "same"
        if field_key == "category_id":
            for c in self.categories:
                if word == squash(c.code):
                    return Action.MAP, c.id, "same"
            code = CATEGORY_SYNONYMS.get(word) or CATEGORY_SYNONYMS.get(word.removesuffix("s"))
            if code is None and word.endswith("es"):
                code = CATEGORY_SYNONYMS.get(word[:-2])
            found = next((c.id for c in self.categories if c.code == code), None)
            if found:
                return Action.MAP, found, "synonym"
        if field_key == "status":
            status = STATUS_SYNONYMS.get(word)
            if status is not None:
                return Action.MAP, status.value, "synonym"
        if field_key == "location_id":
            tail = _path_parts(value)
            for loc in self.locations:
                full = [self.site_names.get(loc.site_id, ""), *loc.path.split(" / ")]
                if [squash(p) for p in full] == [squash(p) for p in tail] or squash(loc.path) == squash(
                    " / ".join(tail)
                ):
                    return Action.MAP, loc.id, "same"
        close = difflib.get_close_matches(word, [squash(n) for n, _ in options], n=1, cutoff=0.8)
        if close:
            target = next(t for n, t in options if squash(n) == close[0])
            return Action.MAP, target, "similar"
        if field_key == "status":
            return Action.MAP, AssetStatus.UNKNOWN.value, ""  # the client's word stays in the notes
        if self.can_create(field_key):
            return Action.CREATE, value, ""
        return Action.EMPTY, "", ""


def _path_parts(text: str) -> list[str]:
    for separator in PATH_SEPARATORS:
        if separator in text:
            return [p.strip() for p in text.split(separator) if p.strip()]
    return [text.strip()]


def value_fields(mapping: Mapping[str, str], targets: Targets) -> dict[str, str]:
    """Header → field for the mapped columns whose values must match a Closeout list."""
    return {h: k for h, k in mapping.items() if k in VALUE_FIELDS or k in targets.choice_fields}


def distinct_values(
    headers: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]], columns: Mapping[str, str]
) -> dict[str, Counter[str]]:
    """Header → how often each value occurs (empty cells left out; the first spelling of a value is kept)."""
    counts: dict[str, Counter[str]] = {h: Counter() for h in columns}
    spelling: dict[tuple[str, str], str] = {}
    at = {h: headers.index(h) for h in columns if h in headers}
    for _number, cells in rows:
        for header, index in at.items():
            text = cell_text(cells[index]) if index < len(cells) else ""
            if text:
                shown = spelling.setdefault((header, text.lower()), text)
                counts[header][shown] += 1
    return counts


def suggest_values(
    session: Session,
    client_id: str,
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[Any]]],
    mapping: Mapping[str, str],
    saved: Mapping[str, Mapping[str, str]] | None = None,
) -> ValueMapping:
    """The value mapping to propose: what was saved for this client first, then suggestions, then "create"."""
    targets = Targets(session, client_id)
    columns = value_fields(mapping, targets)
    result = ValueMapping(target_names=targets.names)
    saved_lower = {f: {v.lower(): t for v, t in values.items()} for f, values in (saved or {}).items()}
    known_targets = {f: {t for _n, t in targets.options(f)} for f in set(columns.values())}
    for header, counts in distinct_values(headers, rows, columns).items():
        field_key = columns[header]
        for value, count in sorted(counts.items(), key=lambda p: (-p[1], p[0].lower())):
            remembered = saved_lower.get(field_key, {}).get(value.lower())
            if remembered is not None and (remembered in (NEW, EMPTY) or remembered in known_targets[field_key]):
                action = Action.CREATE if remembered == NEW else Action.EMPTY if remembered == EMPTY else Action.MAP
                if action == Action.CREATE and not targets.can_create(field_key):
                    action = Action.EMPTY
                target = value if action == Action.CREATE else remembered
                result.add(ValueChoice(field_key, header, value, count, action, target, "saved"))
                continue
            action, target, reason = targets.suggest(field_key, value)
            result.add(ValueChoice(field_key, header, value, count, action, target, reason))
    return result


def override(
    session: Session, client_id: str, values: ValueMapping, mapping: Mapping[str, str], wanted: Sequence[str]
) -> None:
    """Apply `COLUMN:VALUE=TARGET` choices (the command line's --map-value): TARGET is a name, `new`, or empty."""
    targets = Targets(session, client_id)
    errors: dict[str, str] = {}
    for text in wanted:
        column, _, rest = text.partition(":")
        value, equals, target = rest.partition("=")
        if not equals or column.strip() not in mapping:
            errors[text] = f"“{text}”: write COLUMN:VALUE=TARGET, with COLUMN one of the file's mapped columns."
            continue
        field_key = mapping[column.strip()]
        choice = values.get(field_key, value)
        if choice is None:
            errors[text] = f"“{value.strip()}” does not occur in the column “{column.strip()}”."
            continue
        target = target.strip()
        if target.lower() == NEW:
            if not targets.can_create(field_key):
                errors[text] = f"{column.strip()}: “{value.strip()}” cannot be created; map it or leave it empty."
                continue
            choice.action, choice.target = Action.CREATE, choice.value
        elif not target:
            choice.action, choice.target = Action.EMPTY, ""
        else:
            found = [t for n, t in targets.options(field_key) if squash(target) in (squash(n), squash(t))]
            if not found:
                names = ", ".join(n for n, _ in targets.options(field_key)[:12])
                errors[text] = f"“{target}” is not a {column.strip()} Closeout knows; use one of: {names}, or new."
                continue
            choice.action, choice.target = Action.MAP, found[0]
        choice.reason = "chosen"
    if errors:
        raise ValidationError(errors)


def describe_choice(choice: ValueChoice, names: Mapping[str, str]) -> str:
    rows = f"{choice.count} row{'s' if choice.count != 1 else ''}"
    head = f"{choice.column} “{choice.value}” ({rows})"
    why = {"saved": " (saved)", "synonym": " (same meaning)", "similar": " (similar name)", "chosen": ""}.get(
        choice.reason, ""
    )
    if choice.action == Action.CREATE:
        return f"{head} → new: {choice.target}"
    if choice.action == Action.EMPTY:
        return f"{head} → left empty, kept in the notes"
    note = "" if choice.reason else " (no match; kept in the notes)"
    return f"{head} → {names.get(choice.target, choice.target)}{why}{note}"


def unmatched(values: ValueMapping) -> list[ValueChoice]:
    """Values that nothing matched and nobody chose for (created or left empty): what --strict-values refuses."""
    return [c for c in values.choices if c.reason == ""]


@dataclass
class Proposal:
    """What an import proposes before the preview: the value mapping, the tag choice and what values may become."""

    values: ValueMapping
    client_tags: ClientTags | None
    options: dict[str, list[tuple[str, str]]]


def propose(
    session: Session,
    client_id: str,
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[Any]]],
    mapping: Mapping[str, str],
    profile: ImportProfile | None,
) -> Proposal:
    """The value mapping and tag choice to propose: the profile's saved ones for this client, else suggestions."""
    saved, saved_tags = client_choices(profile, client_id)
    values = suggest_values(session, client_id, headers, rows, mapping, saved)
    client = session.get(Client, client_id)
    assert client is not None
    tags = ClientTags(saved_tags) if saved_tags else suggest_for_file(client, headers, rows, mapping)
    targets = Targets(session, client_id)
    fields = {c.field for c in values.choices}
    return Proposal(values, tags, {f: targets.options(f) for f in fields})
