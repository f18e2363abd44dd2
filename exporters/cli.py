"""`closeout-cli export ...` and `closeout-cli import ...`: the verbs of each file format come from its module."""

from __future__ import annotations

import argparse
import importlib

#: Each module has `register(export_verbs, root_verbs)`: it adds `export <format>` verbs and any top-level ones.
FORMAT_MODULES = ("exporters.xlsx_cli", "exporters.pdf_cli")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser("export", help="write a workbook or a PDF")
    export_verbs = export.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name in FORMAT_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(export_verbs, sub)
