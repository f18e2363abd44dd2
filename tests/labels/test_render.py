"""Every template rendered at 300 dpi by pdftoppm: each code decodes back to its tag; nothing leaves its label."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image

from app.scan_decode import decode_frame
from exporters.label_layout import CODE128_QUIET_MODULES, Box, LabelContent, layout_label
from exporters.label_templates import LabelTemplate, TemplateError, find_template, load_templates, parse_template
from exporters.labels_pdf import cells, write_labels_pdf

DPI = 300
TEMPLATES, _ = load_templates()
pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")


def contents(count: int) -> list[LabelContent]:
    """Numbered tags, and every third one of the longer form a device prints offline (a rectangular Data Matrix)."""
    tags = [f"ACME-A6CR{n:04d}" if n % 3 == 0 else f"ACME-{n:05d}" for n in range(1, count + 1)]
    return [LabelContent(tag, "Acme Dental Group", "Closeout Managed Services", "+1 555 0100") for tag in tags]


def render(pdf: Path, out: Path) -> list[np.ndarray]:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(out / "page")], check=True)
    return [np.asarray(Image.open(p).convert("L")) for p in sorted(out.glob("page-*.png"))]


def px(mm_value: float) -> int:
    return round(mm_value / 25.4 * DPI)


def test_the_shipped_templates_cover_the_media_technicians_own() -> None:
    assert set(TEMPLATES) >= {"avery-5160", "avery-l7160", "avery-l7651", "brother-ql-62", "brother-ql-29",
                              "dymo-30334", "dymo-30252", "thermal-2x1"}  # fmt: skip
    assert TEMPLATES["avery-5160"].page_mm == (215.9, 279.4) and TEMPLATES["avery-l7160"].page_mm == (210.0, 297.0)
    assert TEMPLATES["avery-l7651"].code_2d == "datamatrix" and TEMPLATES["dymo-30334"].code_2d == "qr"


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_barcode_of_a_rendered_template_decodes_back_to_its_tag(name: str, tmp_path: Path) -> None:
    template = TEMPLATES[name]
    labels = contents(template.per_page if template.kind == "sheet" else 3)
    write_labels_pdf(template, labels, tmp_path / "labels.pdf")
    pages = render(tmp_path / "labels.pdf", tmp_path)
    assert len(pages) == (1 if template.kind == "sheet" else 3)
    second = "QR Code" if template.code_2d == "qr" else "Data Matrix"
    found: dict[str, set[str]] = {}
    for page in pages:
        h, w = page.shape
        assert (abs(w - px(template.page_mm[0])) <= 1, abs(h - px(template.page_mm[1])) <= 1) == (True, True)
        for code in zxingcpp.read_barcodes(page):
            found.setdefault(code.text, set()).add(str(code.format))
    assert found == {label.tag: {"Code 128", second} for label in labels}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_ink_stays_inside_each_label_and_the_quiet_zones_stay_white(name: str, tmp_path: Path) -> None:
    template = TEMPLATES[name]
    labels = contents(template.per_page if template.kind == "sheet" else 1)
    write_labels_pdf(template, labels, tmp_path / "labels.pdf")
    page = render(tmp_path / "labels.pdf", tmp_path)[0]
    ink = page < 128
    inside = np.zeros_like(ink)
    height = page.shape[0]
    for label, (_page, row, column) in zip(labels, cells(template, len(labels)), strict=True):
        layout = layout_label(template, label)
        x0, y0 = template.cell_origin_mm(row, column)
        pad = template.padding_mm
        # Geometry: every part inside the label's padding; codes and text never overlap.
        inner = Box(pad, pad, layout.label.w - 2 * pad, layout.label.h - 2 * pad)
        parts = [layout.code128_quiet, layout.code2d_quiet, *[line.box for line in layout.lines]]
        assert all(part.inside(inner) for part in parts)
        assert not any(a.overlaps(b) for i, a in enumerate(parts) for b in parts[i + 1 :])
        assert layout.code128.x - layout.code128_quiet.x >= CODE128_QUIET_MODULES * layout.bar_mm - 1e-9
        rows, cols = len(layout.matrix), len(layout.matrix[0])
        assert cols * layout.module_mm < layout.code2d_quiet.w and rows * layout.module_mm < layout.code2d_quiet.h

        def rows_cols(box: Box, inset: float = 0.0, x0: float = x0, y0: float = y0) -> tuple[slice, slice]:
            left, right = px(x0 + box.x + inset), px(x0 + box.x + box.w - inset)
            top, bottom = height - px(y0 + box.y + box.h - inset), height - px(y0 + box.y + inset)
            return slice(top, bottom), slice(left, right)

        # Raster: no ink in the Code 128's quiet zones, nor in the 2D code's border.
        q, bars = layout.code128_quiet, layout.code128
        for zone in (
            Box(q.x, q.y, bars.x - q.x, q.h),
            Box(bars.x + bars.w, q.y, q.x + q.w - bars.x - bars.w, q.h),
        ):
            assert not ink[rows_cols(zone, 0.1)].any(), f"ink in a Code 128 quiet zone of {label.tag}"
        border = layout.module_mm * (2 if layout.code2d_kind == "qr" else 1)
        c2 = layout.code2d_quiet
        assert not ink[rows_cols(Box(c2.x, c2.y, border, c2.h), 0.05)].any()
        inside[rows_cols(layout.label)] = True
    assert not (ink & ~inside).any(), "ink outside every label"


def test_a_partly_used_sheet_starts_at_the_chosen_cell(tmp_path: Path) -> None:
    template = TEMPLATES["avery-l7160"]
    write_labels_pdf(template, contents(2), tmp_path / "labels.pdf", start=(3, 2))
    page = render(tmp_path / "labels.pdf", tmp_path)[0]
    where = {}
    for code in zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.Code128):
        x_mm = code.position.top_left.x / DPI * 25.4
        y_mm = code.position.top_left.y / DPI * 25.4
        column = int((x_mm - template.origin_mm[0]) // template.pitch_mm[0])
        row = int((y_mm - template.origin_mm[1]) // template.pitch_mm[1])
        where[code.text] = (row + 1, column + 1)
    assert where == {"ACME-00001": (3, 2), "ACME-00002": (3, 3)}
    with pytest.raises(TemplateError, match="row from 1 to 7"):
        write_labels_pdf(template, contents(1), tmp_path / "x.pdf", start=(8, 1))


def test_a_tag_too_long_for_the_label_is_refused_in_words() -> None:
    with pytest.raises(TemplateError, match=r"too long for a 50\.8 x 25\.4 mm label"):
        layout_label(TEMPLATES["thermal-2x1"], LabelContent("ACME-" + "X" * 40))


def test_an_msps_own_template_is_read_and_a_broken_one_is_named(tmp_path: Path) -> None:
    (tmp_path / "shop-50x30.json").write_text(
        '{"title": "Shop 50 x 30", "kind": "roll", "page_mm": [50, 30], "label_mm": [50, 30], "code_2d": "qr"}'
    )
    (tmp_path / "broken.json").write_text('{"kind": "sheet", "page_mm": [210]}')
    templates, problems = load_templates(tmp_path)
    assert isinstance(templates["shop-50x30"], LabelTemplate) and templates["shop-50x30"].label_mm == (50.0, 30.0)
    assert problems == ["Label template “broken”: page_mm must be two lengths in millimetres, like [62, 29]."]
    assert find_template("shop-50x30", tmp_path).title == "Shop 50 x 30"
    with pytest.raises(TemplateError, match="labels do not fit on the page"):
        parse_template("big", {"page_mm": [100, 100], "label_mm": [60, 30], "columns": 2, "pitch_mm": [60, 30]})


def test_the_decoder_the_camera_uses_reads_a_rendered_label(tmp_path: Path) -> None:
    write_labels_pdf(TEMPLATES["dymo-30334"], contents(1), tmp_path / "labels.pdf")
    page = render(tmp_path / "labels.pdf", tmp_path)[0]
    assert decode_frame(page) == ["ACME-00001"]
