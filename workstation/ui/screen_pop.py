"""Phone screen pop: a small non-modal panel while a call rings, with the masked caller and
the customer (read from the local cache in the background) or a "new customer" note.
A click on "Open customer" opens that customer's latest conversation in the desk; "Answer"
opens the call record (workstation.ui.call_record) with its running timer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workstation.ui import i18n, labels

AUTO_HIDE_MS = 60_000


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScreenPop", text)


ZH: dict[str, str] = {
    "&Answer": "接听(&A)",
    "Pick up on your phone; this opens the call record with a running timer.":
        "请在话机上接起；同时打开带计时的通话记录。",
}


def register_zh() -> None:
    """This module's new Chinese strings into the app catalogue (entries already there win)."""
    i18n.register("ScreenPop", ZH)


class ScreenPopPanel(QFrame):
    open_customer = Signal(str)  # customer id
    answer_requested = Signal(dict)  # the pop: the agent picked up

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        register_zh()
        self.setObjectName("screenPop")
        self.setWindowTitle(_tr("Incoming call"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.pop: dict[str, Any] = {}
        col = QVBoxLayout(self)
        self.title = QLabel(_tr("Incoming call"), self)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.caller_label = QLabel(self)
        self.caller_label.setTextFormat(Qt.TextFormat.PlainText)
        self.customer_label = QLabel(self)
        self.customer_label.setTextFormat(Qt.TextFormat.PlainText)
        self.customer_label.setWordWrap(True)
        self.detail_label = QLabel(self)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_label.setWordWrap(True)
        self.detail_label.setStyleSheet("color: #5f6368;")
        col.addWidget(self.title)
        col.addWidget(self.caller_label)
        col.addWidget(self.customer_label)
        col.addWidget(self.detail_label)
        row = QHBoxLayout()
        self.answer_button = QPushButton(_tr("&Answer"), self)
        self.answer_button.setToolTip(_tr("Pick up on your phone; this opens the call record with a running timer."))
        self.answer_button.setDefault(True)
        self.answer_button.clicked.connect(self._answer)
        self.open_button = QPushButton(_tr("Open customer"), self)
        self.open_button.clicked.connect(self._open)
        self.dismiss_button = QPushButton(_tr("Dismiss"), self)
        self.dismiss_button.clicked.connect(self.hide)
        row.addStretch(1)
        row.addWidget(self.answer_button)
        row.addWidget(self.open_button)
        row.addWidget(self.dismiss_button)
        col.addLayout(row)
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(AUTO_HIDE_MS)
        self._hide_timer.timeout.connect(self.hide)

    def show_pop(self, pop: dict[str, Any]) -> None:
        """A ringing call: the caller now, the customer as soon as the cache answers."""
        self.pop = dict(pop)
        self.caller_label.setText(_tr("Caller: {number}").format(number=pop.get("caller_masked") or _tr("unknown")))
        customer = pop.get("customer_id")
        if customer:
            self.customer_label.setText(_tr("Looking up the customer…"))
            self.open_button.setEnabled(True)
        else:
            self.show_new_customer()
        self.detail_label.setText("")
        self.adjustSize()
        self.show()
        if QGuiApplication.platformName() not in ("offscreen", "minimal"):
            self.raise_()  # those platforms have no window stack (and warn)
        self._hide_timer.start()

    def show_customer(self, customer_id: str, card: Any) -> None:
        if self.pop.get("customer_id") != customer_id:
            return
        if card is None:
            self.customer_label.setText(_tr("A known customer, not in the local cache yet."))
            return
        c = card.customer
        tags = " ".join(labels.tag(str(t)) for t in c.get("tags") or [])
        self.customer_label.setText(f"{c.get('display_name') or '—'}  {tags}".strip())
        open_convs = [x for x in card.conversations if x.get("status") not in ("resolved", "closed")]
        details = []
        if card.orders:
            details.append(_tr("{count} orders").format(count=len(card.orders)))
        if open_convs:
            details.append(_tr("{count} open conversations").format(count=len(open_convs)))
        if card.cases:
            details.append(_tr("{count} cases").format(count=len(card.cases)))
        self.detail_label.setText(" · ".join(details))
        self.adjustSize()

    def show_new_customer(self) -> None:
        self.customer_label.setText(_tr("New customer: not in our records. Take their name and order number."))
        self.open_button.setEnabled(False)

    def _answer(self) -> None:
        if self.pop.get("call_id"):
            self.answer_requested.emit(dict(self.pop))
        self.hide()

    def _open(self) -> None:
        customer = self.pop.get("customer_id")
        if customer:
            self.open_customer.emit(str(customer))
        self.hide()
