"""Fonts for the PDFs: embedded TrueType subsets with a per-character fallback for Arabic and Chinese text.

Fonts are looked up at run time (bundled resources/fonts first, then the system's font folders) so that no
large binary is committed; without any TrueType font the PDFs still build with Helvetica (Latin only).
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype"),
    Path("/usr/share/fonts/opentype"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts/Supplemental"),
    Path("C:/Windows/Fonts"),
)
#: Candidate files per role, best first. Only TrueType outlines (glyf) work with reportlab's TTFont.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "sans": ("DejaVuSans.ttf", "NotoSans-Regular.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf"),
    "sans-bold": ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf"),
    "arabic": ("NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf", "DejaVuSans.ttf"),
    "cjk": ("wqy-microhei.ttc", "wqy-zenhei.ttc", "NotoSansSC-Regular.ttf", "simhei.ttf", "msyh.ttc"),
}
ARABIC_RE = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class FontSet:
    """The registered font names: body, bold and fallbacks (name, characters it has)."""

    regular: str
    bold: str
    fallbacks: tuple[tuple[str, frozenset[int]], ...]
    regular_chars: frozenset[int]


def resource_path(*parts: str) -> Path | None:
    """A file shipped in the `resources` package (source tree or bundle), or None when absent."""
    try:
        candidate = resources.files("resources").joinpath(*parts)
        if candidate.is_file():
            return Path(str(candidate))
    except (ModuleNotFoundError, NotADirectoryError, ValueError):
        pass
    fallback = Path(__file__).resolve().parent.parent / "resources" / Path(*parts)
    return fallback if fallback.is_file() else None


def _find(filename: str) -> Path | None:
    bundled = resource_path("fonts", filename)
    if bundled is not None:
        return bundled
    for folder in SYSTEM_FONT_DIRS:
        if not folder.is_dir():
            continue
        direct = folder / filename
        if direct.is_file():
            return direct
        for found in folder.rglob(filename):
            return found
    return None


def _register(name: str, role: str) -> TTFont | None:
    for filename in CANDIDATES[role]:
        path = _find(filename)
        if path is None:
            continue
        try:
            font = TTFont(name, str(path), subfontIndex=0) if path.suffix == ".ttc" else TTFont(name, str(path))
        except Exception as exc:  # a font the engine cannot read: try the next candidate
            log.info("font %s unusable: %s", path, exc)
            continue
        pdfmetrics.registerFont(font)
        return font
    return None


@lru_cache(maxsize=1)
def fonts() -> FontSet:
    """Register the fonts once per process and say which names to use."""
    regular = _register("CO-Sans", "sans")
    bold = _register("CO-Sans-Bold", "sans-bold")
    if regular is None:
        log.warning("no TrueType font found; PDFs fall back to Helvetica and print Latin text only")
        return FontSet("Helvetica", "Helvetica-Bold", (), frozenset(range(32, 256)))
    bold_name = "CO-Sans-Bold" if bold is not None else "CO-Sans"
    addMapping("CO-Sans", 0, 0, "CO-Sans")
    addMapping("CO-Sans", 1, 0, bold_name)
    addMapping("CO-Sans", 0, 1, "CO-Sans")
    addMapping("CO-Sans", 1, 1, bold_name)
    fallbacks: list[tuple[str, frozenset[int]]] = []
    for name, role in (("CO-Arabic", "arabic"), ("CO-CJK", "cjk")):
        font = _register(name, role)
        if font is not None:
            addMapping(name, 0, 0, name)
            addMapping(name, 1, 0, name)
            addMapping(name, 0, 1, name)
            addMapping(name, 1, 1, name)
            fallbacks.append((name, frozenset(font.face.charToGlyph)))
    return FontSet("CO-Sans", bold_name, tuple(fallbacks), frozenset(regular.face.charToGlyph))


def shape_rtl(text: str) -> str:
    """Arabic joined into its contextual forms and put in visual order, line by line (reportlab does neither).

    Needs the optional `arabic-reshaper` and `python-bidi` packages; without them the letters print unjoined.
    """
    if not ARABIC_RE.search(text):
        return text
    try:
        reshaper = importlib.import_module("arabic_reshaper")
        bidi = importlib.import_module("bidi.algorithm")
    except ImportError:
        return text
    return "\n".join(str(bidi.get_display(reshaper.reshape(line))) for line in text.split("\n"))


def markup(text: object, *, breaks: bool = True) -> str:
    """User text made safe for a Paragraph: escaped (never interpreted as markup), RTL shaped, and each run of
    characters the body font lacks set in a fallback font that has them."""
    value = "" if text is None else str(text)
    if value.isascii():
        out = escape(value)
        return out.replace("\n", "<br/>") if breaks else out
    value = shape_rtl(value)
    fs = fonts()
    parts: list[str] = []
    run: list[str] = []
    run_font = ""

    def flush() -> None:
        if run:
            chunk = escape("".join(run))
            parts.append(f'<font name="{run_font}">{chunk}</font>' if run_font else chunk)
            run.clear()

    for ch in value:
        code = ord(ch)
        font = ""
        if code not in fs.regular_chars and not ch.isspace():
            font = next((name for name, chars in fs.fallbacks if code in chars), "")
        if font != run_font:
            flush()
            run_font = font
        run.append(ch)
    flush()
    out = "".join(parts)
    return out.replace("\n", "<br/>") if breaks else out


def plain_lines(text: str, width: float, font: str, size: float) -> str | None:
    """ASCII text wrapped into lines of at most `width` points, as a plain table cell (far cheaper than a
    Paragraph); None when it needs a Paragraph: non-ASCII characters or a word longer than the line."""
    if not text.isascii():
        return None
    measure = pdfmetrics.stringWidth
    if "\n" not in text and measure(text, font, size) <= width:
        return text
    space = measure(" ", font, size)
    lines: list[str] = []
    for raw in text.split("\n"):
        line, used = "", 0.0
        for word in raw.split():
            w = measure(word, font, size)
            if w > width:
                return None
            if line and used + space + w > width:
                lines.append(line)
                line, used = word, w
            else:
                line, used = (f"{line} {word}", used + space + w) if line else (word, w)
        lines.append(line)
    return "\n".join(lines)
