"""`closeout-cli export ...` and `closeout-cli import ...`: the verbs of each file format come from its module."""

from __future__ import annotations

import argparse
import importlib

#: Each module has `register(export_verbs, root_verbs)`: it adds `export <format>` verbs and any top-level ones.
FORMAT_MODULES = ("exporters.xlsx_cli", "exporters.pdf_cli", "exporters.lifecycle_cli")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser("export", help="write a workbook or a PDF")
    export_verbs = export.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for name in FORMAT_MODULES:
        module = importlib.import_module(name)
        module.register(export_verbs, sub)
