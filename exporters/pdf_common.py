"""What every Closeout PDF shares: paper sizes, styles, page frame with "Page N of M", tables, headings, logo."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    LongTable,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from exporters.pdf_fonts import fonts, markup, plain_lines, resource_path

PAPER = {"letter": LETTER, "a4": A4}
INK = colors.HexColor("#1f2933")
BRAND = colors.HexColor("#124a7a")
MUTED = colors.HexColor("#5f6b76")
RULE = colors.HexColor("#c9d2db")
ZEBRA = colors.HexColor("#f3f6f9")
HEAD_BG = colors.HexColor("#e4ecf4")
MARGIN = 18 * mm
YES, NO = "✔", "✘"


def logo_path() -> Path | None:
    return resource_path("branding", "msp-logo.png")


class Styles:
    """Paragraph styles in the embedded body font."""

    def __init__(self) -> None:
        fs = fonts()
        base = ParagraphStyle("body", fontName=fs.regular, fontSize=9.5, leading=12.5, textColor=INK, alignment=TA_LEFT)
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=MUTED)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=7.2, leading=8.8)
        self.cell_bold = ParagraphStyle("cellb", parent=self.cell, fontName=fs.bold)
        self.h1 = ParagraphStyle(
            "h1",
            parent=base,
            fontName=fs.bold,
            fontSize=16,
            leading=20,
            textColor=BRAND,
            spaceBefore=4,
            spaceAfter=8,
            keepWithNext=1,
        )
        self.h2 = ParagraphStyle(
            "h2",
            parent=base,
            fontName=fs.bold,
            fontSize=12,
            leading=15,
            textColor=BRAND,
            spaceBefore=10,
            spaceAfter=4,
            keepWithNext=1,
        )
        self.title = ParagraphStyle("title", parent=base, fontName=fs.bold, fontSize=26, leading=32, textColor=BRAND)
        self.subtitle = ParagraphStyle("subtitle", parent=base, fontSize=14, leading=19, textColor=INK)
        self.mono = ParagraphStyle("mono", parent=base, fontSize=7.5, leading=9.5, textColor=MUTED)
        self.toc = [
            ParagraphStyle("toc1", parent=base, fontSize=11, leading=16, leftIndent=0),
            ParagraphStyle("toc2", parent=base, fontSize=9.5, leading=13, leftIndent=14, textColor=MUTED),
        ]


def text(value: object, style: ParagraphStyle) -> Paragraph:
    """A Paragraph of user text: always escaped, never markup."""
    return Paragraph(markup(value), style)


def fmt_date(value: date | datetime | str | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        raw = value
        try:
            value = date.fromisoformat(raw) if len(raw) == 10 else datetime.fromisoformat(raw)
        except ValueError:
            return raw
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return str(value.isoformat())


def yes_no(value: object) -> str:
    return YES if value else NO


_LINE_STYLE: ParagraphStyle | None = None


def draw_line(canvas: Canvas, value: str, x: float, y: float, width: float) -> None:
    """One line of user text (header, footer) straight on the canvas, with the fallback fonts and escaping."""
    global _LINE_STYLE
    if _LINE_STYLE is None:
        _LINE_STYLE = ParagraphStyle("line", fontName=fonts().regular, fontSize=8, leading=9, textColor=MUTED)
    shown = value if len(value) <= 110 else value[:109] + "…"
    para = Paragraph(markup(shown, breaks=False), _LINE_STYLE)
    para.wrapOn(canvas, width, 9)
    para.drawOn(canvas, x, y - 2)


class ClosureDoc(BaseDocTemplate):
    """A document whose h1/h2 headings feed the table of contents and the PDF outline."""

    def __init__(
        self, path: str, *, paper: str, title: str, header: str, author: str = "Closeout", cover: bool = False
    ) -> None:
        pagesize = PAPER[paper]
        super().__init__(
            path,
            pagesize=pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN + 6 * mm,
            bottomMargin=MARGIN,
            title=title,
            author=author,
            creator="Closeout",
        )
        self.header = header
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        body = PageTemplate("body", [frame], onPage=self._decorate)
        cover_page = PageTemplate("cover", [frame], onPage=self._decorate_cover)
        self.addPageTemplates([cover_page, body] if cover else [body])
        self._heading_seq = 0
        self._seen_h1 = False
        #: (level, title, page, bookmark) of every h1/h2, for the contents page drawn when the PDF is saved.
        self.toc_entries: list[tuple[int, str, int, str]] = []

    def beforeDocument(self) -> None:
        self._seen_h1 = False

    def _decorate(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, height = self.pagesize
        fs = fonts()
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, height - MARGIN, width - MARGIN, height - MARGIN)
        canvas.setFont(fs.regular, 8)
        canvas.setFillColor(MUTED)
        draw_line(canvas, self.header, MARGIN, height - MARGIN + 4, width - 2 * MARGIN)
        canvas.line(MARGIN, MARGIN - 6, width - MARGIN, MARGIN - 6)
        canvas.restoreState()

    def _decorate_cover(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        width, _height = self.pagesize
        canvas.saveState()
        canvas.setFillColor(BRAND)
        canvas.rect(0, 0, width, 14 * mm, stroke=0, fill=1)
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        style = getattr(flowable, "style", None)
        name = getattr(style, "name", "")
        if name not in ("h1", "h2") or not isinstance(flowable, Paragraph):
            return
        if name == "h1":
            self._seen_h1 = True
        level = 1 if name == "h2" and self._seen_h1 else 0
        label = flowable.getPlainText()
        key = getattr(flowable, "_bookmark", None)
        if key is None:
            self._heading_seq += 1
            key = f"h{self._heading_seq}"
            flowable._bookmark = key
        self.canv.bookmarkPage(key)
        self.canv.addOutlineEntry(label, key, level=level, closed=level > 0)
        self.toc_entries.append((level, label, self.page, key))


def numbered_canvas(
    footer_left: str, *, skip_first: bool = False, late: dict[int, Callable[[Canvas], None]] | None = None
) -> type[Canvas]:
    """A canvas class that writes "Page N of M" once the page count is known (not on a cover page).

    `late` maps page numbers to painters run at save time, when every page number is known: that is how the
    contents page is filled in one layout pass instead of reportlab's two-pass multiBuild.
    """
    painters = late or {}

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                painter = painters.get(self._pageNumber)
                if painter is not None:
                    painter(self)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            fs = fonts()
            width, _ = self._pagesize
            self.saveState()
            self.setFont(fs.regular, 8)
            self.setFillColor(MUTED)
            if not (skip_first and self._pageNumber == 1):
                draw_line(self, footer_left, MARGIN, MARGIN - 16, width - 2 * MARGIN - 80)
                self.drawRightString(width - MARGIN, MARGIN - 16, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas


def kv_table(rows: Sequence[tuple[str, object]], styles: Styles, width: float, key_share: float = 0.3) -> Table:
    """A two-column label/value table; values are user text."""
    data = [[Paragraph(markup(k), styles.cell_bold), text(v, styles.cell)] for k, v in rows]
    table = Table(data, colWidths=[width * key_share, width * (1 - key_share)], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (0, -1), ZEBRA),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def kv_grid(rows: Sequence[tuple[str, object]], styles: Styles, width: float) -> Table:
    """Label/value pairs two to a row, for compact facts."""
    cells: list[list[object]] = []
    for i in range(0, len(rows), 2):
        line: list[object] = []
        for key, value in rows[i : i + 2]:
            line += [Paragraph(markup(key), styles.cell_bold), text(value, styles.cell)]
        cells.append(line + [""] * (4 - len(line)))
    table = Table(cells, colWidths=[width * 0.17, width * 0.33, width * 0.17, width * 0.33], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BACKGROUND", (0, 0), (0, -1), ZEBRA),
                ("BACKGROUND", (2, 0), (2, -1), ZEBRA),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def data_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    styles: Styles,
    widths: Sequence[float],
    *,
    long: bool = False,
    cell: Callable[[str, float], object] | None = None,
) -> Table:
    """A table with a header row repeated on every page it spans; cells wrap only when they must."""
    fs = fonts()
    size = styles.cell.fontSize
    pad = 6.0

    def make(value: object, width: float) -> object:
        plain = "" if value is None else str(value)
        lines = plain_lines(plain, width - pad, fs.regular, size)
        return Paragraph(markup(plain), styles.cell) if lines is None else lines

    make_cell = cell or make
    data: list[list[object]] = [[Paragraph(markup(h), styles.cell_bold) for h in headers]]
    data.extend([make_cell("" if v is None else str(v), w) for v, w in zip(row, widths, strict=True)] for row in rows)
    cls = LongTable if long else Table
    # splitInRow: a row taller than a page (a very long cell) continues on the next page instead of failing.
    table = cls(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT", splitInRow=1)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 1), (-1, -1), fs.regular, size, styles.cell.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if len(data) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]))
    table.setStyle(TableStyle(commands))
    return table


def spacer(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)
