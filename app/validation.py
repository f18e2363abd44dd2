"""Normalising and checking what technicians type or scan: tags, serials, MAC and IP addresses, dates."""

from __future__ import annotations

import ipaddress
import math
import re
from datetime import date, datetime

TAG_CHARS = re.compile(r"^[A-Z0-9][A-Z0-9\-_./]*$")
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# "S/N: X", "SN# X", "Serial No. X", "SN X" -- but not the "SN" that starts a serial like SN12345.
SERIAL_LABEL = re.compile(r"^\s*(?:s/n\s*[:#.]?|(?:sn|serial(?:\s*(?:no|number))?)\s*[:#.]|(?:sn|serial)\s)\s*", re.I)
_IPV4 = re.compile(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})")
MAC_HEX = re.compile(r"[^0-9A-Fa-f]")
TRUE_WORDS = {"y", "yes", "true", "1", "on", "x", "✓"}
FALSE_WORDS = {"n", "no", "false", "0", "off", ""}
#: The longest notes or configuration text kept: what one spreadsheet cell holds (Excel's limit is 32,767), so an
#: exported and re-imported workbook never cuts anything short.
LONG_TEXT_LIMIT = 32_000
_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def printable(text: str) -> str:
    """Text without control characters (a scanner or a pasted terminal line can carry ESC or NUL); tabs and line
    breaks stay."""
    return text.translate(_CONTROL)


def normalise_tag(raw: str) -> str:
    """Trim and upper-case a tag as scanned or typed; scanners sometimes add spaces or a stray tab."""
    return raw.strip().upper()


def tag_problem(tag: str, prefix: str, digits: int) -> str | None:
    """Why a tag is not acceptable for a client, in the technician's words, or None."""
    if not tag:
        return "Enter or scan an asset tag."
    if len(tag) > 64:
        return "An asset tag has at most 64 characters."
    if not TAG_CHARS.match(tag):
        return "An asset tag may hold only letters, digits and - _ . / (no spaces)."
    if prefix and not tag.startswith(prefix.upper()):
        example = f"{prefix.upper()}{'1'.zfill(max(digits, 1))}"
        return f"Tags for this client start with {prefix.upper()} (for example {example})."
    return None


def looks_like_tag(raw: str, prefix: str) -> bool:
    """Whether scanned text is one of the client's asset tags rather than a serial or other value.

    Only a client with a tag prefix can tell: its tags are the prefix and a number (NWD-00012). Without a prefix a
    scan is taken for a tag only in the tag field, or when the scanner sends its configured prefix.
    """
    tag = normalise_tag(raw)
    prefix = prefix.strip().upper()
    if not prefix or not tag.startswith(prefix) or len(tag) == len(prefix):
        return False
    return TAG_CHARS.match(tag) is not None and any(ch.isdigit() for ch in tag[len(prefix) :])


def normalise_serial(raw: str) -> str:
    """Trim and upper-case a serial number, dropping a scanned "S/N:" label and inner runs of spaces.

    Upper case because vendors print serials in capitals and a hand-typed lower-case copy must still be
    recognised as the same serial.
    """
    value = raw.strip()
    if value[:1] in ("s", "S"):  # every label starts so: asked first, as for each row of a 100,000-row list
        value = SERIAL_LABEL.sub("", value, count=1)
    return " ".join(value.split()).upper()


def normalise_mac(raw: str) -> str:
    """Any common MAC notation (aa-bb-.., aabb.ccdd.eeff, bare hex) as AA:BB:CC:DD:EE:FF."""
    text = raw.strip()
    if not text:
        return ""
    hexdigits = MAC_HEX.sub("", text)
    if len(hexdigits) != 12 or len(text) > 17:
        raise ValueError(f"“{raw.strip()}” is not a MAC address; use six pairs of hex digits like 00:1A:2B:3C:4D:5E.")
    return ":".join(hexdigits[i : i + 2] for i in range(0, 12, 2)).upper()


def normalise_ip(raw: str) -> str:
    """An IPv4 or IPv6 address (optionally with /prefix) in its canonical form; leading zeros are tolerated."""
    text = raw.strip()
    if not text:
        return ""
    addr, _, prefix = text.partition("/")
    if dotted := _IPV4.fullmatch(addr):
        parts = [int(part) for part in dotted.groups()]
        addr = ".".join(map(str, parts))
        if not prefix and max(parts) <= 255:
            return addr  # already canonical: no need for ipaddress, slow on a 100,000-row list
    try:
        if prefix:
            return str(ipaddress.ip_interface(f"{addr}/{prefix}"))
        return str(ipaddress.ip_address(addr))
    except ValueError:
        raise ValueError(f"“{text}” is not an IP address; use a form like 10.0.1.25 or fe80::1.") from None


def normalise_hostname(raw: str) -> str:
    text = raw.strip().lower().rstrip(".")
    if not text:
        return ""
    if len(text) > 253 or not all(HOST_LABEL.match(label) for label in text.split(".")):
        raise ValueError(
            f"“{raw.strip()}” is not a valid host name; use letters, digits and hyphens, with dots between parts."
        )
    return text


def parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(f"“{raw}” is not yes or no.")


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")


def parse_date(raw: object) -> date | None:
    """A date from a date object or unambiguous text (ISO 8601, 31.12.2026, 5 Mar 2027)."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip().replace(",", "")
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if "T" in text:
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            pass
    raise ValueError(f"“{text}” is not a date; use the form 2026-12-31.")


def parse_number(raw: object) -> int | float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError("a yes/no value is not a number")
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ValueError(f"“{raw}” is not a number.")
        return raw
    text = str(raw).strip().replace(",", "")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"“{raw}” is not a number.") from None
    if not math.isfinite(value):  # "nan", "inf": float() takes them, but no record or export can hold them
        raise ValueError(f"“{raw}” is not a number.")
    return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value


def normalise_technician(raw: str) -> str:
    """The name a technician gives for the history of their changes: trimmed, printable, not empty."""
    name = " ".join(printable(raw).split())
    if not name:
        raise ValueError("Enter your name: it is written in the history of every change you make.")
    if len(name) > 120:
        raise ValueError("A name has at most 120 characters.")
    return name


_CURRENCY_SIGNS = {"€": "EUR", "$": "USD", "£": "GBP", "CHF": "CHF", "FR.": "CHF", "SFR": "CHF", "¥": "JPY"}


def normalise_currency(raw: str) -> str:
    """An ISO 4217 code ("eur", "€", "Fr." → EUR, EUR, CHF); "" stays "" (not known)."""
    text = raw.strip().upper()
    if not text:
        return ""
    code = _CURRENCY_SIGNS.get(text, text)
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"“{raw}” is not a currency; use its three-letter code (EUR, USD, CHF).")
    return code


def split_cost(raw: object) -> tuple[float | None, str]:
    """An amount and the currency written with it: "CHF 1'299.00" → (1299.0, "CHF"), "€ 1.299,50" → (1299.5, "EUR").

    Thousands separators (, . ' and spaces) are told from the decimal mark by position: the last mark followed
    by one or two digits is the decimal mark.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if isinstance(raw, bool):
        raise ValueError("a yes/no value is not an amount")
    if isinstance(raw, int | float):
        return round(float(raw), 2), ""
    text = str(raw).strip()
    match = re.fullmatch(r"([^\d\s\-.,]*)\s*(-?[\d.,' \u00a0\u202f]*\d)\s*([^\d\s]*)", text)
    if not match or (match.group(1) and match.group(3)):
        raise ValueError(f"“{raw}” is not an amount.")
    sign = match.group(1) or match.group(3)
    number = re.sub(r"['\s\u00a0\u202f]", "", match.group(2))
    decimal = re.search(r"[.,](\d{1,2})$", number)
    whole = number[: decimal.start()] if decimal else number
    whole = re.sub(r"[.,]", "", whole)
    value = float(f"{whole}.{decimal.group(1)}" if decimal else whole)
    return round(value, 2), normalise_currency(sign) if sign else ""


def parse_cost(raw: object) -> float | None:
    """An amount of money, rounded to cents; a currency written with it is read by `split_cost`."""
    return split_cost(raw)[0]
