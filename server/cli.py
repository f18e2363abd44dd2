"""`closeout-server`: init, upgrade, create-user, grant, revoke, purge-tombstones, serve.

Passwords come from a prompt or stdin only.
"""

from __future__ import annotations

import argparse
import getpass
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from server import auth
from server.db import make_engine, make_session_factory, upgrade_head
from server.metrics import MULTIPROC_ENV
from server.models import ROLES, Record, User
from server.settings import CONFIG_FILE, ENV_PREFIX, Settings, default_data_dir, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"data_dir": args.data_dir} if args.data_dir else {}
    return load_settings(**overrides)


@contextmanager
def _database(settings: Settings) -> Iterator[Engine]:
    """The server's database, its schema brought up to date, closed again afterwards."""
    if not settings.database_url:
        settings.data_dir.mkdir(parents=True, exist_ok=True)  # the embedded SQLite file goes there
    engine = make_engine(settings.resolved_database_url)
    try:
        upgrade_head(engine)
        yield engine
    finally:
        engine.dispose()


def cmd_init(args: argparse.Namespace) -> int:
    """Create the data folder, a config file with a random secret, and the database schema."""
    data_dir = args.data_dir or default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / CONFIG_FILE
    if not config.exists():
        config.write_text(f"CLOSEOUT_SERVER_SECRET_KEY={secrets.token_urlsafe(32)}\n", encoding="utf-8")
        config.chmod(0o600)
        print(f"wrote {config} with a new random secret")
    settings = load_settings(data_dir=data_dir)
    with _database(settings):  # creates or upgrades the schema
        pass
    print(f"database ready: {settings.resolved_database_url}")
    _ensure_bucket(settings)
    return 0


def cmd_upgrade(args: argparse.Namespace) -> int:
    """Bring the schema to the newest revision (one instance at a time) and make the bucket if it is missing."""
    settings = _settings(args)
    with _database(settings):
        pass
    print(f"database at the newest schema: {settings.resolved_database_url.split('@')[-1]}")
    _ensure_bucket(settings)
    return 0


def _ensure_bucket(settings: Settings) -> None:
    if settings.storage == "s3":
        from server.s3store import S3BlobStore

        made = S3BlobStore.from_settings(settings).ensure_bucket()
        print(f"bucket {settings.s3_bucket} {'made' if made else 'ready'}")


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat the password: "):
        raise ValueError("the two passwords differ")
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    settings = _settings(args)
    password = _read_password(args)
    with _database(settings) as engine, make_session_factory(engine)() as session, session.begin():
        auth.create_user(session, name=args.name, role=args.role, password=password)
    print(f"created {args.role} {args.name}")
    return 0


def _resolve_target(session: Session, kind: str, target: str) -> str:
    """The id of a project (or client) named by its id or code; an unknown 36-character id is taken as it is."""
    records = session.scalars(select(Record).where(Record.entity == kind, Record.deleted_at.is_(None))).all()
    match = [r for r in records if r.id == target or r.data.get("code") == target]
    if len(match) > 1:
        raise ValueError(f"several {kind}s have the code {target}; name it by id")
    if match:
        return match[0].id
    if len(target) != 36:
        raise ValueError(f"there is no {kind} {target} on the server yet; name it by its id")
    return target


def _user_named(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise ValueError(f"there is no user named {name}")
    return user


def cmd_grant(args: argparse.Namespace) -> int:
    """Grant a project (or, with --client, a whole client) by id or code."""
    settings = _settings(args)
    kind = "client" if args.client else "project"
    with _database(settings) as engine, make_session_factory(engine)() as session, session.begin():
        user = _user_named(session, args.user)
        scope_id = _resolve_target(session, kind, args.target)
        auth.grant(session, user, scope_kind=kind, scope_id=scope_id)
    print(f"granted {kind} {scope_id} to {args.user}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    """Withdraw a grant of a project (or, with --client, a client); the user's devices drop that data."""
    settings = _settings(args)
    kind = "client" if args.client else "project"
    with _database(settings) as engine, make_session_factory(engine)() as session, session.begin():
        user = _user_named(session, args.user)
        scope_id = _resolve_target(session, kind, args.target)
        if not auth.revoke_grant(session, user, scope_kind=kind, scope_id=scope_id):
            raise ValueError(f"{args.user} has no grant of {kind} {args.target}")
    print(f"revoked {kind} {scope_id} from {args.user}; their devices remove it at their next sync")
    return 0


#: Unfinished attachment uploads are kept this long for their device to come back and finish them.
PARTIAL_DAYS = 14


def cmd_purge_tombstones(args: argparse.Namespace) -> int:
    """Delete tombstones older than the retention; devices with an older cursor then get 410 and re-pull."""
    from server.blobstore import make_blob_store
    from server.purge import purge_tombstones
    from server.storage import purge_partials

    settings = _settings(args)
    days = settings.tombstone_days if args.older_than is None else args.older_than
    if days < 0:
        raise ValueError("--older-than takes a number of days, 0 or more")
    with _database(settings) as engine, make_session_factory(engine)() as session:
        report = purge_tombstones(session, older_than_days=days)
        partials = purge_partials(session, make_blob_store(settings), older_than_seconds=PARTIAL_DAYS * 86400)
    print(f"purged {report.purged} tombstones older than {days:g} days from {len(report.floors)} spaces")
    if report.kept_referenced:
        print(f"kept {report.kept_referenced} old tombstones that remaining records still refer to")
    if partials:
        print(f"removed {partials} unfinished attachment uploads untouched for {PARTIAL_DAYS} days")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Upgrade the schema once, then serve in this process or in `--workers` processes sharing the port.

    SIGTERM (or Ctrl+C) stops taking connections and lets running requests finish (up to --graceful-seconds).
    """
    import uvicorn

    from server.main import SERVE_OPTIONS, create_app
    from server.observability import LOG_LEVEL_ENV, configure_logging

    if args.workers < 1:
        raise ValueError("--workers takes a number of processes, 1 or more")
    settings = _settings(args)
    with _database(settings):  # migrations run here, once, not in every worker
        pass
    configure_logging(as_json=settings.json_logs, level=args.log_level)
    options = {
        **SERVE_OPTIONS, "host": args.host, "port": args.port, "log_level": args.log_level, "log_config": None,
        "timeout_graceful_shutdown": args.graceful_seconds, "timeout_keep_alive": args.keep_alive_seconds,
    }  # fmt: skip
    if args.forwarded_allow_ips:  # behind a reverse proxy: client addresses (for sign-in limits) from its headers
        options.update(proxy_headers=True, forwarded_allow_ips=args.forwarded_allow_ips)
    if args.workers == 1:
        uvicorn.run(create_app(settings, migrate=False), **options)
        return 0
    # Workers are fresh processes: they find the data folder and the metrics folder in the environment.
    os.environ[f"{ENV_PREFIX}DATA_DIR"] = str(settings.data_dir)
    os.environ[LOG_LEVEL_ENV] = args.log_level
    with tempfile.TemporaryDirectory(prefix="closeout-metrics-") as metrics_dir:
        os.environ.setdefault(MULTIPROC_ENV, metrics_dir)
        uvicorn.run("server.main:worker_app", factory=True, workers=args.workers, **options)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="closeout-server", description="The Closeout sync server.")
    parser.add_argument("--data-dir", type=Path, default=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser("init", help="create the config file and the database").set_defaults(handler=cmd_init)
    user = sub.add_parser("create-user", help="add a person (password from a prompt or stdin)")
    user.add_argument("name")
    user.add_argument("--role", choices=ROLES, required=True)
    user.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    user.set_defaults(handler=cmd_create_user)
    grant = sub.add_parser("grant", help="let a user see and change a project (or a client with --client)")
    grant.add_argument("user")
    grant.add_argument("target", metavar="PROJECT")
    grant.add_argument("--client", action="store_true", help="TARGET is a client: grant all its projects")
    grant.set_defaults(handler=cmd_grant)
    revoke = sub.add_parser("revoke", help="withdraw a grant of a project (or a client with --client)")
    revoke.add_argument("user")
    revoke.add_argument("target", metavar="PROJECT")
    revoke.add_argument("--client", action="store_true", help="TARGET is a client")
    revoke.set_defaults(handler=cmd_revoke)
    purge = sub.add_parser("purge-tombstones", help="delete records deleted longer ago than the retention")
    purge.add_argument(
        "--older-than", type=float, default=None, metavar="DAYS",
        help="purge tombstones older than DAYS (default: CLOSEOUT_SERVER_TOMBSTONE_DAYS, 180)",
    )  # fmt: skip
    purge.set_defaults(handler=cmd_purge_tombstones)
    serve = sub.add_parser("serve", help="run the HTTP server (schema upgraded first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--workers", type=int, default=1, help="worker processes sharing the port (default 1)")
    serve.add_argument(
        "--graceful-seconds", type=int, default=30, metavar="S",
        help="on SIGTERM, wait this long for running requests to finish (default 30)",
    )  # fmt: skip
    serve.add_argument(
        "--keep-alive-seconds", type=int, default=75, metavar="S",
        help="keep an idle connection open this long (default 75: longer than a load balancer's idle timeout, so "
        "the proxy, not the server, closes it and never reuses a connection the server just closed)",
    )  # fmt: skip
    serve.add_argument(
        "--forwarded-allow-ips", default="", metavar="IPS",
        help="addresses of the reverse proxy whose X-Forwarded-For is trusted (comma-separated; default: none)",
    )  # fmt: skip
    serve.set_defaults(handler=cmd_serve)
    upgrade = sub.add_parser("upgrade", help="upgrade the database schema (one instance at a time) and make the bucket")
    upgrade.set_defaults(handler=cmd_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except ValidationError as exc:
        print(f"closeout-server: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"closeout-server: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
