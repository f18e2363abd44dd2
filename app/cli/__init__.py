"""`closeout-cli`: the desktop's services without a window, for managers and scripts.

Each area registers its own verbs from its own module (see COMMAND_MODULES); errors become one line in
the user's words and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import __version__
from app.config import resolve_home
from app.db import Workspace, describe_db_error, open_workspace
from app.errors import CloseoutError, ValidationError

#: Modules that add verbs; each has `register(subparsers)`. Loaded by name so that the core never
#: imports the exporters or the sync client statically.
COMMAND_MODULES = (
    "app.cli.assets",
    "app.cli.sync",
    "exporters.cli",
    "app.cli.workflow",
    "app.cli.lifecycle",
    "exporters.labels_cli",
    "app.cli.audit",
)

log = logging.getLogger(__name__)
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class Handler(Protocol):
    def __call__(self, ctx: Context, args: argparse.Namespace) -> int: ...


@dataclass
class Context:
    """What a command gets: the workspace (opened on first use), who is acting, and output helpers."""

    home: Path
    as_json: bool
    actor: str
    #: Only the verbs that set a workspace up (demo, login) create one; any other verb pointed at a folder with no
    #: workspace (a mistyped --home) says so instead of quietly working in a new, empty one.
    creates_workspace: bool = False
    _workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = open_workspace(self.home, create=self.creates_workspace)
        return self._workspace

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        workspace = self.workspace
        if not workspace.integrity_checked:  # never write into a damaged file (a command writes once or twice)
            workspace.check_integrity()
        with workspace.transaction() as session:
            yield session

    def session(self) -> Session:
        return self.workspace.session()

    def emit(self, data: Any, human: Callable[[], None]) -> None:
        """Print `data` as JSON with --json, else run the human-readable printer."""
        if self.as_json:
            json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
            sys.stdout.write("\n")
        else:
            human()

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned text table for people reading a terminal."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = min(max(widths[i], len(value)), 48)
    line = "  ".join(h.ljust(widths[i]) for i, h in enumerate(headers))
    print(line.rstrip())
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(v[: widths[i]].ljust(widths[i]) for i, v in enumerate(row)).rstrip())


def default_actor() -> str:
    return os.environ.get("CLOSEOUT_USER") or os.environ.get("USER") or os.environ.get("USERNAME") or "technician"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="closeout-cli",
        description="Closeout without a window: activation closeout for MSPs.",
    )
    parser.add_argument("--version", action="version", version=f"closeout {__version__}")
    parser.add_argument("--home", metavar="DIR", help="workspace folder (default: CLOSEOUT_HOME or the user data dir)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.add_argument("--as", dest="actor", metavar="NAME", help="who is making the changes (default: $USER)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    _accept_global_options(parser)
    return parser


def _accept_global_options(parser: argparse.ArgumentParser) -> None:
    """Let --json, --home and --as follow the verb too (`closeout-cli assets list --json`).

    Each verb's parser gets them with a suppressed default, so a verb's parser never overwrites what was given
    before the verb.
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        for verb in set(action.choices.values()):
            verb.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
            verb.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
            verb.add_argument("--as", dest="actor", metavar="NAME", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
            _accept_global_options(verb)


def _write_crash_report(exc: BaseException, argv: Sequence[str]) -> str:
    """The traceback in the log folder (never on the user's terminal); returns where it went."""
    import traceback
    from datetime import datetime

    from app.config import log_dir

    text = "closeout-cli " + " ".join(argv) + "\n\n" + "".join(traceback.format_exception(exc))
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"cli-error-{datetime.now():%Y%m%d-%H%M%S}.txt"
        path.write_text(text, encoding="utf-8")
        return str(path)
    except OSError:
        log.error("%s", text)
        return "the log above"


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    logging.getLogger("urllib3").setLevel(logging.ERROR)  # its retry notices are not for the user; the outcome is
    ctx = Context(
        home=resolve_home(args.home),
        as_json=args.json,
        actor=args.actor or default_actor(),
        creates_workspace=getattr(args, "creates_workspace", False),
    )

    def fail(*messages: str, code: int = EXIT_ERROR) -> int:
        for message in messages:
            print(f"closeout-cli: {message}", file=sys.stderr)
        if ctx.as_json:  # a script reading --json output gets the error as JSON too
            json.dump({"error": " ".join(messages)}, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        return code

    try:
        return handler(ctx, args)
    except ValidationError as exc:
        return fail(*(message or f"{field} is not valid" for field, message in exc.errors.items()))
    except CloseoutError as exc:
        return fail(exc.message)
    except DBAPIError as exc:
        return fail(describe_db_error(exc))
    except BrokenPipeError:  # the output was piped into `head` and it has seen enough
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (so the interpreter's final flush stays quiet)
        return 0
    except OSError as exc:
        return fail(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
    except KeyboardInterrupt:
        return fail("interrupted; nothing half-written was kept.", code=130)
    except Exception as exc:  # a bug: one line for the user, the details in a file for support
        report = _write_crash_report(exc, sys.argv[1:] if argv is None else list(argv))
        return fail(
            f"something unexpected went wrong ({type(exc).__name__}: {exc}); nothing half-written was kept. "
            f"Details for support: {report}"
        )
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
