"""Spreadsheets and CSV lists for the Excel tests, made on the fly (no binary fixtures in the repository)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

DEMO_PROJECT = "NWD-ONB"


def write_xlsx(
    path: Path, rows: Sequence[Sequence[Any]], *, title: Sequence[str] = (), merge_title: bool = False
) -> Path:
    """A client's workbook: an optional title block (merged across the table), then the rows as given."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Inventory"
    width = max((len(r) for r in rows), default=1)
    for line in title:
        ws.append([line])
        if merge_title:
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def write_csv(path: Path, rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """A CSV as spreadsheets save it: CRLF line ends, quotes only where needed, empty for None."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(
        [["" if c is None else str(c) for c in row] for row in rows]
    )
    text = buffer.getvalue()
    path.write_bytes(text.encode(encoding))
    return path
