"""Paints one conversation timeline: chat bubbles in and out, highlighted internal notes,
e-mails with their subject, calls with duration, and case events as quiet centred lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from time import monotonic
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from workstation.ui import labels, timefmt
from workstation.ui.models.timeline import ITEM_ROLE, TimelineModel

AnyIndex = QModelIndex | QPersistentModelIndex
PAD = 8
GAP = 6
MAX_BUBBLE = 0.78

STYLE = {
    "inbound": (QColor("#f1f3f4"), QColor("#dadce0")),
    "outbound": (QColor("#dcefff"), QColor("#b3d7f5")),
    "note": (QColor("#fff4c2"), QColor("#e8c65a")),
    "call": (QColor("#e8f5e9"), QColor("#a5d6a7")),
    "pending": (QColor("#ffffff"), QColor("#90a4ae")),
}
DARK_STYLE = {
    "inbound": (QColor("#303134"), QColor("#4a4c50")),
    "outbound": (QColor("#1f3a5a"), QColor("#2f5b8a")),
    "note": (QColor("#4a3f14"), QColor("#8a7420")),
    "call": (QColor("#1e3a24"), QColor("#2e6b3a")),
    "pending": (QColor("#1e1f22"), QColor("#78909c")),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Timeline", text)


def format_duration(seconds: object) -> str:
    try:
        total = int(seconds)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
    minutes, secs = divmod(max(total, 0), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass(frozen=True, slots=True)
class Parts:
    style: str  # inbound | outbound | note | call | event
    header: str
    title: str
    body: str


def parts(item: dict[str, Any], names: dict[str, str] | None = None) -> Parts:
    names = names or {}
    kind = item.get("kind")
    when = timefmt.short(item.get("at"))
    if kind == "call":
        state = str(item.get("state") or "")
        duration = format_duration(item.get("duration_s"))
        title = _tr("Call · {duration}").format(duration=duration) if duration else _tr("Call")
        if state == "missed":
            title = _tr("Missed call")
        body = str(item.get("notes") or "")
        wrap = item.get("wrap_up_code")
        if wrap:
            body = (body + "\n" if body else "") + _tr("Wrap-up: {code}").format(code=wrap)
        agent = names.get(str(item.get("agent_id") or ""), "")
        header = " · ".join(x for x in (str(item.get("caller") or ""), agent, when) if x)
        return Parts("call", header, title, body)
    if kind == "event":
        case = labels.case_kind(str(item.get("case_kind") or ""))
        state = labels.case_state(str(item.get("to_state") or ""))
        text = _tr("{case}: {state}").format(case=case, state=state)
        note = str(item.get("note") or "")
        body = f"{text} — {note}" if note else text
        return Parts("event", when, "", body)
    direction = str(item.get("direction") or "inbound")
    channel = labels.channel(str(item.get("channel") or ""))
    author = names.get(str(item.get("author_id") or ""), "")
    body = str(item.get("body") or "")
    for attachment in item.get("attachments") or []:
        if isinstance(attachment, dict) and attachment.get("name"):
            body += f"\n📎 {attachment['name']}"
    title = str(item.get("subject") or "") if item.get("channel") == "email" else ""
    if direction == "note":
        header = " · ".join(x for x in (_tr("Internal note"), author, when) if x)
        return Parts("note", header, title, body)
    if direction == "outbound":
        status = _tr("not sent yet") if ("_server" in item) else ""
        header = " · ".join(x for x in (author, channel, when, status) if x)
        return Parts("outbound", header, title, body)
    return Parts("inbound", " · ".join(x for x in (channel, when) if x), title, body)


def describe(item: dict[str, Any]) -> str:
    p = parts(item)
    return "\n".join(x for x in (p.header, p.title, p.body) if x)


MEASURE_CACHE = 4096  # measured bubbles kept (a few conversations' worth)


class TimelineDelegate(QStyledItemDelegate):
    def __init__(self, view: QAbstractItemView, names: dict[str, str] | None = None) -> None:
        super().__init__(view)
        self._view = view
        self._names: dict[str, str] = dict(names or {})
        # parts() formats times and looks up names: once per item (while the model holds it)
        self._parts: dict[int, tuple[dict[str, Any], tuple[object, ...], Parts]] = {}
        self._stamp_at = -10.0
        self._stamp_value: tuple[object, ...] = ()
        # Wrapped-text measuring is the costly part of a row (the view asks for every row's
        # size on each layout, and again to paint): keep it per (text parts, width, font).
        self._fonts_by_key: dict[str, tuple[QFont, QFont, QFont]] = {}
        self._measured: dict[tuple[Parts, int, str], tuple[int, int, int, int]] = {}

    @property
    def names(self) -> dict[str, str]:
        return self._names

    @names.setter
    def names(self, names: dict[str, str]) -> None:
        self._names = names
        self._parts.clear()

    def _item(self, index: AnyIndex) -> Any:
        model = self._view.model()
        if isinstance(model, TimelineModel) and index.model() is model:
            # straight from the model: a dict through QVariant costs more than the painting
            row = index.row()
            return model.item(row) if 0 <= row < model.rowCount() else None
        return index.data(ITEM_ROLE)

    def _stamp(self) -> tuple[object, ...]:
        """Times are shown relative to today and in the UI language: part of the parts' key
        (looked at once a second, not for each of the thousands of calls a layout makes)."""
        now = monotonic()
        if now - self._stamp_at > 1.0:
            self._stamp_at, self._stamp_value = now, (date.today(), QLocale().name())
        return self._stamp_value

    def _parts_of(self, item: dict[str, Any]) -> Parts:
        stamp = self._stamp()
        found = self._parts.get(id(item))
        if found is not None and found[0] is item and found[1] == stamp:
            return found[2]
        if len(self._parts) >= MEASURE_CACHE:
            self._parts.clear()
        p = parts(item, self._names)
        self._parts[id(item)] = (item, stamp, p)
        return p

    # -- geometry ---------------------------------------------------------------------------

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        key = option.font.key()
        fonts = self._fonts_by_key.get(key)
        if fonts is None:
            base = QFont(option.font)
            small = QFont(base)
            small.setPointSizeF(max(base.pointSizeF() * 0.85, 7.0))
            bold = QFont(base)
            bold.setBold(True)
            fonts = self._fonts_by_key[key] = (base, small, bold)
        return fonts

    def _box(self, style: str, width: int) -> tuple[int, int]:
        """(left offset, box width) inside a row of `width`."""
        usable = max(width - 2 * PAD, 80)
        if style in ("inbound", "outbound"):
            box = int(usable * MAX_BUBBLE)
            return (PAD + usable - box if style == "outbound" else PAD), box
        return PAD, usable

    def _measure(self, p: Parts, option: QStyleOptionViewItem, width: int) -> tuple[int, int, int, int]:
        key = (p, width, option.font.key())
        found = self._measured.get(key)
        if found is None:
            if len(self._measured) >= MEASURE_CACHE:
                self._measured.clear()
            found = self._measured[key] = self._measure_now(p, option, width)
        return found

    def _measure_now(self, p: Parts, option: QStyleOptionViewItem, width: int) -> tuple[int, int, int, int]:
        base, small, bold = self._fonts(option)
        _, box = self._box(p.style, width)
        text_w = max(box - 2 * PAD, 40)
        flags = int(Qt.TextFlag.TextWordWrap)
        h_header = QFontMetrics(small).boundingRect(QRect(0, 0, text_w, 10_000), flags, p.header).height() if p.header else 0
        h_title = QFontMetrics(bold).boundingRect(QRect(0, 0, text_w, 10_000), flags, p.title).height() if p.title else 0
        h_body = QFontMetrics(small if p.style == "event" else base).boundingRect(
            QRect(0, 0, text_w, 10_000), flags, p.body
        ).height() if p.body else 0
        return h_header, h_title, h_body, text_w

    def _width(self, option: QStyleOptionViewItem) -> int:
        width = self._view.viewport().width()
        return width if width > 0 else max(option.rect.width(), 300)

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        item = self._item(index)
        if not isinstance(item, dict):
            return super().sizeHint(option, index)
        p = self._parts_of(item)
        width = self._width(option)
        h_header, h_title, h_body, _ = self._measure(p, option, width)
        if p.style == "event":
            return QSize(width, h_header + h_body + 2 * GAP)
        inner = h_header + (h_title + 2 if h_title else 0) + h_body + (4 if h_header else 0)
        return QSize(width, inner + 2 * PAD + GAP)

    # -- painting ---------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        item = self._item(index)
        if not isinstance(item, dict):
            super().paint(painter, option, index)
            return
        p = self._parts_of(item)
        base, small, bold = self._fonts(option)
        rect = option.rect
        width = rect.width()
        h_header, h_title, h_body, text_w = self._measure(p, option, width)
        flags = int(Qt.TextFlag.TextWordWrap)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        from workstation.ui import theme

        dark = theme.is_dark()
        muted = QColor("#9aa0a6" if dark else "#5f6368")
        if p.style == "event":
            painter.setFont(small)
            painter.setPen(muted)
            y = rect.top() + GAP
            center = int(Qt.AlignmentFlag.AlignHCenter) | flags
            if p.header:
                painter.drawText(QRect(rect.left() + PAD, y, width - 2 * PAD, h_header), center, p.header)
                y += h_header
            painter.drawText(QRect(rect.left() + PAD, y, width - 2 * PAD, h_body), center, p.body)
            painter.restore()
            return
        left, box_w = self._box(p.style, width)
        fill, border = (DARK_STYLE if dark else STYLE)["pending" if ("_server" in item) else p.style]
        box = QRect(rect.left() + left, rect.top() + GAP // 2, box_w, rect.height() - GAP)
        pen = QPen(option.palette.highlight().color() if selected else border)
        pen.setWidthF(2.0 if selected else 1.0)
        if ("_server" in item):
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 8, 8)
        x = box.left() + PAD
        y = box.top() + PAD
        if p.header:
            painter.setFont(small)
            painter.setPen(muted)
            painter.drawText(QRect(x, y, text_w, h_header), flags, p.header)
            y += h_header + 4
        text_color = QColor("#e8eaed" if dark else "#202124")
        if p.title:
            painter.setFont(bold)
            painter.setPen(text_color)
            painter.drawText(QRect(x, y, text_w, h_title), flags, p.title)
            y += h_title + 2
        if p.body:
            painter.setFont(base)
            painter.setPen(text_color)
            painter.drawText(QRect(x, y, text_w, h_body), flags, p.body)
        painter.restore()
