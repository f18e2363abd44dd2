"""The asset list: a lazy QAbstractTableModel over app.asset_query (SQL filter, sort and paging, row cache)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon

from app.asset_query import AssetFilter, AssetPage, AssetRow, count_assets, query_page
from app.assets import LABEL_PENDING
from app.db import Workspace

PAGE_SIZE = 200
#: A refresh after a save loads again at most this many pages (4,000 rows, ~30 ms); further down, the list
#: starts again from the top.
KEEP_PAGES = 20

#: (sort key in app.asset_query.SORT_COLUMNS, header, default width)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("needs_attention", "", 28),
    ("asset_tag", "Tag", 110),
    ("category", "Category", 130),
    ("manufacturer", "Make", 90),
    ("model", "Model", 160),
    ("serial", "Serial", 110),
    ("hostname", "Host name", 120),
    ("ip_address", "IP address", 100),
    ("site", "Site", 110),
    ("location", "Location", 200),
    ("assigned_user", "Assigned to", 130),
    ("status", "Status", 90),
)

_Index = QModelIndex | QPersistentModelIndex
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.UserRole,
    }
)


def attention_text(reasons: list[str]) -> str:
    """The attention reasons in words (the reasons themselves are computed by app.assets)."""
    words = []
    for reason in reasons:
        if reason.startswith("missing:"):
            words.append(f"{reason.split(':', 1)[1]} is missing")
        elif reason == "duplicate-serial":
            words.append("serial shared with another asset")
        elif reason == "duplicate-tag":
            words.append("tag used twice")
        elif reason == LABEL_PENDING:
            words.append("awaiting its Closeout label (the client's old tag stands in)")
        else:
            words.append(reason)
    text = "; ".join(words)
    return text[:1].upper() + text[1:]


class AssetTableModel(QAbstractTableModel):
    """Rows come a page at a time through canFetchMore/fetchMore; sorting and filters re-query SQL."""

    #: Emitted after a reset with the total number of matching assets.
    total_changed = Signal(int)

    def __init__(self, workspace: Workspace, parent: Any = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.filter = AssetFilter()
        self.sort_key = "asset_tag"
        self.descending = False
        self.total = 0
        self._rows: list[AssetRow] = []
        self._exhausted = True
        self.pages_fetched = 0
        #: Counting 100,000 rows costs more than a page; given a counter, the total arrives later (via the
        #: runner) and `total_changed` says so. Without one (tests of the model alone) it is counted inline.
        self.counter: Callable[[AssetFilter, Callable[[int], None]], None] | None = None
        self._generation = 0
        #: True from a reload until its total, counted in the background, has arrived.
        self.counting = False
        self.attention_icon: Callable[[], QIcon] | None = None
        self.attention_color = QColor("#c77700")

    # -- loading -----------------------------------------------------------------------------------------------
    def set_filter(self, flt: AssetFilter) -> None:
        self.filter = flt
        self.reload()

    def update_filter(self, **changes: Any) -> None:
        self.set_filter(replace(self.filter, **changes))

    def reload(self, *, keep_loaded: bool = False) -> None:
        """Drop the cache and load the first page (the view asks for more as it scrolls).

        `keep_loaded` (a refresh after a save) loads again as many pages as were loaded, up to KEEP_PAGES, so a
        technician working far down the list stays where they were. A search with few hits brings its total with
        the page. Otherwise the total is counted after the table has been painted: started at once, the count
        would compete with the paint for the GIL and the disk.
        """
        self._generation += 1
        pages = min(max(1, -(-len(self._rows) // PAGE_SIZE)), KEEP_PAGES) if keep_loaded else 1
        limit = pages * PAGE_SIZE
        with self.workspace.session() as session:
            page = self._page(session, 0, limit=limit)
            total = len(page.rows) if len(page.rows) < limit else page.total
            if total is None and self.counter is None:
                total = count_assets(session, self.filter)
        self.beginResetModel()
        self._rows = page.rows
        self._exhausted = len(page.rows) < limit
        self.pages_fetched = pages
        self.endResetModel()
        self.counting = total is None
        if total is not None:
            self.total = total
            self.total_changed.emit(total)
        else:
            QTimer.singleShot(0, self, lambda generation=self._generation: self._count(generation))

    def _count(self, generation: int) -> None:
        if generation == self._generation and self.counter is not None:
            self.counter(self.filter, lambda total: self._counted(generation, total))

    def _counted(self, generation: int, total: int) -> None:
        if generation == self._generation:  # a newer filter may have been set meanwhile
            self.counting = False
            self.total = total
            self.total_changed.emit(total)

    def _page(self, session: Any, offset: int, limit: int = PAGE_SIZE) -> AssetPage:
        return query_page(
            session, self.filter, sort=self.sort_key, descending=self.descending, offset=offset, limit=limit
        )

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 - Qt signature
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008 - Qt signature
        if parent.isValid() or self._exhausted:
            return
        with self.workspace.session() as session:
            rows = self._page(session, len(self._rows)).rows
        self.pages_fetched += 1
        self._exhausted = len(rows) < PAGE_SIZE
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()

    # -- Qt model API ------------------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        key, title, _width = COLUMNS[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Needs attention" if key == "needs_attention" else title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return "Needs attention" if key == "needs_attention" else title
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES:  # the view asks for ~10 roles per cell; answer the unused ones at once
            return None
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "needs_attention":
                return None
            if key == "status":
                return row.status.label
            return getattr(row, key)
        if role == Qt.ItemDataRole.DecorationRole and key == "needs_attention" and row.needs_attention:
            return self.attention_icon() if self.attention_icon else None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if key == "needs_attention":
                return attention_text(row.attention) if row.needs_attention else None
            return None if role == Qt.ItemDataRole.ToolTipRole else str(getattr(row, key) or "")
        if role == Qt.ItemDataRole.ForegroundRole and key == "needs_attention" and row.needs_attention:
            return QBrush(self.attention_color)
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key, descending = COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder
        if (key, descending) == (self.sort_key, self.descending) and self.pages_fetched:
            return
        self.sort_key, self.descending = key, descending
        if self.pages_fetched:  # nothing to re-sort before the first filter is set
            self.reload()

    # -- lookups -----------------------------------------------------------------------------------------------
    def row_at(self, row: int) -> AssetRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, asset_id: str) -> int:
        """The row showing this asset among the rows loaded so far, or -1."""
        for number, row in enumerate(self._rows):
            if row.id == asset_id:
                return number
        return -1

    @property
    def loaded(self) -> int:
        return len(self._rows)
