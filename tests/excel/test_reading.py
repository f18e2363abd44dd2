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
    bad.write_bytes(b"PK\x03\x04 then not a zip")
    with pytest.raises(SheetReadError, match="cannot be opened as a workbook"):
        read_sheet(bad)
    with pytest.raises(SheetReadError, match=r"old\.xls cannot be read"):
        read_sheet(tmp_path / "old.xls")  # not there
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SheetReadError, match="empty"):
        read_sheet(empty)


def test_a_csv_with_an_enormous_cell_or_line_is_read(tmp_path: Path) -> None:
    big = "x" * 300_000
    path = write_csv(tmp_path / "big.csv", [["Asset Tag", "Notes"], ["NWD-00900", big]])
    data = read_sheet(path)
    assert data.rows[0][1] == ["NWD-00900", big]
    wide = write_csv(tmp_path / "wide.csv", [[f"Col {n}" for n in range(50_000)], ["v"] * 50_000])
    assert len(read_sheet(wide).headers) == 50_000


def _damage_sheet_xml(source: Path, target: Path, how: str) -> Path:
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2] if how == "cut" else data
            zout.writestr(item, data)
    if how == "flip":
        raw = bytearray(target.read_bytes())
        middle = len(raw) // 2
        raw[middle : middle + 64] = bytes(b ^ 0xFF for b in raw[middle : middle + 64])
        target.write_bytes(bytes(raw))
    return target


@pytest.mark.parametrize("how", ["cut", "flip"])
def test_a_damaged_workbook_is_refused_in_words(tmp_path: Path, how: str) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", ROWS * 200)
    bad = _damage_sheet_xml(good, tmp_path / "bad.xlsx", how)
    with pytest.raises(SheetReadError) as caught:
        read_sheet(bad)
    assert "bad.xlsx" in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "export.xls",
            b"<html><body><table><tr><td>Asset Tag</td></tr></table>",
            "a web page saved with an Excel name",
        ),
        ("export.xls", b"\xef\xbb\xbf<?xml version='1.0'?><Workbook>", "a web page saved with an Excel name"),
        ("export.xls", b"%PDF-1.7\n", "is a PDF"),
        ("export.xls", b"Asset Tag;Serial\nNWD-1;SN1\n", "rename it to .csv"),
        ("export.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "damaged or has a password"),
        ("list.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "password-protected"),
        ("list.xlsx", b"%PDF-1.7\n%\xe2\xe3", "is a PDF"),
        ("list.xlsx", b"Asset Tag,Serial\nNWD-1,SN1\n", "rename it to .csv"),
    ],
)
def test_a_file_named_as_a_workbook_that_is_something_else_is_named_for_what_it_is(
    tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SheetReadError, match=words):
        read_sheet(path)


def test_a_formula_without_a_saved_result_reads_as_empty(tmp_path: Path) -> None:
    import zipfile

    good = write_xlsx(tmp_path / "good.xlsx", [["Asset Tag", "Model"], ["NWD-00900", "R740"]])
    target = tmp_path / "formula.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                cell = text.index('<c r="B2"')
                end = text.index("</c>", cell) + len("</c>")
                text = text[:cell] + '<c r="B2"><f>UPPER(A2)</f><v></v></c>' + text[end:]
                data = text.encode("utf-8")
            zout.writestr(item, data)
    data = read_sheet(target)
    assert data.rows[0][1][0] == "NWD-00900" and data.rows[0][1][1:] in ([None], [])


def test_a_decimal_typed_as_a_number_is_kept_but_a_rounded_serial_is_flagged() -> None:
    from app.importing.cells import cell_text, mangled_number

    assert not mangled_number(7.2) and cell_text(7.2) == "7.2"
    assert mangled_number(123456789012.0) and mangled_number("1.23E+11")
