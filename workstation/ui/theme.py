"""Light and dark themes: the Fusion style with a palette; the choice is kept in QSettings.

Widgets that paint their own colours read `is_dark()` (or the palette) instead of fixed
colours where it matters (the timeline background, the offline banner).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")
KEY = "ui/theme"

_current = {"name": "light"}


def saved(settings: Any) -> str:
    value = str(settings.value(KEY, "light") or "light") if settings is not None else "light"
    return value if value in THEMES else "light"


def save(settings: Any, name: str) -> None:
    if settings is not None:
        settings.setValue(KEY, name)
        settings.sync()


def current() -> str:
    return _current["name"]


def is_dark() -> bool:
    return _current["name"] == "dark"


def dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e1f22"), QColor("#2b2d30"), QColor("#e6e6e6")
    disabled = QColor("#7f8285")
    roles = {
        QPalette.ColorRole.Window: window,
        QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base,
        QPalette.ColorRole.AlternateBase: QColor("#26282b"),
        QPalette.ColorRole.ToolTipBase: window,
        QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.PlaceholderText: disabled,
        QPalette.ColorRole.Text: text,
        QPalette.ColorRole.Button: QColor("#35373b"),
        QPalette.ColorRole.ButtonText: text,
        QPalette.ColorRole.BrightText: QColor("#ff6b6b"),
        QPalette.ColorRole.Link: QColor("#8ab4f8"),
        QPalette.ColorRole.Highlight: QColor("#3d6fb4"),
        QPalette.ColorRole.HighlightedText: QColor("#ffffff"),
    }
    for role, color in roles.items():
        p.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def apply(app: QApplication | None, name: str) -> str:
    """Switch the whole application to `name` ("light" or "dark"); returns what was applied."""
    name = name if name in THEMES else "light"
    _current["name"] = name
    if app is None:
        return name
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if name == "dark" else app.style().standardPalette())
    return name
