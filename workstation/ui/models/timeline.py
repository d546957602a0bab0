"""One conversation's timeline across channels: messages, calls and case events, oldest first.

`load(conversation_id)` reads in a background operation; a newer load wins over a late one.
Each row's ITEM_ROLE is the item dict (kind: message | call | event); the delegate paints it.

Rows are the newest `page_size` items of what was read; `fetch_older()` puts the next older
page in front (the view asks when scrolled to the top). Measuring and laying out a wrapped
bubble costs the view tens of microseconds per row, so a 500-message history shown at once
would cost a switch several hundred ms; a page keeps it to what the agent can see.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from workstation.ui.models.inbox import VISIBLE_PRIORITY, BackgroundRunner

AnyIndex = QModelIndex | QPersistentModelIndex
ITEM_ROLE = Qt.ItemDataRole.UserRole + 10
PAGE_SIZE = 40


class TimelineReader(Protocol):
    def timeline(self, conversation_id: str) -> list[dict[str, Any]]: ...


class TimelineModel(QAbstractListModel):
    loaded = Signal(str)  # conversation id
    load_failed = Signal(object)

    def __init__(
        self,
        *,
        reader: TimelineReader,
        runner: BackgroundRunner,
        describe: Callable[[dict[str, Any]], str] | None = None,
        page_size: int = PAGE_SIZE,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._reader = reader
        self._runner = runner
        self._describe = describe or (lambda item: str(item.get("body") or ""))
        self._page_size = max(1, page_size)
        self._all: list[dict[str, Any]] = []  # everything read, oldest first
        self._first = 0  # index in _all of row 0: rows are _all[_first:]
        self._conversation_id: str | None = None
        self._generation = 0

    @property
    def conversation_id(self) -> str | None:
        return self._conversation_id

    def item(self, row: int) -> dict[str, Any]:
        return self._all[self._first + row]

    @property
    def older(self) -> int:
        """Items read but not shown yet (older than row 0)."""
        return self._first

    def fetch_older(self) -> int:
        """Show the next older page in front of row 0; returns the number of rows added."""
        count = min(self._first, self._page_size)
        if count:
            self.beginInsertRows(QModelIndex(), 0, count - 1)
            self._first -= count
            self.endInsertRows()
        return count

    def clear(self) -> None:
        self._generation += 1
        self._conversation_id = None
        self.beginResetModel()
        self._all, self._first = [], 0
        self.endResetModel()

    def load(self, conversation_id: str) -> None:
        self._generation += 1
        generation = self._generation
        if conversation_id != self._conversation_id:
            self.beginResetModel()
            self._all, self._first = [], 0
            self._conversation_id = conversation_id
            self.endResetModel()
        reader = self._reader
        self._runner.run_in_background(owner=self, priority=VISIBLE_PRIORITY, fn=
            lambda: reader.timeline(conversation_id),
            on_success=lambda items: self._arrived(generation, conversation_id, items),
            on_failure=lambda exc: self._failed(generation, exc),
        )

    def reload(self) -> None:
        if self._conversation_id is not None:
            self.load(self._conversation_id)

    def _arrived(self, generation: int, conversation_id: str, items: list[dict[str, Any]]) -> None:
        if generation != self._generation:
            return
        have = self._all
        keys = [(i.get("kind"), i.get("id")) for i in have]
        if have and [(i.get("kind"), i.get("id")) for i in items[: len(have)]] == keys:
            # The usual live update: new items at the end; keep the view where it is.
            for n, item in enumerate(items[: len(have)]):
                if item != have[n]:
                    have[n] = item
                    if n >= self._first:
                        row = n - self._first
                        self.dataChanged.emit(self.index(row), self.index(row))
            old = set(keys)
            extra = [i for i in items[len(have) :] if (i.get("kind"), i.get("id")) not in old]
            if extra:
                first = len(have) - self._first
                self.beginInsertRows(QModelIndex(), first, first + len(extra) - 1)
                have.extend(extra)
                self.endInsertRows()
        else:
            # as many rows as shown now (at least a page), counted from the newest
            shown = max(len(have) - self._first, self._page_size)
            self.beginResetModel()
            self._all = list(items)
            self._first = max(0, len(self._all) - shown)
            self.endResetModel()
        self.loaded.emit(conversation_id)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.load_failed.emit(exc)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._all) - self._first

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or index.parent().isValid() or not 0 <= row < len(self._all) - self._first:
            return None
        item = self._all[self._first + row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(item)
        if role == ITEM_ROLE:
            return item
        return None
