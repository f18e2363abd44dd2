"""Where each part of one asset label goes (millimetres, origin at the label's bottom-left), and the code matrices.

The PDF, the preview and the geometry tests all read the same `LabelLayout`, so what is checked is what prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget

from exporters.label_templates import LabelTemplate, TemplateError

#: Code 128 wants ten narrow bars of white on each side; QR four modules; Data Matrix one (two kept here).
CODE128_QUIET_MODULES = 10
QUIET_MODULES_2D = {"qr": 4, "datamatrix": 2}
#: The narrowest bar printed: 0.25 mm (2 dots at 203 dpi) on a label printer, where thinner bars smudge; an office
#: printer's 600 dpi holds 0.19 mm (7.5 mil), which a small sheet label needs.
MIN_BAR_MM = {"roll": 0.25, "sheet": 0.19}
MAX_BAR_MM = 0.5
MIN_BAR_HEIGHT_MM = 5.0
GAP_MM = 1.0
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class LabelContent:
    """What one label says: the tag (in both codes and in text), the client, the MSP and its support phone.

    A room label sets `title` (the room's name, printed large instead of the code it scans as, "LOC:1A40CD46") and
    says where the room is in `client`."""

    tag: str
    client: str = ""
    msp: str = ""
    support_phone: str = ""
    title: str = ""

    @property
    def shown(self) -> str:
        """The large line: the tag, or a room's name."""
        return self.title or self.tag

    @property
    def support_line(self) -> str:
        return f"Support: {self.support_phone}" if self.support_phone else ""


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    def inside(self, other: Box, tolerance: float = 1e-6) -> bool:
        return (
            self.x >= other.x - tolerance
            and self.y >= other.y - tolerance
            and self.x + self.w <= other.x + other.w + tolerance
            and self.y + self.h <= other.y + other.h + tolerance
        )

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


@dataclass(frozen=True)
class TextLine:
    role: str  # "msp", "client", "tag", "support"
    text: str
    box: Box
    size_pt: float
    bold: bool = False


@dataclass(frozen=True)
class LabelLayout:
    """One label: its outline, the Code 128 (bars, and bars with their quiet zones), the 2D code (with its quiet
    zone) and the text lines; `bar_mm` is the narrow bar's width, `module_mm` the 2D code's module."""

    label: Box
    content: LabelContent
    code128: Box
    code128_quiet: Box
    bar_mm: float
    code2d_kind: str
    code2d_quiet: Box
    module_mm: float
    matrix: tuple[tuple[bool, ...], ...]
    lines: list[TextLine] = field(default_factory=list)
    logo: Box | None = None


def code128_modules(tag: str) -> int:
    """The symbol's width in narrow bars (start, data, check and stop), without quiet zones."""
    return int(Code128(tag, barWidth=1, quiet=False).width)


@lru_cache(maxsize=4096)
def code_matrix(kind: str, text: str) -> tuple[tuple[bool, ...], ...]:
    """The dark modules of the QR code or Data Matrix of `text`, row by row from the top, without quiet zone."""
    if kind == "qr":
        qr = QrCodeWidget(text, barLevel="M").qr
        qr.make()  # the widget only encodes when drawn
        count = qr.getModuleCount()
        return tuple(tuple(bool(qr.isDark(r, c)) for c in range(count)) for r in range(count))
    import numpy as np
    import zxingcpp  # reportlab only writes one 44 x 44 Data Matrix size; zxing-cpp writes the smallest that fits

    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix)
    image = np.asarray(symbol.to_image(scale=1, add_quiet_zones=False))
    return tuple(tuple(bool(v < 128) for v in row) for row in image)


def _line_heights(height: float) -> tuple[float, float]:
    """(small line, tag line) heights in mm for a label this tall."""
    small = min(2.8, max(1.9, height * 0.085))
    return small, small * 1.45


def layout_label(template: LabelTemplate, content: LabelContent, *, logo_aspect: float | None = None) -> LabelLayout:
    """Place the codes and text of one label; a tag too long for this medium is a TemplateError in words.

    `logo_aspect` (width / height of the MSP's logo) asks for the logo where the label has room for it.
    """
    width, height = template.label_mm
    pad = template.padding_mm
    inner = Box(pad, pad, width - 2 * pad, height - 2 * pad)
    small, tag_h = _line_heights(height)
    modules = code128_modules(content.tag)
    span = modules + 2 * CODE128_QUIET_MODULES
    side_2d = min(inner.h, width * 0.42)
    beside = inner.w - side_2d - GAP_MM
    lines: list[TextLine] = []
    min_bar = MIN_BAR_MM[template.kind]
    if span * min_bar <= beside:
        # Side by side: the 2D code fills the label's height on the right; text and bars share the left column.
        code2d = Box(inner.x + inner.w - side_2d, inner.y + (inner.h - side_2d) / 2, side_2d, side_2d)
        column = Box(inner.x, inner.y, beside, inner.h)
        top = column.y + column.h
        for role, text, h, bold in (("msp", content.msp, small, False), ("client", content.client, small, False),
                                    ("tag", content.shown, tag_h, True)):  # fmt: skip
            top -= h
            lines.append(TextLine(role, text, Box(column.x, top, column.w, h), h * PT_PER_MM * 0.78, bold))
        bottom = column.y
        if content.support_line:
            lines.append(TextLine("support", content.support_line, Box(column.x, bottom, column.w, small),
                                  small * PT_PER_MM * 0.78))  # fmt: skip
            bottom += small + GAP_MM / 2
        bars_area = Box(column.x, bottom, column.w, top - GAP_MM / 2 - bottom)
    else:
        # Stacked: the bars take the full width at the bottom; the text and a smaller 2D code sit above them.
        text_h = 3 * small + tag_h + 0.3
        row_h = max(text_h, min(inner.h * 0.5, 12.0))
        bars_area = Box(inner.x, inner.y, inner.w, inner.h - row_h - GAP_MM / 2)
        code2d = Box(inner.x + inner.w - row_h, inner.y + inner.h - row_h, row_h, row_h)
        column = Box(inner.x, code2d.y, inner.w - row_h - GAP_MM, row_h)
        top = column.y + column.h
        for role, text, h, bold in (("tag", content.shown, tag_h, True), ("client", content.client, small, False),
                                    ("msp", content.msp, small, False),
                                    ("support", content.support_line, small, False)):  # fmt: skip
            top -= h
            lines.append(TextLine(role, text, Box(column.x, top, column.w, h), h * PT_PER_MM * 0.78, bold))
    bar = min(MAX_BAR_MM, bars_area.w / span)
    if bar < min_bar - 1e-9 or bars_area.h < MIN_BAR_HEIGHT_MM:
        what = f"The room label of “{content.title}”" if content.title else f"The tag “{content.tag}”"
        raise TemplateError(
            f"{what} is too long for a {template.label_mm[0]:g} x {template.label_mm[1]:g} mm label; choose a larger "
            "template."
        )
    quiet = Box(bars_area.x, bars_area.y, span * bar, bars_area.h)
    bars = Box(quiet.x + CODE128_QUIET_MODULES * bar, quiet.y, modules * bar, quiet.h)
    matrix = code_matrix(template.code_2d, content.tag)
    # A Data Matrix may come out rectangular (8 x 32 for some tags): fit it in the square, at the square's top right.
    border = 2 * QUIET_MODULES_2D[template.code_2d]
    module = min(code2d.w / (len(matrix[0]) + border), code2d.h / (len(matrix) + border))
    fitted_w, fitted_h = module * (len(matrix[0]) + border), module * (len(matrix) + border)
    code2d = Box(code2d.x + code2d.w - fitted_w, code2d.y + code2d.h - fitted_h, fitted_w, fitted_h)
    logo = None
    if logo_aspect and lines and lines[0].role == "msp" and column.w > 30:
        # The logo takes the start of the MSP line, at its own proportions; the name moves right of it.
        msp = lines[0]
        logo = Box(msp.box.x, msp.box.y, min(msp.box.h * logo_aspect, column.w / 3), msp.box.h)
        lines[0] = TextLine("msp", msp.text, Box(msp.box.x + logo.w + 0.8, msp.box.y, msp.box.w - logo.w - 0.8,
                                                 msp.box.h), msp.size_pt)  # fmt: skip
    return LabelLayout(
        label=Box(0.0, 0.0, width, height),
        content=content,
        code128=bars,
        code128_quiet=quiet,
        bar_mm=bar,
        code2d_kind=template.code_2d,
        code2d_quiet=code2d,
        module_mm=module,
        matrix=matrix,
        lines=[line for line in lines if line.text],
        logo=logo,
    )
