"""Installs the lifecycle view (Project menu) and a Lifecycle tab in the asset editor that shows the open asset's
age, warranty state, planned replacement, estimated cost and OS support, as the forecast counts them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from app.lifecycle import AssetLifecycle, asset_lifecycle, format_money
from app.os_support import load_os_support
from ui.runner import JobContext

if TYPE_CHECKING:
    from ui.extensions import ShellWindow
    from ui.lifecycle_view import LifecycleView

FIELDS = ("Age", "Warranty", "Replace in", "Estimated cost", "Operating system")


COST_SOURCES = {
    "model": "override for this model",
    "category": "the MSP's rule for the category",
    "default": "the category's default",
    "purchase": "its purchase cost",
}


def describe(a: AssetLifecycle | None) -> dict[str, str]:
    """The tab's lines for one asset, in words."""
    if a is None:
        return dict.fromkeys(FIELDS, "")
    age = f"{a.age_years} years (bought {a.purchase_date:%Y-%m-%d})" if a.purchase_date else "Purchase date not known"
    warranty = a.warranty.label + (f" ({a.warranty_end:%Y-%m-%d})" if a.warranty_end else "")
    if a.replacement_year is None:
        replace = "Not planned: no expected life for its category" if a.purchase_date else "Not planned"
    else:
        replace = f"{a.replacement_year}" + (" (past its expected life)" if a.overdue else "")
        replace += f" · {a.life_years}-year life"
    if a.cost is None:
        cost = f"No estimate in {a.currency}"
    else:
        cost = f"{format_money(a.cost, a.currency)} ({COST_SOURCES.get(a.cost_source, a.cost_source)})"
    if a.os_out_of_support is None:
        support = "Not recorded" if not a.os else f"{a.os}: support not known"
    elif a.os_out_of_support:
        support = f"{a.os}: OUT OF SUPPORT since {a.os_end_of_support:%Y-%m-%d}"
    else:
        ends = f" until {a.os_end_of_support:%Y-%m-%d}" if a.os_end_of_support else ""
        support = f"{a.os}: supported{ends}"
    return dict(zip(FIELDS, (age, warranty, replace, cost, support), strict=True))


class LifecyclePanel(QWidget):
    """Read-only: the numbers come from app/lifecycle.py like the forecast's."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lifecyclePanel")
        self.labels = {name: QLabel() for name in FIELDS}
        form = QFormLayout(self)
        for name, label in self.labels.items():
            label.setWordWrap(True)
            label.setObjectName(f"lifecycle{name.replace(' ', '')}")
            form.addRow(name, label)
        self.asset_id: str | None = None

    def show_lifecycle(self, asset_id: str | None, item: AssetLifecycle | None) -> None:
        self.asset_id = asset_id
        for name, value in describe(item).items():
            self.labels[name].setText(value)


class LifecycleActions:
    def __init__(self, window: ShellWindow, as_of: date | None = None) -> None:
        self.window, self.as_of = window, as_of
        parent = window.as_widget()
        action = QAction("&Lifecycle and replacement budget…", parent)
        action.triggered.connect(lambda: self.open_view())
        window.menus["project"].addAction(action)
        self.action = action
        self.panel = LifecyclePanel()
        editor = window.editor
        editor.tabs.addTab(self.panel, "Lifecycle")
        # The editor has no "asset shown" signal: look again whenever it may show another asset or new values.
        for signal in (editor.tabs.currentChanged, editor.saved, editor.undone, editor.dirty_changed):
            signal.connect(lambda *_args: QTimer.singleShot(0, self.refresh))
        window.data_changed.connect(lambda: QTimer.singleShot(0, self.refresh))

    def refresh(self) -> None:
        editor = self.window.editor
        if editor.tabs.currentWidget() is not self.panel:
            return
        asset_id = editor.asset.id if editor.asset is not None else None
        if asset_id is None:
            self.panel.show_lifecycle(None, None)
            return
        workspace, as_of = self.window.workspace, self.as_of

        def work(_ctx: JobContext) -> AssetLifecycle | None:
            os_table = load_os_support(workspace.home)
            with workspace.session() as s:
                return asset_lifecycle(s, asset_id, os_table, as_of=as_of)

        self.window.runner.run(work, on_success=lambda item: self.panel.show_lifecycle(asset_id, item))

    def open_view(self) -> LifecycleView:
        from ui.lifecycle_view import LifecycleView  # QtCharts: loaded when first used

        view = LifecycleView(
            self.window.workspace, self.window.runner, project_id=self.window.current_project_id(),
            actor=self.window.technician(), as_of=self.as_of, parent=self.window.as_widget(),
        )  # fmt: skip
        view.open()
        return view


def install(window: ShellWindow) -> None:
    window._lifecycle_actions = LifecycleActions(window)  # type: ignore[attr-defined]
