"""The inventory workbook: Summary, Assets, one sheet per category, Locations, Action items, Reconciliation (when
there is an onsite audit) and Changes.

Written in openpyxl's write-only mode, so 100,000 assets stream through in flat memory; saved under a
temporary name and moved into place, so a cancelled or failed export never leaves half a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from sqlalchemy.orm import Session

from app.errors import CloseoutError
from app.inventory_export import (
    CHANGE_COLUMNS,
    Column,
    Scope,
    action_item_table,
    asset_columns,
    categories_in_use,
    count_assets,
    count_changes,
    iter_asset_rows,
    iter_change_rows,
    location_table,
    make_scope,
)
from app.inventory_summary import Summary, build_summary
from app.lifecycle import build_forecast
from app.os_support import load_os_support_for
from exporters.xlsx_lifecycle import SHEET_TITLE as LIFECYCLE_SHEET
from exporters.xlsx_lifecycle import write_lifecycle_sheet
from exporters.xlsx_reconciliation import SHEET as RECONCILIATION_SHEET
from exporters.xlsx_reconciliation import write_reconciliation_sheet
from exporters.xlsx_sheet import TableSheet, clean_text, discard_workbook, save_workbook, set_print_layout
from models import Category

#: (rows done, rows in all, what is being written); may raise to cancel.
Progress = Callable[[int, int, str], None]
PROGRESS_EVERY = 1000
_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class ExportReport:
    path: Path
    assets: int
    sheets: list[str]


class _Counter:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.done, self.total, self.progress = 0, max(total, 1), progress

    def step(self, text: str, n: int = 1) -> None:
        before = self.done
        self.done += n
        if self.progress and (self.done // PROGRESS_EVERY != before // PROGRESS_EVERY or n > 1):
            self.progress(min(self.done, self.total), self.total, text)


def export_inventory(
    session: Session,
    path: Path,
    project_ids: Sequence[str] | None = None,
    *,
    progress: Progress | None = None,
    exported_on: date | None = None,
) -> ExportReport:
    """Write the workbook of the given projects (all projects when none are named) to `path`."""
    scope = make_scope(session, project_ids)
    if not scope.project_ids:
        raise CloseoutError("There is no project to export yet.")
    today = exported_on or date.today()
    assets = count_assets(session, scope)
    categories = categories_in_use(session, scope)
    counter = _Counter(2 * assets + count_changes(session, scope) + 10, progress)
    book = Workbook(write_only=True)
    names: list[str] = ["Summary", LIFECYCLE_SHEET]

    def sheet(title: str, columns: Sequence[Column], table: str, hidden: Iterable[str] = ()) -> TableSheet:
        title = _unique_sheet_name(title, names)
        names.append(title)
        return TableSheet(
            book, title, columns, footer=scope.client_names, exported_on=today, table_name=table, hidden=hidden
        )

    try:
        _write_sheets(session, book, scope, today, categories, counter, sheet, names)
        if progress:
            progress(counter.total, counter.total, "Saving the workbook…")
    except BaseException:
        discard_workbook(book)
        raise
    save_workbook(book, Path(path))
    return ExportReport(Path(path), assets, names)


def _write_sheets(
    session: Session,
    book: Workbook,
    scope: Scope,
    today: date,
    categories: Sequence[Category],
    counter: _Counter,
    sheet: Callable[..., TableSheet],
    sheet_names: list[str],
) -> None:
    _write_summary(book, build_summary(session, scope, exported_on=today), scope, today)
    counter.step("Summary", 1)
    forecast = build_forecast(session, load_os_support_for(session), project_ids=scope.project_ids, as_of=today)
    write_lifecycle_sheet(book, forecast, footer=scope.client_names, exported_on=today)

    columns = asset_columns(session, scope)
    _stream(sheet("Assets", columns, "Assets", hidden=["id"]), iter_asset_rows(session, scope, columns), counter)
    for category in categories:
        columns = asset_columns(session, scope, category.id)
        target = sheet(category.name, columns, f"Category_{category.code}", hidden=["id"])
        _stream(target, iter_asset_rows(session, scope, columns, category.id), counter)
    for title, table in (
        ("Locations", location_table(session, scope)),
        ("Action items", action_item_table(session, scope)),
    ):
        small = sheet(title, table.columns, title.replace(" ", "_"))
        for row in table.rows:
            small.append(row)
        small.close()
        counter.step(title, 1)
    if write_reconciliation_sheet(session, book, scope.project_ids, footer=scope.client_names, exported_on=today):
        sheet_names.append(RECONCILIATION_SHEET)
    _stream(sheet("Changes", CHANGE_COLUMNS, "Changes"), iter_change_rows(session, scope), counter)


def _stream(target: TableSheet, rows: Iterable[list[Any]], counter: _Counter) -> None:
    label = f"Writing {target.ws.title}…"
    for row in rows:
        target.append(row)
        counter.step(label)
    target.close()


def _unique_sheet_name(title: str, taken: Sequence[str]) -> str:
    base = _SHEET_CHARS.sub("-", title).strip("'")[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in {t.lower() for t in taken} or name.lower() == "summary":
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    return name


def _write_summary(book: Workbook, summary: Summary, scope: Scope, today: date) -> None:
    ws = book.create_sheet("Summary")
    widths = [30, 16, 16, 16, 16, 16, 16, 16, 14, 14, 10, 10]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    set_print_layout(ws, footer=scope.client_names, exported_on=today, title=f"Inventory — {scope.title}")

    def bold(value: Any, size: float | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=clean_text(str(value)))
        cell.font = Font(bold=True, size=size) if size else Font(bold=True)
        return cell

    def plain(column: Column | None, value: Any) -> Any:
        if isinstance(value, str):
            cell = WriteOnlyCell(ws, value=clean_text(value))
            cell.data_type = "s"  # client and project names are never formulas
            return cell
        if isinstance(value, date):
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = "yyyy-mm-dd"
            return cell
        if isinstance(value, float) and column is not None and column.key in ("adoption",):
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = "0%"
            return cell
        return value

    ws.append([bold(f"Asset inventory — {scope.title}", 14)])
    ws.append([])
    for label, value in summary.facts:
        percent = isinstance(value, float) and ("rate" in label or "adoption" in label)
        cell = plain(None, value)
        if percent:
            cell = WriteOnlyCell(ws, value=value)
            cell.number_format = "0%"
        ws.append([bold(label), cell])
    for section in summary.sections:
        ws.append([])
        ws.append([bold(section.title, 12)])
        ws.append([bold(c.label) for c in section.columns])
        for row in section.rows or [["(none yet)"]]:
            ws.append([plain(c, v) for c, v in zip(section.columns, row, strict=False)])
