"""`closeout-cli export signoff|packet|noc-brief --project P -o FILE [--paper letter|a4]`."""

from __future__ import annotations

import argparse
import errno
import os
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from app.errors import output_problem
from exporters.pdf_data import load_dossier
from exporters.pdf_noc_brief import build_noc_brief
from exporters.pdf_packet import build_packet
from exporters.pdf_signoff import build_signoff_form

if TYPE_CHECKING:
    from app.cli import Context
    from app.db import Workspace

KINDS = ("signoff", "packet", "noc-brief")
Progress = Callable[[int, int, str], None]
T = TypeVar("T")


def export_pdf(
    workspace: Workspace,
    kind: str,
    project_ref: str,
    output: Path,
    *,
    paper: str = "letter",
    progress: Progress | None = None,
) -> Path:
    """Build one of the closeout PDFs into `output` (written aside, then moved in place, so no half file stays)."""
    if kind not in KINDS:
        raise ValueError(f"unknown PDF kind {kind!r}")
    with workspace.session() as session:
        dossier = load_dossier(session, project_ref, workspace.blobs_dir, with_assets=kind == "packet")

    def build(tmp: Path) -> None:
        if kind == "signoff":
            build_signoff_form(dossier, tmp, paper=paper)
        elif kind == "packet":
            build_packet(dossier, tmp, paper=paper, progress=progress)
        else:
            build_noc_brief(dossier, tmp, paper=paper)

    write_aside(output, build)
    return output.expanduser()


def write_aside(output: Path, build: Callable[[Path], T]) -> T:
    """Run `build` on a new file beside `output`, then move it in place, so no half-written file ever stays."""
    output = output.expanduser()
    if output.is_dir():
        raise output_problem(output, IsADirectoryError(errno.EISDIR, "Is a directory"))
    tmp: Path | None = None
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(f".{output.name}.{secrets.token_hex(4)}.part")
        # Created like any file the user saves (the umask decides who may read it), not private as mkstemp makes it.
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        result = build(tmp)
        os.replace(tmp, output)
    except OSError as exc:
        raise output_problem(output, exc) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return result


def _handler(kind: str) -> Callable[[Context, argparse.Namespace], int]:
    def handle(ctx: Context, args: argparse.Namespace) -> int:
        path = export_pdf(ctx.workspace, kind, args.project, Path(args.output), paper=args.paper)
        ctx.emit({"written": str(path), "kind": kind}, lambda: print(f"Wrote {path}", file=sys.stdout))
        return 0

    return handle


def register(
    export_verbs: argparse._SubParsersAction[argparse.ArgumentParser],
    root_verbs: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    helps = {
        "signoff": "the go-live signoff form (signed or ready to print and sign)",
        "packet": "the coordinator's signoff packet with the full asset inventory",
        "noc-brief": "the NOC familiarization brief",
    }
    for kind in KINDS:
        p = export_verbs.add_parser(kind, help=helps[kind])
        p.add_argument("--project", help="project code, name or id (default: the only open project)")
        p.add_argument("-o", "--output", required=True, metavar="FILE", help="the PDF to write")
        p.add_argument("--paper", choices=("letter", "a4"), default="letter")
        p.set_defaults(handler=_handler(kind))
