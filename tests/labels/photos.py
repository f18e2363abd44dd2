"""Camera-like photos of printed labels, made from the rendered sheets: held at an angle, tilted, in poor light,
out of focus, through a webcam's JPEG compression. Used by the camera tests and by bench/labels.py."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from exporters.label_layout import LabelContent
from exporters.label_templates import LabelTemplate
from exporters.labels_pdf import write_labels_pdf

FRAME = (1280, 720)  # a laptop camera's frame
DPI = 300


def rendered_label(template: LabelTemplate, tag: str, folder: Path, title: str = "") -> Image.Image:
    """The first label of a sheet (or the roll's label) as printed, at 300 dpi, in grayscale; with `title`, a room
    label (the room's name printed large, `tag` its code)."""
    content = LabelContent(tag, "Acme Dental Group", "Closeout Managed Services", "+1 555 0100", title=title)
    pdf = folder / f"{template.name}-{tag.replace(':', '-')}.pdf"
    write_labels_pdf(template, [content], pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))],
                   check=True)  # fmt: skip
    page = Image.open(pdf.with_suffix(".png")).convert("L")
    x, y = template.cell_origin_mm(0, 0)
    left, top = x / 25.4 * DPI, (template.page_mm[1] - y - template.label_mm[1]) / 25.4 * DPI
    width, height = template.label_mm[0] / 25.4 * DPI, template.label_mm[1] / 25.4 * DPI
    return page.crop((round(left), round(top), round(left + width), round(top + height)))


def _on_desk(label: Image.Image, share: float = 0.55) -> Image.Image:
    """The label filling `share` of the frame's width, on a mid-gray, slightly uneven background."""
    scale = FRAME[0] * share / label.width
    small = label.resize((round(label.width * scale), round(label.height * scale)), Image.Resampling.LANCZOS)
    ys, xs = np.mgrid[0 : FRAME[1], 0 : FRAME[0]]
    desk = (110 + 25 * np.sin(xs / 170.0) * np.cos(ys / 130.0)).astype(np.uint8)
    frame = Image.fromarray(desk, "L")
    frame.paste(small, ((FRAME[0] - small.width) // 2, (FRAME[1] - small.height) // 2))
    return frame


def _perspective(frame: Image.Image, tilt: float) -> Image.Image:
    """As seen with the camera tilted: the top edge shrinks by `tilt` of the width, the sides lean in."""
    w, h = frame.size
    dx = w * tilt / 2
    target = [(dx, 0), (w - dx, 0), (w, h), (0, h)]  # where the frame's corners land
    source = [(0, 0), (w, 0), (w, h), (0, h)]
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coefficients = np.linalg.solve(np.array(rows, float), np.array([c for p in source for c in p], float))
    return frame.transform(frame.size, Image.Transform.PERSPECTIVE, tuple(coefficients),
                           Image.Resampling.BILINEAR, fillcolor=110)  # fmt: skip


def _dim(frame: Image.Image, light: float = 0.35) -> Image.Image:
    """Poor light: little contrast, a shadow across the label, sensor noise."""
    array = np.asarray(frame, dtype=np.float32)
    shade = np.linspace(1.0, 0.6, array.shape[1])[None, :]
    noise = np.random.default_rng(7).normal(0, 6, array.shape)
    return Image.fromarray(np.clip(array * light * shade + 25 + noise, 0, 255).astype(np.uint8), "L")


def _jpeg(frame: Image.Image, quality: int = 40) -> Image.Image:
    buffer = io.BytesIO()
    frame.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


#: Each way a technician's camera sees a label; every one ends as a JPEG, as a webcam sends it.
VARIANTS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "straight": lambda label: _jpeg(_on_desk(label), 80),
    "rotated 12°": lambda label: _jpeg(_on_desk(label).rotate(12, Image.Resampling.BILINEAR, fillcolor=110), 70),
    "upside down": lambda label: _jpeg(_on_desk(label).rotate(180), 70),
    "tilted 25%": lambda label: _jpeg(_perspective(_on_desk(label), 0.25), 70),
    "poor light": lambda label: _jpeg(_dim(_on_desk(label)), 70),
    "out of focus": lambda label: _jpeg(_on_desk(label).filter(ImageFilter.GaussianBlur(1.6)), 70),
    "far away": lambda label: _jpeg(_on_desk(label, share=0.3), 70),
    "webcam JPEG q25": lambda label: _jpeg(_on_desk(label), 25),
    "all at once": lambda label: _jpeg(
        _dim(_perspective(_on_desk(label), 0.15).rotate(8, Image.Resampling.BILINEAR, fillcolor=110), 0.5).filter(
            ImageFilter.GaussianBlur(1.0)
        ),
        45,
    ),
}


def photos(template: LabelTemplate, tag: str, folder: Path, title: str = "") -> dict[str, np.ndarray]:
    """Every variant's frame of one printed label, as the 2D uint8 arrays the camera path hands the decoder."""
    label = rendered_label(template, tag, folder, title)
    return {name: np.asarray(make(label)) for name, make in VARIANTS.items()}
