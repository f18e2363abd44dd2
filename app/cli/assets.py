"""Command-line verbs for the workspace, clients, projects and assets."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app import journal
from app.asset_query import AssetFilter, AssetRow, count_assets, query_assets
from app.assets import (
    ASSET_FIELDS,
    canonical_field,
    category_name,
    create_asset,
    delete_asset,
    find_by_tag_anywhere,
    suggest_next_tag,
)
from app.catalog import find_category, list_categories
from app.errors import CloseoutError, ValidationError
from app.journal import snapshot
from app.projects import find_project, find_site, list_clients, list_projects, project_technicians
from models import AssetStatus

if TYPE_CHECKING:
    from app.cli import Context, Handler


def _pairs(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise ValidationError({item: f"“{item}” should be FIELD=VALUE, for example serial=ABC123."})
        key, _, value = item.partition("=")
        values[key.strip()] = value
    return values


def _row_json(row: AssetRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "asset_tag": row.asset_tag,
        "category": row.category,
        "manufacturer": row.manufacturer,
        "model": row.model,
        "serial": row.serial,
        "hostname": row.hostname,
        "ip_address": row.ip_address,
        "mac_address": row.mac_address,
        "site": row.site,
        "location": row.location,
        "assigned_user": row.assigned_user,
        "status": row.status.value,
        "needs_attention": row.needs_attention,
        "attention": row.attention,
    }


def _print_rows(rows: list[AssetRow], total: int) -> None:
    from app.cli import print_table

    print_table(
        ["TAG", "CATEGORY", "MAKE / MODEL", "SERIAL", "HOST", "LOCATION", "STATUS", "!"],
        [
            (
                r.asset_tag,
                r.category,
                f"{r.manufacturer} {r.model}".strip(),
                r.serial,
                r.hostname or r.ip_address,
                " / ".join(filter(None, (r.site, r.location))),
                r.status.label,
                "!" if r.needs_attention else "",
            )
            for r in rows
        ],
    )
    if total > len(rows):
        print(f"({len(rows)} of {total} shown; use --limit and --offset for more)")


def cmd_demo(ctx: Context, args: argparse.Namespace) -> int:
    from app.demo import seed_demo

    with ctx.transaction() as s:
        try:
            project = seed_demo(s, assets=args.assets)
        except ValueError as exc:
            raise CloseoutError(str(exc)) from None
        result = {"project": project.code, "assets": args.assets, "home": str(ctx.home)}
    ctx.emit(
        result, lambda: print(f"Demo workspace ready in {ctx.home}: project {project.code}, {args.assets} assets.")
    )
    return 0


def cmd_clients(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli import print_table

    with ctx.session() as s:
        clients = list_clients(s)
        data = [{"id": c.id, "code": c.code, "name": c.name, "tag_prefix": c.tag_prefix} for c in clients]
    ctx.emit(
        data,
        lambda: print_table(["CODE", "NAME", "TAG PREFIX"], [(c["code"], c["name"], c["tag_prefix"]) for c in data]),
    )
    return 0


def cmd_projects(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli import print_table

    with ctx.session() as s:
        data = []
        for p in list_projects(s):
            data.append(
                {
                    "id": p.id,
                    "code": p.code,
                    "name": p.name,
                    "status": p.status.value,
                    "target_go_live": p.target_go_live.isoformat() if p.target_go_live else None,
                    "services_in_scope": p.services_in_scope,
                    "technicians": project_technicians(s, p.id),
                    "assets": count_assets(s, AssetFilter(project_id=p.id)),
                }
            )
    ctx.emit(
        data,
        lambda: print_table(
            ["CODE", "NAME", "STATUS", "GO-LIVE", "ASSETS"],
            [(d["code"], d["name"], d["status"], d["target_go_live"] or "", d["assets"]) for d in data],
        ),
    )
    return 0


def _filter(ctx: Context, args: argparse.Namespace, text: str = "") -> AssetFilter:
    with ctx.session() as s:
        project = find_project(s, args.project)
        category = find_category(s, args.category).id if getattr(args, "category", None) else None
        site = find_site(s, project.client_id, args.site).id if getattr(args, "site", None) else None
        status = None
        if getattr(args, "status", None):
            from app.assets import parse_status

            try:
                status = parse_status(args.status)
            except ValueError as exc:
                raise ValidationError({"status": str(exc)}) from None
        return AssetFilter(
            project_id=project.id,
            category_id=category,
            site_id=site,
            status=status,
            needs_attention=getattr(args, "attention", False),
            text=text,
        )


def cmd_assets_list(ctx: Context, args: argparse.Namespace) -> int:
    flt = _filter(ctx, args)
    with ctx.session() as s:
        total = count_assets(s, flt)
        rows = query_assets(s, flt, sort=args.sort, descending=args.desc, offset=args.offset, limit=args.limit)
    ctx.emit({"total": total, "assets": [_row_json(r) for r in rows]}, lambda: _print_rows(rows, total))
    return 0


def cmd_assets_search(ctx: Context, args: argparse.Namespace) -> int:
    flt = _filter(ctx, args, text=" ".join(args.query))
    with ctx.session() as s:
        total = count_assets(s, flt)
        rows = query_assets(s, flt, limit=args.limit)
    ctx.emit({"total": total, "assets": [_row_json(r) for r in rows]}, lambda: _print_rows(rows, total))
    return 0


def _asset_json(s: Any, asset: Any) -> dict[str, Any]:
    data = {"id": asset.id, **snapshot(asset)}
    data["category"] = category_name(s, asset.category_id)
    data["needs_attention"] = asset.needs_attention
    data["attention"] = asset.attention
    return data


def _print_asset(data: dict[str, Any], warnings: list[str]) -> None:
    for key, label in ASSET_FIELDS.items():
        value = data.get("category") if key == "category_id" else data.get(key)
        if value not in (None, "", [], {}):
            print(f"{label:>18}: {value}")
    for key, value in (data.get("custom_fields") or {}).items():
        print(f"{key:>18}: {value}")
    if data.get("attention"):
        print(f"{'Needs attention':>18}: {', '.join(data['attention'])}")
    for warning in warnings:
        print(f"Warning: {warning}")


def cmd_assets_add(ctx: Context, args: argparse.Namespace) -> int:
    values: dict[str, Any] = _pairs(args.fields)
    with ctx.transaction() as s:
        project = find_project(s, args.project)
        values["asset_tag"] = args.tag or suggest_next_tag(s, project.client_id)
        if args.category:
            values["category"] = args.category
        result = create_asset(
            s, project_id=project.id, values=values, actor=ctx.actor, allow_incomplete=args.allow_incomplete
        )
        data = _asset_json(s, result.asset)

    def human() -> None:
        print(f"Tagged {data['asset_tag']}.")
        _print_asset(data, result.warnings)

    ctx.emit({**data, "warnings": result.warnings}, human)
    return 0


def cmd_assets_set(ctx: Context, args: argparse.Namespace) -> int:
    from app.assets import update_asset

    values = {canonical_field(k): v for k, v in _pairs(args.fields).items()}
    if not values:
        raise ValidationError({"fields": "Name at least one FIELD=VALUE to change."})
    with ctx.transaction() as s:
        project_id = find_project(s, args.project).id if args.project else None
        asset = find_by_tag_anywhere(s, args.tag, project_id)
        result = update_asset(s, asset.id, values, actor=ctx.actor, allow_incomplete=args.allow_incomplete)
        data = _asset_json(s, result.asset)

    def human() -> None:
        print(
            f"{data['asset_tag']}: "
            + (f"changed {', '.join(result.changed)}." if result.changed else "nothing changed.")
        )
        for warning in result.warnings:
            print(f"Warning: {warning}")

    ctx.emit({**data, "changed": result.changed, "warnings": result.warnings}, human)
    return 0


def cmd_assets_show(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.session() as s:
        project_id = find_project(s, args.project).id if args.project else None
        data = _asset_json(s, find_by_tag_anywhere(s, args.tag, project_id))
    ctx.emit(data, lambda: _print_asset(data, []))
    return 0


def cmd_assets_delete(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.transaction() as s:
        project_id = find_project(s, args.project).id if args.project else None
        asset = delete_asset(s, find_by_tag_anywhere(s, args.tag, project_id).id, actor=ctx.actor)
        tag = asset.asset_tag
    ctx.emit({"deleted": tag}, lambda: print(f"Deleted {tag} (kept in history; it syncs as a deletion)."))
    return 0


def cmd_assets_history(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli import print_table

    with ctx.session() as s:
        project_id = find_project(s, args.project).id if args.project else None
        asset = find_by_tag_anywhere(s, args.tag, project_id)
        entries = journal.history(s, "asset", asset.id)
    data = [
        {
            "at": e.at.isoformat(),
            "actor": e.actor,
            "op": e.op,
            "field": e.field,
            "old": e.old_value,
            "new": e.new_value,
            "synced": e.pushed or e.origin == "remote",
        }
        for e in entries
    ]

    def short(value: Any) -> str:
        text = "" if value is None else str(value)
        return text if len(text) <= 40 else text[:39] + "…"

    ctx.emit(
        data,
        lambda: print_table(
            ["WHEN (UTC)", "WHO", "WHAT", "FIELD", "FROM", "TO"],
            [
                (
                    d["at"][:19].replace("T", " "),
                    d["actor"],
                    d["op"],
                    "(all)" if d["field"] == "*" else d["field"],
                    short(d["old"]),
                    "(new record)" if d["field"] == "*" else short(d["new"]),
                )
                for d in data
            ],
        ),
    )
    return 0


def cmd_next_tag(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.session() as s:
        project = find_project(s, args.project)
        tag = suggest_next_tag(s, project.client_id)
    ctx.emit({"next_tag": tag}, lambda: print(tag))
    return 0


def cmd_categories(ctx: Context, args: argparse.Namespace) -> int:
    from app.catalog import field_definitions
    from app.cli import print_table

    with ctx.session() as s:
        data: list[dict[str, Any]] = [
            {
                "code": c.code,
                "name": c.name,
                "fields": [
                    {"key": d.key, "label": d.label, "type": d.type.value, "required": d.required, "choices": d.choices}
                    for d in field_definitions(s, c.id)
                ],
            }
            for c in list_categories(s)
        ]
    ctx.emit(
        data,
        lambda: print_table(
            ["CODE", "NAME", "FIELDS (* required)"],
            [
                (d["code"], d["name"], ", ".join(f["key"] + ("*" if f["required"] else "") for f in d["fields"]))
                for d in data
            ],
        ),
    )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="create a realistic demo workspace")
    p.add_argument("--assets", type=int, default=300, help="how many assets to tag (default 300)")
    p.set_defaults(handler=cmd_demo, creates_workspace=True)

    sub.add_parser("clients", help="list clients").set_defaults(handler=cmd_clients)
    sub.add_parser("projects", help="list activation projects").set_defaults(handler=cmd_projects)
    sub.add_parser("categories", help="list asset categories and their fields").set_defaults(handler=cmd_categories)

    assets = sub.add_parser("assets", help="list, tag, change and search assets")
    verbs = assets.add_subparsers(dest="verb", metavar="VERB", required=True)

    def with_project(p: argparse.ArgumentParser, required: bool = False) -> None:
        p.add_argument("--project", "-p", required=required, help="project code, name or id")

    p = verbs.add_parser("list", help="list a project's assets")
    with_project(p)
    p.add_argument("--category")
    p.add_argument("--site")
    p.add_argument("--status", help=", ".join(s.value for s in AssetStatus))
    p.add_argument("--attention", action="store_true", help="only assets that need attention")
    p.add_argument("--sort", default="asset_tag")
    p.add_argument("--desc", action="store_true")
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--offset", type=int, default=0)
    p.set_defaults(handler=cmd_assets_list)

    p = verbs.add_parser("search", help="full-text search (tag, serial, host, model, user, location, notes)")
    with_project(p)
    p.add_argument("query", nargs="+")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(handler=cmd_assets_search)

    p = verbs.add_parser("add", help="tag a new asset: assets add [--tag T] FIELD=VALUE ...")
    with_project(p)
    p.add_argument("--tag", help="asset tag (default: the next free one)")
    p.add_argument("--category")
    p.add_argument("--allow-incomplete", action="store_true", help="save even if required fields are missing")
    p.add_argument("fields", nargs="*", metavar="FIELD=VALUE")
    p.set_defaults(handler=cmd_assets_add)

    p = verbs.add_parser("set", help="change fields: assets set TAG FIELD=VALUE ...")
    with_project(p)
    p.add_argument("tag")
    p.add_argument("--allow-incomplete", action="store_true")
    p.add_argument("fields", nargs="+", metavar="FIELD=VALUE")
    p.set_defaults(handler=cmd_assets_set)

    verbs_by_tag: tuple[tuple[str, Handler, str], ...] = (
        ("show", cmd_assets_show, "show one asset"),
        ("history", cmd_assets_history, "every change to one asset"),
        ("delete", cmd_assets_delete, "delete an asset (it syncs as a deletion)"),
    )
    for name, handler, text in verbs_by_tag:
        p = verbs.add_parser(name, help=text)
        with_project(p)
        p.add_argument("tag")
        p.set_defaults(handler=handler)

    p = verbs.add_parser("next-tag", help="the next free asset tag for the project's client")
    with_project(p)
    p.set_defaults(handler=cmd_next_tag)
