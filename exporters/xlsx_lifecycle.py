"""The workbook's "Lifecycle" sheet: the replacement budget and count per year and category with a native Excel
chart over it, then the assets out of warranty and those whose operating system is out of support."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from app.lifecycle import AssetLifecycle, Forecast
from exporters.xlsx_sheet import DATE_FORMAT, clean_text, set_print_layout

SHEET_TITLE = "Lifecycle"
#: Where the budget table's header row is (the chart and the tests read it from there).
BUDGET_HEADER_ROW = 5


def currency_format(currency: str) -> str:
    """An Excel currency format with the ISO code ("[$EUR] #,##0.00"), which Excel and LibreOffice show as money."""
    return f"[${currency}] #,##0.00;-[${currency}] #,##0.00" if currency else "#,##0.00"


def write_lifecycle_sheet(book: Workbook, forecast: Forecast, *, footer: str, exported_on: date) -> str:
    """Add the sheet to a write-only book; returns its title."""
    ws = book.create_sheet(SHEET_TITLE)
    years = forecast.years
    # The lists below share the columns with the tables: model and OS need the room.
    widths = {1: 30, 3: 30, 4: 28, 6: 24}
    for index in range(1, max(len(years) + 3, 7)):
        ws.column_dimensions[get_column_letter(index)].width = widths.get(index, 15)
    set_print_layout(ws, footer=footer, exported_on=exported_on, title=f"Lifecycle — {forecast.title}")
    money_format = currency_format(forecast.currency)

    def text(value: str, *, bold: bool = False, size: float | None = None, right: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=clean_text(value))
        cell.data_type = "s"  # names and models are never formulas
        if bold or size:
            cell.font = Font(bold=True, size=size) if size else Font(bold=True)
        if right:
            cell.alignment = Alignment(horizontal="right")
        return cell

    def money(value: Any, *, bold: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = money_format
        if bold:
            cell.font = Font(bold=True)
        return cell

    def day(value: date | None) -> Any:
        if value is None:
            return None
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    ws.append([text(f"Lifecycle and replacement budget — {forecast.title}", size=14)])
    ws.append([text(f"As of {forecast.as_of:%Y-%m-%d}; amounts in {forecast.currency}.")])
    ws.append([text(_caveats(forecast))])
    ws.append([text("Replacement budget per year", bold=True)])

    def header() -> list[WriteOnlyCell]:
        cells = [text("Category", bold=True)]
        return cells + [text(str(y), bold=True, right=True) for y in years] + [text("Total", bold=True, right=True)]

    ws.append(header())  # row BUDGET_HEADER_ROW
    for category in forecast.categories:
        cells = [forecast.cell(y, category).budget for y in years]
        ws.append([text(category), *(money(v) for v in cells), money(sum(cells))])
    total = [forecast.year_budget(y) for y in years]
    ws.append([text("Total", bold=True), *(money(v, bold=True) for v in total), money(sum(total), bold=True)])
    budget_last_row = BUDGET_HEADER_ROW + len(forecast.categories)
    ws.append([])
    ws.append([text("Assets due per year", bold=True)])
    ws.append(header())
    for category in forecast.categories:
        counts = [forecast.cell(y, category).count for y in years]
        ws.append([text(category), *counts, sum(counts)])
    counts = [forecast.year_count(y) for y in years]
    ws.append([text("Total", bold=True), *counts, sum(counts)])
    ws.append([text("Of which without a cost estimate"), *(forecast.year_unpriced(y) for y in years)])
    ws.append([])
    _asset_list(ws, text, day, "Out of warranty or expiring within 90 days", forecast.out_of_warranty, warranty=True)
    ws.append([])
    _asset_list(ws, text, day, "Operating system out of support", forecast.out_of_support, warranty=False)
    if forecast.categories:
        _add_chart(ws, forecast, budget_last_row)
    return SHEET_TITLE


def _caveats(forecast: Forecast) -> str:
    parts = [f"Assets past their expected life are counted in {forecast.years[0]}."]
    unplanned = [
        f"{forecast.without_purchase_date} without a purchase date" if forecast.without_purchase_date else "",
        f"{forecast.without_life} in a category without an expected life" if forecast.without_life else "",
    ]
    if any(unplanned):
        parts.append("Not planned: " + "; ".join(p for p in unplanned if p) + ".")
    return " ".join(parts)


def _asset_list(ws: Any, text: Any, day: Any, title: str, assets: Sequence[AssetLifecycle], *, warranty: bool) -> None:
    ws.append([text(f"{title} ({len(assets)})", bold=True)])
    last = "Warranty" if warranty else "Support ended"
    ws.append([text(h, bold=True) for h in ("Asset tag", "Category", "Model", "Operating system", last, "State")])
    for a in assets:
        model = " ".join(p for p in (a.manufacturer, a.model) if p)
        if warranty:
            state, when = a.warranty.label, a.warranty_end
        else:
            state, when = a.os_system or "", a.os_end_of_support
        ws.append([text(a.asset_tag), text(a.category), text(model), text(a.os), day(when), text(state)])


def _add_chart(ws: Any, forecast: Forecast, budget_last_row: int) -> None:
    """A stacked column chart: one column per year, one colour per category, read from the budget table."""
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = f"Replacement budget ({forecast.currency})"
    chart.y_axis.title = forecast.currency
    chart.y_axis.numFmt = "#,##0"
    chart.x_axis.title = "Year"
    # openpyxl 3.1 hides both axes unless told otherwise (delete=True by default); Excel then draws no labels.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    last_year_col = 1 + len(forecast.years)
    data = Reference(ws, min_col=1, max_col=last_year_col, min_row=BUDGET_HEADER_ROW + 1, max_row=budget_last_row)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=last_year_col, min_row=BUDGET_HEADER_ROW))
    chart.height, chart.width = 9, 18
    ws.add_chart(chart, f"{get_column_letter(last_year_col + 3)}{BUDGET_HEADER_ROW}")
