"""Pending Changes: every local write the server has not confirmed, with rejection reasons;
Retry and Discard (Discard asks first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.ui import timefmt

AnyIndex = QModelIndex | QPersistentModelIndex

MUTATION_NAMES = {
    "claim_conversation": "Claim conversation",
    "send_reply": "Send reply",
    "add_note": "Internal note",
    "set_conversation_fields": "Change type / priority / status",
    "transfer_conversation": "Transfer",
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("PendingChanges", text)


def _get(entry: Any, key: str) -> Any:
    return entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)


class PendingServices(Protocol):
    def pending_changes(self) -> list[Any]: ...

    def retry(self, mutation_id: int) -> Any: ...

    def discard(self, mutation_id: int) -> Any: ...


class PendingModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._entries: list[Any] = []
        self._headers = [_tr("#"), _tr("Change"), _tr("State"), _tr("Reason"), _tr("Made at")]

    def set_entries(self, entries: list[Any]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def mutation_id(self, row: int) -> int | None:
        value = _get(self._entries[row], "mutation_id") if 0 <= row < len(self._entries) else None
        return None if value is None else int(value)

    def status(self, row: int) -> str:
        return str(_get(self._entries[row], "status") or "pending")

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or not 0 <= index.row() < len(self._entries):
            return None
        if not 0 <= index.column() < len(self._headers):
            return None
        entry = self._entries[index.row()]
        status = str(_get(entry, "status") or "pending")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            col = index.column()
            if col == 0:
                return str(_get(entry, "mutation_id") or "")
            if col == 1:
                summary = _get(entry, "summary")
                if summary:
                    return str(summary)
                name = str(_get(entry, "name") or "")
                return QCoreApplication.translate("PendingChanges", MUTATION_NAMES[name]) if name in MUTATION_NAMES else name
            if col == 2:
                return _tr("Rejected") if status == "rejected" else _tr("Waiting to send")
            if col == 3:
                reason = _get(entry, "rejection_reason") or _get(entry, "reason") or _get(entry, "last_error")
                return str(reason or "")
            return timefmt.short(_get(entry, "created_at"))
        if role == Qt.ItemDataRole.ForegroundRole and status == "rejected" and index.column() in (2, 3):
            return QColor("#c62828")
        return None


class PendingChangesDialog(QDialog):
    def __init__(
        self,
        *,
        services: PendingServices,
        confirm: Callable[[QWidget, str], bool] | None = None,
        on_changed: Callable[[Any], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("Pending changes"))
        self._services = services
        self._confirm = confirm or _ask
        self._on_changed = on_changed
        self.model = PendingModel(self)
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.retry_button = QPushButton(_tr("Retry"), self)
        self.discard_button = QPushButton(_tr("Discard…"), self)
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.retry_button.clicked.connect(self.retry_selected)
        self.discard_button.clicked.connect(self.discard_selected)
        layout.addWidget(buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.resize(720, 360)
        self.reload()

    def reload(self) -> None:
        entries = list(self._services.pending_changes())
        self.model.set_entries(entries)
        rejected = sum(1 for e in entries if str(_get(e, "status")) == "rejected")
        if not entries:
            self.summary.setText(_tr("Everything is synced."))
        else:
            self.summary.setText(
                _tr("{count} changes not confirmed by the server; {rejected} rejected.").format(
                    count=len(entries), rejected=rejected
                )
            )
        self.table.resizeColumnsToContents()
        self._update_buttons()

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _update_buttons(self, *_args: object) -> None:
        row = self._selected_row()
        rejected = row >= 0 and self.model.status(row) == "rejected"
        self.retry_button.setEnabled(rejected)
        self.discard_button.setEnabled(rejected)

    def retry_selected(self) -> None:
        row = self._selected_row()
        mid = self.model.mutation_id(row) if row >= 0 else None
        if mid is None:
            return
        self._done(self._services.retry(mid))

    def discard_selected(self) -> None:
        row = self._selected_row()
        mid = self.model.mutation_id(row) if row >= 0 else None
        if mid is None:
            return
        if not self._confirm(self, _tr("Discard change #{id}? It will never reach the server.").format(id=mid)):
            return
        self._done(self._services.discard(mid))

    def _done(self, changes: Any) -> None:
        if self._on_changed is not None:
            self._on_changed(changes)
        self.reload()


def _ask(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        _tr("Discard change"),
        text,
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard
