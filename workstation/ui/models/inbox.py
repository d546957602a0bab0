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
    QModelRoleData,
    QModelRoleDataSpan,
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
_UNREAD, _CHANNEL, _PREVIEW, _PRIORITY, _SLA = (int(c) for c in (Col.UNREAD, Col.CHANNEL, Col.PREVIEW, Col.PRIORITY, Col.SLA))


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


Texts = tuple[Any, ...]
"""A row's fixed display values, by `Col` (SLA excepted), then `_T_*` below."""
_T_TIP, _T_UNREAD, _T_URGENT, _T_CHANNEL = _NCOLS, _NCOLS + 1, _NCOLS + 2, _NCOLS + 3


def row_texts(item: dict[str, Any]) -> Texts:
    """Everything `data()` shows of a row except the SLA countdown, worked out once when the
    row arrives: a painted cell asks for ~10 roles, and every call into Python from the UI
    thread waits for the interpreter lock while a sync thread holds it."""
    unread = bool(item.get("unread"))
    subject = str(item.get("subject") or "")
    raw_preview = str(item.get("preview") or "")
    preview = " ".join(raw_preview.split())
    shown = f"{subject} — {preview}" if subject and preview and preview != subject else subject or preview
    channel = str(item.get("channel") or "")
    return (
        "●" if unread else "",
        labels.channel(channel),
        str(item.get("customer_name") or item.get("customer_id") or ""),
        shown,
        labels.request_type(str(item.get("request_type") or "")),
        labels.priority(str(item.get("priority") or "")),
        "",  # SLA: live
        f"{subject}\n{raw_preview}".strip(),
        unread,
        item.get("priority") == "urgent",
        channel,
    )


def texts_reusing(old_rows: list[dict[str, Any]], old_texts: list[Texts], rows: list[dict[str, Any]]) -> list[Texts]:
    """Texts of `rows`, reusing those of `old_rows` that did not change."""
    known = {r.get("id"): (r, t) for r, t in zip(old_rows, old_texts, strict=True)}
    out: list[Texts] = []
    for r in rows:
        hit = known.get(r.get("id"))
        out.append(hit[1] if hit is not None and (hit[0] is r or hit[0] == r) else row_texts(r))
    return out


def changed_runs(changed: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for n in changed:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


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
    texts: list[Texts]  # of the refreshed rows


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
        self._texts: list[Texts] = []  # parallel to _rows
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
        self._ids, self._rows, self._clocks, self._texts = [], [], [], []
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
        old_texts = list(self._texts)

        def work() -> tuple[list[str], list[dict[str, Any]], _Prepared]:
            ids = reader.conversation_ids(query)
            rows = reader.conversation_rows(ids[:keep])
            clocks = clocks_reusing(old_rows, old_clocks, rows, amber)
            texts = texts_reusing(old_rows, old_texts, rows)
            changed = changed_in_place(old_rows, rows)
            return ids, rows, _Prepared(version=version, changed=changed, clocks=clocks, texts=texts)

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
                self._set(ids, rows, prepared)
                self.endInsertRows()
            else:
                self._set(ids, rows)
        elif prepared is not None and prepared.changed is not None:
            # The usual live update: same rows in the same order, a few of them changed.
            # Only those repaint; no layout change, so the view has nothing to re-lay out.
            self._ids, self._rows, self._clocks, self._texts = ids, rows, prepared.clocks, prepared.texts
            self._version += 1
            # One signal per run of changed rows, not one range from the first to the last:
            # a range across the screen repaints every visible row (each a dozen data() calls).
            last_col = _NCOLS - 1
            for first, last in changed_runs(prepared.changed):
                self.dataChanged.emit(self.index(first, 0), self.index(last, last_col))
        else:
            self._relayout(ids, rows, prepared)

    def _set(self, ids: list[str], rows: list[dict[str, Any]], prepared: _Prepared | None = None) -> None:
        self._ids = ids
        self._rows = rows
        if prepared is not None:
            self._clocks, self._texts = prepared.clocks, prepared.texts
        else:
            self._clocks = [sla_clock(r, self._amber) for r in rows]
            self._texts = [row_texts(r) for r in rows]
        self._version += 1

    def _relayout(self, ids: list[str], rows: list[dict[str, Any]], prepared: _Prepared | None = None) -> None:
        """Move to the new order keeping the row count fixed during the layout change:
        grow first (rows appended) or shrink after (rows removed from the end)."""
        old_ids = [r.get("id") for r in self._rows]
        old_count, new_count = len(self._rows), len(rows)
        if prepared is not None:
            clocks, texts = prepared.clocks, prepared.texts
        else:
            clocks = clocks_reusing(self._rows, self._clocks, rows, self._amber)
            texts = texts_reusing(self._rows, self._texts, rows)
        self._version += 1
        if new_count > old_count:
            self.beginInsertRows(QModelIndex(), old_count, new_count - 1)
            self._rows.extend(rows[old_count:])
            self._clocks.extend(clocks[old_count:])
            self._texts.extend(texts[old_count:])
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
        self._texts = texts + self._texts[new_count:]
        self.layoutChanged.emit()
        if new_count < old_count:
            self.beginRemoveRows(QModelIndex(), new_count, old_count - 1)
            del self._rows[new_count:]
            del self._clocks[new_count:]
            del self._texts[new_count:]
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
            self._texts.extend(row_texts(r) for r in rows)
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
        # An invalid index has row -1. A table's indexes never have a valid parent, so the
        # parent is not asked for (one more C++ call).
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < _NCOLS):
            return None
        return self._value(row, col, int(role))

    def multiData(self, index: AnyIndex, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        # The item delegate asks for a cell's 7 roles at once through here: one call into
        # Python per painted cell instead of one per role. Each such call from the UI thread
        # may wait for the interpreter lock (up to the 5 ms switch interval) while a sync
        # thread runs Python, so their number is what a repaint costs during a sync.
        span = (roleDataSpan,) if isinstance(roleDataSpan, QModelRoleData) else roleDataSpan
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < _NCOLS):
            for item in span:
                item.clearData()
            return
        value = self._value
        for item in span:
            item.setData(value(row, col, int(item.role())))

    def _value(self, row: int, col: int, role: int) -> Any:
        """A valid cell's value for `role`: lookups only (see `row_texts`)."""
        texts = self._texts[row]
        if role == _DISPLAY:
            return self._sla_text(row) if col == _SLA else texts[col]
        if role == _FONT:
            return self._bold if texts[_T_UNREAD] else None
        if role == _FOREGROUND:
            if col == _SLA:
                state = self.sla_state(row)
                return None if state is None else SLA_COLORS[state]
            if col == _UNREAD:
                return UNREAD_COLOR
            if col == _PRIORITY and texts[_T_URGENT]:
                return URGENT_COLOR
            return None
        if role == _ALIGNMENT:
            return _ALIGN_SLA if col == _SLA else _ALIGN_UNREAD if col == _UNREAD else None
        if role == _DECORATION:
            if col == _CHANNEL:
                icon: QIcon = icons.channel_icon(texts[_T_CHANNEL])
                return icon
            return None
        if role == _TOOLTIP:
            if col == _PREVIEW:
                return texts[_T_TIP]
            if col == _UNREAD:
                return _tr("Unread") if texts[_T_UNREAD] else None
            return (self._sla_text(row) if col == _SLA else texts[col]) or None
        if role == ID_ROLE:
            return self._rows[row].get("id")
        if role == ROW_ROLE:
            return self._rows[row]
        if role == SLA_STATE_ROLE:
            state = self.sla_state(row)
            return None if state is None else str(state)
        return None

    def _sla_text(self, row: int) -> str:
        remaining = self.sla_remaining(row)
        return "—" if remaining is None else format_remaining(remaining)
