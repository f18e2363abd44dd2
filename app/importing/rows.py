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
from app.bulk import create_assets_bulk
from app.catalog import field_definitions
from app.errors import CloseoutError, ValidationError
from app.importing.cells import DateOrder, cell_text, decide_date_order, mangled_number, read_date, shown_number
from app.importing.mapping import DATE_FIELDS, ID_TARGET, check_mapping, import_targets
from app.importing.refs import NameIndex
from app.journal import CUSTOM_PREFIX, encode
from app.projects import ensure_open, get_project
from app.validation import normalise_serial, normalise_tag
from models import Asset, Client, FieldType

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

    def __init__(self, session: Session, project_id: str, headers: Sequence[str], mapping: Mapping[str, str]):
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
        for asset_id, project, tag, serial in session.execute(
            select(Asset.id, Asset.project_id, Asset.asset_tag, Asset.serial).where(
                Asset.client_id == client.id, Asset.deleted_at.is_(None)
            )
        ):
            self.by_id[asset_id] = (project, tag)
            self.by_tag[tag] = asset_id
            if serial:
                self.by_serial.setdefault(serial, []).append(asset_id)

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
    plan = _Plan(session, project_id, headers, mapping)
    orders, notes = _date_orders(plan, headers, rows, options)
    blank_clears = options.blank_clears if options.blank_clears is not None else ID_TARGET in plan.columns
    results: list[RowResult] = []
    seen_tags: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for start in range(0, len(rows), PROGRESS_EVERY):
        chunk = [_read_row(plan, number, list(cells), orders) for number, cells in rows[start : start + PROGRESS_EVERY]]
        for result, _raw in chunk:
            _match(plan, result, _raw, seen_tags, seen_ids)
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
        project_id, list(headers), dict(mapping), results, notes, used, labels=labels, names=plan.refs.names
    )


def _read_row(
    plan: _Plan, number: int, cells: list[Any], orders: Mapping[str, DateOrder]
) -> tuple[RowResult, dict[str, Any]]:
    """Cells to plain values per target: dates read, numbers that were text caught, the rest as text."""
    result = RowResult(number, RowStatus.NEW, cells)
    raw: dict[str, Any] = {}
    width = len(cells)
    for key, index, kind in plan.readers:
        value = cells[index] if index < width else None
        if value is None or value == "":
            raw[key] = None if kind == "date" else ""
            continue
        label = plan.targets[key].label
        if kind == "date":
            try:
                day = read_date(value, orders.get(key, DateOrder.MONTH_FIRST))
            except ValueError as exc:
                result.reasons.append(f"{label}: {exc}")
                continue
            raw[key] = day.isoformat() if day and key.startswith(CUSTOM_PREFIX) else day
        elif kind == "text":
            if mangled_number(value):
                result.reasons.append(
                    f"the {label[0].lower() + label[1:]} {shown_number(value)} looks like Excel turned it into a "
                    "number; type it as text and re-import."
                )
                continue
            raw[key] = cell_text(value)
        else:
            raw[key] = value if value is not None else ""
    return result, raw  # problems found here are kept; the row's other cells are still checked


def _match(plan: _Plan, result: RowResult, raw: dict[str, Any], seen_tags: dict[str, int], seen_ids: dict) -> None:
    """Find the asset a row is about: by Closeout id, else by tag, else by serial (only one asset may have it)."""
    tag = normalise_tag(str(raw.get("asset_tag") or ""))
    serial = normalise_serial(str(raw.get("serial") or ""))
    result.tag = tag
    problems = len(result.reasons)
    asset_id: str | None = None
    row_id = str(raw.pop(ID_TARGET, "") or "").strip()
    if row_id and row_id in plan.by_id:
        asset_id, result.matched_by = row_id, "id"
    elif tag and tag in plan.by_tag:
        asset_id, result.matched_by = plan.by_tag[tag], "tag"
    elif serial and serial in plan.by_serial:
        owners = plan.by_serial[serial]
        if len(owners) > 1:
            tags = ", ".join(sorted(plan.by_id[i][1] for i in owners)[:4])
            result.reasons.append(f"Serial {serial} is on several assets ({tags}); add the asset tag to say which.")
        else:
            asset_id, result.matched_by, result.serial = owners[0], "serial", serial
    elif not tag:
        result.reasons.append("There is no asset tag, and no asset has this serial; add a tag to create it.")
    if asset_id is not None:
        project, own_tag = plan.by_id[asset_id]
        if project != plan.project.id:
            result.reasons.append(f"Asset {own_tag} belongs to another project; import it into that project.")
        elif tag and plan.by_tag.get(tag, asset_id) != asset_id:
            result.reasons.append(f"Tag {tag} is already on another asset.")
        elif asset_id in seen_ids:
            result.reasons.append(f"Asset {own_tag} is also on row {seen_ids[asset_id]}; keep one of the two rows.")
        else:
            seen_ids[asset_id] = result.row_number
        result.asset_id = asset_id
        result.tag = own_tag
    if tag:
        if tag in seen_tags and len(result.reasons) == problems:
            result.reasons.append(f"Tag {tag} is also on row {seen_tags[tag]}; keep one of the two rows.")
        seen_tags.setdefault(tag, result.row_number)
    if len(result.reasons) > problems:
        result.status = RowStatus.REJECTED


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
    resolved, problems = plan.refs.resolve(values, current)
    result.reasons.extend(problems)
    category_id = resolved.get("category_id", current["category_id"] if current is not None else None)
    defined = {d.key for d in field_definitions(session, category_id)}
    for key in [k for k in values if k.startswith(CUSTOM_PREFIX)]:
        if key[len(CUSTOM_PREFIX) :] not in defined and values[key] in (None, ""):
            del values[key]  # another category's column, empty for this asset
    try:
        cleaned = clean_values(session, plan.client, values, category_id)
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
                progress=bulk_progress,
            )
        except ValidationError as exc:
            raise ImportFailed(f"{_bulk_problem(exc, new)} Nothing was imported.") from exc
    for done, row in enumerate(changed, start=len(new) + 1):
        try:
            assert row.asset_id is not None
            update_asset(session, row.asset_id, row.values, actor=actor, allow_incomplete=True)
        except CloseoutError as exc:
            raise ImportFailed(f"Row {row.row_number}: {exc} Nothing was imported.") from exc
        if progress and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
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
