"""Read the client's inventory lists (.xlsx, .xls, .ods or .csv) into a header and plain rows, whatever shape they
come in."""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, load_workbook

from app.errors import CloseoutError
from exporters.nmap_reader import read_nmap

#: Rows looked at to find the header below a title block.
HEADER_SCAN_ROWS = 30
DELIMITERS = (",", ";", "\t", "|")


class SheetReadError(CloseoutError):
    """The file cannot be read as a spreadsheet or a CSV list."""


@dataclass
class SheetData:
    """A table as found in a file: unique header names and (sheet row number, cells) for every non-empty row."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    header_row: int
    sheet: str = ""
    sheet_names: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""


def read_sheet(path: Path, sheet: str | None = None) -> SheetData:
    """Read a workbook (.xlsx, .xlsm, Excel 97 .xls, OpenDocument .ods: the named sheet, else "Assets", else the
    first), a CSV/TXT file, or an nmap XML report (one row per host that was up)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".ods", ".xls"):
        named = _OLE2 if suffix == ".xls" else _ZIP
        held = _workbook_kind(path) or named
        if held == named:
            return _read_workbook(path, sheet)
        try:  # renamed: an Excel 97 file named .xlsx, a newer workbook named .xls (as many tools name exports)
            return _read_workbook(path, sheet, by_content=True)
        except SheetReadError:
            if held == _OLE2:  # an encrypted newer workbook is an OLE file too, and does not open as an Excel 97 one
                raise SheetReadError(f"{path.name} {_PROTECTED}.") from None
            raise
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path)
    if suffix == ".xml":
        headers, rows = read_nmap(path)
        return SheetData(headers, rows, 1)
    raise SheetReadError(
        f"{path.name} is not a list Closeout can read; use .xlsx, .xls, .ods, .csv or an nmap .xml report."
    )


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def unique_headers(cells: Sequence[Any]) -> list[str]:
    """Header names as text, blanks named by column, repeats numbered: "Serial", "Serial (2)"."""
    seen: Counter[str] = Counter()
    names: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = " ".join(str(cell).split()) if not _is_empty(cell) else f"Column {index}"
        seen[name.lower()] += 1
        names.append(name if seen[name.lower()] == 1 else f"{name} ({seen[name.lower()]})")
    return names


def find_header(rows: Sequence[Sequence[Any]]) -> int:
    """Index of the header row among the first rows: the first one mostly made of text labels as wide as the table.

    A title block ("Northwind inventory", "Printed 3 May") has one or two cells per row; the header has a
    label over nearly every column that follows.
    """
    widths = [sum(1 for c in row if not _is_empty(c)) for row in rows]
    widest = max(widths, default=0)
    for index, row in enumerate(rows):
        filled = [c for c in row if not _is_empty(c)]
        if len(filled) < max(2, (widest + 1) // 2):
            continue
        if all(isinstance(c, str) for c in filled):
            return index
    return next((i for i, w in enumerate(widths) if w), 0)


def _table(raw_rows: Iterator[tuple[int, list[Any]]]) -> tuple[list[str], list[tuple[int, list[Any]]], int]:
    head: list[tuple[int, list[Any]]] = []
    for item in raw_rows:
        head.append(item)
        if len(head) >= HEADER_SCAN_ROWS:
            break
    if not head:
        raise SheetReadError("The file is empty; there is no header row or data to import.")
    index = find_header([cells for _, cells in head])
    header_number, header_cells = head[index]
    while header_cells and _is_empty(header_cells[-1]):
        header_cells = header_cells[:-1]
    headers = unique_headers(header_cells)
    width = len(headers)
    rows: list[tuple[int, list[Any]]] = []

    def keep(number: int, cells: list[Any]) -> None:
        if any(not _is_empty(c) for c in cells):
            cells = cells[:width] + [None] * (width - len(cells))
            rows.append((number, cells))

    for number, cells in head[index + 1 :]:
        keep(number, cells)
    for number, cells in raw_rows:
        keep(number, cells)
    return headers, rows, header_number


#: What a file that is not an .xlsx inside holds, from its first bytes (people rename files, Excel encrypts them).
_OLE2 = b"\xd0\xcf\x11\xe0"
_ZIP = b"PK"
_PROTECTED = ("is password-protected; open it in Excel, remove the password (File ▸ Info ▸ Protect Workbook), save "
              "it, and import that")  # fmt: skip
_SIGNATURES = ((b"%PDF", "is a PDF, not a workbook; ask the client for the spreadsheet itself"),)


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(512)
    except OSError as exc:
        raise SheetReadError(f"{path.name} cannot be read ({exc.strerror or exc}).") from None


def _workbook_kind(path: Path) -> bytes:
    """What a file named as a workbook holds, from its first bytes: `_OLE2` (Excel 97, or an encrypted newer
    workbook), `_ZIP` (.xlsx, .xlsm, .ods) or b"" for an empty file. Anything else is refused in words: a PDF, a web
    page saved with an Excel name (as web applications export "Excel" lists), text."""
    head = _head(path)
    for magic in (_OLE2, _ZIP):
        if head.startswith(magic):
            return magic
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            raise SheetReadError(f"{path.name} {what}.")
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith((b"<html", b"<!doctype", b"<table", b"<?xml", b"<meta")):
        raise SheetReadError(
            f"{path.name} is a web page saved with an Excel name, as web applications export lists; open it in Excel "
            "or LibreOffice, save it as .xlsx, and import that."
        )
    if head:
        raise SheetReadError(
            f"{path.name} is named {path.suffix.lower()} but is not a workbook (it looks like text); if it is a CSV "
            "list, rename it to .csv and import it again."
        )
    return b""


def _read_workbook(path: Path, sheet: str | None, *, by_content: bool = False) -> SheetData:
    """`by_content`: calamine tells the format from the bytes, not from the name."""
    try:
        book = load_workbook(io.BytesIO(path.read_bytes()) if by_content else path)
    except (CalamineError, OSError, ValueError) as exc:
        if path.suffix.lower() == ".xls" and not by_content:
            raise SheetReadError(
                f"{path.name} cannot be opened as an Excel 97 workbook: it is damaged or has a password. Open it in "
                f"Excel or LibreOffice, remove any password, save it as .xlsx, and import that ({_why(exc)})."
            ) from None
        raise SheetReadError(f"{path.name} cannot be opened as a workbook ({_why(exc)}).") from None
    with book:
        names = list(book.sheet_names)
        if not names:
            raise SheetReadError(f"{path.name} has no sheets.")
        if sheet is None:
            sheet = "Assets" if "Assets" in names else names[0]
        if sheet not in names:
            raise SheetReadError(f"{path.name} has no sheet “{sheet}”; its sheets are {', '.join(names)}.")
        try:
            grid = book.get_sheet_by_name(sheet)
            first = (grid.start or (0, 0))[0] + 1
            headers, rows, header_row = _table(
                (number, _python_cells(cells)) for number, cells in enumerate(grid.iter_rows(), start=first)
            )
        except (CalamineError, OSError) as exc:
            raise SheetReadError(
                f"The sheet “{sheet}” of {path.name} is damaged and cannot be read ({_why(exc)}). Open it in Excel "
                "or LibreOffice, save it again, and import the saved copy."
            ) from None
    return SheetData(headers, rows, header_row, sheet=sheet, sheet_names=names)


def _python_cells(cells: list[Any]) -> list[Any]:
    """Cells as the import reads them: None for an empty cell (or a formula never calculated), whole numbers as
    int (calamine gives every number as a float; a 2001 extension or a 12-digit serial must stay whole)."""
    return [None if c == "" else int(c) if type(c) is float and c.is_integer() else c for c in cells]


def _why(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def detect_encoding(data: bytes) -> tuple[str, int]:
    """(codec, bytes of BOM to skip): UTF-8 with or without BOM, UTF-16 with or without BOM, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    sample = data[:4000]
    if len(sample) >= 4:
        # Text in UTF-16 without a BOM: every other byte of ASCII characters is zero.
        even_zeros = sample[0::2].count(0)
        odd_zeros = sample[1::2].count(0)
        if odd_zeros > len(sample) // 4 and even_zeros < odd_zeros // 4:
            return "utf-16-le", 0
        if even_zeros > len(sample) // 4 and odd_zeros < even_zeros // 4:
            return "utf-16-be", 0
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252", 0
    return "utf-8", 0


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most columns, the same number on most lines."""
    lines = [line for line in text.splitlines()[:HEADER_SCAN_ROWS] if line.strip()]
    best, best_score = ",", 0.0
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts:
            continue
        width, often = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = often * width
        if score > best_score:
            best, best_score = delimiter, score
    return best


#: The longest cell a CSV may hold (the csv module's default is 128 KiB): a client list with one enormous cell is
#: read, and the cell is then refused by the field's own limit with a row message, not by the reader.
CSV_FIELD_LIMIT = 16 * 1024 * 1024


def read_csv(path: Path) -> SheetData:
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    try:
        return _read_csv(path)
    except csv.Error as exc:
        raise SheetReadError(f"{path.name} cannot be read as a CSV list ({exc}).") from None


def _read_csv(path: Path) -> SheetData:
    data = path.read_bytes()
    encoding, skip = detect_encoding(data)
    try:
        text = data[skip:].decode(encoding)
    except UnicodeDecodeError:
        encoding, text = "latin-1", data[skip:].decode("latin-1")
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    raw = ((n, list(cells)) for n, cells in enumerate(reader, start=1))
    headers, rows, header_row = _table(raw)
    return SheetData(headers, rows, header_row, sheet=path.name, encoding=encoding, delimiter=delimiter)
