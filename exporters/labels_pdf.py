"""Asset labels as a PDF whose page is the template's medium (a sheet, or one label per page on a roll)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from exporters.label_layout import QUIET_MODULES_2D, LabelContent, LabelLayout, TextLine, layout_label
from exporters.label_templates import LabelTemplate, TemplateError
from exporters.pdf_cli import write_aside
from exporters.pdf_fonts import fonts, shape_rtl

MIN_TEXT_PT = 3.5


def cells(template: LabelTemplate, count: int, start: tuple[int, int] = (1, 1)) -> list[tuple[int, int, int]]:
    """(page, row, column), 0-based, of `count` labels beginning at the 1-based `start` cell of the first sheet
    (the cells before it are already used); a roll always starts at its next label."""
    row, column = start
    if not (1 <= row <= template.rows and 1 <= column <= template.columns):
        raise TemplateError(
            f"The start position must be a row from 1 to {template.rows} and a column from 1 to "
            f"{template.columns} on {template.title}."
        )
    first = (row - 1) * template.columns + (column - 1)
    placed = []
    for index in range(first, first + count):
        page, cell = divmod(index, template.per_page)
        placed.append((page, *divmod(cell, template.columns)))
    return placed


def fitted(text: str, font: str, size: float, width_pt: float) -> tuple[str, float]:
    """The text at the largest size up to `size` that fits `width_pt`, cut with an ellipsis below MIN_TEXT_PT."""
    text = shape_rtl(text)
    needed = stringWidth(text, font, size)
    if needed <= width_pt:
        return text, size
    smaller = size * width_pt / needed
    if smaller >= MIN_TEXT_PT:
        return text, smaller
    while text and stringWidth(text + "…", font, MIN_TEXT_PT) > width_pt:
        text = text[:-1]
    return text + "…", MIN_TEXT_PT


def _draw_text(canvas: Canvas, line: TextLine, x0: float, y0: float) -> None:
    fs = fonts()
    font = fs.bold if line.bold else fs.regular
    text, size = fitted(line.text, font, line.size_pt, line.box.w * mm)
    canvas.setFont(font, size)
    # The baseline sits so that capitals (about 0.72 of the size) are centred in the line's box.
    baseline = (y0 + line.box.y + line.box.h / 2) * mm - size * 0.36
    canvas.drawString((x0 + line.box.x) * mm, baseline, text)


def draw_label(canvas: Canvas, layout: LabelLayout, x0: float, y0: float, logo: Path | None = None) -> None:
    """Draw one label with its bottom-left corner at (x0, y0) mm on the page."""
    canvas.setFillColor(colors.black)
    bars = layout.code128
    Code128(layout.content.tag, barWidth=layout.bar_mm * mm, barHeight=bars.h * mm, quiet=False,
            humanReadable=False).drawOn(canvas, (x0 + bars.x) * mm, (y0 + bars.y) * mm)  # fmt: skip
    box, module = layout.code2d_quiet, layout.module_mm
    quiet = QUIET_MODULES_2D[layout.code2d_kind]
    top = y0 + box.y + box.h - quiet * module
    for r, row in enumerate(layout.matrix):
        c = 0
        while c < len(row):  # one rectangle per run of dark modules keeps the PDF small and the edges clean
            if not row[c]:
                c += 1
                continue
            run = c
            while run < len(row) and row[run]:
                run += 1
            x = x0 + box.x + (quiet + c) * module
            canvas.rect(x * mm, (top - (r + 1) * module) * mm, (run - c) * module * mm, module * mm, stroke=0, fill=1)
            c = run
    for line in layout.lines:
        _draw_text(canvas, line, x0, y0)
    if logo is not None and layout.logo is not None:
        spot = layout.logo
        canvas.drawImage(ImageReader(str(logo)), (x0 + spot.x) * mm, (y0 + spot.y) * mm, spot.w * mm, spot.h * mm,
                         preserveAspectRatio=True, anchor="w", mask="auto")  # fmt: skip


def draw_pages(
    canvas: Canvas,
    template: LabelTemplate,
    contents: Sequence[LabelContent],
    *,
    start: tuple[int, int] = (1, 1),
    logo: Path | None = None,
    max_pages: int | None = None,
) -> int:
    """Draw the labels page by page onto `canvas` (its page size is the template's); returns the pages drawn."""
    aspect = None
    if logo is not None:
        width, height = ImageReader(str(logo)).getSize()
        aspect = width / height
    layouts = [layout_label(template, content, logo_aspect=aspect) for content in contents]
    placed = cells(template, len(layouts), start if template.kind == "sheet" else (1, 1))
    page = 0
    for layout, (on_page, row, column) in zip(layouts, placed, strict=True):
        if on_page != page:
            canvas.showPage()
            page = on_page
            if max_pages is not None and page >= max_pages:
                return page
        x, y = template.cell_origin_mm(row, column)
        draw_label(canvas, layout, x, y, logo)
    canvas.showPage()
    return page + 1


def write_labels_pdf(
    template: LabelTemplate,
    contents: Sequence[LabelContent],
    output: Path,
    *,
    start: tuple[int, int] = (1, 1),
    logo: Path | None = None,
    max_pages: int | None = None,
) -> int:
    """Write the labels to `output` (aside first, then moved in place); returns the page count."""
    if not contents:
        raise TemplateError("There are no labels to print: choose assets or tags first.")

    def build(tmp: Path) -> int:
        canvas = Canvas(str(tmp), pagesize=(template.page_mm[0] * mm, template.page_mm[1] * mm))
        canvas.setTitle(f"Asset labels ({template.title})")
        pages = draw_pages(canvas, template, contents, start=start, logo=logo, max_pages=max_pages)
        canvas.save()
        return pages

    return write_aside(output, build)
