"""Import rows: a preview (new, updated, unchanged, rejected with reasons); `writing` then writes it all or nothing.

Takes plain rows (a header and lists of cell values), never files: reading spreadsheets is the exporters' job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assets import ASSET_FIELDS, clean_values
from app.catalog import field_definitions
from app.errors import ValidationError
from app.importing.cells import (
    DateOrder,
    add_months,
    cell_text,
    first_address,
    mangled_number,
    read_date,
    shown_number,
    two_digit_year,
    warranty_months,
)
from app.importing.mapping import ID_TARGET, check_mapping
from app.importing.matching import match_row
from app.importing.plan import ImportPlan, decide_date_orders
from app.importing.presets import detect_preset
from app.importing.results import ImportOptions, ImportPreview, RowResult, RowStatus
from app.importing.value_mapping import Action
from app.journal import CUSTOM_PREFIX, encode, write_stamp
from models import Asset, AssetStatus

#: Report progress every this many rows.
PROGRESS_EVERY = 500
Progress = Callable[[int, int], None]
_COMPARED = ("id", "project_id", "custom_fields", *ASSET_FIELDS)
_ADDRESSES = frozenset({"ip_address", "mac_address"})


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
    stamp = write_stamp(session)  # before anything is read: a write during the preview makes the write check again
    plan = ImportPlan(session, project_id, headers, mapping, options)
    orders, notes = decide_date_orders(plan, headers, rows, options)
    preset = detect_preset(headers) if ID_TARGET not in plan.columns else None
    if preset is not None:
        notes.insert(0, preset.remark)
    blank_clears = options.blank_clears if options.blank_clears is not None else ID_TARGET in plan.columns
    results: list[RowResult] = []
    seen: dict[str, dict[str, int]] = {"tags": {}, "ids": {}, "serials": {}}
    for start in range(0, len(rows), PROGRESS_EVERY):
        chunk = [_read_row(plan, number, list(cells), orders) for number, cells in rows[start : start + PROGRESS_EVERY]]
        for result, _raw in chunk:
            match_row(plan, result, _raw, seen)
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
        planned=dict(plan.refs.planned), client_tags=plan.client_tags, stamp=stamp,
    )  # fmt: skip


def _read_row(
    plan: ImportPlan, number: int, cells: list[Any], orders: Mapping[str, DateOrder]
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
        if kind == "date":
            if key == "warranty_end" and (months := warranty_months(value)) is not None:
                raw[key] = None  # a period from the purchase date, worked out below
                continue
            # A column of dates repeats itself (a whole delivery bought on one day): each text is read once.
            seen = plan.dates.get((key, value)) if type(value) is str else None
            if seen is None:
                seen = _date_cell(plan, key, value, orders.get(key, DateOrder.MONTH_FIRST))
                if type(value) is str:
                    plan.dates[(key, value)] = seen
            day, problem = seen
            if problem:
                (result.noted if day else result.reasons).append(problem)
                if not day:
                    continue
            raw[key] = day.isoformat() if day and key.startswith(CUSTOM_PREFIX) else day
        elif kind == "text":
            if type(value) is str and "e" not in value and "E" not in value:  # most cells: no number, not mangled
                raw[key] = first_address(value.strip()) if key in _ADDRESSES else value.strip()
                continue
            if mangled_number(value):
                shown = shown_number(value)
                label = plan.targets[key].label
                if key == plan.match_key:
                    result.reasons.append(
                        f"the {label[0].lower() + label[1:]} {shown} looks like Excel turned it into a "
                        "number; type it as text and re-import."
                    )
                    continue
                result.noted.append(f"Check {label}: “{shown}” in the client's list; Excel turned it into a number.")
                raw[key] = ""
                continue
            raw[key] = first_address(cell_text(value)) if key in _ADDRESSES else cell_text(value)
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


def _date_cell(plan: ImportPlan, key: str, value: Any, order: DateOrder) -> tuple[date | None, str]:
    """A date cell read: the date, and what is wrong with it (no date) or worth a check (a guessed century)."""
    label = plan.targets[key].label
    try:
        day = read_date(value, order)
    except ValueError as exc:
        return None, f"{label}: {exc}"
    if day and two_digit_year(value):
        return day, f"Check {label}: “{value}” in the client's list has a two-digit year; read as {day}."
    return day, ""


def _map_values(plan: ImportPlan, result: RowResult, raw: dict[str, Any]) -> None:
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


def _finish(
    session: Session,
    plan: ImportPlan,
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
    defined = plan.custom_keys.get(category_id)
    if defined is None:
        defined = plan.custom_keys[category_id] = frozenset(d.key for d in field_definitions(session, category_id))
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


def rows_from_dicts(records: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Headers and numbered rows from dicts (first row 2, as under a header in a sheet)."""
    records = list(records)
    headers: list[str] = list(dict.fromkeys(k for r in records for k in r))
    return headers, [(n, [r.get(h) for h in headers]) for n, r in enumerate(records, start=2)]
