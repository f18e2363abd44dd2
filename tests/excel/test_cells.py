"""Any text survives the workbook writer and both readers exactly; risky text is never a formula."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from app.inventory_export import Column, ColumnKind
from exporters.sheet_reader import read_sheet
from exporters.xlsx_sheet import TableSheet, clean_text, save_workbook

COLUMNS = [
    Column("tag", "Tag", ColumnKind.IDENTIFIER),
    Column("text", "Text"),
    Column("n", "Number", ColumnKind.NUMBER),
    Column("d", "Date", ColumnKind.DATE),
]
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)


def _write(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook(write_only=True)
    sheet = TableSheet(book, "Data", COLUMNS, footer="Test & Co", exported_on=date(2026, 1, 2))
    for row in rows:
        sheet.append(row)
    sheet.close()
    return save_workbook(book, path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(texts, texts, st.integers(-(10**12), 10**12) | st.floats(-1e9, 1e9)), min_size=1, max_size=8))
def test_text_numbers_and_dates_read_back_exactly(rows: list[tuple[str, str, float]]) -> None:
    data = [[tag, text, number, date(2024, 2, 29)] for tag, text, number in rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp) / "t.xlsx", data)
        ws = load_workbook(path)["Data"]
        fast = read_sheet(path)
    expected = [[clean_text(t) or None, clean_text(x) or None, n, datetime(2024, 2, 29)] for t, x, n, _ in data]
    assert [list(r) for r in ws.iter_rows(min_row=2, values_only=True)] == expected
    # The import's reader (calamine) gives a date-formatted cell without a time as a date.
    read_back = [[*r[:3], date(2024, 2, 29)] for r in expected if any(v is not None for v in r)]
    assert [cells for _, cells in fast.rows] == read_back
    for row in ws.iter_rows(min_row=2):
        assert all(cell.data_type != "f" for cell in row)


def test_risky_text_is_a_quoted_text_cell(tmp_path: Path) -> None:
    values = ["=1+1", "+44 20 7946 0000", "-3", "@SUM(A1)", "\t=cmd", "\r\n=x", "#N/A", "ok"]
    path = _write(tmp_path / "r.xlsx", [[v, v, None, None] for v in values])
    ws = load_workbook(path)["Data"]
    for row, value in zip(ws.iter_rows(min_row=2), values, strict=True):
        assert row[1].value == value and row[1].data_type == "s"
        assert row[1].quotePrefix == (value != "ok")
        assert row[0].number_format == "@"
