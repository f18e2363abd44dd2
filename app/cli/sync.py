"""`closeout-cli login/logout/sync/sync-status/conflicts`: the sync client without a window."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING, Any

from app.db import set_meta_value
from app.sync import conflicts as conflict_service
from app.sync import credentials
from app.sync import engine as sync_engine

if TYPE_CHECKING:
    from app.cli import Context

CA_BUNDLE_KEY = "sync.ca_bundle"


def _password(prompt: str = "Password: ") -> str:
    """From stdin when piped (scripts, tests), else a prompt that does not echo."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(prompt)


def cmd_login(ctx: Context, args: argparse.Namespace) -> int:
    password = _password()
    ca_bundle = args.ca_bundle or None
    stored = sync_engine.login(ctx.workspace, args.server, args.user, password, ca_bundle=ca_bundle)
    with ctx.transaction() as s:
        set_meta_value(s, CA_BUNDLE_KEY, ca_bundle or "")
    if not stored:
        print(f"closeout-cli: {credentials.NO_KEYRING_MESSAGE}", file=sys.stderr)
    ctx.emit({"server": args.server, "user": args.user, "stored": stored}, lambda: print(f"Signed in as {args.user}."))
    return 0


def cmd_logout(ctx: Context, args: argparse.Namespace) -> int:
    sync_engine.logout(ctx.workspace, ca_bundle=ctx.workspace.meta(CA_BUNDLE_KEY) or None)
    ctx.emit({"signed_out": True}, lambda: print("Signed out; the token was revoked and forgotten."))
    return 0


def cmd_sync(ctx: Context, args: argparse.Namespace) -> int:
    ws = ctx.workspace
    ca_bundle = ws.meta(CA_BUNDLE_KEY) or None
    password = None
    server, user = ws.meta(sync_engine.SERVER_KEY), ws.meta(sync_engine.USER_KEY)
    if server and user and credentials.load_token(server, user) is None:
        if not credentials.keyring_available():
            print(f"closeout-cli: {credentials.NO_KEYRING_MESSAGE}", file=sys.stderr)
        password = _password(f"Password for {user}: ")
    engine = sync_engine.connect(ws, ca_bundle=ca_bundle, password=password)
    try:
        report = engine.sync(verify=True if args.verify else None)
    finally:
        engine.transport.close()
    data: dict[str, Any] = {
        "pushed": report.pushed, "rejected": report.rejected, "pulled": report.pulled, "removed": report.removed,
        "verified": report.verified, "repaired": report.repaired, "still_differ": report.still_differ,
    }  # fmt: skip

    def human() -> None:
        print(f"Sent {report.pushed} changes, fetched {report.pulled}; {report.rejected} refused.")
        if report.removed:
            print(f"{report.removed} records left this workspace: your access to them was withdrawn on the server.")
        if report.repaired:
            print(f"This workspace's copy of {len(report.repaired)} part(s) differed from the server's and was "
                  "fetched again; your unsent work was kept.")  # fmt: skip
        if report.still_differ:
            print(f"This workspace's copy of {len(report.still_differ)} part(s) still differs from the server's "
                  "after a fresh copy; the details are in the log. Your work is kept.")  # fmt: skip
        elif report.verified and not report.repaired:
            print(f"Checked against the server: {report.verified} part(s) of this workspace match.")

    ctx.emit(data, human)
    return 0


def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    status = sync_engine.status(ctx.workspace)
    data = status.__dict__

    def human() -> None:
        print(f"Server: {status.server or '(not signed in)'}  user: {status.user or '-'}")
        print(f"Pending changes: {status.pending}  open conflicts: {status.open_conflicts}  refused: {status.rejected}")
        print(
            f"Last sync: {status.last_ok_at or 'never'}"
            + (f"  last error: {status.last_error}" if status.last_error else "")
        )

    ctx.emit(data, human)
    return 0


def cmd_conflicts(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli import print_table

    if args.action == "resolve":
        if not args.id or args.choice not in ("keep", "take"):
            print("closeout-cli: conflicts resolve ID keep|take", file=sys.stderr)
            return 2
        with ctx.transaction() as s:
            conflict_service.resolve(s, args.id, args.choice, actor=ctx.actor)
        ctx.emit({"resolved": args.id, "choice": args.choice}, lambda: print("Resolved; it syncs with the next sync."))
        return 0
    with ctx.session() as s:
        views = conflict_service.list_conflicts(s, include_resolved=args.all)
        rejected = conflict_service.list_rejected(s)
    data = [v.__dict__ for v in views]
    data += [
        {"kind": "rejected", "mutation_id": r.mutation_id, "entity": r.entity, "reason": r.reason} for r in rejected
    ]

    def human() -> None:
        rows = [
            (v.id[-12:], v.kind, f"{v.entity} {v.entity_id[-8:]}", v.field, v.winning_value, v.winner_actor,
             v.losing_value, v.loser_actor)
            for v in views
        ]  # fmt: skip
        rows += [
            (str(r.mutation_id), "rejected", f"{r.entity} {r.entity_id[-8:]}", "", "", "", r.reason, "")
            for r in rejected
        ]
        print_table(("ID", "KIND", "RECORD", "FIELD", "KEPT", "BY", "LOST", "BY"), rows)

    ctx.emit(data, human)
    return 0


def register(subparsers: Any) -> None:
    login = subparsers.add_parser("login", help="sign in to the sync server (password on stdin)")
    login.add_argument("--server", required=True, help="e.g. https://closeout.example.com")
    login.add_argument("--user", required=True)
    login.add_argument("--ca-bundle", default="", help="a PEM file of CA certificates to trust for this server")
    login.set_defaults(handler=cmd_login, creates_workspace=True)
    subparsers.add_parser("logout", help="sign out and forget the token").set_defaults(handler=cmd_logout)
    sync = subparsers.add_parser("sync", help="send local changes and fetch the server's")
    sync.add_argument("--verify", action="store_true", help="end with the sanity check now (it runs daily anyway)")
    sync.set_defaults(handler=cmd_sync)
    subparsers.add_parser("sync-status", help="pending changes, conflicts, last sync").set_defaults(handler=cmd_status)
    conflicts = subparsers.add_parser("conflicts", help="list conflicts; 'conflicts resolve ID keep|take'")
    conflicts.add_argument("action", nargs="?", choices=("list", "resolve"), default="list")
    conflicts.add_argument("id", nargs="?")
    conflicts.add_argument("choice", nargs="?", choices=("keep", "take"))
    conflicts.add_argument("--all", action="store_true", help="include resolved conflicts")
    conflicts.set_defaults(handler=cmd_conflicts)
