"""The lifecycle view and the editor's Lifecycle tab on the workspace with known dates and costs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCharts import QStackedBarSeries
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.db import Workspace
from models import Asset
from tests.core.lifecycle_kit import AS_OF, EXPECTED_OUT_OF_SUPPORT, EXPECTED_TOTAL, LifecycleSetup, seed_lifecycle
from ui.lifecycle_actions import LifecycleActions
from ui.lifecycle_models import AssetFilter
from ui.lifecycle_view import LifecycleView
from ui.main_window import MainWindow
from ui.runner import Runner


@pytest.fixture
def acme(workspace: Workspace) -> LifecycleSetup:
    return seed_lifecycle(workspace)


def _wait(runner: Runner) -> None:
    runner.wait()


@pytest.fixture
def view(qtbot: QtBot, acme: LifecycleSetup) -> Iterator[LifecycleView]:
    runner = Runner()
    dialog = LifecycleView(acme.ws, runner, project_id=acme.project_id, actor="lead", as_of=AS_OF)
    qtbot.addWidget(dialog, before_close_func=lambda _w: _wait(runner))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.forecast is not None)
    yield dialog


def test_the_view_shows_the_budget_chart_and_the_figures_of_the_forecast(view: LifecycleView) -> None:
    assert view.forecast is not None and view.forecast.total_budget == EXPECTED_TOTAL
    assert "27,585.56 EUR" in view.figures.text() and "<b>9</b> assets due from 2026 to 2030" in view.figures.text()
    chart = view.chart_view.chart()
    assert chart.title() == "Replacement budget (EUR)"
    series = chart.series()[0]
    assert isinstance(series, QStackedBarSeries)
    bars = series.barSets()
    assert [b.label() for b in bars] == view.forecast.categories
    server = next(b for b in bars if b.label() == "Server")
    assert [server.at(i) for i in range(5)] == [9500.5, 0.0, 9500.5, 0.0, 0.0]


def test_the_asset_table_filters_and_sorts_by_lifecycle(
    qtbot: QtBot, view: LifecycleView, qtmodeltester: ModelTester
) -> None:
    qtmodeltester.check(view.assets)
    qtmodeltester.check(view.proxy)
    assert view.proxy.rowCount() == 12  # the retired one is not there
    view.filter.setCurrentIndex(view.filter.findData(AssetFilter.OS_OUT_OF_SUPPORT))
    assert sorted(view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())) == sorted(
        t for t, _d in EXPECTED_OUT_OF_SUPPORT
    )
    assert view.shown.text() == "3 of 12 assets"
    view.filter.setCurrentIndex(view.filter.findData(AssetFilter.DUE))
    assert view.proxy.rowCount() == 9
    view.table.sortByColumn(7, view.table.horizontalHeader().sortIndicatorOrder().DescendingOrder)
    assert view.proxy.index(0, 7).data() == "9,500.50"  # the dearest first, sorted as money, not as text
    view.filter.setCurrentIndex(view.filter.findData(AssetFilter.UNPRICED))
    assert [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())] == ["AC-0011"]


def test_a_bad_rule_keeps_what_was_typed_and_says_why_then_a_good_one_changes_the_forecast(
    qtbot: QtBot, view: LifecycleView
) -> None:
    view.tabs.setCurrentIndex(1)
    view.rule_category.setCurrentIndex(view.rule_category.findText("Monitor"))
    qtbot.keyClicks(view.rule_life, "four")
    qtbot.keyClicks(view.rule_cost, "300")
    view.save_rule_button.click()
    qtbot.waitUntil(lambda: bool(view.rule_error.text()))
    assert "whole number of years" in view.rule_error.text()
    assert (view.rule_life.text(), view.rule_cost.text()) == ("four", "300")
    view.rule_life.clear()
    qtbot.keyClicks(view.rule_life, "12")
    before = view.forecast
    view.save_rule_button.click()
    qtbot.waitUntil(lambda: view.forecast is not before)
    assert view.rule_error.text() == ""
    assert view.forecast is not None
    assert view.forecast.cell(2026, "Monitor").count == 0  # bought 2015 + 12 = 2027
    assert view.forecast.cell(2027, "Monitor").budget == Decimal("300.00")
    line = next(line for line in view.rules.lines if line.category == "Monitor")
    assert (line.life_years, line.cost, line.source) == (12, Decimal("300.00"), "category")


def test_the_view_exports_the_lifecycle_pdf(qtbot: QtBot, view: LifecycleView, tmp_path: Path) -> None:
    target = tmp_path / "acme-lifecycle.pdf"
    view.export_pdf(target)
    qtbot.waitUntil(lambda: "Written to" in view.figures.text(), timeout=20000)
    text = " ".join(p.extract_text() or "" for p in PdfReader(target).pages)
    assert "27,585.56 EUR in all" in " ".join(text.split())


def test_the_editor_lifecycle_tab_shows_the_open_asset(
    qtbot: QtBot, acme: LifecycleSetup, open_window: Callable[[Workspace], MainWindow]
) -> None:
    window = open_window(acme.ws)
    actions = LifecycleActions(window, as_of=AS_OF)  # a second one with a fixed day, for known figures
    assert "&Lifecycle and replacement budget…" in [a.text() for a in window.menus["project"].actions()]
    with acme.ws.session() as s:
        asset_id = s.scalars(select(Asset.id).where(Asset.asset_tag == "AC-0003")).one()
    window.editor.open_asset(asset_id)
    window.editor.tabs.setCurrentWidget(actions.panel)
    labels = actions.panel.labels
    qtbot.waitUntil(lambda: actions.panel.asset_id == asset_id)
    assert labels["Age"].text() == "6.3 years (bought 2019-11-20)"
    assert labels["Replace in"].text() == "2026 (past its expected life) · 6-year life"
    assert labels["Estimated cost"].text() == "9,500.50 EUR (the MSP's rule for the category)"
    assert labels["Operating system"].text() == "Windows Server 2016 Standard: supported until 2027-01-12"
    assert labels["Warranty"].text() == "In warranty (2026-11-20)"
