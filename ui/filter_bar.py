"""The bar above the asset table: debounced full-text search, category, status and "needs attention"."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QLineEdit, QWidget

from models import AssetStatus, AuditState

SEARCH_DELAY_MS = 150
#: Narrower than this, the "needs attention" box gives its room to the search field (the toolbar and the View
#: menu keep the same switch, Ctrl+Shift+A).
COMPACT_WIDTH = 660


class FilterBar(QFrame):
    """Emits `changed` with AssetFilter field values; typing is debounced so each keystroke costs nothing."""

    changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        self.search = QLineEdit(self)
        self.search.setObjectName("searchField")
        self.search.setAccessibleName("Search assets")
        self.search.setPlaceholderText("Search tag, serial, host, IP, model, person…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(150)
        self.category = QComboBox(self)
        self.category.setAccessibleName("Category filter")
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.category.setMinimumContentsLength(8)
        self.status = QComboBox(self)
        self.status.setAccessibleName("Status filter")
        self.status.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.status.setMinimumContentsLength(7)
        self.status.addItem("Any status", None)
        for status in AssetStatus:
            self.status.addItem(status.label, status)
        self.audit = QComboBox(self)
        self.audit.setAccessibleName("Audit filter")
        self.audit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.audit.setMinimumContentsLength(9)
        self.audit.addItem("Audit: all", None)
        for state in AuditState:
            self.audit.addItem(state.label, state)
        self.attention = QCheckBox("Needs attention", self)
        self.attention.setAccessibleName("Only assets that need attention")
        self.attention.setToolTip("Missing required fields or a tag or serial used twice (Ctrl+Shift+A)")
        self.count = QLabel(self)
        self.count.setObjectName("filterChip")
        self.count.setAccessibleName("Number of assets shown")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(8)
        layout.addWidget(self.search, 3)
        layout.addWidget(self.category, 1)
        layout.addWidget(self.status, 1)
        layout.addWidget(self.audit, 1)
        layout.addWidget(self.attention)
        layout.addStretch(0)
        layout.addWidget(self.count)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.emit_now)
        self.search.textChanged.connect(lambda _text: self._timer.start())
        self.category.currentIndexChanged.connect(lambda _i: self.emit_now())
        self.status.currentIndexChanged.connect(lambda _i: self.emit_now())
        self.audit.currentIndexChanged.connect(lambda _i: self.emit_now())
        self.attention.toggled.connect(lambda _on: self.emit_now())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.attention.setVisible(event.size().width() >= COMPACT_WIDTH)

    def set_categories(self, choices: list[tuple[str, str]]) -> None:
        current = self.category.currentData()
        self.category.blockSignals(True)
        self.category.clear()
        self.category.addItem("All categories", None)
        for name, category_id in choices:
            self.category.addItem(name, category_id)
        self.category.setCurrentIndex(max(self.category.findData(current), 0))
        self.category.blockSignals(False)

    def values(self) -> dict[str, Any]:
        return {
            "text": self.search.text().strip(),
            "category_id": self.category.currentData() or None,
            "status": self.status.currentData(),
            "needs_attention": self.attention.isChecked(),
            "audit": AuditState(self.audit.currentData()) if self.audit.currentData() else None,
        }

    def emit_now(self) -> None:
        self._timer.stop()
        self.changed.emit(self.values())

    def show_count(self, shown: int) -> None:
        self.count.setText(f"{shown:,} asset{'s' if shown != 1 else ''}")
