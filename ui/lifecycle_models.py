"""Qt item models of the lifecycle view: each asset's lifecycle (with a filter) and the MSP's lifecycle rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from app.lifecycle import AssetLifecycle, WarrantyState, format_money
from app.lifecycle_rules import RuleLine

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _os_support(a: AssetLifecycle) -> str:
    if a.os_out_of_support is None:
        return "Unknown" if a.os else ""
    if a.os_out_of_support:
        return f"Ended {_day(a.os_end_of_support)}"
    return f"Until {_day(a.os_end_of_support)}" if a.os_end_of_support else "Supported"


#: (header, display text, sort key) of each column.
ASSET_COLUMNS: tuple[tuple[str, Callable[[AssetLifecycle], str], Callable[[AssetLifecycle], Any]], ...] = (
    ("Asset tag", lambda a: a.asset_tag, lambda a: a.asset_tag),
    ("Category", lambda a: a.category, lambda a: a.category),
    ("Model", lambda a: " ".join(p for p in (a.manufacturer, a.model) if p), lambda a: (a.manufacturer, a.model)),
    ("Age (years)", lambda a: "" if a.age_years is None else str(a.age_years), lambda a: a.age_years or Decimal(-1)),
    ("Warranty", lambda a: a.warranty.label, lambda a: list(WarrantyState).index(a.warranty)),
    ("Warranty end", lambda a: _day(a.warranty_end), lambda a: a.warranty_end or date.min),
    ("Replace in", lambda a: "" if a.replacement_year is None else f"{a.replacement_year}{' (overdue)' * a.overdue}",
     lambda a: a.replacement_year or 9999),
    ("Estimated cost", lambda a: "" if a.cost is None else format_money(a.cost), lambda a: a.cost or Decimal(-1)),
    ("Operating system", lambda a: a.os, lambda a: a.os),
    ("OS support", _os_support, lambda a: a.os_end_of_support or date.max),
)  # fmt: skip


class LifecycleTableModel(QAbstractTableModel):
    """One row per asset of the forecast, in the order given."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[AssetLifecycle] = []

    def set_rows(self, rows: Sequence[AssetLifecycle]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 -- Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(ASSET_COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        item = self.rows[index.row()]
        _header, show, key = ASSET_COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return show(item)
        if role == SORT_ROLE:
            return str(key(item)) if index.column() in (0, 1, 2, 8) else float(_number(key(item)))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return ASSET_COLUMNS[section][0]
        return None


def _number(value: Any) -> float:
    if isinstance(value, date):
        return float(value.toordinal())
    return float(value)


class AssetFilter(Enum):
    ALL = "All assets"
    DUE = "Due within the forecast"
    OVERDUE = "Past their expected life"
    OUT_OF_WARRANTY = "Out of warranty or expiring"
    WARRANTY_UNKNOWN = "Warranty unknown"
    OS_OUT_OF_SUPPORT = "OS out of support"
    UNPRICED = "Without a cost estimate"


class LifecycleFilterProxy(QSortFilterProxyModel):
    """Shows the rows of one `AssetFilter`; sorts by each column's own key (numbers and dates as such)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.mode = AssetFilter.ALL
        self.last_year = 9999
        self.setSortRole(SORT_ROLE)

    def set_mode(self, mode: AssetFilter, last_year: int) -> None:
        self.beginFilterChange()
        self.mode, self.last_year = mode, last_year
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, LifecycleTableModel)
        a = model.rows[source_row]
        due = a.replacement_year is not None and a.replacement_year <= self.last_year
        return {
            AssetFilter.ALL: True,
            AssetFilter.DUE: due,
            AssetFilter.OVERDUE: a.overdue,
            AssetFilter.OUT_OF_WARRANTY: a.warranty in (WarrantyState.EXPIRED, WarrantyState.EXPIRING),
            AssetFilter.WARRANTY_UNKNOWN: a.warranty is WarrantyState.UNKNOWN,
            AssetFilter.OS_OUT_OF_SUPPORT: a.os_out_of_support is True,
            AssetFilter.UNPRICED: due and a.cost is None,
        }[self.mode]


RULE_HEADERS = ("Category", "Model", "Expected life (years)", "Replacement cost", "From")
_SOURCES = {"default": "Shipped default", "category": "MSP rule", "model": "Model override"}


class RulesModel(QAbstractTableModel):
    """Each category's rule in force, then its model overrides."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.lines: list[RuleLine] = []

    def set_lines(self, lines: Sequence[RuleLine]) -> None:
        self.beginResetModel()
        self.lines = list(lines)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RULE_HEADERS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid() or not 0 <= index.row() < len(self.lines):
            return None
        line = self.lines[index.row()]
        return (
            line.category,
            line.model,
            "" if line.life_years is None else str(line.life_years),
            "" if line.cost is None else format_money(line.cost, line.currency),
            _SOURCES.get(line.source, line.source),
        )[index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return RULE_HEADERS[section]
        return None
