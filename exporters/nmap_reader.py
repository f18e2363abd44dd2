"""An nmap scan (`nmap -oX`) as a client's list: each host that was up becomes a row of expected assets."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, parse

from app.errors import CloseoutError

HEADERS = ["IP address", "MAC address", "MAC vendor", "Host name", "OS guess", "Device type"]


class NmapReadError(CloseoutError):
    """The file is not an nmap XML report."""


def _host_row(host: Element) -> list[Any] | None:
    status = host.find("status")
    if status is None or status.get("state") != "up":
        return None
    ip = mac = vendor = ""
    for address in host.findall("address"):
        kind = address.get("addrtype", "")
        if kind == "ipv4" or (kind == "ipv6" and not ip):
            ip = address.get("addr", "")
        elif kind == "mac":
            mac, vendor = address.get("addr", ""), address.get("vendor", "")
    names = [n.get("name", "") for n in host.findall("hostnames/hostname")]
    user_named = [n.get("name", "") for n in host.findall("hostnames/hostname") if n.get("type") == "user"]
    name = (user_named or names or [""])[0]
    best = max(host.findall("os/osmatch"), key=lambda m: int(m.get("accuracy", "0") or 0), default=None)
    os_guess = best.get("name", "") if best is not None else ""
    kind = ""
    if best is not None:
        os_class = best.find("osclass")
        kind = os_class.get("type", "") if os_class is not None else ""
    return [ip, mac, vendor, name, os_guess, kind]


def read_nmap(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Headers and rows (numbered from 2, as under a header) for the hosts nmap found up, in scan order."""
    try:
        root = parse(path).getroot()
    except (ParseError, OSError) as exc:
        raise NmapReadError(f"{path.name} cannot be read as an nmap XML report ({exc}).") from None
    if root.tag != "nmaprun":
        raise NmapReadError(f"{path.name} is XML but not an nmap report (run nmap with -oX FILE).")
    rows = [row for row in (_host_row(h) for h in root.findall("host")) if row is not None]
    return list(HEADERS), list(enumerate(rows, start=2))
