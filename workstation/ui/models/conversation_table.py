"""The inbox table: a QAbstractTableModel over conversation rows fetched lazily in pages.

The model never waits on the network: `fetchMore` starts a background operation through the
task runner and rows are inserted when the page arrives on the UI thread. Each reload bumps a
generation number so a late page of a previous view is dropped. The SLA column counts down
from `first_response_due_at` (falling back to `resolution_due_at`) and is refreshed every
second: green while there is time, amber near the limit, red when breached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from workstation.ui import labels

AnyIndex = QModelIndex | QPersistentModelIndex

SLA_GREEN = QColor("#2e7d32")
SLA_AMBER = QColor("#b26a00")
SLA_RED = QColor("#c62828")
PRIORITY_URGENT = QColor("#c62828")

# Amber when less than this share of the clock's window (last message -> due) is left,
# or, when the window is unknown, less than AMBER_FALLBACK.
AMBER_FRACTION = 0.25
AMBER_FALLBACK = timedelta(minutes=15)
CLOCK_STOPPED = frozenset({"resolved", "closed"})


class ConversationSource(Protocol):
    def list_conversations(self, view: str, limit: int, offset: int) -> dict[str, Any]: ...


class BackgroundRunner(Protocol):
    def run_in_background(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = ...,
        on_failure: Callable[[BaseException], None] | None = ...,
    ) -> int: ...


class Column(IntEnum):
    CHANNEL = 0
    CUSTOMER = 1
    SUBJECT = 2
    TYPE = 3
    PRIORITY = 4
    STATUS = 5
    SLA = 6


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConversationTableModel", text)


def _headers() -> list[str]:
    return [
        _tr("Channel"),
        _tr("Customer"),
        _tr("Subject / preview"),
        _tr("Type"),
        _tr("Priority"),
        _tr("Status"),
        _tr("SLA left"),
    ]


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_remaining(delta: timedelta) -> str:
    """`12:05` under an hour, `3h 05m` under a day, `2d 04h` beyond; breached gets a minus."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours:02d}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes:02d}:{secs:02d}"


class ConversationTableModel(QAbstractTableModel):
    """Rows of one inbox view, loaded page by page from a `ConversationSource`."""

    page_loaded = Signal(int, int)  # rows now loaded, total on the server
    load_failed = Signal(object)  # the exception
    loading_changed = Signal(bool)

    def __init__(
        self,
        *,
        source: ConversationSource,
        runner: BackgroundRunner,
        view: str = "mine",
        page_size: int = 200,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        tick_ms: int = 1000,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._runner = runner
        self._view = view
        self._page_size = page_size
        self._clock = clock
        self._rows: list[dict[str, Any]] = []
        self._due: list[tuple[datetime | None, timedelta | None]] = []
        self._total: int | None = None  # unknown until the first page arrives
        self._loading = False
        self._generation = 0
        self._headers = _headers()
        self._bold = QFont()
        self._bold.setBold(True)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        if tick_ms > 0:
            self._timer.start()

    # -- state ------------------------------------------------------------------------------

    @property
    def view(self) -> str:
        return self._view

    @property
    def total(self) -> int | None:
        return self._total

    @property
    def loading(self) -> bool:
        return self._loading

    def row_data(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def set_view(self, view: str) -> None:
        self._view = view
        self.reload()

    def reload(self) -> None:
        """Forget every row and fetch the first page of the current view again."""
        self._generation += 1
        self.beginResetModel()
        self._rows.clear()
        self._due.clear()
        self._total = None
        self._set_loading(False)
        self.endResetModel()
        self.fetchMore(QModelIndex())

    def stop(self) -> None:
        self._timer.stop()

    # -- lazy paging ------------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or self._loading:
            return False
        return self._total is None or len(self._rows) < self._total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        generation = self._generation
        view, limit, offset = self._view, self._page_size, len(self._rows)
        source = self._source
        self._set_loading(True)
        self._runner.run_in_background(
            lambda: source.list_conversations(view=view, limit=limit, offset=offset),
            on_success=lambda page: self._page_arrived(generation, offset, page),
            on_failure=lambda exc: self._page_failed(generation, exc),
        )

    def _page_arrived(self, generation: int, offset: int, page: dict[str, Any]) -> None:
        if generation != self._generation:
            return  # a page of a view we already left
        self._set_loading(False)
        items = [item for item in page.get("items", []) if isinstance(item, dict)]
        total = int(page.get("total", offset + len(items)))
        if offset != len(self._rows):  # cannot happen while one fetch runs at a time
            return
        if items:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
            self._rows.extend(items)
            self._due.extend(self._clock_of(item) for item in items)
            self.endInsertRows()
        # A short page means the server has nothing more, whatever it claimed as total.
        self._total = (
            len(self._rows) if len(items) < self._page_size else max(total, len(self._rows))
        )
        self.page_loaded.emit(len(self._rows), self._total)

    def _page_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._set_loading(False)
        if self._total is None:
            self._total = len(self._rows)  # stop asking until the next reload
        self.load_failed.emit(exc)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # -- SLA clock --------------------------------------------------------------------------

    @staticmethod
    def _clock_of(item: dict[str, Any]) -> tuple[datetime | None, timedelta | None]:
        if item.get("status") in CLOCK_STOPPED:
            return None, None
        due = parse_time(item.get("first_response_due_at")) or parse_time(
            item.get("resolution_due_at")
        )
        if due is None:
            return None, None
        start = parse_time(item.get("last_message_at"))
        window = due - start if start is not None and due > start else None
        return due, window

    def sla_remaining(self, row: int) -> timedelta | None:
        due, _ = self._due[row]
        return None if due is None else due - self._clock()

    def sla_color(self, row: int) -> QColor | None:
        due, window = self._due[row]
        if due is None:
            return None
        left = due - self._clock()
        if left <= timedelta(0):
            return SLA_RED
        amber_at = window * AMBER_FRACTION if window is not None else AMBER_FALLBACK
        return SLA_AMBER if left <= amber_at else SLA_GREEN

    def tick(self) -> None:
        """Repaint the countdown column (the views redraw only what is visible)."""
        if self._rows:
            top = self.index(0, Column.SLA)
            bottom = self.index(len(self._rows) - 1, Column.SLA)
            self.dataChanged.emit(
                top, bottom, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole]
            )

    # -- QAbstractTableModel ----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._headers[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._rows)) or not (0 <= column < len(Column)):
            return None
        item = self._rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, Column(column), item)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == Column.SUBJECT:
                return f"{item.get('subject') or ''}\n{item.get('preview') or ''}".strip()
            return self._display(row, Column(column), item)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == Column.SLA:
                return self.sla_color(row)
            if column == Column.PRIORITY and item.get("priority") == "urgent":
                return PRIORITY_URGENT
            return None
        if role == Qt.ItemDataRole.FontRole and item.get("unread"):
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and column == Column.SLA:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return item.get("id")
        return None

    def _display(self, row: int, column: Column, item: dict[str, Any]) -> str:
        if column == Column.CHANNEL:
            return labels.channel(str(item.get("channel") or ""))
        if column == Column.CUSTOMER:
            return str(item.get("customer_name") or item.get("customer_id") or "")
        if column == Column.SUBJECT:
            subject = str(item.get("subject") or "")
            preview = " ".join(str(item.get("preview") or "").split())
            if subject and preview:
                return f"{subject} — {preview}"
            return subject or preview
        if column == Column.TYPE:
            return labels.request_type(str(item.get("request_type") or ""))
        if column == Column.PRIORITY:
            return labels.priority(str(item.get("priority") or ""))
        if column == Column.STATUS:
            return labels.status(str(item.get("status") or ""))
        remaining = self.sla_remaining(row)
        return "—" if remaining is None else format_remaining(remaining)
