"""The call record: from the moment the agent answers until the call is wrapped up.

A dockable panel with a live running timer (driven by the injected clock), the caller and
their customer (or a small new-customer form for an unknown caller), call notes and a wrap-up
code picked from resources/calls/wrap_up_codes.toml. "End call" stops the clock; "Save"
sends the notes through ``DeskServices.record_call_notes`` (cache + outbox, so it saves
offline too). Closing it with something typed and not saved asks first.

`CallWatcher` follows one call row in the local cache (a one-row read by id, in the
background) so the record learns when the server says the call was answered or ended, and
which customer and conversation the server joined it to. The desk tells it when "calls"
changed (`refresh`); its slow timer is a fallback only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workstation.services.calls import WrapUpCode, answered_at, new_caller_notes, wrap_up_codes
from workstation.services.effects import parse_time
from workstation.ui import i18n, labels

CONTEXT = "CallRecord"
TICK_MS = 1000
# The desk calls `CallWatcher.refresh` when pulled or local changes touch "calls"; the timer
# is only a fallback for a change notice that never came (e.g. a desk without live sync).
WATCH_MS = 30_000
RING_WATCH_MS = 10 * 60_000  # a popped call not answered by then is no longer followed

# Chinese for this module's strings; registered into the app's catalogue (see `register_zh`).
ZH: dict[str, str] = {
    "Call record": "通话记录",
    "On the call": "通话中",
    "Call ended: add notes, pick a wrap-up code and save.": "通话已结束：请填写备注、选择小结代码后保存。",
    "Saving…": "正在保存…",
    "Saved.": "已保存。",
    "Saved offline; it will be sent when the connection is back.": "已离线保存，恢复连接后自动发送。",
    "Caller: {number}": "来电号码：{number}",
    "unknown": "未知",
    "Looking up the customer…": "正在查找客户…",
    "A known customer, not in the local cache yet.": "老客户，本地缓存中尚无资料。",
    "New customer: not in our records.": "新客户：系统中没有记录。",
    "New customer": "新客户",
    "Name": "姓名",
    "Order number": "订单号",
    "Order": "订单",
    "How should we address the caller?": "如何称呼来电客户？",
    "If they mention one": "如客户提到订单号",
    "Notes": "通话备注",
    "What the customer asked, what you offered, what you promised and by when.": "客户诉求、提供的方案、承诺的事项和时间。",
    "Wrap-up": "小结代码",
    "Choose a wrap-up code…": "请选择小结代码…",
    "&End call": "结束通话(&E)",
    "&Save": "保存(&S)",
    "Open customer": "打开客户",
    "Open conversation": "打开会话",
    "Choose a wrap-up code.": "请选择小结代码。",
    "Write a few words about the call.": "请简要记录通话内容。",
    "The notes are too long ({count} characters; at most {limit}).": "备注过长（{count} 字；上限 {limit} 字）。",
    "Could not save: {error}": "保存失败：{error}",
    "Close the call record": "关闭通话记录",
    "The call notes are not saved. Close and lose them?": "通话备注尚未保存。关闭将丢失这些内容，确定关闭吗？",
    "Orders: {count}": "订单：{count}",
    "Open conversations: {count}": "未结会话：{count}",
    "Duration {time}": "时长 {time}",
    "An order number has no spaces.": "订单号中不能有空格。",
}
MAX_NOTES = 20_000


def _tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)


def register_zh(codes: tuple[WrapUpCode, ...] | None = None) -> None:
    """Add this module's Chinese strings (and the wrap-up code labels) to the app's zh_CN
    catalogue (entries already there win)."""
    i18n.register(CONTEXT, ZH)
    chosen = codes if codes is not None else wrap_up_codes()
    i18n.register(CONTEXT, {code.en: code.zh for code in chosen if code.zh})


def wrap_up_label(code: str | None) -> str:
    """The (translated) label of a wrap-up code; an unknown code shows as itself."""
    if not code:
        return ""
    for known in wrap_up_codes():
        if known.code == code:
            return _tr(known.en)
    return code


def format_elapsed(seconds: float) -> str:
    total = max(int(seconds), 0)
    minutes, secs = divmod(total, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _ask_discard(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        _tr("Close the call record"),
        text,
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class CallRecordPanel(QWidget):
    save_requested = Signal(str, str, object)  # call id, notes, wrap-up code
    open_customer = Signal(str)  # customer id
    open_conversation = Signal(str)  # conversation id
    customer_changed = Signal(str)  # the server joined the call to this customer: look them up
    finished = Signal()  # saved: the record can go away

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        codes: tuple[WrapUpCode, ...] | None = None,
        tick_ms: int = TICK_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("callRecord")
        self._clock = clock
        self.codes = codes if codes is not None else wrap_up_codes()
        register_zh(self.codes)
        self.pop: dict[str, Any] = {}
        self.call_id: str | None = None
        self.customer_id: str | None = None
        self.conversation_id: str | None = None
        self.new_customer = False
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.server_duration: int | None = None
        self.saving = False
        self.saved_ok = False

        col = QVBoxLayout(self)
        col.setContentsMargins(8, 8, 8, 8)
        head = QHBoxLayout()
        self.state_label = QLabel(self)
        self.state_label.setWordWrap(True)
        bold = self.state_label.font()
        bold.setBold(True)
        self.state_label.setFont(bold)
        self.timer_label = QLabel("00:00", self)
        self.timer_label.setObjectName("callTimer")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(self.font().pointSizeF(), 9.0) * 1.8)
        mono.setWeight(QFont.Weight.Bold)
        self.timer_label.setFont(mono)
        self.timer_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.timer_label.setAccessibleName(_tr("Duration {time}").format(time=""))
        head.addWidget(self.state_label, 1)
        head.addWidget(self.timer_label)
        col.addLayout(head)

        self.caller_label = QLabel(self)
        self.caller_label.setTextFormat(Qt.TextFormat.PlainText)
        self.customer_label = QLabel(self)
        self.customer_label.setTextFormat(Qt.TextFormat.PlainText)
        self.customer_label.setWordWrap(True)
        col.addWidget(self.caller_label)
        col.addWidget(self.customer_label)
        links = QHBoxLayout()
        self.open_customer_button = QPushButton(_tr("Open customer"), self)
        self.open_customer_button.clicked.connect(self._open_customer)
        self.open_conversation_button = QPushButton(_tr("Open conversation"), self)
        self.open_conversation_button.clicked.connect(self._open_conversation)
        links.addWidget(self.open_customer_button)
        links.addWidget(self.open_conversation_button)
        links.addStretch(1)
        col.addLayout(links)

        self.new_customer_box = QGroupBox(_tr("New customer"), self)
        form = QFormLayout(self.new_customer_box)
        self.name_edit = QLineEdit(self.new_customer_box)
        self.name_edit.setPlaceholderText(_tr("How should we address the caller?"))
        self.name_edit.setMaxLength(120)
        self.order_edit = QLineEdit(self.new_customer_box)
        self.order_edit.setPlaceholderText(_tr("If they mention one"))
        self.order_edit.setMaxLength(40)
        form.addRow(_tr("Name"), self.name_edit)
        form.addRow(_tr("Order number"), self.order_edit)
        col.addWidget(self.new_customer_box)

        notes_label = QLabel(_tr("Notes"), self)
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setPlaceholderText(
            _tr("What the customer asked, what you offered, what you promised and by when.")
        )
        self.notes_edit.setTabChangesFocus(True)
        notes_label.setBuddy(self.notes_edit)
        col.addWidget(notes_label)
        col.addWidget(self.notes_edit, 1)

        wrap_row = QFormLayout()
        self.wrap_combo = QComboBox(self)
        self.wrap_combo.addItem(_tr("Choose a wrap-up code…"), None)
        for code in self.codes:
            self.wrap_combo.addItem(_tr(code.en), code.code)
        self.wrap_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        wrap_row.addRow(_tr("Wrap-up"), self.wrap_combo)
        col.addLayout(wrap_row)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("callRecordError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        col.addWidget(self.error_label)

        buttons = QHBoxLayout()
        self.end_button = QPushButton(_tr("&End call"), self)
        self.end_button.clicked.connect(self.end_call)
        self.save_button = QPushButton(_tr("&Save"), self)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        buttons.addStretch(1)
        buttons.addWidget(self.end_button)
        buttons.addWidget(self.save_button)
        col.addLayout(buttons)

        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        for signal in (self.notes_edit.textChanged, self.name_edit.textChanged, self.order_edit.textChanged):
            signal.connect(self._clear_error)
        self.wrap_combo.currentIndexChanged.connect(self._clear_error)
        self._show_links()

    # -- the call ---------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """A call is on the record and not saved yet."""
        return self.call_id is not None and not self.saved_ok

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self, pop: dict[str, Any], *, answered: datetime | None = None) -> None:
        """The agent answered the call of `pop` (a screen-pop payload): start the clock."""
        self.pop = dict(pop)
        self.call_id = str(pop.get("call_id") or "") or None
        self.customer_id = str(pop.get("customer_id") or "") or None
        self.conversation_id = None
        self.new_customer = self.customer_id is None
        self.started_at = answered or self._clock()
        self.ended_at = None
        self.server_duration = None
        self.saving = False
        self.saved_ok = False
        self.notes_edit.clear()
        self.name_edit.clear()
        self.order_edit.clear()
        self.wrap_combo.setCurrentIndex(0)
        self._clear_error()
        self.caller_label.setText(_tr("Caller: {number}").format(number=pop.get("caller_masked") or _tr("unknown")))
        if self.new_customer:
            self.customer_label.setText(_tr("New customer: not in our records."))
        else:
            self.customer_label.setText(_tr("Looking up the customer…"))
        self.new_customer_box.setVisible(self.new_customer)
        self.state_label.setText(_tr("On the call"))
        self._set_enabled(True)
        self.end_button.setEnabled(True)
        self._show_links()
        self._timer.start()
        self.tick()
        self.notes_edit.setFocus()

    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        if self.ended_at is None:
            return (self._clock() - self.started_at).total_seconds()
        if self.server_duration is not None:
            return float(self.server_duration)
        return (self.ended_at - self.started_at).total_seconds()

    def tick(self) -> None:
        text = format_elapsed(self.elapsed())
        self.timer_label.setText(text)
        self.timer_label.setAccessibleName(_tr("Duration {time}").format(time=text))

    def end_call(self, at: datetime | None = None) -> None:
        """The call is over (the agent hung up, or the server says it ended): stop the clock."""
        if self.ended_at is None:
            self.ended_at = at or self._clock()
        self._timer.stop()
        self.tick()
        self.end_button.setEnabled(False)
        if not self.saved_ok and not self.saving:
            self.state_label.setText(_tr("Call ended: add notes, pick a wrap-up code and save."))

    def update_row(self, row: dict[str, Any] | None) -> None:
        """What the cache says about the call now (answered time, customer, conversation,
        ended); a row of another call is ignored."""
        if not row or str(row.get("id") or "") != self.call_id:
            return
        answered = answered_at(row)
        if answered is not None and self.ended_at is None:
            self.started_at = answered  # the telephony system's time beats our click
        customer = str(row.get("customer_id") or "") or None
        if customer and customer != self.customer_id:
            self.customer_id = customer
            self.customer_changed.emit(customer)
        conversation = str(row.get("conversation_id") or "") or None
        if conversation:
            self.conversation_id = conversation
        self._show_links()
        if row.get("state") in ("ended", "missed") and self.ended_at is None:
            if isinstance(row.get("duration_s"), int):
                self.server_duration = int(row["duration_s"])
            self.end_call(parse_time(row.get("ended_at")) or self._clock())
        self.tick()

    def set_customer(self, customer_id: str, card: Any) -> None:
        if customer_id != self.customer_id:
            return
        if card is None:
            if not self.new_customer:
                self.customer_label.setText(_tr("A known customer, not in the local cache yet."))
            return
        c = card.customer
        tags = " ".join(labels.tag(str(t)) for t in c.get("tags") or [])
        parts = [f"{c.get('display_name') or '—'}  {tags}".strip()]
        open_convs = [x for x in card.conversations if x.get("status") not in ("resolved", "closed")]
        details = []
        if card.orders:
            details.append(_tr("Orders: {count}").format(count=len(card.orders)))
        if open_convs:
            details.append(_tr("Open conversations: {count}").format(count=len(open_convs)))
        if details:
            parts.append(" · ".join(details))
        self.customer_label.setText("\n".join(parts))

    # -- saving -----------------------------------------------------------------------------

    def wrap_up_code(self) -> str | None:
        data = self.wrap_combo.currentData()
        return str(data) if data else None

    def has_unsaved(self) -> bool:
        if not self.active:
            return False
        typed = (self.notes_edit.toPlainText(), self.name_edit.text(), self.order_edit.text())
        return any(t.strip() for t in typed) or self.wrap_up_code() is not None

    def compose_notes(self) -> str:
        notes = self.notes_edit.toPlainText().strip()
        if not self.new_customer:
            return notes
        return new_caller_notes(
            notes, name=self.name_edit.text(), order_no=self.order_edit.text(),
            name_label=_tr("New customer"), order_label=_tr("Order"),
        )  # fmt: skip

    def validate(self) -> str | None:
        """The first problem as a sentence (and focus on its field), or None."""
        notes = self.notes_edit.toPlainText()
        if not notes.strip() and not (self.new_customer and self.name_edit.text().strip()):
            self.notes_edit.setFocus()
            return _tr("Write a few words about the call.")
        if len(notes) > MAX_NOTES:
            self.notes_edit.setFocus()
            return _tr("The notes are too long ({count} characters; at most {limit}).").format(
                count=len(notes), limit=MAX_NOTES
            )
        if self.wrap_up_code() is None:
            self.wrap_combo.setFocus()
            return _tr("Choose a wrap-up code.")
        if any(ch.isspace() for ch in self.order_edit.text().strip()):
            self.order_edit.setFocus()
            return _tr("An order number has no spaces.")
        return None

    def save(self) -> bool:
        """Check, end the call if it still runs, and ask the desk to save. False: not sent."""
        if not self.active or self.saving:
            return False
        problem = self.validate()
        if problem:
            self.show_error(problem)
            return False
        if self.ended_at is None:
            self.end_call()
        self.saving = True
        self._set_enabled(False)
        self.state_label.setText(_tr("Saving…"))
        self.save_requested.emit(self.call_id or "", self.compose_notes(), self.wrap_up_code())
        return True

    def saved(self, *, offline: bool = False) -> None:
        self.saving = False
        self.saved_ok = True
        self.state_label.setText(
            _tr("Saved offline; it will be sent when the connection is back.") if offline else _tr("Saved.")
        )
        self.finished.emit()

    def save_failed(self, message: str, field: str | None = None) -> None:
        """Nothing was written: keep everything typed, say why, focus the field."""
        self.saving = False
        self._set_enabled(True)
        self.end_button.setEnabled(self.ended_at is None)
        self.state_label.setText(_tr("Call ended: add notes, pick a wrap-up code and save."))
        self.show_error(_tr("Could not save: {error}").format(error=message))
        target = {"notes": self.notes_edit, "wrap_up_code": self.wrap_combo, "name": self.name_edit,
                  "order_no": self.order_edit}.get(field or "")  # fmt: skip
        if target is not None:
            target.setFocus()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _clear_error(self, *_: object) -> None:
        if self.error_label.isVisible():
            self.error_label.hide()
            self.error_label.clear()

    def _set_enabled(self, on: bool) -> None:
        for w in (self.notes_edit, self.name_edit, self.order_edit, self.wrap_combo, self.save_button):
            w.setEnabled(on)

    def _show_links(self) -> None:
        self.open_customer_button.setVisible(self.customer_id is not None)
        self.open_conversation_button.setVisible(self.conversation_id is not None)

    def _open_customer(self) -> None:
        if self.customer_id:
            self.open_customer.emit(self.customer_id)

    def _open_conversation(self) -> None:
        if self.conversation_id:
            self.open_conversation.emit(self.conversation_id)

    def stop(self) -> None:
        self._timer.stop()


class CallRecordDock(QDockWidget):
    """The dock around the panel: closing it (or the window) with unsaved notes asks first."""

    def __init__(
        self,
        panel: CallRecordPanel,
        *,
        confirm: Callable[[QWidget, str], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(_tr("Call record"), parent)
        self.setObjectName("callRecordDock")
        self.panel = panel
        self._confirm = confirm or _ask_discard
        self.setWidget(panel)
        panel.finished.connect(self._finished)
        if parent is not None:
            parent.installEventFilter(self)

    def may_close(self) -> bool:
        if not self.panel.has_unsaved():
            return True
        if self._confirm(self, _tr("The call notes are not saved. Close and lose them?")):
            self.panel.saved_ok = True  # given up on purpose: do not ask again
            self.panel.stop()
            return True
        self.bring_forward()
        self.panel.notes_edit.setFocus()
        return False

    def bring_forward(self) -> None:
        self.show()
        if QGuiApplication.platformName() not in ("offscreen", "minimal"):
            self.raise_()  # those platforms have no window stack (and warn)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.may_close():
            self.panel.stop()
            super().closeEvent(event)
        else:
            event.ignore()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Close and not self.may_close():
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    def _finished(self) -> None:
        QTimer.singleShot(1500, self._hide_if_done)

    def _hide_if_done(self) -> None:
        if not self.panel.active:
            self.hide()


class CallWatcher(QObject):
    """Reads one call row from the cache (in the background) when told the calls changed,
    and every `interval_ms` as a fallback, while watched; reports it when it differs, so the
    record follows "answered" and "ended" from the server."""

    row_changed = Signal(object)  # dict | None

    def __init__(
        self,
        *,
        fetch: Callable[[str], dict[str, Any] | None],
        runner: Any,
        interval_ms: int = WATCH_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._runner = runner
        self.call_id: str | None = None
        self._last: dict[str, Any] | None = None
        self._busy = False
        self._again = False  # a change arrived while a read was running: read once more
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)
        self._give_up = QTimer(self)
        self._give_up.setSingleShot(True)
        self._give_up.timeout.connect(self.stop)

    def watch(self, call_id: str | None, *, for_ms: int | None = None) -> None:
        """Follow `call_id` (None: nothing); with `for_ms`, stop after that long."""
        if call_id != self.call_id:
            self._last = None
        self.call_id = call_id
        self._give_up.stop()
        if call_id:
            self._timer.start()
            if for_ms is not None:
                self._give_up.start(for_ms)
            self.poll()
        else:
            self._timer.stop()

    def stop(self) -> None:
        self.call_id = None
        self._timer.stop()
        self._give_up.stop()

    @property
    def watching(self) -> bool:
        return self._timer.isActive()

    def refresh(self) -> None:
        """The cached calls changed: read the watched row now (no-op when watching none)."""
        if self._busy:
            self._again = True  # the running read may predate the change
            return
        self.poll()

    def poll(self) -> None:
        call_id = self.call_id
        if not call_id or self._busy:
            return
        self._busy = True
        fetch = self._fetch
        self._runner.run_in_background(
            owner=self,
            fn=lambda: fetch(call_id),
            on_success=lambda row: self._arrived(call_id, row),
            on_failure=lambda _exc: self._arrived(call_id, None),
        )

    def _arrived(self, call_id: str, row: dict[str, Any] | None) -> None:
        self._busy = False
        if call_id == self.call_id and row is not None and row != self._last:
            self._last = dict(row)
            self.row_changed.emit(dict(row))
        if self._again:
            self._again = False
            self.poll()
