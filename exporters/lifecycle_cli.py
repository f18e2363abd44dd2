"""`closeout-cli export lifecycle -o FILE.pdf [--project P] [--years N] [--as-of DATE]`: the lifecycle report."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from app.db import meta_value
from app.errors import ValidationError
from app.lifecycle import DEFAULT_YEARS, Forecast, build_forecast
from app.os_support import load_os_support
from app.projects import find_project
from exporters.pdf_cli import write_aside
from exporters.pdf_data import DEFAULT_MSP_NAME
from exporters.pdf_lifecycle import build_lifecycle_report

if TYPE_CHECKING:
    from app.cli import Context
    from app.db import Workspace


def export_lifecycle_pdf(
    workspace: Workspace,
    output: Path,
    *,
    project_ref: str | None = None,
    years: int = DEFAULT_YEARS,
    as_of: date | None = None,
    paper: str = "letter",
) -> tuple[Path, Forecast]:
    """Write the lifecycle report of one project (all when none) to `output`; returns it and the forecast."""
    os_table = load_os_support(workspace.home)
    with workspace.session() as session:
        project_ids = [find_project(session, project_ref).id] if project_ref else None
        forecast = build_forecast(session, os_table, project_ids=project_ids, years=years, as_of=as_of)
        msp_name = meta_value(session, "msp_name", DEFAULT_MSP_NAME)
    write_aside(output, lambda tmp: build_lifecycle_report(forecast, tmp, msp_name=msp_name, paper=paper))
    return output.expanduser(), forecast


def _handle(ctx: Context, args: argparse.Namespace) -> int:
    from app.cli.lifecycle import parse_as_of

    output = Path(args.output)
    if output.suffix.lower() != ".pdf":
        raise ValidationError(
            {"output": f"The lifecycle report is a PDF: name the file with .pdf at the end, not “{output.name}”."}
        )
    path, forecast = export_lifecycle_pdf(
        ctx.workspace, output, project_ref=args.project, years=args.years, as_of=parse_as_of(args.as_of),
        paper=args.paper,
    )  # fmt: skip
    data = {"written": str(path), "kind": "lifecycle", "total_budget": str(forecast.total_budget)}
    ctx.emit(data, lambda: print(f"Wrote {path}", file=sys.stdout))
    return 0


def register(
    export_verbs: argparse._SubParsersAction[argparse.ArgumentParser],
    root_verbs: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    from app.cli.lifecycle import years_argument

    p = export_verbs.add_parser("lifecycle", help="the lifecycle and replacement budget report (PDF)")
    p.add_argument("--project", "-p", help="one project (default: all projects)")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the PDF to write")
    p.add_argument("--years", type=years_argument, default=DEFAULT_YEARS, help=f"years ahead (default {DEFAULT_YEARS})")
    p.add_argument("--as-of", metavar="DATE", help="count ages and warranties as of this day (default: today)")
    p.add_argument("--paper", choices=("letter", "a4"), default="letter")
    p.set_defaults(handler=_handle)
