"""Asset labels as ZPL for Zebra printers: the same layout as the PDF, placed in printer dots."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from exporters.label_layout import QUIET_MODULES_2D, LabelContent, code128_modules, layout_label
from exporters.label_templates import LabelTemplate
from exporters.pdf_cli import write_aside

DEFAULT_DPI = 203


def _field(text: str) -> str:
    """Field data with ^, ~ and _ written as hex escapes (the label starts fields with ^FH_)."""
    return "".join(f"_{ord(c):02X}" if c in "^~_" or ord(c) < 32 else c for c in text)


def zpl_label(template: LabelTemplate, content: LabelContent, dpi: int = DEFAULT_DPI) -> str:
    """One ^XA…^XZ label; ZPL measures from the top-left corner in dots."""
    layout = layout_label(template, content)
    width, height = template.label_mm

    def dots(mm_value: float) -> int:
        return round(mm_value / 25.4 * dpi)

    def top(y_mm: float, h_mm: float) -> int:
        return dots(height - y_mm - h_mm)

    bar = max(1, int(layout.bar_mm / 25.4 * dpi))  # whole dots, never wider than the layout allows
    bars_w = code128_modules(content.tag) * bar
    quiet = layout.code128_quiet
    bars_x = dots(quiet.x) + (dots(quiet.w) - bars_w) // 2
    out = ["^XA", "^CI28", f"^PW{dots(width)}", f"^LL{dots(height)}", "^LH0,0"]
    out.append(f"^FO{bars_x},{top(quiet.y, quiet.h)}^BY{bar}^BCN,{dots(quiet.h)},N,N,N^FH_^FD{_field(content.tag)}^FS")
    box = layout.code2d_quiet
    border = QUIET_MODULES_2D[layout.code2d_kind]
    module = max(1, int(layout.module_mm / 25.4 * dpi))
    x2d, y2d = dots(box.x) + border * module, top(box.y, box.h) + border * module
    if layout.code2d_kind == "qr":
        out.append(f"^FO{x2d},{y2d}^BQN,2,{module}^FH_^FDQA,{_field(content.tag)}^FS")
    else:
        out.append(f"^FO{x2d},{y2d}^BXN,{module},200^FH_^FD{_field(content.tag)}^FS")
    for line in layout.lines:
        size = max(10, dots(line.box.h * 0.85))
        out.append(f"^FO{dots(line.box.x)},{top(line.box.y, line.box.h)}^A0N,{size},{size}"
                   f"^FB{dots(line.box.w)},1,0,L^FH_^FD{_field(line.text)}^FS")  # fmt: skip
    out.append("^XZ")
    return "\n".join(out)


def write_labels_zpl(template: LabelTemplate, contents: Sequence[LabelContent], output: Path) -> int:
    """Write one ZPL label per tag to `output`; returns the number of labels."""
    dpi = template.zpl_dpi or DEFAULT_DPI
    text = "\n".join(zpl_label(template, content, dpi) for content in contents) + "\n"

    def build(tmp: Path) -> int:
        tmp.write_text(text, encoding="utf-8")
        return len(contents)

    return write_aside(output, build)
