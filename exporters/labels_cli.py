"""`closeout-cli labels --project P (--tags A..B | --next N | --selection-file F) --template NAME -o FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import CloseoutError
from app.projects import find_project
from app.tag_blocks import possible_tags, reserve_run_now, return_unused
from exporters.label_layout import LabelContent, layout_label
from exporters.label_templates import LabelTemplate, find_template, load_templates
from exporters.labels_data import contents_for_project, rooms_of_place, tag_range, tags_from_file
from exporters.labels_pdf import write_labels_pdf
from exporters.labels_zpl import write_labels_zpl
from exporters.pdf_common import logo_path

if TYPE_CHECKING:
    from app.cli import Context


def parse_start(text: str) -> tuple[int, int]:
    """ "3,2" -> (3, 2): the first free row and column of a partly used sheet."""
    parts = text.replace(" ", "").split(",")
    if len(parts) != 2 or not all(p.isdigit() and int(p) >= 1 for p in parts):
        raise CloseoutError(f"“{text}” is not a start position; write ROW,COLUMN like 3,2 (counting from 1).")
    return int(parts[0]), int(parts[1])


def cmd_labels(ctx: Context, args: argparse.Namespace) -> int:
    if args.list_templates:
        templates, problems = load_templates()
        rows = [{"name": t.name, "title": t.title, "kind": t.kind} for t in templates.values()]
        ctx.emit({"templates": rows, "problems": problems},
                 lambda: print("\n".join([f"{r['name']:16} {r['title']}" for r in rows] + problems)))  # fmt: skip
        return 0
    if args.return_unused:
        with ctx.transaction() as s:
            given = return_unused(s, find_project(s, args.project).client_id)
        ctx.emit(
            {"returned": given}, lambda: print(f"Returned {given} unused pre-printed tags (sent at the next sync).")
        )
        return 0
    if (
        not args.template
        or not args.output
        or not (args.tags or args.next or args.selection_file or args.rooms is not None)
    ):
        raise CloseoutError(
            "Give --template, -o FILE and one of --tags A..B, --next N, --selection-file F or --rooms [PLACE]."
        )
    template = find_template(args.template)
    start = parse_start(args.start)
    with ctx.session() as s:
        project = find_project(s, args.project)
        client_id, project_id = project.client_id, project.id
    note = ""
    if args.rooms is not None:
        with ctx.session() as s:
            contents = rooms_of_place(s, project_id, args.rooms)
        for content in contents:
            layout_label(template, content)  # a room too long for this medium is said before anything is written
        return _write(ctx, args, template, start, contents, "")
    if args.tags:
        tags = tag_range(args.tags)
    elif args.selection_file:
        tags = tags_from_file(Path(args.selection_file))
    else:
        for sample in possible_tags(ctx.workspace, client_id, args.next):  # reserve nothing that cannot print
            layout_label(template, LabelContent(sample))
        run = reserve_run_now(ctx.workspace, client_id, args.next)
        tags, note = run.tags, run.note
    with ctx.session() as s:
        contents = contents_for_project(s, project_id, tags)
    return _write(ctx, args, template, start, contents, note)


def _write(
    ctx: Context,
    args: argparse.Namespace,
    template: LabelTemplate,
    start: tuple[int, int],
    contents: list[LabelContent],
    note: str,
) -> int:
    output = Path(args.output)
    if output.suffix.lower() == ".zpl":
        write_labels_zpl(template, contents, output)
        pages = len(contents)
    else:
        pages = write_labels_pdf(template, contents, output, start=start, logo=logo_path() if args.logo else None)
    tags = [c.tag for c in contents]
    data: dict[str, object] = {"written": str(output), "template": template.name, "tags": tags, "pages": pages,
                               "note": note}  # fmt: skip
    if args.rooms is not None:
        data["rooms"] = [{"code": c.tag, "name": c.title, "where": c.client} for c in contents]

    def human() -> None:
        if args.rooms is not None:
            print(f"Wrote {len(contents)} room labels ({contents[0].title} … {contents[-1].title}) to {output}")
        else:
            print(f"Wrote {len(tags)} labels ({tags[0]} … {tags[-1]}) to {output}")
        if note:
            print(note, file=sys.stderr)

    ctx.emit(data, human)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("labels", help="print asset labels (PDF, or ZPL for a Zebra printer when FILE ends in .zpl)")
    p.add_argument("--project", "-p", help="project code, name or id (default: the only open project)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--tags", help="a range of tags, e.g. ACME-0001..ACME-0100")
    which.add_argument("--next", type=int, help="reserve and print a run of N new tags (pre-printed labels)")
    which.add_argument("--selection-file", help="a file with one tag per line")
    which.add_argument(
        "--rooms",
        nargs="?",
        const="",
        metavar="PLACE",
        help="room labels to stick by each door, scanned on entering to set the room: of PLACE (a site or location, "
        "with every place inside it) or, without PLACE, of every site and location of the client",
    )
    p.add_argument("--template", help="label template name (see --list-templates)")
    p.add_argument("--start", default="1,1", help="first free ROW,COL on a partly used sheet (default 1,1)")
    p.add_argument("--logo", action="store_true", help="print the MSP's logo on labels that have room")
    p.add_argument("-o", "--output", help="the PDF (or .zpl) file to write")
    p.add_argument("--list-templates", action="store_true", help="list the label templates and stop")
    p.add_argument(
        "--return-unused",
        action="store_true",
        help="give back the unused tags of this device's pre-printed runs (their labels were thrown away)",
    )
    p.set_defaults(handler=cmd_labels)
