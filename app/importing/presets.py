"""The export formats MSPs meet most, recognised from their headers: which field each known column goes to.

Column names follow each tool's documented export or report fields; a preset is named in the preview ("Looks
like a Snipe-IT asset export") and its columns mapped before the generic header synonyms are tried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.importing.cells import squash


@dataclass(frozen=True)
class Preset:
    name: str
    #: Header → field (headers compared squashed: case, spaces and punctuation do not matter).
    columns: Mapping[str, str]
    #: Headers that together tell this tool's export from any other list: most of them must be present.
    signature: tuple[str, ...]

    @property
    def remark(self) -> str:
        return f"Looks like {self.name}; its columns were mapped for it."


PRESETS: tuple[Preset, ...] = (
    Preset(
        "a Snipe-IT asset export",
        {
            "Asset Tag": "asset_tag", "Serial": "serial", "Model": "model", "Model No.": "model_number",
            "Model Number": "model_number", "Category": "category_id", "Manufacturer": "manufacturer",
            "Status": "status", "Location": "location_id", "Checked Out To": "assigned_user",
            "Purchase Date": "purchase_date", "Purchase Cost": "purchase_cost", "Order Number": "order_number",
            "Supplier": "supplier", "Warranty": "warranty_end", "Warranty Months": "warranty_end",
            "Notes": "notes",
        },
        ("Asset Tag", "Asset Name", "Model No.", "Checked Out To", "Purchase Cost", "Order Number", "Warranty",
         "Status", "Category"),
    ),
    Preset(
        "a Lansweeper asset report",
        {
            "AssetName": "hostname", "AssetTypename": "category_id", "IPAddress": "ip_address", "Mac": "mac_address",
            "Manufacturer": "manufacturer", "Model": "model", "Serialnumber": "serial", "OSname": "os",
            "Username": "assigned_user", "Location": "location_id", "Building": "site_id",
            "Department": "department", "BarCode": "asset_tag", "PurchaseDate": "purchase_date",
            "Warrantydate": "warranty_end", "State": "status", "Description": "notes",
        },
        ("AssetName", "AssetTypename", "IPAddress", "Mac", "Serialnumber", "Lastseen", "Domain", "OSname"),
    ),
    Preset(
        "a NinjaOne device export",
        {
            "Display Name": "hostname", "Device Type": "category_id", "Location": "site_id",
            "OS Name": "os", "Manufacturer": "manufacturer", "Model": "model", "Serial Number": "serial",
            "IP Addresses": "ip_address", "MAC Addresses": "mac_address", "Last Logged In User": "assigned_user",
            "Status": "status", "Asset Tag": "asset_tag",
        },
        ("Display Name", "Organization", "Device Type", "OS Name", "IP Addresses", "MAC Addresses",
         "Last Logged In User", "Last Contact"),
    ),
    Preset(
        "a Datto RMM device export",
        {
            "Hostname": "hostname", "Site Name": "site_id", "Device Type": "category_id",
            "Operating System": "os", "Manufacturer": "manufacturer", "Model": "model",
            "Serial Number": "serial", "Int IP Address": "ip_address", "Last User": "assigned_user",
            "Warranty Expiry": "warranty_end", "Description": "notes", "Status": "status",
        },
        ("Hostname", "Site Name", "Device Type", "Operating System", "Int IP Address", "Ext IP Address",
         "Last User", "Last Seen"),
    ),
    Preset(
        "an Intune device export",
        {
            "Device name": "hostname", "Serial number": "serial", "Manufacturer": "manufacturer",
            "Model": "model", "OS": "os", "Primary user UPN": "assigned_user", "Category": "category_id",
            "Wi-Fi MAC": "mac_address", "Device state": "status",
        },
        ("Device name", "Enrollment date", "Last check-in", "OS version", "Primary user UPN", "Compliance",
         "Ownership", "Serial number", "Managed by"),
    ),
    Preset(
        "an nmap scan (XML)",
        {
            "IP address": "ip_address", "MAC address": "mac_address", "MAC vendor": "manufacturer",
            "Host name": "hostname", "OS guess": "os", "Device type": "category_id",
        },
        ("IP address", "MAC address", "MAC vendor", "Host name", "OS guess"),
    ),
)  # fmt: skip


def detect_preset(headers: Sequence[str]) -> Preset | None:
    """The preset whose signature headers the file has (at least two thirds of them), the best fit first."""
    present = {squash(h) for h in headers}
    best: tuple[float, Preset] | None = None
    for preset in PRESETS:
        share = sum(1 for h in preset.signature if squash(h) in present) / len(preset.signature)
        if share >= 2 / 3 and (best is None or share > best[0]):
            best = (share, preset)
    return best[1] if best else None


def preset_mapping(preset: Preset, headers: Sequence[str], known: set[str]) -> dict[str, str]:
    """Header → field for the headers the preset knows (each field once, the first column wins)."""
    by_word = {squash(h): key for h, key in preset.columns.items()}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        key = by_word.get(squash(header), "")
        if key and key in known and key not in used:
            mapping[header] = key
            used.add(key)
    return mapping
