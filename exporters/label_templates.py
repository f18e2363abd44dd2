"""Label templates as data: the shipped JSON files under resources/labels and an MSP's own in the user folder."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

from app.config import APP_AUTHOR, APP_NAME
from app.errors import CloseoutError

CODES_2D = ("qr", "datamatrix")
KINDS = ("sheet", "roll")


class TemplateError(CloseoutError):
    """A label template that cannot be used, said in the user's words."""


@dataclass(frozen=True)
class LabelTemplate:
    """One medium: the page, the label and (for sheets) the grid; every length in millimetres.

    A sheet's `origin_mm` is the top-left corner of its first label measured from the page's top-left corner;
    `pitch_mm` is the distance from one label's corner to the next one's. A roll prints one label per page.
    """

    name: str
    title: str
    kind: str
    page_mm: tuple[float, float]
    label_mm: tuple[float, float]
    columns: int = 1
    rows: int = 1
    origin_mm: tuple[float, float] = (0.0, 0.0)
    pitch_mm: tuple[float, float] = (0.0, 0.0)
    code_2d: str = "qr"
    padding_mm: float = 1.5
    zpl_dpi: int = 0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def cell_origin_mm(self, row: int, column: int) -> tuple[float, float]:
        """The label's bottom-left corner in PDF coordinates (origin at the page's bottom-left), 0-based cell."""
        left = self.origin_mm[0] + column * self.pitch_mm[0]
        top = self.origin_mm[1] + row * self.pitch_mm[1]
        return left, self.page_mm[1] - top - self.label_mm[1]


def user_template_dir() -> Path:
    """Where an MSP keeps its own templates (one JSON file each, named like the template)."""
    return Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)) / "labels"


def _pair(data: dict[str, Any], key: str, name: str, default: tuple[float, float] | None = None) -> tuple[float, float]:
    value = data.get(key, default)
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value)
    ):
        raise TemplateError(f"Label template “{name}”: {key} must be two lengths in millimetres, like [62, 29].")
    return float(value[0]), float(value[1])


def parse_template(name: str, data: object) -> LabelTemplate:
    """A template from its JSON object; every problem is a TemplateError naming the template and the field."""
    if not isinstance(data, dict):
        raise TemplateError(f"Label template “{name}” is not a JSON object.")
    kind = data.get("kind", "sheet")
    if kind not in KINDS:
        raise TemplateError(f"Label template “{name}”: kind must be “sheet” or “roll”.")
    code_2d = data.get("code_2d", "qr")
    if code_2d not in CODES_2D:
        raise TemplateError(f"Label template “{name}”: code_2d must be “qr” or “datamatrix”.")
    page, label = _pair(data, "page_mm", name), _pair(data, "label_mm", name)
    columns, rows = data.get("columns", 1), data.get("rows", 1)
    if not all(isinstance(n, int) and 1 <= n <= 50 for n in (columns, rows)):
        raise TemplateError(f"Label template “{name}”: columns and rows are whole numbers from 1 to 50.")
    if kind == "roll" and (columns, rows) != (1, 1):
        raise TemplateError(f"Label template “{name}”: a roll prints one label per page (no columns or rows).")
    padding = data.get("padding_mm", 1.5)
    if not isinstance(padding, int | float) or not 0 <= padding < min(label) / 4:
        raise TemplateError(f"Label template “{name}”: padding_mm must be a small length inside the label.")
    if label[0] < 25 or label[1] < 12:
        raise TemplateError(f"Label template “{name}”: a label needs at least 25 x 12 mm for its codes and text.")
    template = LabelTemplate(
        name=name,
        title=str(data.get("title") or name),
        kind=kind,
        page_mm=page,
        label_mm=label,
        columns=columns,
        rows=rows,
        origin_mm=_pair(data, "origin_mm", name, (0.0, 0.0)),
        pitch_mm=_pair(data, "pitch_mm", name, label),
        code_2d=code_2d,
        padding_mm=float(padding),
        zpl_dpi=int(data.get("zpl_dpi", 0) or 0),
    )
    last_left, last_bottom = template.cell_origin_mm(rows - 1, columns - 1)
    if last_bottom < -0.01 or last_left + label[0] > page[0] + 0.01 or template.pitch_mm[0] < label[0] - 0.01:
        raise TemplateError(f"Label template “{name}”: its labels do not fit on the page as measured.")
    if template.pitch_mm[1] < label[1] - 0.01:
        raise TemplateError(f"Label template “{name}”: its labels overlap (pitch smaller than the label).")
    return template


def _read(name: str, text: str) -> LabelTemplate:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(f"Label template “{name}” is not valid JSON (line {exc.lineno}: {exc.msg}).") from None
    return parse_template(name, data)


def load_templates(user_dir: Path | None = None) -> tuple[dict[str, LabelTemplate], list[str]]:
    """Every template by name (an MSP's own of the same name replaces a shipped one) and the problems of the user
    files that could not be used, so one broken file never hides the others."""
    templates: dict[str, LabelTemplate] = {}
    shipped = resources.files("resources").joinpath("labels")
    for entry in sorted(shipped.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            name = entry.name.removesuffix(".json")
            templates[name] = _read(name, entry.read_text(encoding="utf-8"))
    problems: list[str] = []
    folder = user_template_dir() if user_dir is None else user_dir
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            templates[path.stem] = _read(path.stem, path.read_text(encoding="utf-8"))
        except (TemplateError, OSError, UnicodeDecodeError) as exc:
            problems.append(exc.message if isinstance(exc, TemplateError) else f"{path.name}: {exc}")
    return templates, problems


def find_template(name: str, user_dir: Path | None = None) -> LabelTemplate:
    templates, problems = load_templates(user_dir)
    if name in templates:
        return templates[name]
    known = ", ".join(sorted(templates))
    extra = f" ({'; '.join(problems)})" if problems else ""
    raise TemplateError(f"There is no label template “{name}”; the templates are: {known}.{extra}")
