"""Team leads' approvals: the compensation offers waiting for approval (from the cache), with
their inputs, rule, lines, amount and offerer; Approve / Change amount / Reject with a reason.

The panel only shows and asks: `decision_requested(offer_id, decision, amount, reason)`; the
desk window runs ``services.decide_compensation`` and the offer syncs back to the agent.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workstation.ui import labels, timefmt

APPROVER_ROLES = frozenset({"team_lead", "admin"})
OfferRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


def _tr(text: str) -> str:
    return QCoreApplication.translate("Approvals", text)


# The offer's recorded inputs worth a lead's eye (ids and the kind are shown elsewhere).
INPUT_NAMES = {
    "price": QT_TRANSLATE_NOOP("Approvals", "price"),
    "quantity": QT_TRANSLATE_NOOP("Approvals", "quantity"),
    "order_amount": QT_TRANSLATE_NOOP("Approvals", "order amount"),
    "testing_fee": QT_TRANSLATE_NOOP("Approvals", "testing fee"),
    "shipping_fee": QT_TRANSLATE_NOOP("Approvals", "shipping fee"),
    "severity": QT_TRANSLATE_NOOP("Approvals", "severity"),
    "reship": QT_TRANSLATE_NOOP("Approvals", "reship"),
    "goodwill_amount": QT_TRANSLATE_NOOP("Approvals", "goodwill amount"),
}
SEVERITY_NAMES = {
    "minor": QT_TRANSLATE_NOOP("Approvals", "minor"),
    "moderate": QT_TRANSLATE_NOOP("Approvals", "moderate"),
    "severe": QT_TRANSLATE_NOOP("Approvals", "severe"),
}
_MONEY_INPUTS = frozenset({"price", "order_amount", "testing_fee", "shipping_fee", "goodwill_amount"})


def _inputs_text(inputs: dict[str, Any]) -> str:
    shown = []
    for key, source in INPUT_NAMES.items():
        value = inputs.get(key)
        if value is None or value is False or value == "":
            continue
        if key in _MONEY_INPUTS:
            text = timefmt.money(value)
        elif key == "severity":
            text = _tr(SEVERITY_NAMES.get(str(value), str(value)))
        elif value is True:
            text = _tr("yes")
        else:
            text = str(value)
        shown.append(_tr("{name} {value}").format(name=_tr(source), value=text))
    return _tr(", ").join(shown)


def status_text(status: str) -> str:
    return {
        "offered": _tr("offered"),
        "pending_approval": _tr("waiting for approval"),
        "approved": _tr("approved"),
        "changed": _tr("approved with a changed amount"),
        "rejected": _tr("rejected"),
    }.get(status, status)


class OffersModel(QAbstractTableModel):
    HEADERS = (
        QT_TRANSLATE_NOOP("Approvals", "Created"),
        QT_TRANSLATE_NOOP("Approvals", "Customer"),
        QT_TRANSLATE_NOOP("Approvals", "Order"),
        QT_TRANSLATE_NOOP("Approvals", "Kind"),
        QT_TRANSLATE_NOOP("Approvals", "Rule"),
        QT_TRANSLATE_NOOP("Approvals", "Amount"),
        QT_TRANSLATE_NOOP("Approvals", "Offered by"),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        self.names: dict[str, str] = {}

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self.endResetModel()

    def offer(self, row: int) -> dict[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return _tr(self.HEADERS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        o = self._rows[index.row()]
        if role == OfferRole:
            return o
        if role == Qt.ItemDataRole.DisplayRole:
            offerer = str(o.get("offered_by") or "")
            return (
                timefmt.short(o.get("created_at")),
                str(o.get("customer_name") or ""),
                str(o.get("order_no") or o.get("order_id") or ""),
                labels.compensation_kind(str(o.get("kind") or "")),
                labels.rule(str(o.get("rule") or "")),
                timefmt.money(o.get("amount")),
                self.names.get(offerer, offerer),
            )[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def describe_offer(o: dict[str, Any]) -> str:
    lines = [_tr("{kind} · rule: {rule} · {status}").format(
        kind=labels.compensation_kind(str(o.get("kind") or "")), rule=labels.rule(str(o.get("rule") or "")),
        status=status_text(str(o.get("status"))),
    )]  # fmt: skip
    for line in o.get("lines") or []:
        lines.append("  " + _tr("{label}: {amount}").format(
            label=labels.offer_line(line), amount=timefmt.money(line.get("amount"))))  # fmt: skip
    lines.append(_tr("Total {a} (counts against authority: {b})").format(
            a=timefmt.money(o.get("amount")), b=timefmt.money(o.get("authority_amount"))
        ))
    inputs = _inputs_text(dict(o.get("inputs") or {}))
    if inputs:
        lines.append(_tr("Inputs: ") + inputs)
    return "\n".join(lines)


class ApprovalsPanel(QWidget):
    decision_requested = Signal(str, str, str, str)  # offer id, approve|change|reject, amount, reason

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approvalsPanel")
        self.model = OffersModel(self)
        col = QVBoxLayout(self)
        col.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel(_tr("Compensation waiting for approval"), self)
        col.addWidget(self.title)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().hide()
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        col.addWidget(self.table, 1)
        self.detail = QLabel("", self)
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        col.addWidget(self.detail)
        row = QHBoxLayout()
        self.amount_edit = QLineEdit(self)
        self.amount_edit.setPlaceholderText(_tr("new amount"))
        self.amount_edit.setAccessibleName(_tr("New amount"))
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(_tr("reason (needed to reject)"))
        self.reason_edit.setAccessibleName(_tr("Reason"))
        self.approve_button = QPushButton(_tr("&Approve"), self)
        self.change_button = QPushButton(_tr("C&hange amount"), self)
        self.reject_button = QPushButton(_tr("Re&ject"), self)
        self.approve_button.clicked.connect(lambda: self.decide("approve"))
        self.change_button.clicked.connect(lambda: self.decide("change"))
        self.reject_button.clicked.connect(lambda: self.decide("reject"))
        for w in (self.amount_edit, self.reason_edit, self.approve_button, self.change_button, self.reject_button):
            row.addWidget(w)
        col.addLayout(row)
        self.error_label = QLabel("", self)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        col.addWidget(self.error_label)
        self._show_current()

    def set_offers(self, offers: list[dict[str, Any]], names: dict[str, str] | None = None) -> None:
        current = self.current_offer()
        if names is not None:
            self.model.names = dict(names)
        self.model.set_rows(offers)
        self.title.setText(_tr("Compensation waiting for approval ({n})").format(n=len(offers)))
        keep = 0
        if current is not None:
            for i, o in enumerate(offers):
                if o.get("id") == current.get("id"):
                    keep = i
        if offers:
            self.table.setCurrentIndex(self.model.index(keep, 0))
        self._show_current()

    def current_offer(self) -> dict[str, Any] | None:
        index = self.table.currentIndex()
        return self.model.offer(index.row()) if index.isValid() else None

    def _show_current(self) -> None:
        o = self.current_offer()
        for w in (self.approve_button, self.change_button, self.reject_button):
            w.setEnabled(o is not None)
        self.detail.setText(describe_offer(o) if o else _tr("Nothing is waiting for approval."))
        self.error_label.setText("")

    def decide(self, decision: str) -> None:
        o = self.current_offer()
        if o is None:
            return
        amount, reason = "", self.reason_edit.text().strip()
        if decision == "change":
            try:
                value = Decimal(self.amount_edit.text().strip())
            except InvalidOperation:
                self.error_label.setText(_tr("Give the new amount, e.g. 80.00."))
                self.amount_edit.setFocus()
                return
            if value < 0:
                self.error_label.setText(_tr("The amount must not be negative."))
                return
            amount = f"{value.quantize(Decimal('0.01'))}"
        if decision == "reject" and not reason:
            self.error_label.setText(_tr("A rejection needs its reason."))
            self.reason_edit.setFocus()
            return
        self.error_label.setText("")
        self.decision_requested.emit(str(o["id"]), decision, amount, reason)

    def decided(self) -> None:
        self.amount_edit.clear()
        self.reason_edit.clear()

    def failed(self, message: str) -> None:
        self.error_label.setText(message)
