"""Label PDFs to paper and to the screen: the printer gets the template's page size with no scaling or margins."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QPoint, QRect, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize, QPainter, QPen
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter

from exporters.label_templates import LabelTemplate

#: Pages are rasterised at the printer's resolution up to this (a 1200 dpi A4 page would need half a gigabyte).
MAX_RENDER_DPI = 600


def page_layout(template: LabelTemplate) -> QPageLayout:
    """The template's medium as a page: exact size, its own orientation, no margins."""
    width, height = template.page_mm
    size = QPageSize(QSizeF(min(width, height), max(width, height)), QPageSize.Unit.Millimeter, template.title,
                     QPageSize.SizeMatchPolicy.ExactMatch)  # fmt: skip
    orientation = QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    return QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def prepare_printer(printer: QPrinter, template: LabelTemplate) -> None:
    printer.setPageLayout(page_layout(template))
    printer.setFullPage(True)  # the page's origin is the paper's corner: the template measures from there


def _open(pdf: Path) -> QPdfDocument:
    document = QPdfDocument()
    if document.load(str(pdf)) != QPdfDocument.Error.None_:
        raise OSError(f"The label file {pdf} could not be read back for printing.")
    return document


def print_pdf(pdf: Path, printer: QPrinter, template: LabelTemplate) -> int:
    """Print every page of the label PDF at 1:1 on `printer`; returns the pages printed."""
    prepare_printer(printer, template)
    document = _open(pdf)
    dpi = min(printer.resolution(), MAX_RENDER_DPI)
    width_mm, height_mm = template.page_mm
    pixels = QSize(round(width_mm / 25.4 * dpi), round(height_mm / 25.4 * dpi))
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be opened; check that it is on and chosen in the print dialog.")
    try:
        target = printer.pageLayout().fullRectPixels(printer.resolution())
        for index in range(document.pageCount()):
            if index:
                printer.newPage()
            painter.drawImage(QRect(QPoint(0, 0), target.size()), document.render(index, pixels))
    finally:
        painter.end()
        document.close()
    return document.pageCount()


def preview_image(pdf: Path, template: LabelTemplate, width_px: int) -> QImage:
    """The first page, `width_px` wide, with each label's outline drawn faintly so the start cell can be seen."""
    document = _open(pdf)
    width_mm, height_mm = template.page_mm
    scale = width_px / width_mm
    page = document.render(0, QSize(width_px, round(height_mm * scale)))
    document.close()
    image = QImage(page.size(), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))  # the rendered page is transparent where nothing is printed
    painter = QPainter(image)
    painter.drawImage(0, 0, page)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#9fb3c8"), 1, Qt.PenStyle.DashLine))
    label_w, label_h = template.label_mm
    for row in range(template.rows):
        for column in range(template.columns):
            left = template.origin_mm[0] + column * template.pitch_mm[0]
            top = template.origin_mm[1] + row * template.pitch_mm[1]
            painter.drawRoundedRect(round(left * scale), round(top * scale), round(label_w * scale) - 1,
                                    round(label_h * scale) - 1, 4, 4)  # fmt: skip
    painter.end()
    return image
