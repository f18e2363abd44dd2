"""Clients' own asset lists as their tools export them, built from each tool's documented columns (no file copied):
Snipe-IT, Lansweeper, NinjaOne, Datto RMM, Intune, nmap XML, a hand-made workbook and a Windows-1252 CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.excel.excel_files import write_csv, write_xlsx

_MAKES = (("Dell", "Latitude 5440", "Laptops"), ("HP", "EliteDesk 800 G6", "Desktop"),
          ("Lenovo", "ThinkPad T14", "Laptops"), ("Cisco", "Catalyst 9200", "Switches"),
          ("Apple", "iPad Air", "Tablets"))  # fmt: skip


def snipe_it(folder: Path, rows: int = 40) -> Path:
    """Snipe-IT's asset export: Model No., months of warranty, statuses of its own, tags of the old scheme."""
    headers = ["Company", "Asset Name", "Asset Tag", "Model", "Model No.", "Category", "Manufacturer", "Serial",
               "Purchase Date", "Purchase Cost", "Order Number", "Supplier", "Location", "Default Location",
               "Status", "Checked Out To", "Warranty", "Warranty Expires", "EOL", "Notes", "Created At",
               "Updated at", "Last Audit", "Next Audit Date"]  # fmt: skip
    statuses = ("Ready to Deploy", "Deployed", "Archived", "Lost", "Pending Diagnostics", "Undeployable")
    places = ("Zürich HQ / Étage 2 / Room 201", "Zürich HQ / Étage 1", "Bern Office", "")
    table: list[list[Any]] = [headers]
    for n in range(1, rows + 1):
        make, model, category = _MAKES[n % len(_MAKES)]
        if n % 13 == 0:
            category, make, model = "Ornamental Railings", "Schmid Metallbau", "Railing R3"
        table.append([
            "Helix AG", f"HX-LT-{n:03d}", f"HX-{n:05d}" if n % 10 else "", model, f"MN-{n % 7}{n:03d}", category,
            make, f"SN{n:06d}X", f"2023-{1 + n % 12:02d}-{1 + n % 27:02d}", f"{900 + n * 7}.50", f"PO-{7700 + n}",
            "Brack AG" if n % 2 else "Dell Direct", places[n % len(places)], "Zürich HQ",
            statuses[n % len(statuses)], f"user{n}@helix.ch" if n % 3 == 0 else "", 36 if n % 4 else 24, "",
            "", "", f"2023-01-{1 + n % 27:02d} 09:00:00", "2025-06-01 10:00:00", "", "",
        ])  # fmt: skip
    return write_csv(folder / "snipe-it-assets.csv", table)


def lansweeper(folder: Path, rows: int = 30) -> Path:
    """A Lansweeper asset report (tblAssets and tblAssetCustom fields) saved as a workbook."""
    headers = ["AssetID", "AssetName", "Domain", "AssetTypename", "IPAddress", "Mac", "Manufacturer", "Model",
               "Serialnumber", "OSname", "Username", "Lastseen", "Firstseen", "Location", "Building",
               "Department", "BarCode", "PurchaseDate", "Warrantydate", "State", "Description"]  # fmt: skip
    types = ("Windows", "Windows", "Linux", "Printer", "Switch", "VMware Guest", "Unknown")
    states = ("Active", "Active", "Non-active", "Stolen", "Broken", "Sold")
    table: list[list[Any]] = [headers]
    for n in range(1, rows + 1):
        table.append([
            1000 + n, f"HLX-PC{n:03d}", "HELIX", types[n % len(types)], f"10.20.{n // 200}.{n % 200 + 10}",
            f"00:1A:2B:{n // 256:02X}:{n % 256:02X}:{(n * 7) % 256:02X}", "HP", "ProDesk 400 G7", f"CZC{n:07d}",
            "Windows 11 Enterprise", f"helix\\user{n}", "2025-11-20 08:00:00", "2021-02-03 10:00:00",
            f"Floor {n % 3} / Room {100 + n}", ("Zürich HQ", "Bern Office")[n % 2], "Finance",
            f"LS{n:04d}" if n % 5 else "", "2022-04-01", "2025-04-01", states[n % len(states)], "",
        ])  # fmt: skip
    return write_xlsx(folder / "lansweeper-assets.xlsx", table, title=["Lansweeper report: all assets"])


def ninjaone(folder: Path, rows: int = 25) -> Path:
    """A NinjaOne device list export: roles as device types, several addresses in one cell."""
    headers = ["Display Name", "Organization", "Location", "Device Type", "OS Name", "Manufacturer", "Model",
               "Serial Number", "IP Addresses", "MAC Addresses", "Last Logged In User", "Last Contact",
               "Status"]  # fmt: skip
    roles = ("Windows Desktop", "Windows Laptop", "Windows Server", "Mac", "Linux Server", "NMS Switch", "NMS Printer")
    table: list[list[Any]] = [headers]
    for n in range(1, rows + 1):
        table.append([
            f"HLX-NJ{n:03d}", "Helix AG", ("Zürich HQ", "Bern Office")[n % 2], roles[n % len(roles)],
            "Windows 11 Pro", "Dell Inc.", "OptiPlex 7090", f"7XK{n:04d}",
            f"10.30.0.{n + 10}, 169.254.{n}.1", f"00-50-56-AA-00-{n:02X}; 00-50-56-BB-00-{n:02X}",
            f"HELIX\\user{n}", "2025-11-28T14:03:00Z", ("Online", "Offline")[n % 2],
        ])  # fmt: skip
    return write_csv(folder / "ninjaone-devices.csv", table)


def datto_rmm(folder: Path, rows: int = 25) -> Path:
    """A Datto RMM device export: site names, device types of its own, internal and external addresses."""
    headers = ["Hostname", "Description", "Site Name", "Device Type", "Operating System", "Manufacturer", "Model",
               "Serial Number", "Int IP Address", "Ext IP Address", "Last User", "Last Seen",
               "Warranty Expiry"]  # fmt: skip
    types = ("Desktop", "Laptop", "Server", "ESXi Host", "Network Device", "Printer")
    table: list[list[Any]] = [headers]
    for n in range(1, rows + 1):
        table.append([
            f"HLX-DT{n:03d}", "", ("Helix - Zürich", "Helix - Bern")[n % 2], types[n % len(types)],
            "Microsoft Windows 10 Pro", "LENOVO", "ThinkCentre M70q", f"MJ0{n:05d}", f"192.168.10.{n + 20}",
            "203.0.113.7", f"HELIX\\user{n}", "28/11/2025 14:03", f"3{n % 10}/12/2026" if n % 10 < 2 else "",
        ])  # fmt: skip
    return write_csv(folder / "datto-rmm-devices.csv", table)


def intune(folder: Path, rows: int = 20) -> Path:
    """Intune's "All devices" export: device name, primary user UPN, Wi-Fi MAC as bare hex, many columns left out."""
    headers = ["Device ID", "Device name", "Enrollment date", "Last check-in", "Azure AD Device ID", "OS version",
               "Azure AD registered", "Serial number", "Manufacturer", "Model", "Wi-Fi MAC", "Total storage",
               "Free storage", "Category", "Primary user UPN", "Primary user email address",
               "Primary user display name", "Compliance", "Managed by", "Ownership", "Device state", "OS",
               "JoinType", "EthernetMAC"]  # fmt: skip
    kinds = (("Microsoft Corporation", "Surface Laptop 5", "Windows", "Laptops"),
             ("Apple", "iPhone 14", "iOS/iPadOS", "Phones"),
             ("Samsung", "Galaxy Tab S8", "Android", "Tablets"))  # fmt: skip
    table: list[list[Any]] = [headers]
    for n in range(1, rows + 1):
        make, model, os_name, category = kinds[n % len(kinds)]
        table.append([
            f"0b2f{n:04d}-1c2d-4e5f-8a9b-00000000{n:04d}", f"HLX-IN{n:03d}", "2024-02-01 08:00:00",
            "2025-11-28 07:12:00", f"aad-{n:04d}", "10.0.22631.4460", "Yes", f"F{n:06d}XQ", make, model,
            f"A1B2C3D4{n:04X}", 256, 128, category, f"user{n}@helix.ch", f"user{n}@helix.ch", f"User {n}",
            ("Compliant", "Noncompliant", "In grace period")[n % 3], "Intune", "Corporate", "Managed", os_name,
            "Azure AD joined", "",
        ])  # fmt: skip
    return write_csv(folder / "intune-devices.csv", table)


def nmap_xml(folder: Path) -> Path:
    """`nmap -O -oX` over a small office: hosts up with MAC vendor, PTR names and OS guesses; one host down."""
    hosts = [
        ("10.0.0.1", "00:1B:17:00:01:01", "Palo Alto Networks", "fw.helix.local", "Palo Alto PAN-OS 10", "firewall"),
        ("10.0.0.2", "00:1E:BD:00:02:02", "Cisco Systems", "core-sw.helix.local", "Cisco IOS 15", "switch"),
        ("10.0.0.20", "3C:2A:F4:00:20:20", "Brother Industries", "printer-2.helix.local", "Brother printer",
         "printer"),
        ("10.0.0.31", "D8:9E:F3:00:31:31", "Dell", "hlx-pc031.helix.local", "Microsoft Windows 10", "general purpose"),
        ("10.0.0.40", "00:0C:29:00:40:40", "VMware", "", "Linux 5.X", "general purpose"),
        ("10.0.0.50", "", "", "", "", ""),
    ]  # fmt: skip
    parts = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<nmaprun scanner="nmap" args="nmap -O -oX scan.xml 10.0.0.0/24" start="1764300000" '
             'version="7.94">']  # fmt: skip
    for ip, mac, vendor, name, os_name, kind in hosts:
        parts.append('<host starttime="1764300001" endtime="1764300009"><status state="up" reason="arp-response"/>')
        parts.append(f'<address addr="{ip}" addrtype="ipv4"/>')
        if mac:
            parts.append(f'<address addr="{mac}" addrtype="mac" vendor="{vendor}"/>')
        parts.append("<hostnames>" + (f'<hostname name="{name}" type="PTR"/>' if name else "") + "</hostnames>")
        if os_name:
            parts.append(f'<os><osmatch name="{os_name}" accuracy="96" line="1"><osclass type="{kind}" '
                         f'vendor="{vendor}" osfamily="x" accuracy="96"/></osmatch></os>')  # fmt: skip
        parts.append("</host>")
    parts.append('<host><status state="down" reason="no-response"/><address addr="10.0.0.99" addrtype="ipv4"/></host>')
    parts.append('<runstats><finished time="1764300100" exit="success"/><hosts up="6" down="1" total="7"/></runstats>')
    parts.append("</nmaprun>")
    path = folder / "nmap-scan.xml"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def hand_made(folder: Path) -> Path:
    """A workbook typed by the client's office manager: a title, free words, months of warranty, prices in CHF."""
    table = [
        ["Tag #", "Type", "Make", "Model", "S/N", "Site", "Room", "State", "Bought", "Warranty (months)", "Price",
         "Currency", "Owner", "Comments"],
        ["HX-00101", "PC", "HP", "EliteDesk", "CZC101", "Zürich HQ", "Étage 2 / Room 201", "in use", "2022-03-01",
         36, "1'299.00", "CHF", "anna", "front desk"],
        ["HX-00102", "Notebook", "Lenovo", "X1 Carbon", "PF102", "Zürich HQ", "Étage 2 / Room 202", "in stock",
         "2023-06-15", 24, 1899, "CHF", "", ""],
        ["", "Switches", "Cisco", "C9200", "FOC103", "Bern Office", "Keller / Rack A", "active", "2021-01-10",
         60, "4 500.00", "CHF", "", "no tag yet"],
        ["HX-00104", "Drucker", "Brother", "MFC-L8900", "E104", "Bern Office", "EG", "defekt", "15.02.2020",
         12, 640, "EUR", "", ""],
        ["HX-00105", "Tablet", "Apple", "iPad Air", 6.37702e15, "Zürich HQ", "Étage 1", "lost", "03/04/21",
         12, 799, "CHF", "ben", ""],
    ]  # fmt: skip
    return write_xlsx(folder / "hand-made.xlsx", table, title=["Helix AG — IT-Inventar", "Stand: Nov 2025"])


def semicolon_cp1252(folder: Path, rows: int = 22) -> Path:
    """The 22-row semicolon CSV in Windows-1252 of the issue: tags like HX-00001, nested places with accents."""
    table: list[list[Any]] = [["Inventarnummer", "Category", "Serial", "Status", "Location", "Purchase date"]]
    categories = ("Laptops", "Desktop", "Ornamental Railings", "Monitore")
    statuses = ("Ready to Deploy", "Archived", "Lost", "Pending Diagnostics", "Undeployable", "Deployed")
    places = ("Zürich HQ / Étage 2", "Zürich HQ / Étage 2 / Room 201", "Genève / Rez-de-chaussée")
    for n in range(1, rows + 1):
        table.append([f"HX-{n:05d}", categories[n % 4], f"S{n:05d}", statuses[n % 6], places[n % 3],
                      f"{1 + n % 28:02d}.{1 + n % 12:02d}.2023"])  # fmt: skip
    return write_csv(folder / "helix-liste.csv", table, encoding="cp1252", delimiter=";")


#: Each preset's fixture and the name its preview gives it.
PRESET_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "snipe-it": (snipe_it, "Snipe-IT"),
    "lansweeper": (lansweeper, "Lansweeper"),
    "ninjaone": (ninjaone, "NinjaOne"),
    "datto": (datto_rmm, "Datto RMM"),
    "intune": (intune, "Intune"),
    "nmap": (nmap_xml, "nmap"),
}
