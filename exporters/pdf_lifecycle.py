"""The lifecycle section (a budget chart drawn with reportlab graphics, the budget and count tables, the assets out
of warranty and out of support) for the signoff packet, and the same section alone as a lifecycle report."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph

from app.lifecycle import CATEGORY_COLOURS, AssetLifecycle, Forecast, format_money
from exporters.pdf_common import INK, ClosureDoc, Styles, data_table, numbered_canvas, spacer, text
from exporters.pdf_fonts import fonts

PALETTE = [colors.HexColor(c) for c in CATEGORY_COLOURS]
LIST_LIMIT = 200


def budget_chart(forecast: Forecast, width: float, height: float = 70 * mm) -> Drawing:
    """Stacked columns: one per year, one colour per category, the budget in the report's currency."""
    fs = fonts()
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    legend_width = 48 * mm
    chart.x, chart.y = 18 * mm, 12 * mm
    chart.width, chart.height = width - chart.x - legend_width - 6 * mm, height - chart.y - 10 * mm
    categories = forecast.categories or ["—"]
    chart.data = [[float(forecast.cell(y, c).budget) for y in forecast.years] for c in categories]
    chart.categoryAxis.categoryNames = [str(y) for y in forecast.years]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = fs.regular
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = fs.regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#dde3ea")
    chart.barWidth = 12
    for index in range(len(categories)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - legend_width, height - 12 * mm
    legend.fontName, legend.fontSize = fs.regular, 7.5
    legend.alignment = "right"
    # One column that fits the drawing however many categories there are (more than ten used to fall off its foot).
    legend.columnMaximum = len(categories)
    legend.deltay = min(14.0, (height - 12 * mm) / len(categories))
    legend.dy = min(8.0, legend.deltay - 2)
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], c) for i, c in enumerate(categories)]
    drawing.add(legend)
    drawing.add(String(0, height - 6 * mm, f"Budget ({forecast.currency})", fontName=fs.bold, fontSize=8,
                       fillColor=INK))  # fmt: skip
    return drawing


def lifecycle_section(forecast: Forecast, styles: Styles, width: float) -> list[Flowable]:
    """Heading, chart and tables; the packet adds it after the inventory."""
    money = forecast.currency
    out: list[Flowable] = [
        Paragraph("Lifecycle and replacement budget", styles.h1),
        text(
            f"As of {forecast.as_of:%Y-%m-%d}, for the next {len(forecast.years)} years, in {money}: "
            f"{forecast.total_due} assets due, {format_money(forecast.total_budget, money)} in all. "
            f"Assets past their expected life are counted in {forecast.years[0]}.",
            styles.body,
        ),
        spacer(2),
    ]
    if forecast.categories:
        out += [budget_chart(forecast, width), spacer(2)]
    year_width = (width * 0.7) / (len(forecast.years) + 1)
    widths = [width * 0.3, *([year_width] * (len(forecast.years) + 1))]
    headers = ["Category", *(str(y) for y in forecast.years), "Total"]
    rows: list[list[object]] = []
    for category in forecast.categories:
        cells = [forecast.cell(y, category) for y in forecast.years]
        rows.append([category, *(_due(c.count, c.budget) for c in cells),
                     _due(sum(c.count for c in cells), sum(c.budget for c in cells))])  # fmt: skip
    rows.append(["Total", *(_due(forecast.year_count(y), forecast.year_budget(y)) for y in forecast.years),
                 _due(forecast.total_due, forecast.total_budget)])  # fmt: skip
    out += [
        Paragraph("Replacements due per year (count · budget)", styles.h2),
        data_table(headers, rows, styles, widths),
    ]
    notes = _notes(forecast)
    if notes:
        out += [spacer(1), text(notes, styles.small)]
    out += _asset_list(
        f"Out of warranty or expiring within 90 days ({len(forecast.out_of_warranty)})",
        forecast.out_of_warranty, styles, width, warranty=True,
    )  # fmt: skip
    out += _asset_list(
        f"Operating system out of support ({len(forecast.out_of_support)})",
        forecast.out_of_support, styles, width, warranty=False,
    )  # fmt: skip
    return out


def _due(count: int, budget: object) -> str:
    return f"{count} · {format_money(budget)}" if count else "—"  # type: ignore[arg-type]


def _notes(forecast: Forecast) -> str:
    unpriced = sum(forecast.year_unpriced(y) for y in forecast.years)
    parts = [
        f"{unpriced} due without a cost estimate in {forecast.currency} (not in the budget)" if unpriced else "",
        f"{forecast.without_purchase_date} without a purchase date" if forecast.without_purchase_date else "",
        f"{forecast.without_life} in a category without an expected life" if forecast.without_life else "",
    ]
    return ("Not planned or not priced: " + "; ".join(p for p in parts if p) + ".") if any(parts) else ""


def _asset_list(
    title: str, assets: Sequence[AssetLifecycle], styles: Styles, width: float, *, warranty: bool
) -> list[Flowable]:
    out: list[Flowable] = [Paragraph(title, styles.h2)]
    if not assets:
        return [*out, text("None.", styles.small)]
    shown = assets[:LIST_LIMIT]
    if warranty:
        headers = ["Asset tag", "Category", "Model", "Warranty end", "State"]
        rows = [[a.asset_tag, a.category, _model(a), f"{a.warranty_end:%Y-%m-%d}", a.warranty.label] for a in shown]
    else:
        headers = ["Asset tag", "Category", "Operating system", "Support ended"]
        rows = [[a.asset_tag, a.category, a.os, f"{a.os_end_of_support:%Y-%m-%d}"] for a in shown]
    shares = [0.14, 0.18, 0.32, 0.14, 0.22] if warranty else [0.16, 0.2, 0.46, 0.18]
    out.append(data_table(headers, rows, styles, [width * s for s in shares], long=True))
    if len(assets) > len(shown):
        out.append(text(f"… and {len(assets) - len(shown)} more (the workbook's Lifecycle sheet lists them all).",
                        styles.small))  # fmt: skip
    return out


def _model(a: AssetLifecycle) -> str:
    return " ".join(p for p in (a.manufacturer, a.model) if p)


def build_lifecycle_report(forecast: Forecast, path: Path, *, msp_name: str, paper: str = "letter") -> Path:
    """The lifecycle section as a PDF of its own (`closeout-cli export lifecycle`)."""
    styles = Styles()
    title = "Lifecycle and replacement budget"
    doc = ClosureDoc(str(path), paper=paper, title=f"{title} — {forecast.title}",
                     header=f"{msp_name} · {title} · {forecast.title}")  # fmt: skip
    story: list[Flowable] = [text(forecast.title, styles.subtitle), spacer(2)]
    story += lifecycle_section(forecast, styles, doc.width)
    doc.build(story, canvasmaker=numbered_canvas(f"{forecast.title} · lifecycle", skip_first=False))
    return path
