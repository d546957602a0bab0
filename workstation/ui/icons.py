"""Small painted icons (no image files): one coloured badge with a glyph per channel."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

CHANNEL_STYLE = {
    "chat": ("#1e88e5", "聊"),
    "app": ("#3949ab", "A"),
    "phone": ("#43a047", "☎"),
    "email": ("#8e24aa", "@"),
    "sms": ("#00897b", "S"),
    "social": ("#2e7d32", "微"),
    "live_stream": ("#e53935", "播"),
    "web_form": ("#6d4c41", "单"),
}
_cache: dict[str, QIcon] = {}


def channel_icon(channel: str, size: int = 16) -> QIcon:
    key = f"{channel}:{size}"
    icon = _cache.get(key)
    if icon is None:
        color, glyph = CHANNEL_STYLE.get(channel, ("#757575", "?"))
        icon = QIcon(badge(color, glyph, size))
        _cache[key] = icon
    return icon


def badge(color: str, glyph: str, size: int) -> QPixmap:
    pixmap = QPixmap(size * 2, size * 2)  # drawn at 2x for sharpness
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    rect = QRectF(0.5, 0.5, size - 1, size - 1)
    painter.drawRoundedRect(rect, 4, 4)
    font = QFont()
    font.setPixelSize(max(8, int(size * 0.62)))
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, glyph)
    painter.end()
    return pixmap
