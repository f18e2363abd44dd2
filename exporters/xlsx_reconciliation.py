"""The workbook's Reconciliation sheet: counts per site and location, then every listed asset with its audit state
and every asset found on site that was not listed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from sqlalchemy.orm import Session

from app.audit_report import audit_rows, reconcile
from exporters.xlsx_sheet import clean_text, set_print_layout

SHEET = "Reconciliation"
COUNT_HEADERS = ("Site", "Location", "Expected", "Seen", "Missing", "Not in scope", "Found, not listed", "Unseen")
ASSET_HEADERS = ("Tag", "Previous tag", "Asset", "Serial", "Site", "Location", "State", "Reason", "Seen at",
                 "Seen by")  # fmt: skip
_WIDTHS = (18, 30, 22, 16, 16, 26, 18, 16, 18, 16)


def write_reconciliation_sheet(
    session: Session, book: Workbook, project_ids: Sequence[str], *, footer: str, exported_on: date
) -> bool:
    """Add the sheet when any of the projects has a client's list to reconcile; False otherwise."""
    results = [reconcile(session, pid) for pid in project_ids]
    if not any(r.audited for r in results):
        return False
    ws = book.create_sheet(SHEET)
    for index, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    set_print_layout(ws, footer=footer, exported_on=exported_on, title="Onsite audit reconciliation")

    def text(value: object, *, bold: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=clean_text(str(value)))
        cell.data_type = "s"  # tags and serials stay text, never numbers or formulas
        if bold:
            cell.font = Font(bold=True)
        return cell

    ws.append([text("Counts per site and location", bold=True)])
    ws.append([text(h, bold=True) for h in COUNT_HEADERS])
    for result in results:
        for p in result.places:
            ws.append([text(p.site), text(p.location), p.expected, p.seen, p.missing, p.out_of_scope, p.found,
                       p.unseen])  # fmt: skip
    totals = [r.total for r in results]
    ws.append([text("All", bold=True), text(""), *(sum(getattr(t, k) for t in totals) for k in (
        "expected", "seen", "missing", "out_of_scope", "found", "unseen"))])  # fmt: skip
    ws.append([])
    ws.append([text("Every listed asset, then every asset found on site that was not listed", bold=True)])
    ws.append([text(h, bold=True) for h in ASSET_HEADERS])
    for pid in project_ids:
        for row in audit_rows(session, pid):
            seen_at = WriteOnlyCell(ws, value=row.seen_at.replace(tzinfo=None) if row.seen_at else None)
            seen_at.number_format = "yyyy-mm-dd hh:mm"
            ws.append([text(row.tag), text(row.previous_tag), text(row.description), text(row.serial),
                       text(row.site), text(row.location), text(row.state.label), text(row.reason), seen_at,
                       text(row.seen_by)])  # fmt: skip
    return True
