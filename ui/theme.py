"""Light and dark looks: a Fusion palette plus one stylesheet, and SVG icons tinted for the current theme."""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from ui.settings import THEME, Settings

LIGHT: dict[str, str] = {
    "window": "#f5f6f8", "chrome": "#eef0f3", "base": "#ffffff", "alt": "#f8f9fb", "text": "#1f2937",
    "muted": "#5f6b7a", "border": "#d8dde4", "hover": "#e3e7ec", "accent": "#2563eb", "accentSoft": "#dbe6fd",
    "selection": "#dbe6fd", "selectionText": "#0f2a66", "danger": "#c62828", "dangerSoft": "#fde8e8",
    "ok": "#166534", "okSoft": "#dcfce7", "warn": "#8a5300", "warnSoft": "#fff4d6", "icon": "#3b4656",
    "scroll": "#c5ccd5",
}  # fmt: skip
DARK: dict[str, str] = {
    "window": "#1d2026", "chrome": "#23272e", "base": "#272b33", "alt": "#2c3139", "text": "#e6e8eb",
    "muted": "#9aa4b2", "border": "#3a404a", "hover": "#333943", "accent": "#5b8def", "accentSoft": "#2b3a57",
    "selection": "#2f4670", "selectionText": "#ffffff", "danger": "#ff7a7a", "dangerSoft": "#4a2626",
    "ok": "#7ee2a0", "okSoft": "#1f3a2a", "warn": "#ffd27a", "warnSoft": "#45381d", "icon": "#c9d1db",
    "scroll": "#4a515c",
}  # fmt: skip

_current: dict[str, str] = dict(LIGHT)


def is_dark(choice: str) -> bool:
    if choice == "dark":
        return True
    if choice == "light":
        return False
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def colors() -> dict[str, str]:
    return _current


def _palette(c: dict[str, str]) -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: c["window"],
        QPalette.ColorRole.WindowText: c["text"],
        QPalette.ColorRole.Base: c["base"],
        QPalette.ColorRole.AlternateBase: c["alt"],
        QPalette.ColorRole.Text: c["text"],
        QPalette.ColorRole.Button: c["chrome"],
        QPalette.ColorRole.ButtonText: c["text"],
        QPalette.ColorRole.Highlight: c["accent"],
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: c["base"],
        QPalette.ColorRole.ToolTipText: c["text"],
        QPalette.ColorRole.PlaceholderText: c["muted"],
        QPalette.ColorRole.Link: c["accent"],
    }
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(c["muted"]))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(c["muted"]))
    return p


@cache
def resource_root() -> Traversable:
    """The resources package; an editable install made before it had an __init__.py sees a namespace package."""
    try:
        return resources.files("resources")
    except (NotADirectoryError, TypeError):
        import resources as package

        return next(Path(p) for p in package.__path__ if Path(p).is_dir())


def stylesheet(c: dict[str, str]) -> str:
    text = (resource_root() / "styles" / "base.qss").read_text(encoding="utf-8")
    for key, value in c.items():
        text = text.replace(f"@{key}@", value)
    chevron = resource_root() / "icons" / "chevron-down.svg"
    return text.replace("@chevron@", str(chevron).replace("\\", "/"))


def apply_theme(app: QApplication, settings: Settings, choice: str | None = None) -> None:
    """Apply the chosen (or saved) theme to the whole application."""
    choice = choice or settings.get(THEME)
    _current.clear()
    _current.update(DARK if is_dark(choice) else LIGHT)
    app.setStyle("Fusion")
    app.setPalette(_palette(_current))
    app.setStyleSheet(stylesheet(_current))
    _tinted.cache_clear()
    app.setWindowIcon(icon("closeout", tint=False))


@cache
def _svg(name: str) -> bytes:
    return (resource_root() / "icons" / f"{name}.svg").read_bytes()


@cache
def _tinted(name: str, color: str) -> QIcon:
    data = _svg(name)
    if color:
        data = data.replace(b"currentColor", color.encode())
    renderer = QSvgRenderer(QByteArray(data))
    result = QIcon()
    for size in (16, 20, 24, 32, 40, 48, 64, 96):
        pixmap = QPixmap(QSize(size, size))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(pixmap)
    return result


def icon(name: str, *, tint: bool = True, color: str | None = None) -> QIcon:
    """An SVG icon from resources/icons, drawn crisp at every size and device pixel ratio."""
    return _tinted(name, (color or _current["icon"]) if tint else "")
