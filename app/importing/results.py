"""What an import will do and did: each row's status and reasons, the preview of the whole file, the result."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.errors import CloseoutError
from app.importing.cells import DateOrder
from app.importing.client_tags import ClientTags
from app.importing.refs import PlannedRecord
from app.importing.value_mapping import ValueMapping


class RowStatus(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass
class RowResult:
    """What will happen to one row of the file (its sheet row number as the user sees it)."""

    row_number: int
    status: RowStatus
    cells: list[Any]
    tag: str = ""
    asset_id: str | None = None
    #: Field → value handed to the asset services (only the changed fields for an update).
    values: dict[str, Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    #: The matched asset's values of the changed fields before the import (ids for category, site, location).
    before: dict[str, Any] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    #: How the row found its asset: "id", "tag" or "serial" ("" for a new or rejected row).
    matched_by: str = ""
    #: The serial number that matched, for a row matched by serial.
    serial: str = ""
    #: The asset's tag when a row matched by serial would give it another tag: applied only when confirmed.
    retag_from: str = ""
    #: Lines the import adds to the notes: the client's words nothing matched, and "Check …" lines for damaged cells.
    noted: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return f"Row {self.row_number}: " + " ".join(self.reasons)


@dataclass
class ImportOptions:
    #: Header → day/month order for date columns (missing or AUTO: decided from the column's values).
    date_orders: dict[str, DateOrder] = field(default_factory=dict)
    #: Whether an empty cell clears the field of a matched asset; None: yes for Closeout's own workbooks
    #: (their id column is mapped), no for a client's list, where an empty cell means "not known".
    blank_clears: bool | None = None
    #: What the client's categories, statuses, sites, locations and choices become (None: taken as they are).
    values: ValueMapping | None = None
    #: What becomes of the client's tags (None: they must fit the client's prefix, as Closeout's own tags do).
    client_tags: ClientTags | None = None


@dataclass
class ImportPreview:
    project_id: str
    headers: list[str]
    mapping: dict[str, str]
    rows: list[RowResult]
    #: Remarks about whole columns ("dates read as month/day/year"), in the user's words.
    notes: list[str] = field(default_factory=list)
    #: Header → the day/month order used for each date column.
    date_orders: dict[str, DateOrder] = field(default_factory=dict)
    #: Field → its label ("custom.ram_gb" → "RAM (GB)"), and category, site and location ids → their names.
    labels: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    #: Categories, sites and locations the value mapping creates before the rows are written.
    planned: dict[str, PlannedRecord] = field(default_factory=dict)
    client_tags: ClientTags | None = None
    #: The workspace's `write_stamp` when the preview began: while it holds, the rows' values are still checked.
    stamp: str = ""

    def count(self, status: RowStatus) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == RowStatus.REJECTED]

    @property
    def accepted(self) -> list[RowResult]:
        return [r for r in self.rows if r.status in (RowStatus.NEW, RowStatus.UPDATED)]

    @property
    def retags(self) -> list[RowResult]:
        """Updated rows matched by serial that would change the asset's tag: they wait for a yes."""
        return [r for r in self.rows if r.retag_from and r.status == RowStatus.UPDATED]

    def to_write(self, retags: Collection[int] = ()) -> list[RowResult]:
        """The accepted rows, less the re-tags whose row number is not in `retags`."""
        return [r for r in self.accepted if not r.retag_from or r.row_number in retags]

    def summary(self) -> str:
        retags = len(self.retags)
        asked = f" ({retags} would change an asset's tag)" if retags else ""
        return (
            f"{self.count(RowStatus.NEW)} new, {self.count(RowStatus.UPDATED)} updated{asked}, "
            f"{self.count(RowStatus.UNCHANGED)} unchanged, {self.count(RowStatus.REJECTED)} rejected"
        )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    rejected: int
    #: Rows that would have changed an asset's tag and were not confirmed: left out.
    skipped: int = 0


class ImportFailed(CloseoutError):
    """A row failed while writing; the whole import was rolled back."""
