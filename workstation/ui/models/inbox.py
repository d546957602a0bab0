"""The desk's inbox: a QAbstractTableModel over conversation ids from the local cache.

`refresh()` asks the reader for the ids of the current view (or search) in a background
operation, together with the rows of the first page (or of as many rows as are loaded now,
so a live update keeps the scroll position). Further rows are fetched page by page through
canFetchMore/fetchMore from the ids already known (a page of rows by primary key is a few
milliseconds). A refresh rearranges rows with layoutChanged and moves persistent indexes by
conversation id, so the view keeps its selection and scroll position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
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
from PySide6.QtGui import QColor, QFont, QIcon

from workstation.domain.sla import SlaClock, SlaState
from workstation.ui import icons, labels
from workstation.ui.reader import InboxQuery
from workstation.ui.timefmt import parse_time

AnyIndex = QModelIndex | QPersistentModelIndex

SLA_COLORS = {
    SlaState.GREEN: QColor("#2e7d32"),
    SlaState.AMBER: QColor("#b26a00"),
    SlaState.RED: QColor("#c62828"),
}
URGENT_COLOR = QColor("#c62828")
UNREAD_COLOR = QColor("#1565c0")
CLOCK_STOPPED = frozenset({"resolved", "closed"})
DEFAULT_AMBER_PERCENT = Decimal(25)
ID_ROLE = Qt.ItemDataRole.UserRole
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SLA_STATE_ROLE = Qt.ItemDataRole.UserRole + 2
VISIBLE_PRIORITY = 10  # the rows on screen go before counts, names and other fill-ins


class InboxReader(Protocol):
    def conversation_ids(self, query: InboxQuery) -> list[str]: ...

    def conversation_rows(self, ids: list[str]) -> list[dict[str, Any]]: ...


class BackgroundRunner(Protocol):
    def run_in_background(
        self,
        fn: Callable[[], Any],
        on_success: Callable[[Any], None] | None = ...,
        on_failure: Callable[[BaseException], None] | None = ...,
        *,
        owner: Any = ...,
        priority: int = ...,
    ) -> int: ...


class Col(IntEnum):
    UNREAD = 0
    CHANNEL = 1
    CUSTOMER = 2
    PREVIEW = 3
    TYPE = 4
    PRIORITY = 5
    SLA = 6


# data() and flags() run for every painted cell and role: no enum arithmetic in them
_COLS = tuple(Col)
_NCOLS = len(_COLS)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_ALIGN_SLA = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN_UNREAD = int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter)


def _tr(text: str) -> str:
    return QCoreApplication.translate("InboxModel", text)


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


_CLOCK_FIELDS = (
    "status", "first_response_at", "first_response_due_at", "last_inbound_at", "opened_at",
    "resolution_due_at", "sla_due_at",
)  # fmt: skip
"""What `sla_clock` reads: a row whose values are unchanged keeps its clock."""


def _clock_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.get(k) for k in _CLOCK_FIELDS)


def clocks_reusing(
    old_rows: list[dict[str, Any]], old_clocks: list[SlaClock | None], rows: list[dict[str, Any]],
    amber_percent: Decimal,
) -> list[SlaClock | None]:
    """Clocks of `rows`, reusing those of `old_rows` whose SLA fields did not change (a live
    refresh brings back every loaded row; building a clock is the costly part of a row)."""
    known = {r.get("id"): (r, c) for r, c in zip(old_rows, old_clocks, strict=True)}
    out: list[SlaClock | None] = []
    for r in rows:
        hit = known.get(r.get("id"))
        if hit is not None and (hit[0] is r or _clock_key(hit[0]) == _clock_key(r)):
            out.append(hit[1])
        else:
            out.append(sla_clock(r, amber_percent))
    return out


def changed_in_place(old_rows: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[int] | None:
    """Indexes of the rows that changed when `rows` are the same conversations in the same
    order as `old_rows`; None when the order or the count differs."""
    if len(rows) != len(old_rows) or any(a.get("id") != b.get("id") for a, b in zip(rows, old_rows, strict=True)):
        return None
    return [n for n, (a, b) in enumerate(zip(rows, old_rows, strict=True)) if a != b]


def sla_clock(row: dict[str, Any], amber_percent: Decimal) -> SlaClock | None:
    """The clock that matters now: first response until answered, then resolution."""
    if row.get("status") in CLOCK_STOPPED:
        return None
    if not row.get("first_response_at") and row.get("first_response_due_at"):
        due = parse_time(row.get("first_response_due_at"))
        start = parse_time(row.get("last_inbound_at")) or parse_time(row.get("opened_at"))
        kind = "first_response"
    else:
        due = parse_time(row.get("resolution_due_at")) or parse_time(row.get("sla_due_at"))
        start = parse_time(row.get("opened_at"))
        kind = "resolution"
    if due is None:
        return None
    if start is None or start > due:
        start = due
    return SlaClock(kind=kind, started_at=start, due_at=due, amber_percent=amber_percent)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What a refresh's worker worked out against the rows loaded when it started."""

    version: int
    changed: list[int] | None  # rows changed in place; None: other rows or another order
    clocks: list[SlaClock | None]  # of the refreshed rows


class InboxModel(QAbstractTableModel):
    """Rows of one inbox view (or search), over ids, fetched lazily in pages."""

    refreshed = Signal(int)  # number of ids in the view
    refresh_failed = Signal(object)

    def __init__(
        self,
        *,
        reader: InboxReader,
        runner: BackgroundRunner,
        query: InboxQuery | None = None,
        page_size: int = 200,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        amber_percent: Decimal = DEFAULT_AMBER_PERCENT,
        tick_ms: int = 1000,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._reader = reader
        self._runner = runner
        self._query = query or InboxQuery(view="mine")
        self._page_size = page_size
        self._clock = clock
        self._amber = amber_percent
        self._ids: list[str] = []
        self._rows: list[dict[str, Any]] = []
        self._clocks: list[SlaClock | None] = []
        self._generation = 0
        self._version = 0  # +1 whenever _rows changes: a refresh's precomputed diff is for one version
        self._loading = False
        self._again = False
        self._inserting = False  # views ask canFetchMore while rows go in: no nested fetch
        self._headers = [
            "", _tr("Channel"), _tr("Customer"), _tr("Preview"), _tr("Type"), _tr("Priority"),
            _tr("SLA left"),
        ]  # fmt: skip
        self._bold = QFont()
        self._bold.setBold(True)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        if tick_ms > 0:
            self._timer.start()

    # -- state ------------------------------------------------------------------------------

    @property
    def query(self) -> InboxQuery:
        return self._query

    @property
    def total(self) -> int:
        return len(self._ids)

    @property
    def loading(self) -> bool:
        return self._loading

    def conversation_id(self, row: int) -> str | None:
        return self._rows[row].get("id") if 0 <= row < len(self._rows) else None

    def row_data(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def row_of(self, conversation_id: str) -> int:
        for n, r in enumerate(self._rows):
            if r.get("id") == conversation_id:
                return n
        return -1

    def set_query(self, query: InboxQuery) -> None:
        """Switch view, filter or search: rows are dropped and loaded again from the top."""
        self._query = query
        self._generation += 1
        self.beginResetModel()
        self._ids, self._rows, self._clocks = [], [], []
        self._version += 1
        self.endResetModel()
        self._loading = False
        self.refresh()

    def refresh(self) -> None:
        """Load the ids again in the background (live update); keeps loaded rows loaded."""
        if self._loading:
            self._again = True  # one more round after this one: it may have missed a change
            return
        self._loading = True
        self._again = False
        generation = self._generation
        query, reader = self._query, self._reader
        keep = max(len(self._rows), self._page_size)
        # The comparison with the loaded rows and their SLA clocks are worked out on the
        # worker, against these references: the UI thread only swaps lists when they still
        # hold (the interpreter lock it would hold for a thousand rows is a visible stall).
        version, old_rows, old_clocks, amber = self._version, list(self._rows), list(self._clocks), self._amber

        def work() -> tuple[list[str], list[dict[str, Any]], _Prepared]:
            ids = reader.conversation_ids(query)
            rows = reader.conversation_rows(ids[:keep])
            clocks = clocks_reusing(old_rows, old_clocks, rows, amber)
            return ids, rows, _Prepared(version=version, changed=changed_in_place(old_rows, rows), clocks=clocks)

        self._runner.run_in_background(owner=self, priority=VISIBLE_PRIORITY, fn=
            work,
            on_success=lambda result: self._arrived(generation, *result, keep),
            on_failure=lambda exc: self._failed(generation, exc),
        )

    def stop(self) -> None:
        self._timer.stop()
        self._generation += 1

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.refresh_failed.emit(exc)

    def _arrived(
        self, generation: int, ids: list[str], rows: list[dict[str, Any]], prepared: _Prepared, asked: int
    ) -> None:
        if generation != self._generation:
            return
        self._loading = False
        if len(self._rows) > asked and len(ids) > asked:
            # More rows were fetched while this refresh ran: applying it would drop them (and
            # the scroll position and selection with them). Ask again for as many as now.
            self.refresh()
            return
        self._inserting = True
        try:
            self._merge(ids, rows, prepared if prepared.version == self._version else None)
        finally:
            self._inserting = False
        self.refreshed.emit(len(self._ids))
        if self._again:
            self.refresh()

    def _merge(self, ids: list[str], rows: list[dict[str, Any]], prepared: _Prepared | None) -> None:
        if not self._rows:
            if rows:
                self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
                self._set(ids, rows, prepared.clocks if prepared is not None else None)
                self.endInsertRows()
            else:
                self._set(ids, rows)
        elif prepared is not None and prepared.changed is not None:
            # The usual live update: same rows in the same order, a few of them changed.
            # Only those repaint; no layout change, so the view has nothing to re-lay out.
            self._ids, self._rows, self._clocks = ids, rows, prepared.clocks
            self._version += 1
            if prepared.changed:
                first, last = prepared.changed[0], prepared.changed[-1]
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(Col) - 1))
        else:
            self._relayout(ids, rows, prepared.clocks if prepared is not None else None)

    def _set(
        self, ids: list[str], rows: list[dict[str, Any]], clocks: list[SlaClock | None] | None = None
    ) -> None:
        self._ids = ids
        self._rows = rows
        self._clocks = clocks if clocks is not None else [sla_clock(r, self._amber) for r in rows]
        self._version += 1

    def _relayout(
        self, ids: list[str], rows: list[dict[str, Any]], clocks: list[SlaClock | None] | None = None
    ) -> None:
        """Move to the new order keeping the row count fixed during the layout change:
        grow first (rows appended) or shrink after (rows removed from the end)."""
        old_ids = [r.get("id") for r in self._rows]
        old_count, new_count = len(self._rows), len(rows)
        if clocks is None:
            clocks = clocks_reusing(self._rows, self._clocks, rows, self._amber)
        self._version += 1
        if new_count > old_count:
            self.beginInsertRows(QModelIndex(), old_count, new_count - 1)
            self._rows.extend(rows[old_count:])
            self._clocks.extend(clocks[old_count:])
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        where = {r.get("id"): n for n, r in enumerate(rows)}
        old = self.persistentIndexList()
        new = []
        for index in old:
            target = where.get(old_ids[index.row()]) if index.row() < len(old_ids) else None
            new.append(QModelIndex() if target is None else self.index(target, index.column()))
        self.changePersistentIndexList(old, new)
        # same count as now; the extra is cut below
        padded, padded_clocks = rows + self._rows[new_count:], clocks + self._clocks[new_count:]
        self._ids = ids
        self._rows = padded
        self._clocks = padded_clocks
        self.layoutChanged.emit()
        if new_count < old_count:
            self.beginRemoveRows(QModelIndex(), new_count, old_count - 1)
            del self._rows[new_count:]
            del self._clocks[new_count:]
            self.endRemoveRows()

    # -- lazy paging ------------------------------------------------------------------------

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._inserting and len(self._rows) < len(self._ids)

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        start = len(self._rows)
        wanted = self._ids[start : start + self._page_size]
        rows = self._reader.conversation_rows(wanted)
        if not rows:
            # ids vanished since the list was made: forget them, a refresh is on its way
            self._ids = self._ids[:start]
            return
        self._inserting = True
        try:
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._version += 1
            self._rows.extend(rows)
            self._clocks.extend(sla_clock(r, self._amber) for r in rows)
            self.endInsertRows()
        finally:
            self._inserting = False
        if len(rows) < len(wanted):
            got = {r.get("id") for r in rows}
            self._ids = self._ids[:start] + [i for i in wanted if i in got] + self._ids[start + len(wanted):]

    # -- SLA --------------------------------------------------------------------------------

    def sla_state(self, row: int) -> SlaState | None:
        clock = self._clocks[row]
        return None if clock is None else clock.state(self._clock())

    def sla_remaining(self, row: int) -> timedelta | None:
        clock = self._clocks[row]
        return None if clock is None else clock.remaining(self._clock())

    def tick(self) -> None:
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Col.SLA),
                self.index(len(self._rows) - 1, Col.SLA),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole],
            )

    # -- QAbstractTableModel ----------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Col)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._headers):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._headers[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == Col.UNREAD:
                return _tr("Unread")
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < _NCOLS):
            return None
        item = self._rows[row]
        role = int(role)
        if role == _DISPLAY:
            return self._display(row, _COLS[col], item)
        if role == _TOOLTIP:
            if col == Col.PREVIEW:
                return f"{item.get('subject') or ''}\n{item.get('preview') or ''}".strip()
            if col == Col.UNREAD:
                return _tr("Unread") if item.get("unread") else None
            return self._display(row, _COLS[col], item) or None
        if role == _DECORATION and col == Col.CHANNEL:
            icon: QIcon = icons.channel_icon(str(item.get("channel") or ""))
            return icon
        if role == _FOREGROUND:
            if col == Col.SLA:
                state = self.sla_state(row)
                return None if state is None else SLA_COLORS[state]
            if col == Col.UNREAD:
                return UNREAD_COLOR
            if col == Col.PRIORITY and item.get("priority") == "urgent":
                return URGENT_COLOR
            return None
        if role == _FONT and item.get("unread"):
            return self._bold
        if role == _ALIGNMENT and col in (Col.SLA, Col.UNREAD):
            return _ALIGN_SLA if col == Col.SLA else _ALIGN_UNREAD
        if role == ID_ROLE:
            return item.get("id")
        if role == ROW_ROLE:
            return item
        if role == SLA_STATE_ROLE:
            state = self.sla_state(row)
            return None if state is None else str(state)
        return None

    def _display(self, row: int, col: Col, item: dict[str, Any]) -> str:
        if col == Col.UNREAD:
            return "●" if item.get("unread") else ""
        if col == Col.CHANNEL:
            return labels.channel(str(item.get("channel") or ""))
        if col == Col.CUSTOMER:
            return str(item.get("customer_name") or item.get("customer_id") or "")
        if col == Col.PREVIEW:
            subject = str(item.get("subject") or "")
            preview = " ".join(str(item.get("preview") or "").split())
            if subject and preview and preview != subject:
                return f"{subject} — {preview}"
            return subject or preview
        if col == Col.TYPE:
            return labels.request_type(str(item.get("request_type") or ""))
        if col == Col.PRIORITY:
            return labels.priority(str(item.get("priority") or ""))
        remaining = self.sla_remaining(row)
        return "—" if remaining is None else format_remaining(remaining)
