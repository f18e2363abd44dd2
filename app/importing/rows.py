"""Import rows: a preview (new, updated, unchanged, rejected with reasons), then one all-or-nothing write.

Takes plain rows (a header and lists of cell values), never files: reading spreadsheets is the exporters' job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import ASSET_FIELDS, clean_values, update_asset
from app.audit import mark_listed
from app.bulk import create_assets_bulk
from app.catalog import field_definitions
from app.errors import CloseoutError, ValidationError
from app.importing.cells import (
    DateOrder,
    add_months,
    cell_text,
    decide_date_order,
    first_address,
    mangled_number,
    read_date,
    shown_number,
    two_digit_year,
    warranty_months,
)
from app.importing.client_tags import ClientTags, TagSequence
from app.importing.mapping import DATE_FIELDS, ID_TARGET, check_mapping, import_targets
from app.importing.presets import detect_preset
from app.importing.refs import PLANNED, REFERENCE_FIELDS, NameIndex, PlannedRecord, create_planned
from app.importing.value_mapping import Action, ValueMapping
from app.journal import CUSTOM_PREFIX, encode
from app.projects import ensure_open, get_project
from app.validation import normalise_mac, normalise_serial, normalise_tag
from models import Asset, AssetStatus, Client, FieldType

#: Report progress every this many rows.
PROGRESS_EVERY = 500
Progress = Callable[[int, int], None]
_COMPARED = ("id", "project_id", "custom_fields", *ASSET_FIELDS)


class RowStatus(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass
class RowResult:
    """What will happen to one row of the file (its sheet row number as the user sees it)."""

    row_number: int
    status: RowStatus
    cells: list[Any]
    tag: str = ""
    asset_id: str | None = None
    #: Field → value handed to the asset services (only the changed fields for an update).
    values: dict[str, Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    #: The matched asset's values of the changed fields before the import (ids for category, site, location).
    before: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    #: How the row found its asset: "id", "tag" or "serial" ("" for a new or rejected row).
    matched_by: str = ""
    #: The serial number that matched, for a row matched by serial.
    serial: str = ""
    #: The asset's tag when a row matched by serial would give it another tag: applied only when confirmed.
    retag_from: str = ""
    #: Lines the import adds to the notes: the client's words nothing matched, and "Check …" lines for damaged cells.
    noted: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"Row {self.row_number}: " + " ".join(self.reasons)


@dataclass
class ImportOptions:
    #: Header → day/month order for date columns (missing or AUTO: decided from the column's values).
    date_orders: dict[str, DateOrder] = field(default_factory=dict)
    #: Whether an empty cell clears the field of a matched asset; None: yes for Closeout's own workbooks
    #: (their id column is mapped), no for a client's list, where an empty cell means "not known".
    blank_clears: bool | None = None
    #: What the client's categories, statuses, sites, locations and choices become (None: taken as they are).
    values: ValueMapping | None = None
    #: What becomes of the client's tags (None: they must fit the client's prefix, as Closeout's own tags do).
    client_tags: ClientTags | None = None


@dataclass
class ImportPreview:
    project_id: str
    headers: list[str]
    mapping: dict[str, str]
    rows: list[RowResult]
    #: Remarks about whole columns ("dates read as month/day/year"), in the user's words.
    notes: list[str] = field(default_factory=list)
    #: Header → the day/month order used for each date column.
    date_orders: dict[str, DateOrder] = field(default_factory=dict)
    #: Field → its label ("custom.ram_gb" → "RAM (GB)"), and category, site and location ids → their names.
    labels: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    #: Categories, sites and locations the value mapping creates before the rows are written.
    planned: dict[str, PlannedRecord] = field(default_factory=dict)
    client_tags: ClientTags | None = None

    def count(self, status: RowStatus) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == RowStatus.REJECTED]

    @property
    def accepted(self) -> list[RowResult]:
        return [r for r in self.rows if r.status in (RowStatus.NEW, RowStatus.UPDATED)]

    @property
    def retags(self) -> list[RowResult]:
        """Updated rows matched by serial that would change the asset's tag: they wait for a yes."""
        return [r for r in self.rows if r.retag_from and r.status == RowStatus.UPDATED]

    def to_write(self, retags: Collection[int] = ()) -> list[RowResult]:
        """The accepted rows, less the re-tags whose row number is not in `retags`."""
        return [r for r in self.accepted if not r.retag_from or r.row_number in retags]

    def summary(self) -> str:
        retags = len(self.retags)
        asked = f" ({retags} would change an asset's tag)" if retags else ""
        return (
            f"{self.count(RowStatus.NEW)} new, {self.count(RowStatus.UPDATED)} updated{asked}, "
            f"{self.count(RowStatus.UNCHANGED)} unchanged, {self.count(RowStatus.REJECTED)} rejected"
        )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rejected: int
    #: Rows that would have changed an asset's tag and were not confirmed: left out.
    skipped: int = 0


class ImportFailed(CloseoutError):
    """A row failed while writing; the whole import was rolled back."""


class _Plan:
    """The per-import context: mapping by target, date orders, the client's assets by id, tag and serial."""

    def __init__(
        self,
        session: Session,
        project_id: str,
        headers: Sequence[str],
        mapping: Mapping[str, str],
        options: ImportOptions,
    ):
        self.project = get_project(session, project_id)
        ensure_open(self.project)
        client = session.get(Client, self.project.client_id)
        assert client is not None
        self.client = client
        self.targets = {t.key: t for t in import_targets(session)}
        self.columns = {key: headers.index(h) for h, key in mapping.items() if key and h in headers}
        unknown = [key for key in self.columns if key not in self.targets]
        if unknown:
            raise ValidationError({k: f"“{k}” is not a field Closeout knows." for k in unknown})
        self.refs = NameIndex(session, client.id)
        self.by_id: dict[str, tuple[str, str]] = {}
        self.by_tag: dict[str, str] = {}
        self.by_serial: dict[str, list[str]] = {}
        self.by_previous: dict[str, str] = {}
        self.by_mac: dict[str, str] = {}
        for asset_id, project, tag, serial, previous, mac in session.execute(
            select(
                Asset.id, Asset.project_id, Asset.asset_tag, Asset.serial, Asset.previous_tag, Asset.mac_address
            ).where(Asset.client_id == client.id, Asset.deleted_at.is_(None))
        ):
            self.by_id[asset_id] = (project, tag)
            self.by_tag[tag] = asset_id
            if serial:
                self.by_serial.setdefault(serial, []).append(asset_id)
            if previous:
                self.by_previous.setdefault(previous, asset_id)
            if mac:
                self.by_mac.setdefault(mac, asset_id)
        self.values = options.values
        self.client_tags = options.client_tags
        self.any_tag = options.client_tags == ClientTags.KEEP
        self.tags = TagSequence(session, client, self.by_tag)
        self.given_tags: set[str] = set()
        #: The column that finds assets: a damaged cell there rejects the row, elsewhere it is only flagged.
        self.match_key = next((k for k in ("asset_tag", "serial") if k in self.columns), "")

        self.value_keys = [k for k in self.columns if self.values is not None and any(
            c.field == k for c in self.values.choices
        )]  # fmt: skip
        #: (target, column index, "date" | "text" | "other") for every mapped column.
        self.readers = [
            (key, index, "date" if self.is_date(key) else "text" if self.is_text(key) else "other")
            for key, index in self.columns.items()
        ]

    def is_date(self, key: str) -> bool:
        return key in DATE_FIELDS or self.targets[key].kind == FieldType.DATE

    def is_text(self, key: str) -> bool:
        if key.startswith(CUSTOM_PREFIX):
            return self.targets[key].kind == FieldType.TEXT
        return key not in DATE_FIELDS and key not in ("managed", "critical", "purchase_cost")


def _date_orders(
    plan: _Plan, headers: Sequence[str], rows: Sequence[tuple[int, Sequence[Any]]], options: ImportOptions
) -> tuple[dict[str, DateOrder], list[str]]:
    orders: dict[str, DateOrder] = {}
    notes: list[str] = []
    for key, index in plan.columns.items():
        if not plan.is_date(key):
            continue
        header = headers[index]
        chosen = options.date_orders.get(header, DateOrder.AUTO)
        if chosen != DateOrder.AUTO:
            orders[key] = chosen
            continue
        order, assumed = decide_date_order(cells[index] for _, cells in rows if index < len(cells))
        orders[key] = order
        if assumed:
            notes.append(
                f"Dates in “{header}” could be day/month or month/day; they were read as {order.label.lower()}. "
                "Change the date order of that column if that is wrong."
            )
    return orders, notes


def preview_import(
    session: Session,
    project_id: str,
    headers: Sequence[str],
    rows: Sequence[tuple[int, Sequence[Any]]],
    mapping: Mapping[str, str],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportPreview:
    """What importing these rows into the project would do; writes nothing."""
    options = options or ImportOptions()
    check_mapping(mapping)
    plan = _Plan(session, project_id, headers, mapping, options)
    orders, notes = _date_orders(plan, headers, rows, options)
    preset = detect_preset(headers) if ID_TARGET not in plan.columns else None
    if preset is not None:
        notes.insert(0, preset.remark)
    blank_clears = options.blank_clears if options.blank_clears is not None else ID_TARGET in plan.columns
    results: list[RowResult] = []
    seen: dict[str, dict[str, int]] = {"tags": {}, "ids": {}, "serials": {}}
    for start in range(0, len(rows), PROGRESS_EVERY):
        chunk = [_read_row(plan, number, list(cells), orders) for number, cells in rows[start : start + PROGRESS_EVERY]]
        for result, _raw in chunk:
            _match(plan, result, _raw, seen)
        wanted = [r.asset_id for r, _ in chunk if r.asset_id and r.status != RowStatus.REJECTED]
        current: dict[str, Mapping[str, Any]] = {
            row.id: dict(row._mapping)
            for row in session.execute(select(*(getattr(Asset, c) for c in _COMPARED)).where(Asset.id.in_(wanted)))
        }
        for result, raw in chunk:
            if result.status != RowStatus.REJECTED:
                _finish(session, plan, result, raw, current.get(result.asset_id or ""), blank_clears)
            results.append(result)
        if progress:
            progress(min(start + PROGRESS_EVERY, len(rows)), len(rows))
    used = {headers[plan.columns[key]]: order for key, order in orders.items()}
    labels = {key: target.label for key, target in plan.targets.items() if key}
    return ImportPreview(
        project_id, list(headers), dict(mapping), results, notes, used, labels=labels, names=plan.refs.names,
        planned=dict(plan.refs.planned), client_tags=plan.client_tags,
    )  # fmt: skip


def _read_row(
    plan: _Plan, number: int, cells: list[Any], orders: Mapping[str, DateOrder]
) -> tuple[RowResult, dict[str, Any]]:
    """Cells to plain values per target: dates read, the client's values mapped, damaged cells flagged."""
    result = RowResult(number, RowStatus.NEW, cells)
    raw: dict[str, Any] = {}
    width = len(cells)
    months: int | None = None
    for key, index, kind in plan.readers:
        value = cells[index] if index < width else None
        if value is None or value == "":
            raw[key] = None if kind == "date" else ""
            continue
        label = plan.targets[key].label
        if kind == "date":
            if key == "warranty_end" and (months := warranty_months(value)) is not None:
                raw[key] = None  # a period from the purchase date, worked out below
                continue
            try:
                day = read_date(value, orders.get(key, DateOrder.MONTH_FIRST))
            except ValueError as exc:
                result.reasons.append(f"{label}: {exc}")
                continue
            if day and two_digit_year(value):
                result.noted.append(
                    f"Check {label}: “{value}” in the client's list has a two-digit year; read as {day}."
                )
            raw[key] = day.isoformat() if day and key.startswith(CUSTOM_PREFIX) else day
        elif kind == "text":
            if mangled_number(value):
                shown = shown_number(value)
                if key == plan.match_key:
                    result.reasons.append(
                        f"the {label[0].lower() + label[1:]} {shown} looks like Excel turned it into a "
                        "number; type it as text and re-import."
                    )
                    continue
                result.noted.append(f"Check {label}: “{shown}” in the client's list; Excel turned it into a number.")
                raw[key] = ""
                continue
            raw[key] = first_address(cell_text(value)) if key in ("ip_address", "mac_address") else cell_text(value)
        else:
            raw[key] = value if value is not None else ""
    if months is not None:
        bought = raw.get("purchase_date")
        if bought:
            raw["warranty_end"] = add_months(bought, months)
        else:
            result.noted.append(f"Check Warranty end: {months} months in the client's list, with no purchase date.")
    if plan.values is not None:
        _map_values(plan, result, raw)
    return result, raw  # problems found here are kept; the row's other cells are still checked


def _map_values(plan: _Plan, result: RowResult, raw: dict[str, Any]) -> None:
    """The client's categories, statuses, sites, locations and choices as the value mapping says."""
    assert plan.values is not None
    for key in plan.value_keys:
        text = str(raw.get(key) or "").strip()
        choice = plan.values.get(key, text) if text else None
        if choice is None or (choice.action == Action.MAP and choice.reason == "same"):
            continue  # Closeout's own name: resolved per row as always (a room's name depends on the row's site)
        if choice.noted:
            result.noted.append(f"{plan.targets[key].label} in the client's list: {text}")
        if choice.action == Action.MAP:
            raw[key] = choice.target
        elif choice.action == Action.EMPTY:
            raw[key] = AssetStatus.UNKNOWN.value if key == "status" else ""  # an asset always has a status
        elif key == "location_id":
            raw[key] = choice.target
            plan.refs.create_locations.add(choice.target.lower())
        else:
            raw[key] = plan.refs.plan("category" if key == "category_id" else "site", choice.target)


def _match(plan: _Plan, result: RowResult, raw: dict[str, Any], seen: dict[str, dict[str, int]]) -> None:
    """Find the asset a row is about: by Closeout id, else by tag (or previous tag), else by serial (only one asset
    may have it). A new row without a tag gets the client's next tag; so does every new row when the client's tags
    are kept as previous tags."""
    tag = normalise_tag(str(raw.get("asset_tag") or ""))
    serial = normalise_serial(str(raw.get("serial") or ""))
    previous = plan.client_tags == ClientTags.PREVIOUS
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
    if len(result.reasons) > problems:
        result.status = RowStatus.REJECTED
    elif asset_id is None and (previous or not tag):
        result.tag = plan.tags.next(plan.given_tags)  # in file order, after the client's highest tag
        plan.given_tags.add(result.tag)
        raw["asset_tag"] = result.tag


def _mac(raw: Mapping[str, Any]) -> str:
    try:
        return normalise_mac(str(raw.get("mac_address") or ""))
    except ValueError:
        return ""


def _finish(
    session: Session,
    plan: _Plan,
    result: RowResult,
    raw: dict[str, Any],
    current: Mapping[str, Any] | None,
    blank_clears: bool,
) -> None:
    """Validate the row through the asset services' own checks and work out what changes."""
    values = dict(raw)
    if current is not None and not blank_clears:
        values = {k: v for k, v in values.items() if v not in (None, "")}
    if current is not None and not values.get("asset_tag"):
        values.pop("asset_tag", None)  # matched by serial: an empty tag cell never takes the tag away
    if result.noted:  # the client's words and damaged cells, added once (a second import adds nothing)
        base = str(values.get("notes") or "") or (str(current["notes"] or "") if current is not None else "")
        lines = [line for line in result.noted if line not in base]
        if lines or values.get("notes"):
            values["notes"] = "\n".join(filter(None, [base, *lines]))
    resolved, problems = plan.refs.resolve(values, current)
    result.reasons.extend(problems)
    category_id = resolved.get("category_id", current["category_id"] if current is not None else None)
    defined = {d.key for d in field_definitions(session, category_id)}
    for key in [k for k in values if k.startswith(CUSTOM_PREFIX)]:
        if key[len(CUSTOM_PREFIX) :] not in defined and values[key] in (None, ""):
            del values[key]  # another category's column, empty for this asset
    try:
        cleaned = clean_values(session, plan.client, values, category_id, any_tag=plan.any_tag)
    except ValidationError as exc:
        result.reasons.extend(exc.errors.values())
        cleaned = {}
    cleaned.update(resolved)
    if result.reasons:  # a cell that could not be read
        result.status = RowStatus.REJECTED
        return
    if current is None:
        result.status = RowStatus.NEW
        result.values = cleaned
        return
    custom = current["custom_fields"] or {}
    changed = [key for key, value in cleaned.items() if _differs(current, custom, key, value)]
    if "site_id" in changed or "location_id" in changed:  # keep a location and its site together
        changed = list(dict.fromkeys([*changed, "site_id", "location_id"]))
        cleaned.setdefault("site_id", current["site_id"])
        cleaned.setdefault("location_id", current["location_id"])
    result.changed = changed
    result.values = {key: cleaned[key] for key in changed}
    result.before = {key: _old(current, custom, key) for key in changed}
    if result.matched_by == "serial" and "asset_tag" in changed:
        result.retag_from = current["asset_tag"]  # a new tag on a known serial: asked, never applied silently
    result.status = RowStatus.UPDATED if changed else RowStatus.UNCHANGED


def _differs(current: Mapping[str, Any], custom: Mapping[str, Any], key: str, value: Any) -> bool:
    """Whether a field really changes, compared as the journal compares (a quick equality check first)."""
    old = _old(current, custom, key)
    if old == value and type(old) is type(value):
        return False
    return encode(old) != encode(value)


def _old(current: Mapping[str, Any], custom: Mapping[str, Any], key: str) -> Any:
    return custom.get(key[len(CUSTOM_PREFIX) :]) if key.startswith(CUSTOM_PREFIX) else current[key]


def apply_import(
    session: Session,
    preview: ImportPreview,
    *,
    actor: str,
    retags: Collection[int] = (),
    progress: Progress | None = None,
) -> ImportResult:
    """Write the accepted rows through the asset services in the caller's transaction: all of them or none.

    A row that would change an asset's tag (matched by serial, another tag in the file) is written only when its
    row number is in `retags`; otherwise the whole row is left out and counted as skipped.

    New assets go through the bulk tagging service (same checks and journal as one by one), then each update
    through `update_asset`. Any failure raises ImportFailed naming the row; the caller's transaction then rolls
    everything back.
    """
    project = get_project(session, preview.project_id)
    ensure_open(project)
    loaded = NameIndex(session, project.client_id)  # keeps the names and ids in the identity map while writing
    writes = preview.to_write(retags)
    #: A client's own list (not Closeout's workbook read back, which carries ids): its assets are expected on site.
    client_list = ID_TARGET not in preview.mapping.values()
    if preview.planned:
        made = create_planned(session, project.client_id, preview.planned, actor)
        loaded = NameIndex(session, project.client_id)
        for row in writes:
            for key in REFERENCE_FIELDS:
                value = row.values.get(key)
                if isinstance(value, str) and value.startswith(PLANNED):
                    row.values[key] = made[value]
    new = [row for row in writes if row.status == RowStatus.NEW]
    changed = [row for row in writes if row.status == RowStatus.UPDATED]
    total = len(new) + len(changed)

    def bulk_progress(done: int, _total: int) -> None:
        if progress:
            progress(done, total)

    if new:
        try:
            create_assets_bulk(
                session,
                project_id=project.id,
                rows=[row.values for row in new],
                actor=actor,
                allow_incomplete=True,
                strict=True,
                any_tag=preview.client_tags == ClientTags.KEEP,
                listed=client_list,  # the client's own list: the onsite audit expects to see each of them
                progress=bulk_progress,
            )
        except ValidationError as exc:
            raise ImportFailed(f"{_bulk_problem(exc, new)} Nothing was imported.") from exc
    for done, row in enumerate(changed, start=len(new) + 1):
        try:
            assert row.asset_id is not None
            update_asset(
                session, row.asset_id, row.values, actor=actor, allow_incomplete=True,
                any_tag=preview.client_tags == ClientTags.KEEP,
            )  # fmt: skip
        except CloseoutError as exc:
            raise ImportFailed(f"Row {row.row_number}: {exc} Nothing was imported.") from exc
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    if client_list:  # an asset tagged on site before the client's list came is on the list after all
        on_list = [*writes, *(r for r in preview.rows if r.status == RowStatus.UNCHANGED)]
        mark_listed(session, [r.asset_id for r in on_list if r.asset_id], actor=actor)
    del loaded
    skipped = len(preview.accepted) - len(writes)
    return ImportResult(
        len(new), len(changed), preview.count(RowStatus.UNCHANGED), preview.count(RowStatus.REJECTED), skipped
    )


def _bulk_problem(exc: ValidationError, rows: Sequence[RowResult]) -> str:
    """The bulk service's first problem ("row 3: serial") in terms of the file's own row numbers."""
    for key, message in exc.errors.items():
        match = re.match(r"row (\d+):", key)
        if match and 0 < int(match.group(1)) <= len(rows):
            return f"Row {rows[int(match.group(1)) - 1].row_number}: {message}"
    return str(exc)


def rows_from_dicts(records: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Headers and numbered rows from dicts (first row 2, as under a header in a sheet)."""
    records = list(records)
    headers: list[str] = list(dict.fromkeys(k for r in records for k in r))
    return headers, [(n, [r.get(h) for h in headers]) for n, r in enumerate(records, start=2)]
