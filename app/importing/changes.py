"""What an import preview row changes, field by field, in words: "Model: OptiPlex 7010 → OptiPlex 7020"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.assets import ASSET_FIELDS
from app.importing.refs import REFERENCE_FIELDS
from app.importing.results import ImportPreview, RowResult, RowStatus
from app.journal import CUSTOM_PREFIX
from models import AssetStatus


@dataclass(frozen=True)
class FieldChange:
    """One field of one row: its label and the value before and after the import ("" when empty)."""

    key: str
    label: str
    before: str
    after: str

    @property
    def text(self) -> str:
        return f"{self.label}: {self.before or '(empty)'} → {self.after or '(empty)'}"


def field_label(preview: ImportPreview, key: str) -> str:
    return preview.labels.get(key) or ASSET_FIELDS.get(key) or key.removeprefix(CUSTOM_PREFIX)


def shown_value(key: str, value: Any, names: Mapping[str, str]) -> str:
    """A stored value as the user reads it: names for ids, Yes/No, ISO dates, status labels."""
    if value is None or value == "":
        return ""
    if key in REFERENCE_FIELDS:
        return names.get(str(value), str(value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return f"{value:g}" if isinstance(value, float) else str(value.normalize())
    if key == "status":
        try:
            return AssetStatus(str(value)).label
        except ValueError:
            return str(value)
    return str(value)


def changed_keys(row: RowResult) -> list[str]:
    """The fields an updated row changes, or the fields a new row sets; none for other rows."""
    if row.status == RowStatus.UPDATED:
        # site and location are written together; the one that stays the same is not a change to show
        return [k for k in row.changed if k not in ("site_id", "location_id") or row.before.get(k) != row.values.get(k)]
    if row.status == RowStatus.NEW:
        return [key for key, value in row.values.items() if value not in (None, "")]
    return []


def field_change(preview: ImportPreview, row: RowResult, key: str) -> FieldChange:
    names = preview.names
    return FieldChange(
        key, field_label(preview, key), shown_value(key, row.before.get(key), names),
        shown_value(key, row.values.get(key), names),
    )  # fmt: skip


def row_changes(preview: ImportPreview, row: RowResult) -> list[FieldChange]:
    """The fields an updated row changes (old → new), or the fields a new row sets; nothing for other rows."""
    return [field_change(preview, row, key) for key in changed_keys(row)]
