"""The lifecycle view: the replacement budget per year and category as a chart (QtCharts), each asset's lifecycle
in a filterable table, the MSP's lifecycle rules with a small editor, and the export of the lifecycle PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QChart, QChartView, QStackedBarSeries, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.db import Workspace
from app.errors import ValidationError
from app.lifecycle import CATEGORY_COLOURS, DEFAULT_YEARS, MAX_YEARS, Forecast, build_forecast, format_money
from app.lifecycle_rules import RuleLine, clear_rule, describe_rules, set_rule
from app.os_support import load_os_support
from app.projects import get_project, list_projects
from ui.file_dialogs import Folder, ask_save_file
from ui.lifecycle_models import AssetFilter, LifecycleFilterProxy, LifecycleTableModel, RulesModel
from ui.messages import show_error
from ui.runner import JobContext, Runner


@dataclass(frozen=True)
class Loaded:
    forecast: Forecast
    rules: list[RuleLine]


def budget_chart(forecast: Forecast) -> QChart:
    """Stacked columns per year, one set per category (amounts shown in whole units of the currency)."""
    chart = QChart()
    chart.setTitle(f"Replacement budget ({forecast.currency})")
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
    chart.setMargins(QMargins(4, 4, 4, 4))
    series = QStackedBarSeries()
    for index, category in enumerate(forecast.categories):
        bar = QBarSet(category)
        bar.append([float(forecast.cell(year, category).budget) for year in forecast.years])
        bar.setColor(QColor(CATEGORY_COLOURS[index % len(CATEGORY_COLOURS)]))
        series.append(bar)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append([str(y) for y in forecast.years])
    y = QValueAxis()
    top = max([float(forecast.year_budget(year)) for year in forecast.years] + [1.0])
    y.setRange(0, top)
    y.applyNiceNumbers()  # round steps (0, 2,000, 4,000…) rather than sixths of the largest year
    y.setLabelFormat("%.0f")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    return chart


class LifecycleView(QDialog):
    """Pick a project (or all) and a number of years; the figures are those of the CLI, the workbook and the PDF."""

    def __init__(
        self,
        workspace: Workspace,
        runner: Runner,
        *,
        project_id: str | None = None,
        actor: str = "",
        as_of: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lifecycleView")
        self.setWindowTitle("Lifecycle and replacement budget")
        self.resize(1100, 780)
        self.workspace, self.runner, self.actor, self.as_of = workspace, runner, actor, as_of
        self.forecast: Forecast | None = None
        self.scope = QComboBox()
        self.scope.addItem("All projects", "")
        with workspace.session() as s:
            for project in list_projects(s):
                self.scope.addItem(f"{project.code} — {project.name}", project.id)
        if project_id:
            self.scope.setCurrentIndex(max(self.scope.findData(project_id), 0))
        self.years = QSpinBox()
        self.years.setRange(1, MAX_YEARS)
        self.years.setValue(DEFAULT_YEARS)
        self.years.setSuffix(" years")
        self.export_button = QPushButton("Export PDF…")
        self.figures = QLabel()
        self.figures.setObjectName("lifecycleFigures")
        self.figures.setWordWrap(True)
        self.chart_view = QChartView()
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(280)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.scope, 1)
        top.addWidget(QLabel("for the next"))
        top.addWidget(self.years)
        top.addWidget(self.export_button)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._assets_tab(), "Assets")
        self.tabs.addTab(self._rules_tab(), "Lifecycle rules")
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.figures)
        layout.addWidget(self.chart_view, 2)
        layout.addWidget(self.tabs, 3)
        self.scope.currentIndexChanged.connect(self.reload)
        self.years.valueChanged.connect(self.reload)
        self.export_button.clicked.connect(lambda: self.export_pdf())
        self.reload()

    def _assets_tab(self) -> QWidget:
        self.assets = LifecycleTableModel(self)
        self.proxy = LifecycleFilterProxy(self)
        self.proxy.setSourceModel(self.assets)
        self.filter = QComboBox()
        for mode in AssetFilter:
            self.filter.addItem(mode.value, mode)
        self.filter.currentIndexChanged.connect(self._filter_changed)
        self.shown = QLabel()
        self.table = QTableView()
        self.table.setObjectName("lifecycleAssets")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.verticalHeader().setVisible(False)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.filter)
        bar.addWidget(self.shown, 1)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        return tab

    def _rules_tab(self) -> QWidget:
        self.rules = RulesModel(self)
        self.rules_table = QTableView()
        self.rules_table.setModel(self.rules)
        self.rules_table.verticalHeader().setVisible(False)
        self.rules_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.rules_table.horizontalHeader().setStretchLastSection(True)
        self.rules_table.selectionModel().currentRowChanged.connect(self._rule_picked)
        self.rule_category = QComboBox()
        self.rule_model = QLineEdit()
        self.rule_model.setPlaceholderText("empty: the whole category")
        self.rule_life = QLineEdit()
        self.rule_life.setPlaceholderText("years, e.g. 5")
        self.rule_cost = QLineEdit()
        self.rule_cost.setPlaceholderText("e.g. 1400 or CHF 1'299.00")
        self.rule_currency = QLineEdit()
        self.rule_currency.setPlaceholderText("empty: the report's currency")
        self.rule_error = QLabel()
        self.rule_error.setObjectName("ruleError")
        self.rule_error.setStyleSheet("color: #c0392b")
        self.rule_error.setWordWrap(True)
        self.save_rule_button = QPushButton("Save rule")
        self.clear_rule_button = QPushButton("Back to default")
        form = QFormLayout()
        form.addRow("Category", self.rule_category)
        form.addRow("Model (name or number)", self.rule_model)
        form.addRow("Expected life", self.rule_life)
        form.addRow("Replacement cost", self.rule_cost)
        form.addRow("Currency", self.rule_currency)
        buttons = QHBoxLayout()
        buttons.addWidget(self.rule_error, 1)
        buttons.addWidget(self.clear_rule_button)
        buttons.addWidget(self.save_rule_button)
        note = QLabel("Rules sync with the catalog: anyone may add one, only an administrator may change one.")
        note.setWordWrap(True)
        tab = QWidget()
        layout = QHBoxLayout(tab)
        layout.addWidget(self.rules_table, 4)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addLayout(buttons)
        side.addWidget(note)
        side.addStretch(1)
        layout.addLayout(side, 2)
        self.save_rule_button.clicked.connect(self.save_rule)
        self.clear_rule_button.clicked.connect(self.clear_rule)
        return tab

    # -- loading ---------------------------------------------------------------------------------------------

    def reload(self) -> None:
        project_id = self.scope.currentData() or None
        years, as_of, workspace = self.years.value(), self.as_of, self.workspace

        def work(_ctx: JobContext) -> Loaded:
            os_table = load_os_support(workspace.home)
            with workspace.session() as s:
                ids = [project_id] if project_id else None
                forecast = build_forecast(s, os_table, project_ids=ids, years=years, as_of=as_of)
                return Loaded(forecast, describe_rules(s))

        self.runner.run(work, on_success=self._show, on_failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.figures.setText(f"The forecast could not be made: {exc}")

    def _show(self, loaded: Loaded) -> None:
        f = self.forecast = loaded.forecast
        unpriced = sum(f.year_unpriced(y) for y in f.years)
        lines = [
            f"<b>{f.total_due}</b> assets due from {f.years[0]} to {f.years[-1]}: "
            f"<b>{format_money(f.total_budget, f.currency)}</b> (as of {f.as_of:%Y-%m-%d}).",
            f"{f.overdue} already past their expected life (counted in {f.years[0]}).",
            f"{len(f.out_of_warranty)} out of warranty or expiring within 90 days; "
            f"{len(f.out_of_support)} with an operating system out of support.",
        ]
        if unpriced or f.without_purchase_date or f.without_life:
            lines.append(f"Not in the budget: {unpriced} due without a cost estimate in {f.currency}, "
                         f"{f.without_purchase_date} without a purchase date, "
                         f"{f.without_life} in categories without an expected life.")  # fmt: skip
        self.figures.setText("<br>".join(lines))
        old = self.chart_view.chart()
        self.chart_view.setChart(budget_chart(f))
        if old is not None:
            old.deleteLater()
        self.assets.set_rows(f.assets)
        self._filter_changed()
        self.table.resizeColumnsToContents()
        current = self.rule_category.currentData()
        self.rules.set_lines(loaded.rules)
        self.rule_category.blockSignals(True)
        self.rule_category.clear()
        for line in loaded.rules:
            if not line.model:
                self.rule_category.addItem(line.category, line.category_id)
        self.rule_category.setCurrentIndex(max(self.rule_category.findData(current), 0))
        self.rule_category.blockSignals(False)
        self.rules_table.resizeColumnsToContents()

    def _filter_changed(self) -> None:
        mode = self.filter.currentData() or AssetFilter.ALL
        last = self.forecast.years[-1] if self.forecast else 9999
        self.proxy.set_mode(mode, last)
        self.shown.setText(f"{self.proxy.rowCount()} of {self.assets.rowCount()} assets")

    # -- rules -----------------------------------------------------------------------------------------------

    def _rule_picked(self) -> None:
        row = self.rules_table.currentIndex().row()
        if not 0 <= row < len(self.rules.lines):
            return
        line = self.rules.lines[row]
        self.rule_category.setCurrentIndex(max(self.rule_category.findData(line.category_id), 0))
        self.rule_model.setText(line.model)
        self.rule_life.setText("" if line.life_years is None else str(line.life_years))
        self.rule_cost.setText("" if line.cost is None else str(line.cost))
        self.rule_currency.setText(line.currency)
        self.rule_error.clear()

    def save_rule(self) -> None:
        category_id, model = self.rule_category.currentData(), self.rule_model.text()
        if not category_id:
            self.rule_error.setText("Choose the category the rule is for.")
            return
        life, cost, currency = self.rule_life.text(), self.rule_cost.text(), self.rule_currency.text()
        workspace, actor = self.workspace, self.actor

        def work(_ctx: JobContext) -> None:
            with workspace.transaction() as s:
                set_rule(s, category_id, model=model, life=life, cost=cost, currency=currency, actor=actor)

        self.runner.run(work, on_success=self._rule_saved, on_failure=self._rule_failed)

    def clear_rule(self) -> None:
        category_id, model, workspace, actor = self.rule_category.currentData(), self.rule_model.text(), \
            self.workspace, self.actor  # fmt: skip

        def work(_ctx: JobContext) -> None:
            with workspace.transaction() as s:
                clear_rule(s, category_id, model=model, actor=actor)

        self.runner.run(work, on_success=self._rule_saved, on_failure=self._rule_failed)

    def _rule_saved(self, _result: object) -> None:
        self.rule_error.clear()
        self.reload()

    def _rule_failed(self, exc: BaseException) -> None:
        # What was typed stays in the fields; the message says what to change.
        errors = exc.errors.values() if isinstance(exc, ValidationError) else [str(exc)]
        self.rule_error.setText("\n".join(errors))

    # -- export ----------------------------------------------------------------------------------------------

    def export_pdf(self, path: Path | None = None) -> None:
        project_id = self.scope.currentData() or None
        if path is None:
            stem = "all-projects"
            if project_id:
                with self.workspace.session() as s:
                    stem = get_project(s, project_id).code
            path = ask_save_file(self, Folder.PDF_EXPORT, "Export the lifecycle report", f"{stem}-lifecycle.pdf",
                                 "PDF (*.pdf)", suffix=".pdf")  # fmt: skip
            if path is None:
                return
        workspace, years, as_of, target = self.workspace, self.years.value(), self.as_of, path

        def work(_ctx: JobContext) -> Path:
            from exporters.lifecycle_cli import export_lifecycle_pdf  # reportlab: loaded on first export

            written, _forecast = export_lifecycle_pdf(workspace, target, project_ref=project_id, years=years,
                                                      as_of=as_of)  # fmt: skip
            return written

        self.runner.run(
            work,
            on_success=lambda written: self.figures.setText(self.figures.text() + f"<br>Written to {written}."),
            on_failure=lambda exc: show_error(self, "Export the lifecycle report", exc),
            progress="Writing the lifecycle report…",
            progress_parent=self,
            pool="cpu",
        )
