"""What technicians type or scan is normalised, or refused in words they understand."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.validation import (
    normalise_hostname,
    normalise_ip,
    normalise_mac,
    normalise_serial,
    normalise_tag,
    parse_bool,
    parse_date,
    parse_number,
    tag_problem,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00:1a:2b:3c:4d:5e", "00:1A:2B:3C:4D:5E"),
        ("00-1A-2B-3C-4D-5E", "00:1A:2B:3C:4D:5E"),
        ("001a.2b3c.4d5e", "00:1A:2B:3C:4D:5E"),
        ("001A2B3C4D5E", "00:1A:2B:3C:4D:5E"),
        ("  ", ""),
    ],
)
def test_mac_addresses_in_any_common_notation_become_one_form(raw: str, expected: str) -> None:
    assert normalise_mac(raw) == expected


@given(st.binary(min_size=6, max_size=6), st.sampled_from([":", "-", ""]))
def test_any_mac_round_trips(raw: bytes, sep: str) -> None:
    text = sep.join(f"{b:02x}" for b in raw)
    assert normalise_mac(text) == ":".join(f"{b:02X}" for b in raw)


@pytest.mark.parametrize("raw", ["00:1A:2B:3C:4D", "zz:1a:2b:3c:4d:5e", "00:1A:2B:3C:4D:5E:6F"])
def test_a_wrong_mac_is_explained(raw: str) -> None:
    with pytest.raises(ValueError, match="is not a MAC address"):
        normalise_mac(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.0.1.25", "10.0.1.25"),
        (" 010.000.001.025 ", "10.0.1.25"),
        ("10.0.1.25/24", "10.0.1.25/24"),
        ("FE80:0:0:0:0:0:0:1", "fe80::1"),
        ("", ""),
    ],
)
def test_ip_addresses_are_canonical(raw: str, expected: str) -> None:
    assert normalise_ip(raw) == expected


@pytest.mark.parametrize("raw", ["10.0.1.256", "server01", "10.0.1"])
def test_a_wrong_ip_is_explained(raw: str) -> None:
    with pytest.raises(ValueError, match="is not an IP address"):
        normalise_ip(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  abc123 ", "ABC123"),
        ("S/N: 5CD1234XYZ", "5CD1234XYZ"),
        ("SN# 99x", "99X"),
        ("Serial No. 7 7", "7 7"),
        ("SN12345", "SN12345"),  # a serial that starts with SN keeps it
        ("CN-0ABC\t12", "CN-0ABC 12"),
        ("s/n:abc", "ABC"),
        ("sn abc", "ABC"),
        ("AB\u00a0 CD\n", "AB CD"),  # a no-break space from a pasted web page counts as a space
        ("", ""),
        ("   ", ""),
    ],
)
def test_serials_are_trimmed_and_scanner_labels_dropped(raw: str, expected: str) -> None:
    assert normalise_serial(raw) == expected


def test_tags_are_checked_against_the_clients_prefix() -> None:
    assert normalise_tag(" nwd-00012\t") == "NWD-00012"
    assert tag_problem("NWD-00012", "NWD-", 5) is None
    assert tag_problem("ACME-1", "NWD-", 5) == "Tags for this client start with NWD- (for example NWD-00001)."
    assert tag_problem("", "NWD-", 5) == "Enter or scan an asset tag."
    assert "no spaces" in (tag_problem("NWD 1", "", 5) or "")
    assert "64 characters" in (tag_problem("X" * 65, "", 5) or "")


def test_host_names_are_lower_case_and_checked() -> None:
    assert normalise_hostname("DC01.Corp.Local.") == "dc01.corp.local"
    with pytest.raises(ValueError, match="not a valid host name"):
        normalise_hostname("bad_host!")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("31.12.2026", date(2026, 12, 31)),
        ("5 Mar 2027", date(2027, 3, 5)),
        ("March 5, 2027", date(2027, 3, 5)),
        ("2026-12-31T10:00:00", date(2026, 12, 31)),
        ("", None),
    ],
)
def test_unambiguous_dates_are_understood(raw: str, expected: date | None) -> None:
    assert parse_date(raw) == expected


def test_a_wrong_date_is_explained() -> None:
    with pytest.raises(ValueError, match="use the form 2026-12-31"):
        parse_date("next tuesday")


def test_numbers_and_yes_no() -> None:
    assert parse_number("1,024") == 1024
    assert parse_number("2.5") == 2.5
    assert parse_number("") is None
    with pytest.raises(ValueError, match="is not a number"):
        parse_number("lots")
    assert parse_bool("Yes") is True
    assert parse_bool("0") is False
    with pytest.raises(ValueError, match="is not yes or no"):
        parse_bool("maybe")
