"""The KPI dashboard (QtCharts): activation issues, adoption, satisfaction and on-time go-live, per project or all."""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QComboBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from app.db import Workspace
from app.kpis import PortfolioKpis, ProjectKpis, describe_portfolio, describe_project, portfolio_kpis
from app.projects import list_projects

BLUE, GREEN, RED, GREY = QColor("#124a7a"), QColor("#2e8b57"), QColor("#c0392b"), QColor("#aab4be")


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setMargins(QMargins(4, 4, 4, 4))
    return chart


def _bar_chart(
    title: str, codes: list[str], sets: list[tuple[str, list[float], QColor]], top: float, stacked: bool
) -> QChart:
    chart = _chart(title)
    series = QStackedBarSeries() if stacked else QBarSeries()
    for label, values, colour in sets:
        bar = QBarSet(label)
        bar.append(values)
        bar.setColor(colour)
        series.append(bar)
    chart.addSeries(series)
    x = QBarCategoryAxis()
    x.append(codes or ["—"])
    y = QValueAxis()
    y.setRange(0, top)
    y.setLabelFormat("%d")
    y.setTickCount(int(top) + 1 if top <= 10 else 5)  # whole-number ticks: counts and scores are integers
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    series.attachAxis(x)
    series.attachAxis(y)
    chart.legend().setVisible(len(sets) > 1)
    return chart


def build_charts(per: list[ProjectKpis]) -> list[QChart]:
    """The four charts for the given projects' KPIs."""
    codes = [k.project_code for k in per]
    opened = [float(k.activation_issues_open) for k in per]
    closed = [float(k.activation_issues_closed) for k in per]
    top = float(max([o + c for o, c in zip(opened, closed, strict=True)] + [1.0]))
    top = top if top <= 10 else float(-(-top // 4) * 4)
    issues = _bar_chart("Activation issues", codes, [("Open", opened, RED), ("Closed", closed, GREEN)], top, True)
    satisfaction = _bar_chart(
        "Client satisfaction (1-5)",
        codes,
        [("Satisfaction", [float(k.satisfaction or 0) for k in per], BLUE)],
        5,
        False,
    )
    adoption = _bar_chart(
        "Adoption of service procedures (%)", codes,
        [("Adoption", [round((k.adoption_rate or 0) * 100) for k in per], BLUE)], 100, False,
    )  # fmt: skip
    on_time = _chart("On-time activation")
    pie = QPieSeries()
    counts = (
        ("On time", sum(1 for k in per if k.on_time is True), GREEN),
        ("Late", sum(1 for k in per if k.on_time is False), RED),
        ("Not live yet", sum(1 for k in per if k.on_time is None), GREY),
    )
    for label, n, colour in counts:
        if n:
            slice_ = pie.append(f"{label}: {n}", n)
            slice_.setColor(colour)
            slice_.setLabelVisible(True)
    on_time.addSeries(pie)
    return [issues, satisfaction, adoption, on_time]


class KpiDashboard(QDialog):
    """Pick a project (or all) and see its figures and charts; the same figures feed the Excel Summary sheet."""

    def __init__(self, workspace: Workspace, project_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kpiDashboard")
        self.setWindowTitle("Activation KPIs")
        self.resize(980, 720)
        self.workspace = workspace
        self.scope = QComboBox()
        self.scope.addItem("All projects", "")
        with workspace.session() as s:
            for project in list_projects(s):
                self.scope.addItem(f"{project.code} — {project.name}", project.id)
        if project_id:
            self.scope.setCurrentIndex(max(self.scope.findData(project_id), 0))
        self.figures = QLabel()
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        self.figures.setObjectName("kpiFigures")
        self.grid = QGridLayout()
        self.views: list[QChartView] = []
        for i in range(4):
            view = QChartView()
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumSize(300, 220)
            self.grid.addWidget(view, i // 2, i % 2)
            self.views.append(view)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        top.addWidget(self.scope, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.figures)
        self.audit = QProgressBar()
        self.audit.setObjectName("kpiAudit")
        self.audit.setAccessibleName("Onsite audit: listed assets seen or explained")
        layout.addWidget(self.audit)
        layout.addLayout(self.grid, 1)
        self.scope.currentIndexChanged.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        project_id = self.scope.currentData() or None
        with self.workspace.session() as s:
            portfolio: PortfolioKpis = portfolio_kpis(s, [project_id] if project_id else None)
        per = list(portfolio.per_project)
        rows = describe_project(per[0]) if project_id and per else describe_portfolio(portfolio)
        cells = "".join(f"<tr><td style='padding-right:12px'>{label}</td><td><b>{value}</b></td></tr>"
                        for label, value in rows)  # fmt: skip
        self.figures.setText(f"<table>{cells}</table>")
        progress = per[0].audit_progress if project_id and per else portfolio.audit_progress
        self.audit.setVisible(progress is not None)
        self.audit.setValue(round((progress or 0) * 100))
        self.audit.setFormat("Onsite audit: %p% of the listed assets seen or explained")
        for view, chart in zip(self.views, build_charts(per), strict=True):
            old = view.chart()
            view.setChart(chart)
            if old is not None and old is not chart:
                old.deleteLater()
