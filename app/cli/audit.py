"""`closeout-cli audit status|seen|missing`: the onsite audit without a window."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.assets import get_asset
from app.audit import audit_state, find_room, mark_assets, match_scan, verify_asset
from app.audit_report import reconcile
from app.errors import AmbiguousError, NotFoundError
from app.journal import to_plain
from app.projects import find_project
from models import AuditState
from models.enums import MISSING_REASONS

if TYPE_CHECKING:
    from app.cli import Context


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.session() as s:
        project = find_project(s, args.project)
        result = reconcile(s, project.id, site=args.site)
    data = {
        "project": project.code,
        "complete": result.complete,
        "total": result.total.as_dict(),
        "places": [place.as_dict() for place in result.places],
    }

    def human() -> None:
        from app.cli import print_table

        rows = [
            [p.site, p.location or "—", p.expected, p.seen, p.missing, p.out_of_scope, p.found, p.unseen,
             f"{p.progress:.0%}"]
            for p in [*result.places, result.total]
        ]  # fmt: skip
        rows[-1][:2] = ["All", ""]
        print_table(["Site", "Location", "Expected", "Seen", "Missing", "Not in scope", "Found", "Unseen", "Done"],
                    rows)  # fmt: skip
        print("Capture complete." if result.complete else f"{result.total.unseen} listed assets not seen yet.")

    ctx.emit(data, human)
    return 0


def _one(ctx: Context, client_id: str, ref: str) -> str:
    with ctx.session() as s:
        match = match_scan(s, client_id, ref)
        if not match.assets:
            raise NotFoundError(f"No asset has the tag, previous tag, serial or MAC “{ref}”.")
        if match.ambiguous:
            tags = ", ".join(a.asset_tag for a in match.assets[:10])
            raise AmbiguousError(f"“{ref}” matches several assets by {match.how.replace('_', ' ')}: {tags}. "
                                 "Give one of their tags.")  # fmt: skip
        return match.assets[0].id


def cmd_seen(ctx: Context, args: argparse.Namespace) -> int:
    with ctx.session() as s:
        project = find_project(s, args.project)
        client_id = project.client_id
        room = find_room(s, client_id, args.location, args.site) if args.location else None
    asset_id = _one(ctx, client_id, args.ref)
    with ctx.transaction() as s:
        done = verify_asset(s, asset_id, room=room, actor=ctx.actor)
    data = {"tag": done.tag, "state": done.state.value, "room": room.name if room else "",
            "moved_from": done.moved_from}  # fmt: skip

    def human() -> None:
        where = f" in {room.name}" if room else ""
        moved = f" (moved from {done.moved_from})" if done.moved_from else ""
        print(f"{done.tag} seen{where}{moved}.")

    ctx.emit(data, human)
    return 0


def cmd_mark(ctx: Context, args: argparse.Namespace) -> int:
    state = AuditState(args.state)
    with ctx.session() as s:
        client_id = find_project(s, args.project).client_id
    ids = [_one(ctx, client_id, ref) for ref in args.tags]
    with ctx.transaction() as s:
        before = mark_assets(s, ids, state, reason=args.reason or "", actor=ctx.actor)
        assets = [audit_state_row(s, asset_id) for asset_id in ids]
    data = {"changed": len(before), "assets": assets}
    ctx.emit(data, lambda: print(f"{len(before)} marked {state.label.lower()}."))
    return 0


def audit_state_row(s: Session, asset_id: str) -> dict[str, object]:
    asset = get_asset(s, asset_id)
    return {"tag": asset.asset_tag, "state": audit_state(asset).value, "reason": asset.audit_reason,
            "seen_at": to_plain(asset.seen_at)}  # fmt: skip


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = sub.add_parser("audit", help="the onsite audit: what was listed against what was seen")
    verbs = audit.add_subparsers(dest="verb", metavar="VERB", required=True)

    def verb(name: str, handler: object, text: str) -> argparse.ArgumentParser:
        p = verbs.add_parser(name, help=text)
        p.add_argument("--project", "-p", help="project code, name or id (default: the only open project)")
        p.set_defaults(handler=handler)
        return p

    p = verb("status", cmd_status, "expected, seen, missing and found counts per site and location")
    p.add_argument("--site", help="only this site (name, code or id)")
    p = verb("seen", cmd_seen, "record an asset as seen on site (found by tag, previous tag, serial or MAC)")
    p.add_argument("ref", metavar="TAG|SERIAL")
    p.add_argument("--location", "-l", help="the room it was seen in (moved there when listed elsewhere)")
    p.add_argument("--site", help="the site of --location, when its name is not unique")
    reasons = ", ".join(k.replace("_", "-") for k in MISSING_REASONS)
    p = verb("missing", cmd_mark, f"mark listed assets nobody found as missing ({reasons})")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p.add_argument("--reason", "-r", required=True, help=reasons)
    p.set_defaults(state=AuditState.MISSING.value)
    p = verb("out-of-scope", cmd_mark, "mark listed assets as not part of this closeout")
    p.add_argument("tags", nargs="+", metavar="TAG")
    p.add_argument("--reason", "-r", help="why (free words)")
    p.set_defaults(state=AuditState.OUT_OF_SCOPE.value)
