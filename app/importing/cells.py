"""Reading cell values of imported lists: dates in any common form (day/month order decided per column), text
that Excel turned into numbers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from app.validation import parse_date


class DateOrder(StrEnum):
    AUTO = "auto"
    DAY_FIRST = "dmy"
    MONTH_FIRST = "mdy"

    @property
    def label(self) -> str:
        return {"auto": "Detect", "dmy": "Day/month/year", "mdy": "Month/day/year"}[self.value]


_NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T].*)?$")
_ISO_DATE = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[ T].*)?$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_EXCEL_EPOCH = date(1899, 12, 30)
#: Excel shows whole numbers of 12 digits or more as 1.23457E+11 in the General format.
_SCIENTIFIC_FROM = 10**11


def excel_serial_date(number: float) -> date:
    """The date an Excel day number stands for (1900 date system)."""
    if not 1 <= number < 2958466:
        raise ValueError(f"{number:g} is not a date.")
    return _EXCEL_EPOCH + timedelta(days=int(number))


def decide_date_order(values: Iterable[Any]) -> tuple[DateOrder, bool]:
    """Day or month first for a whole column, and whether that was only assumed.

    Decided by the values that can only be read one way (25/12 or 12/25); when every value could be either
    (03/04/2024), slashes are read month first and dots or dashes day first, and the order counts as assumed.
    """
    day_first = month_first = 0
    ambiguous: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        match = _NUMERIC_DATE.match(value.strip())
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            day_first += 1
        elif second > 12 >= first:
            month_first += 1
        elif first != second:
            ambiguous.append(value.strip())
    if day_first or month_first:
        return (DateOrder.DAY_FIRST if day_first >= month_first else DateOrder.MONTH_FIRST), False
    if not ambiguous:
        return DateOrder.MONTH_FIRST, False
    slashes = sum(1 for v in ambiguous if "/" in v)
    return (DateOrder.MONTH_FIRST if slashes * 2 >= len(ambiguous) else DateOrder.DAY_FIRST), True


def read_date(value: Any, order: DateOrder) -> date | None:
    """A date from a cell: a date, an Excel day number, ISO text, 31/12/2026 or 12/31/2026 by `order`, 5 Mar 2027."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"“{value}” is not a date.")
    if isinstance(value, int | float):
        return excel_serial_date(value)
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit() and 5 <= len(text) <= 6:
        return excel_serial_date(int(text))
    iso = _ISO_DATE.match(text)
    if iso:
        return _make_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)), text)
    numeric = _NUMERIC_DATE.match(text)
    if numeric:
        first, second, year = int(numeric.group(1)), int(numeric.group(2)), int(numeric.group(3))
        if len(numeric.group(3)) == 2:
            year += 2000 if year < 70 else 1900
        day, month = (first, second) if order == DateOrder.DAY_FIRST else (second, first)
        return _make_date(year, month, day, text, order)
    return parse_date(text)


def _make_date(year: int, month: int, day: int, text: str, order: DateOrder | None = None) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        how = {DateOrder.DAY_FIRST: " read as day/month/year", DateOrder.MONTH_FIRST: " read as month/day/year"}
        raise ValueError(f"“{text}” is not a date{how.get(order, '') if order else ''}.") from None


def mangled_number(value: Any) -> bool:
    """True when an identifier looks like Excel turned it into a number (1.23E+11, or 12+ digits as a number)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):  # the "e" test first: asked for every text cell of a 100,000-row list
        return ("e" in value or "E" in value) and bool(_SCIENTIFIC.match(value.strip()))
    # A decimal such as firmware 7.2 or model 2.5 is what was typed; only numbers long enough for Excel to have
    # rounded them (a 12-digit serial) have lost digits.
    return isinstance(value, int | float) and abs(value) >= _SCIENTIFIC_FROM


def shown_number(value: Any) -> str:
    """How Excel shows a mangled number, for the message: 123000000000 → 1.23E+11."""
    if isinstance(value, str):
        return value.strip()
    return f"{value:.2E}".replace("E+0", "E+").replace(".00E", "E") if isinstance(value, int | float) else str(value)


def cell_text(value: Any) -> str:
    """A cell as text for a text field: 1234.0 → "1234", dates as ISO, yes/no as Yes/No."""
    if type(value) is str:  # most cells, said first
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_MONTHS = re.compile(r"^(\d{1,3})\s*(?:months?|mos?\.?|m|monate?|mois)?$", re.I)
_YEARS = re.compile(r"^(\d{1,2})\s*(?:years?|yrs?\.?|y|jahre?|ans?)$", re.I)
#: A warranty longer than this many months is a date, not a period (Excel day numbers start far above it).
_MONTHS_BELOW = 600


def warranty_months(value: Any) -> int | None:
    """Months of warranty when a cell gives a period ("36", 36, "36 months", "3 years"), else None (a date)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return int(value) if 0 < value < _MONTHS_BELOW and float(value).is_integer() else None
    text = str(value).strip()
    if match := _MONTHS.match(text):
        months = int(match.group(1))
        return months if 0 < months < _MONTHS_BELOW else None
    if match := _YEARS.match(text):
        return int(match.group(1)) * 12 or None
    return None


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter: 31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(f"no date {months} months after {day}")  # unreachable: every month has a 28th


def two_digit_year(value: Any) -> bool:
    """Whether a date cell was typed with a two-digit year (03/04/21): its century was guessed."""
    return isinstance(value, str) and bool((m := _NUMERIC_DATE.match(value.strip())) and len(m.group(3)) == 2)


def squash(text: str) -> str:
    """A header or value compared without case, spaces or punctuation: "Tag #" and "tag" are the same word."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def first_address(text: str) -> str:
    """The first of several addresses in one cell ("10.0.0.5, 169.254.3.1" → "10.0.0.5"), as RMM exports list them."""
    for separator in (",", ";", " | ", "\n"):
        if separator in text:
            return text.split(separator, 1)[0].strip()
    return text
