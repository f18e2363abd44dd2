"""Reading real-world lists: CSV encodings and delimiters, a header below a title block, blank rows, repeats."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporters.sheet_reader import SheetReadError, read_sheet
from tests.excel.excel_files import write_csv, write_xlsx

ROWS = [
    ["Asset Tag", "Serial Number", "User", "Notes"],
    ["NWD-00900", "SN-900", "Zoë Novak", "Café € 5"],
    ["NWD-00901", "SN-901", "Mateo García", "plain"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_in_any_common_encoding_and_delimiter(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = write_csv(tmp_path / "list.csv", ROWS, encoding=encoding, delimiter=delimiter)
    data = read_sheet(path)
    assert data.headers == ROWS[0]
    assert [cells for _, cells in data.rows] == ROWS[1:]
    assert data.delimiter == delimiter
    assert [n for n, _ in data.rows] == [2, 3]


def test_csv_with_quoted_delimiters_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('Tag;Notes;Serial\nNWD-1;"a; b\nsecond line";S1\nNWD-2;"x";S2\n', encoding="utf-8")
    data = read_sheet(path)
    assert data.delimiter == ";"
    assert data.rows[0][1] == ["NWD-1", "a; b\nsecond line", "S1"]


def test_header_found_below_a_merged_title_block_with_blank_rows_and_repeated_names(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "client.xlsx",
        [
            [],
            ["Asset Tag", "Serial", "Model", "Serial", None, "Notes"],
            ["NWD-00900", "A1", "OptiPlex", "B1", None, "x"],
            [None, None, None, None],
            ["NWD-00901", "A2", "OptiPlex", "B2", None, None],
            [],
        ],
        title=["Northwind Dental — IT inventory", "Printed 3 May 2026 by the office manager"],
        merge_title=True,
    )
    data = read_sheet(path)
    assert data.header_row == 4
    assert data.headers == ["Asset Tag", "Serial", "Model", "Serial (2)", "Column 5", "Notes"]
    assert [n for n, _ in data.rows] == [5, 7]
    assert data.rows[1][1][:4] == ["NWD-00901", "A2", "OptiPlex", "B2"]


def test_header_below_a_title_block_in_a_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [["Inventory export"], [""], *ROWS])
    data = read_sheet(path)
    assert data.headers == ROWS[0] and data.header_row == 3


def test_unreadable_files_are_refused_in_words(tmp_path: Path) -> None:
    bad = tmp_path / "fake.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SheetReadError, match="cannot be opened as an Excel workbook"):
        read_sheet(bad)
    with pytest.raises(SheetReadError, match="Excel 97"):
        read_sheet(tmp_path / "old.xls")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SheetReadError, match="empty"):
        read_sheet(empty)
