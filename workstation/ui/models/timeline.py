"""One conversation's timeline across channels: messages, calls and case events, oldest first.

`load(conversation_id)` reads in a background operation; a newer load wins over a late one.
Each row's ITEM_ROLE is the item dict (kind: message | call | event); the delegate paints it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from workstation.ui.models.inbox import BackgroundRunner

AnyIndex = QModelIndex | QPersistentModelIndex
ITEM_ROLE = Qt.ItemDataRole.UserRole + 10


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
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._reader = reader
        self._runner = runner
        self._describe = describe or (lambda item: str(item.get("body") or ""))
        self._items: list[dict[str, Any]] = []
        self._conversation_id: str | None = None
        self._generation = 0

    @property
    def conversation_id(self) -> str | None:
        return self._conversation_id

    def item(self, row: int) -> dict[str, Any]:
        return self._items[row]

    def clear(self) -> None:
        self._generation += 1
        self._conversation_id = None
        self.beginResetModel()
        self._items = []
        self.endResetModel()

    def load(self, conversation_id: str) -> None:
        self._generation += 1
        generation = self._generation
        if conversation_id != self._conversation_id:
            self.beginResetModel()
            self._items = []
            self._conversation_id = conversation_id
            self.endResetModel()
        reader = self._reader
        self._runner.run_in_background(owner=self, fn=
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
        old = {(i.get("kind"), i.get("id")) for i in self._items}
        if self._items and [(i.get("kind"), i.get("id")) for i in items[: len(self._items)]] == [
            (i.get("kind"), i.get("id")) for i in self._items
        ]:
            # The usual live update: new items at the end; keep the view where it is.
            for n, item in enumerate(items[: len(self._items)]):
                if item != self._items[n]:
                    self._items[n] = item
                    self.dataChanged.emit(self.index(n), self.index(n))
            extra = [i for i in items[len(self._items) :] if (i.get("kind"), i.get("id")) not in old]
            if extra:
                first = len(self._items)
                self.beginInsertRows(QModelIndex(), first, first + len(extra) - 1)
                self._items.extend(extra)
                self.endInsertRows()
        else:
            self.beginResetModel()
            self._items = list(items)
            self.endResetModel()
        self.loaded.emit(conversation_id)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.load_failed.emit(exc)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(item)
        if role == ITEM_ROLE:
            return item
        return None
