"""The rows an import turned down, in a workbook to fix and import again (same headers, plus the reason)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from openpyxl.workbook import Workbook

from app.importing import RowResult
from app.importing.mapping import IDENTIFIER_FIELDS
from app.inventory_export import Column, ColumnKind
from exporters.xlsx_sheet import TableSheet, save_workbook

REASON_HEADER = "Why it was not imported"
ROW_HEADER = "Row in the original file"


def write_rejects(
    path: Path, headers: Sequence[str], mapping: Mapping[str, str], rejected: Sequence[RowResult], *, source: str = ""
) -> Path:
    """Write the rejected rows with their original cells; identifier columns are formatted as text to retype."""
    columns = [Column("row", ROW_HEADER, ColumnKind.NUMBER, 10)]
    for header in headers:
        key = mapping.get(header, "")
        identifier = key in IDENTIFIER_FIELDS or key == "id"
        columns.append(Column(key or header, header, ColumnKind.IDENTIFIER if identifier else ColumnKind.TEXT, 16))
    columns.append(Column("reason", REASON_HEADER, ColumnKind.TEXT, 60))
    book = Workbook(write_only=True)
    sheet = TableSheet(book, "Rejected rows", columns, footer=source or "Closeout import", exported_on=date.today())
    for row in rejected:
        cells = list(row.cells[: len(headers)]) + [None] * (len(headers) - len(row.cells))
        sheet.append([row.row_number, *cells, " ".join(row.reasons)])
    sheet.close()
    return save_workbook(book, Path(path))
