"""The Conversation pane: header with Claim and the type / priority / status selectors, the
timeline (QListView + TimelineDelegate) and the composer.

The pane only shows and asks: it emits `claim_requested`, `fields_requested(dict)` and
`send_requested(body, channel, is_note)`; the desk window runs the use cases and calls
`sent()` or `send_failed(message)` back.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workstation.ui import labels
from workstation.ui.models.timeline import TimelineModel
from workstation.ui.timeline_delegate import TimelineDelegate

SMS_GSM_SINGLE, SMS_GSM_PART = 160, 153
SMS_UCS2_SINGLE, SMS_UCS2_PART = 70, 67


def _tr(text: str) -> str:
    return QCoreApplication.translate("ConversationPanel", text)


def sms_parts(text: str) -> tuple[int, int]:
    """(characters, SMS parts): 160/153 per part in plain ASCII, 70/67 with any Chinese."""
    n = len(text)
    if n == 0:
        return 0, 0
    if all(ord(ch) < 128 for ch in text):
        single, part = SMS_GSM_SINGLE, SMS_GSM_PART
    else:
        single, part = SMS_UCS2_SINGLE, SMS_UCS2_PART
    return n, 1 if n <= single else -(-n // part)


class ConversationPanel(QWidget):
    claim_requested = Signal()
    fields_requested = Signal(dict)
    send_requested = Signal(str, str, bool)  # body, channel, internal note

    def __init__(self, *, model: TimelineModel, user_id: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._user_id = user_id
        self.conversation: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._build_header())
        self.timeline = QListView(self)
        self.timeline.setModel(model)
        self.delegate = TimelineDelegate(self.timeline)
        self.timeline.setItemDelegate(self.delegate)
        self.timeline.setUniformItemSizes(False)
        self.timeline.setResizeMode(QListView.ResizeMode.Adjust)
        self.timeline.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.timeline.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.timeline.setWordWrap(True)
        self.timeline.setAccessibleName(_tr("Timeline"))
        self.timeline.setStyleSheet("QListView { background: #ffffff; }")
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self._build_composer())
        model.modelReset.connect(self._scroll_to_end)
        model.rowsInserted.connect(self._scroll_to_end)
        self.show_conversation(None)

    # -- construction -----------------------------------------------------------------------

    def _build_header(self) -> QWidget:
        box = QFrame(self)
        box.setObjectName("conversationHeader")
        col = QVBoxLayout(box)
        col.setContentsMargins(4, 2, 4, 2)
        col.setSpacing(2)
        top = QHBoxLayout()
        self.title_label = QLabel(box)
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.title_label.setFont(font)
        self.title_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.claim_button = QPushButton(_tr("Claim (C)"), box)
        self.claim_button.clicked.connect(self.claim_requested)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.claim_button)
        col.addLayout(top)
        self.meta_label = QLabel(box)
        self.meta_label.setStyleSheet("color: #5f6368;")
        self.meta_label.setWordWrap(True)
        col.addWidget(self.meta_label)
        fields = QHBoxLayout()
        self.type_combo = self._combo(box, labels.REQUEST_TYPES, _tr("Type"))
        self.priority_combo = self._combo(box, labels.PRIORITIES, _tr("Priority"))
        self.status_combo = self._combo(box, labels.STATUSES, _tr("Status"))
        for caption, combo, key in (
            (_tr("Type"), self.type_combo, "request_type"),
            (_tr("Priority"), self.priority_combo, "priority"),
            (_tr("Status"), self.status_combo, "status"),
        ):
            label = QLabel(caption, box)
            label.setBuddy(combo)
            fields.addWidget(label)
            fields.addWidget(combo)
            combo.activated.connect(lambda _i, c=combo, k=key: self._field_chosen(k, c))
        fields.addStretch(1)
        col.addLayout(fields)
        return box

    def _combo(self, parent: QWidget, table: dict[str, str], name: str) -> QComboBox:
        combo = QComboBox(parent)
        combo.setAccessibleName(name)
        for value in table:
            combo.addItem(QCoreApplication.translate("Labels", table[value]), value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def _build_composer(self) -> QWidget:
        box = QFrame(self)
        box.setObjectName("composer")
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(3)
        row = QHBoxLayout()
        self.channel_combo = QComboBox(box)
        self.channel_combo.setAccessibleName(_tr("Reply channel"))
        for value, text in labels.CHANNELS.items():
            self.channel_combo.addItem(QCoreApplication.translate("Labels", text), value)
        self.channel_combo.currentIndexChanged.connect(self._update_counter)
        self.note_toggle = QCheckBox(_tr("Internal note (N)"), box)
        self.note_toggle.toggled.connect(self._on_note_toggled)
        self.counter_label = QLabel("", box)
        self.counter_label.setStyleSheet("color: #5f6368;")
        row.addWidget(QLabel(_tr("Reply on"), box))
        row.addWidget(self.channel_combo)
        row.addWidget(self.note_toggle)
        row.addStretch(1)
        row.addWidget(self.counter_label)
        col.addLayout(row)
        edit_row = QHBoxLayout()
        self.editor = QPlainTextEdit(box)
        self.editor.setAccessibleName(_tr("Reply"))
        self.editor.setPlaceholderText(_tr("Write a reply… (Ctrl+Enter sends)"))
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 4 + 14)
        self.editor.textChanged.connect(self._update_counter)
        self.send_button = QPushButton(_tr("Send"), box)
        self.send_button.setToolTip(_tr("Ctrl+Enter"))
        self.send_button.clicked.connect(self.send)
        edit_row.addWidget(self.editor, 1)
        edit_row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        col.addLayout(edit_row)
        self.error_label = QLabel("", box)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        col.addWidget(self.error_label)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.editor)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.send)
        return box

    # -- behaviour --------------------------------------------------------------------------

    def set_names(self, names: dict[str, str]) -> None:
        self.delegate.names = dict(names)
        self.timeline.viewport().update()

    def show_conversation(self, conversation: dict[str, Any] | None) -> None:
        changed = (conversation or {}).get("id") != (self.conversation or {}).get("id")
        self.conversation = conversation
        enabled = conversation is not None
        for w in (self.claim_button, self.type_combo, self.priority_combo, self.status_combo,
                  self.channel_combo, self.note_toggle, self.editor, self.send_button):  # fmt: skip
            w.setEnabled(enabled)
        if conversation is None:
            self.title_label.setText(_tr("No conversation selected"))
            self.meta_label.setText(_tr("Pick one in the inbox (Ctrl+Down / J for the next)."))
            self.model.clear()
            return
        self.title_label.setText(str(conversation.get("subject") or conversation.get("preview") or "—"))
        assignee = conversation.get("assignee_id")
        if assignee is None:
            owner = _tr("unassigned")
        elif assignee == self._user_id:
            owner = _tr("assigned to you")
        else:
            owner = _tr("assigned to {name}").format(name=self.delegate.names.get(str(assignee), str(assignee)))
        self.meta_label.setText(
            " · ".join(
                x
                for x in (
                    str(conversation.get("customer_name") or ""),
                    labels.channel(str(conversation.get("channel") or "")),
                    owner,
                )
                if x
            )
        )
        self.claim_button.setEnabled(assignee != self._user_id)
        for combo, key in (
            (self.type_combo, "request_type"),
            (self.priority_combo, "priority"),
            (self.status_combo, "status"),
        ):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(max(combo.findData(conversation.get(key)), 0))
        if changed:
            with QSignalBlocker(self.channel_combo):
                self.channel_combo.setCurrentIndex(max(self.channel_combo.findData(conversation.get("channel")), 0))
            self.editor.clear()
            self.note_toggle.setChecked(False)
            self.error_label.hide()
            self.model.load(str(conversation["id"]))
        self._update_counter()

    def focus_reply(self) -> None:
        self.note_toggle.setChecked(False)
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_note(self) -> None:
        self.note_toggle.setChecked(True)
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def send(self) -> None:
        body = self.editor.toPlainText().strip()
        if self.conversation is None or not body:
            return
        self.error_label.hide()
        self.send_button.setEnabled(False)
        channel = str(self.channel_combo.currentData() or "")
        self.send_requested.emit(body, channel, self.note_toggle.isChecked())

    def sent(self) -> None:
        self.editor.clear()
        self.send_button.setEnabled(self.conversation is not None)

    def send_failed(self, message: str) -> None:
        self.send_button.setEnabled(self.conversation is not None)
        self.error_label.setText(message)
        self.error_label.show()

    def _field_chosen(self, key: str, combo: QComboBox) -> None:
        if self.conversation is None:
            return
        value = combo.currentData()
        if value != self.conversation.get(key):
            self.fields_requested.emit({key: value})

    def _on_note_toggled(self, note: bool) -> None:
        self.channel_combo.setEnabled(not note and self.conversation is not None)
        self.editor.setPlaceholderText(
            _tr("Internal note, only colleagues see it… (Ctrl+Enter saves)")
            if note
            else _tr("Write a reply… (Ctrl+Enter sends)")
        )
        self.send_button.setText(_tr("Save note") if note else _tr("Send"))
        self._update_counter()

    def _update_counter(self) -> None:
        text = self.editor.toPlainText()
        if self.channel_combo.currentData() == "sms" and not self.note_toggle.isChecked():
            chars, parts = sms_parts(text)
            self.counter_label.setText(_tr("{chars} characters · {parts} SMS").format(chars=chars, parts=parts))
        else:
            self.counter_label.setText(_tr("{chars} characters").format(chars=len(text)) if text else "")

    def _scroll_to_end(self, *_args: object) -> None:
        self.timeline.scrollToBottom()
