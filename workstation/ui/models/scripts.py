"""The picker's list: the script hits of the current query (QAbstractListModel)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from workstation.scripts.model import ScriptVersion
from workstation.scripts.search import Hit

ScriptRole = Qt.ItemDataRole.UserRole + 1
KeyRole = Qt.ItemDataRole.UserRole + 2
MatchedRole = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


class ScriptListModel(QAbstractListModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[Hit] = []

    def set_hits(self, hits: list[Hit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def script(self, row: int) -> ScriptVersion | None:
        return self._hits[row].script if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits) or index.column() != 0:
            return None
        hit = self._hits[index.row()]
        s = hit.script
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{s.title}  ·  {s.category} · {s.language}"
        if role == Qt.ItemDataRole.ToolTipRole:
            variant = s.variant(None)
            return variant.body if variant is not None else s.title
        if role == ScriptRole:
            return s
        if role == KeyRole:
            return s.key
        if role == MatchedRole:
            return hit.matched
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({ScriptRole: QByteArray(b"script"), KeyRole: QByteArray(b"key"),
                      MatchedRole: QByteArray(b"matched")})  # fmt: skip
        return names
