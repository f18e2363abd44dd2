"""`closeout-cli export xlsx` (the inventory workbook) and `closeout-cli import FILE` (a client's list or an edited
export), with the same preview the desktop shows."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import CloseoutError, ValidationError
from app.importing import ImportOptions, ImportPreview, RowResult, RowStatus, apply_import, preview_import
from app.importing.cells import DateOrder
from app.importing.changes import row_changes
from app.importing.client_tags import ClientTags
from app.importing.mapping import (
    best_profile,
    import_targets,
    list_profiles,
    save_profile,
    suggest_for,
)
from app.importing.value_mapping import ValueMapping, override, propose, unmatched
from app.projects import find_project, list_projects
from exporters.rejects import write_rejects
from exporters.sheet_reader import SheetData, read_sheet
from exporters.xlsx_export import export_inventory
from models import ActivationProject, Client, ImportProfile

if TYPE_CHECKING:
    from app.cli import Context

SHOWN_ROWS = 30


def default_export_name(code: str, today: date | None = None) -> str:
    return f"{code} inventory {(today or date.today()).isoformat()}.xlsx"


def cmd_export_xlsx(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.session() as session:
        if args.all:
            ids = [p.id for p in list_projects(session)]
            name = default_export_name("All projects")
        else:
            project = find_project(session, args.project)
            ids, name = [project.id], default_export_name(project.code)
        output = Path(args.output or name).expanduser()
        report = export_inventory(session, output, ids)
    data = {"path": str(report.path), "assets": report.assets, "sheets": report.sheets}
    ctx.emit(data, lambda: print(f"Wrote {report.path} ({report.assets} assets, {len(report.sheets)} sheets)."))
    return 0


def _mapping(ctx: Context, args: argparse.Namespace, sheet: SheetData) -> tuple[dict[str, str], str | None]:
    """The column mapping, and the id of the profile it came from (its value choices are offered again)."""
    with ctx.session() as session:
        mapping = suggest_for(session, sheet.headers)
        best = best_profile(session, sheet.headers)
        profile_id = best.id if best is not None else None
        if args.profile:
            profile = next((p for p in list_profiles(session) if p.name.lower() == args.profile.lower()), None)
            if profile is None:
                names = ", ".join(p.name for p in list_profiles(session)) or "none saved yet"
                raise CloseoutError(f"There is no import profile “{args.profile}” (profiles: {names}).")
            mapping = {h: profile.mapping.get(h, "") for h in sheet.headers}
            profile_id = profile.id
        known = {t.key for t in import_targets(session)}
    for item in args.map or []:
        header, _, key = item.partition("=")
        if header.strip() not in sheet.headers:
            raise ValidationError({header: f"The file has no column “{header.strip()}”; its columns: "
                                           f"{', '.join(sheet.headers)}."})  # fmt: skip
        if key.strip() and key.strip() not in known:
            raise ValidationError({key: f"“{key.strip()}” is not a field; run 'closeout-cli categories' for them."})
        mapping[header.strip()] = key.strip()
    return mapping, profile_id


def _value_choices(
    ctx: Context, args: argparse.Namespace, sheet: SheetData, mapping: dict[str, str], project: ActivationProject,
    profile_id: str | None,
) -> tuple[ValueMapping, ClientTags | None]:  # fmt: skip
    """The proposed value mapping (what the profile saved for this client first) with --map-value applied, and
    what becomes of the client's tags."""
    with ctx.session() as session:
        profile = session.get(ImportProfile, profile_id) if profile_id else None
        proposal = propose(session, project.client_id, sheet.headers, sheet.rows, mapping, profile)
        override(session, project.client_id, proposal.values, mapping, args.map_value or [])
    tags = ClientTags(args.client_tags) if args.client_tags else proposal.client_tags
    return proposal.values, tags


def _print_values(values: ValueMapping, client_tags: ClientTags | None, prefix: str) -> None:
    if values.describe():
        print("Values:")
        for line in values.describe():
            print(f"  {line}")
    if client_tags == ClientTags.PREVIOUS:
        print(f"Tags: the client's tags are kept as previous tags; new tags from {prefix or 'the client'} in file "
              "order (--client-tags keep keeps them as the asset tags).")  # fmt: skip
    elif client_tags == ClientTags.KEEP:
        print("Tags: the client's tags are kept as the asset tags.")
    elif client_tags == ClientTags.LATER:
        print("Tags: the client's tags are kept as previous tags and stand in until a Closeout label is stuck on "
              "site; new tags only for rows without one.")  # fmt: skip


def _print_preview(preview: ImportPreview, sheet: SheetData) -> None:
    where = f"sheet “{sheet.sheet}”, " if sheet.sheet_names else ""
    print(f"Read {len(preview.rows)} rows ({where}header on row {sheet.header_row}).")
    mapped = [f"{h} → {k}" for h, k in preview.mapping.items() if k]
    print("Columns: " + "; ".join(mapped))
    ignored = [h for h, k in preview.mapping.items() if not k]
    if ignored:
        print("Not imported: " + ", ".join(ignored))
    for note in preview.notes:
        print(f"Note: {note}")
    print(f"Preview: {preview.summary()}.")
    updated = [r for r in preview.rows if r.status == RowStatus.UPDATED and not r.retag_from]
    for row in updated[:SHOWN_ROWS]:
        changes = "; ".join(c.text for c in row_changes(preview, row))
        print(f"  update {row.tag}: {changes}")
    if len(updated) > SHOWN_ROWS:
        print(f"  … and {len(updated) - SHOWN_ROWS} more updates")
    for row in preview.rejected[:SHOWN_ROWS]:
        print(f"  rejected {row.message}")
    if len(preview.rejected) > SHOWN_ROWS:
        print(f"  … and {len(preview.rejected) - SHOWN_ROWS} more rejected rows")


def _retag_line(row: RowResult, allowed: bool) -> str:
    new_tag = row.values.get("asset_tag", "")
    what = "re-tagged" if allowed else "held back; --allow-retag applies it"
    return f"Row {row.row_number}: the serial number matches {row.retag_from}, which would become {new_tag} ({what})."


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    path = Path(args.file).expanduser()
    sheet = read_sheet(path, args.sheet)
    mapping, profile_id = _mapping(ctx, args, sheet)
    orders = {h: DateOrder(args.date_order) for h in sheet.headers} if args.date_order else {}
    with ctx.session() as session:
        project = find_project(session, args.project)
        prefix = session.get(Client, project.client_id).tag_prefix  # type: ignore[union-attr]
    values, client_tags = _value_choices(ctx, args, sheet, mapping, project, profile_id)
    loose = unmatched(values)
    if args.strict_values and loose:
        names = "; ".join(f"{c.column} “{c.value}”" for c in loose[:10])
        raise CloseoutError(
            f"{len(loose)} values match nothing Closeout knows ({names}); map them with --map-value COLUMN:VALUE="
            "TARGET (TARGET may be new) and run again. Nothing was imported."
        )
    options = ImportOptions(date_orders=orders, values=values, client_tags=client_tags)
    with ctx.session() as session:
        preview = preview_import(session, project.id, sheet.headers, sheet.rows, mapping, options)
    data: dict[str, Any] = {
        "file": str(path),
        "project": project.code,
        **{status.value: preview.count(status) for status in RowStatus},
        "notes": preview.notes,
        "values": [
            {
                "column": c.column,
                "value": c.value,
                "rows": c.count,
                "action": c.action.value,
                "target": values.target_names.get(c.target, c.target),
            }
            for c in values.choices
        ],
        "client_tags": client_tags.value if client_tags else None,
        "rejected_rows": [{"row": r.row_number, "reasons": r.reasons} for r in preview.rejected],
        "retags": [
            {"row": r.row_number, "from": r.retag_from, "to": r.values.get("asset_tag"), "applied": args.allow_retag}
            for r in preview.retags
        ],
        "written": False,
    }
    if not ctx.as_json:
        _print_values(values, client_tags, prefix)
        _print_preview(preview, sheet)
        for row in preview.retags[:SHOWN_ROWS]:
            print(f"  tag change {_retag_line(row, args.allow_retag)}")
    if args.rejects and preview.rejected:
        rejects = Path(args.rejects).expanduser()
        if rejects.suffix.lower() != ".xlsx":  # it is a workbook whatever it is called; name it so it reopens
            rejects = rejects.with_suffix(".xlsx")
        args.rejects = str(rejects)
        write_rejects(rejects, sheet.headers, mapping, preview.rejected, source=path.name)
        data["rejects_file"] = str(args.rejects)
        if not ctx.as_json:
            print(f"Rejected rows saved to {args.rejects}; fix them there and import that file.")
    if args.save_profile:
        with ctx.transaction() as session:
            save_profile(
                session, name=args.save_profile, mapping=mapping, actor=ctx.actor, client_id=project.client_id,
                values=values.saved_form(), client_tags=client_tags.value if client_tags else None,
            )  # fmt: skip
    held = [] if args.allow_retag else preview.retags
    if args.strict and (preview.rejected or held):
        ctx.emit(data, lambda: None)
        why = f"{len(preview.rejected)} rows were rejected" if preview.rejected else (
            f"{len(held)} rows would change an asset's tag (--allow-retag allows it)"
        )  # fmt: skip
        print(f"closeout-cli: {why} and --strict is set; nothing was imported.", file=sys.stderr)
        return 1
    approved = {r.row_number for r in preview.retags} if args.allow_retag else set()
    writes = preview.to_write(approved)
    if not args.dry_run and writes:
        with ctx.transaction() as session:
            result = apply_import(session, preview, actor=ctx.actor, retags=approved)
        data.update(written=True, created=result.created, updated_count=result.updated, skipped=result.skipped)
    updates = sum(1 for r in writes if r.status == RowStatus.UPDATED)
    message = "Dry run: nothing was written." if args.dry_run else (
        f"Imported into {project.code}: {preview.count(RowStatus.NEW)} new, {updates} updated." if writes
        else "Nothing to import."
    )  # fmt: skip
    ctx.emit(data, lambda: print(message))
    if held and not args.dry_run:
        print(f"closeout-cli: {len(held)} row{'s' if len(held) != 1 else ''} would change an asset's tag and "
              "were left out; check them and run again with --allow-retag to re-tag.", file=sys.stderr)  # fmt: skip
    return 0


def register(export_verbs: argparse._SubParsersAction[argparse.ArgumentParser], root_verbs: Any) -> None:
    p = export_verbs.add_parser("xlsx", help="the inventory workbook of a project (or of all projects)")
    p.add_argument("--project", metavar="P", help="project code, name or id (default: the only open project)")
    p.add_argument("--all", action="store_true", help="every project in one workbook, for managers")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write (default: '<CODE> inventory <date>.xlsx')")
    p.set_defaults(handler=cmd_export_xlsx)

    p = root_verbs.add_parser("import", help="import assets from an .xlsx, .xls, .ods or .csv list (preview first)")
    p.add_argument("file", metavar="FILE", help=".xlsx, .xls, .ods or .csv file, or an nmap .xml report")
    p.add_argument("--project", metavar="P", help="project code, name or id (default: the only open project)")
    p.add_argument("--sheet", metavar="NAME", help="sheet of a workbook (default: Assets, else the first)")
    p.add_argument("--profile", metavar="NAME", help="use a saved column mapping")
    p.add_argument("--map", action="append", metavar="HEADER=FIELD", help="map a column (FIELD empty: ignore it)")
    p.add_argument("--date-order", choices=[o.value for o in DateOrder if o != DateOrder.AUTO],
                   help="how to read dates like 03/04/2026 (default: decided per column)")  # fmt: skip
    p.add_argument("--map-value", action="append", metavar="COLUMN:VALUE=TARGET",
                   help="what a value of the client's list means: a category, status, site, location or choice by "
                        "name, 'new' to create it, or nothing to leave it empty (kept in the notes); repeatable. "
                        "Without it the suggested mapping is used and printed")  # fmt: skip
    p.add_argument("--client-tags", choices=[t.value for t in ClientTags],
                   help="keep: the client's tags are the asset tags; previous: keep them as the previous tag "
                        "and give new tags from the client's prefix; later: keep them as the previous tag and give "
                        "the Closeout tag when the label is stuck on site (default: previous when they do not "
                        "follow it)")  # fmt: skip
    p.add_argument("--strict-values", action="store_true",
                   help="refuse the import when a value matches nothing, instead of creating it or keeping it in "
                        "the notes")  # fmt: skip
    p.add_argument("--save-profile", metavar="NAME", help="save the column and value mapping under this name")
    p.add_argument("--rejects", metavar="FILE", help="write rejected rows to this .xlsx to fix and re-import")
    p.add_argument("--dry-run", action="store_true", help="print the preview and stop")
    p.add_argument(
        "--strict",
        action="store_true",
        help="import nothing if any row is rejected (or would change a tag without --allow-retag)",
    )
    p.add_argument("--allow-retag", action="store_true",
                   help="let a row whose serial matches an asset give that asset the row's new tag (default: the "
                        "row is left out and reported)")  # fmt: skip
    p.set_defaults(handler=cmd_import)
