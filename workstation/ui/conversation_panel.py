"""The Conversation pane: header with Claim and the type / priority / status selectors, the
timeline (QListView + TimelineDelegate) and the composer.

The pane only shows and asks: it emits `claim_requested`, `fields_requested(dict)` and
`send_requested(body, channel, is_note)`; the desk window runs the use cases and calls
`sent()` or `send_failed(message)` back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDateTime,
    QEvent,
    QObject,
    QSignalBlocker,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workstation.scripts.render import missing_message, variables_in
from workstation.ui import labels
from workstation.ui.models.timeline import TimelineModel
from workstation.ui.script_picker import ScriptPicker
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
    transfer_requested = Signal()
    fields_requested = Signal(dict)
    case_record_requested = Signal(dict)  # asks, solution, promised_at (aware datetime), wishes
    send_requested = Signal(str, str, bool)  # body, channel, internal note

    def __init__(self, *, model: TimelineModel, user_id: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._user_id = user_id
        self.conversation: dict[str, Any] | None = None
        self.script_ref: tuple[str, int] | None = None  # (id, version) of the script the reply came from
        self.script_subject: str | None = None
        self._lint_config: Any = None
        self._render_context: dict[str, Any] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._build_header())
        layout.addWidget(self._build_case_record())
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
        self.apply_theme()
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self._build_composer())
        model.modelReset.connect(self._scroll_to_end)
        model.rowsInserted.connect(self._rows_inserted)
        self._keep_from_bottom: int | None = None  # while older rows go in above: hold the view
        bar = self.timeline.verticalScrollBar()
        bar.valueChanged.connect(self._scrolled)
        bar.rangeChanged.connect(self._range_changed)
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
        self.transfer_button = QPushButton(_tr("Transfer… (T)"), box)
        self.transfer_button.clicked.connect(self.transfer_requested)
        top.addWidget(self.title_label, 1)
        top.addWidget(self.claim_button)
        top.addWidget(self.transfer_button)
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

    def _build_case_record(self) -> QWidget:
        box = QFrame(self)
        box.setObjectName("caseRecord")
        col = QVBoxLayout(box)
        col.setContentsMargins(4, 0, 4, 0)
        col.setSpacing(2)
        self.case_toggle = QToolButton(box)
        self.case_toggle.setText(_tr("Case record"))
        self.case_toggle.setCheckable(True)
        self.case_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.case_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.case_toggle.setAutoRaise(True)
        self.case_summary = QLabel(box)
        self.case_summary.setStyleSheet("color: #5f6368;")
        self.case_summary.setTextFormat(Qt.TextFormat.PlainText)
        # a long summary must not widen the pane: it is cut at the pane's edge (full text: tooltip)
        self.case_summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        head = QHBoxLayout()
        head.addWidget(self.case_toggle)
        head.addWidget(self.case_summary, 1)
        col.addLayout(head)
        self.case_form = QWidget(box)
        form = QFormLayout(self.case_form)
        form.setContentsMargins(18, 0, 0, 2)
        self.asks_edit = QLineEdit(self.case_form)
        self.asks_edit.setAccessibleName(_tr("What the customer asks"))
        self.solution_edit = QLineEdit(self.case_form)
        self.solution_edit.setAccessibleName(_tr("Solution offered"))
        self.promised_check = QCheckBox(_tr("Agreed"), self.case_form)
        self.promised_check.setAccessibleName(_tr("Time promised"))
        self.promised_edit = QDateTimeEdit(self.case_form)
        self.promised_edit.setCalendarPopup(True)
        self.promised_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.promised_edit.setEnabled(False)
        self.promised_check.toggled.connect(self.promised_edit.setEnabled)
        self.wishes_edit = QLineEdit(self.case_form)
        self.wishes_edit.setAccessibleName(_tr("Special wishes"))
        self.case_save = QPushButton(_tr("Save case record"), self.case_form)
        self.case_save.clicked.connect(self.save_case_record)
        form.addRow(_tr("Customer asks"), self.asks_edit)
        form.addRow(_tr("Solution offered"), self.solution_edit)
        when = QHBoxLayout()
        when.addWidget(self.promised_check)
        when.addWidget(self.promised_edit, 1)
        form.addRow(_tr("Promised"), when)
        form.addRow(_tr("Special wishes"), self.wishes_edit)
        form.addRow("", self.case_save)
        self.case_form.hide()
        col.addWidget(self.case_form)
        self.case_toggle.toggled.connect(self.set_case_record_open)
        return box

    def set_case_record_open(self, open_: bool) -> None:
        with QSignalBlocker(self.case_toggle):
            self.case_toggle.setChecked(open_)
        self.case_toggle.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
        self.case_form.setVisible(open_)
        if open_:
            self.asks_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_case_record(self, record: dict[str, Any]) -> None:
        self.asks_edit.setText(str(record.get("asks") or ""))
        self.solution_edit.setText(str(record.get("solution") or ""))
        self.wishes_edit.setText(str(record.get("wishes") or ""))
        promised = record.get("promised_at")
        at = None
        if promised:
            try:
                at = datetime.fromisoformat(str(promised).replace("Z", "+00:00"))
            except ValueError:
                at = None
        self.promised_check.setChecked(at is not None)
        shown = at or datetime.now(UTC)
        self.promised_edit.setDateTime(QDateTime.fromSecsSinceEpoch(int(shown.timestamp())))
        parts = [str(record.get(k)) for k in ("asks", "solution") if record.get(k)]
        if at is not None:
            parts.append(_tr("promised {time}").format(time=at.astimezone().strftime("%m-%d %H:%M")))
        summary = " · ".join(parts) if parts else _tr("not filled in")
        self.case_summary.setText(summary)
        self.case_summary.setToolTip(summary)

    def case_record_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "asks": self.asks_edit.text().strip(),
            "solution": self.solution_edit.text().strip(),
            "wishes": self.wishes_edit.text().strip(),
        }
        if self.promised_check.isChecked():
            secs = self.promised_edit.dateTime().toSecsSinceEpoch()
            values["promised_at"] = datetime.fromtimestamp(secs, UTC)
        return values

    def save_case_record(self) -> None:
        if self.conversation is None:
            return
        values = self.case_record_values()
        current = dict(self.conversation.get("case_record") or {})
        changed = {k: v for k, v in values.items() if k == "promised_at" or v != (current.get(k) or "")}
        if "promised_at" in changed and str(current.get("promised_at") or "") == changed["promised_at"].isoformat():
            changed.pop("promised_at")
        if not changed:
            return
        self.case_save.setEnabled(False)
        self.case_record_requested.emit(changed)

    def case_record_saved(self) -> None:
        self.case_save.setEnabled(self.conversation is not None)

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
        self.picker = ScriptPicker(box)
        self.picker.chosen.connect(self.insert_script)
        self.picker.closed.connect(self._picker_closed)
        col.addWidget(self.picker)
        edit_row = QHBoxLayout()
        self.editor = QPlainTextEdit(box)
        self.editor.setAccessibleName(_tr("Reply"))
        self.editor.setPlaceholderText(_tr("Write a reply… (Ctrl+Enter sends)"))
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 4 + 14)
        self.editor.textChanged.connect(self._update_counter)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.installEventFilter(self)
        self.script_button = QPushButton(_tr("Scripts (/)"), box)
        self.script_button.setToolTip(_tr("Approved reply scripts; type / at the start of the reply"))
        self.script_button.clicked.connect(self.open_picker)
        self.send_button = QPushButton(_tr("Send"), box)
        self.send_button.setToolTip(_tr("Ctrl+Enter"))
        self.send_button.clicked.connect(self.send)
        edit_row.addWidget(self.editor, 1)
        buttons = QVBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.script_button)
        buttons.addWidget(self.send_button)
        edit_row.addLayout(buttons)
        col.addLayout(edit_row)
        self.error_label = QLabel("", box)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        col.addWidget(self.error_label)
        self.lint_label = QLabel("", box)
        self.lint_label.setStyleSheet("color: #b26a00;")
        self.lint_label.setWordWrap(True)
        self.lint_label.setTextFormat(Qt.TextFormat.PlainText)
        self.lint_label.hide()
        col.addWidget(self.lint_label)
        self._lint_timer = QTimer(self)
        self._lint_timer.setSingleShot(True)
        self._lint_timer.setInterval(250)
        self._lint_timer.timeout.connect(self.check_wording)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.editor)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.send)
        return box

    # -- behaviour --------------------------------------------------------------------------

    def apply_theme(self) -> None:
        from workstation.ui import theme

        background = "#1e1f22" if theme.is_dark() else "#ffffff"
        self.timeline.setStyleSheet(f"QListView {{ background: {background}; }}")
        self.timeline.viewport().update()

    def set_names(self, names: dict[str, str]) -> None:
        self.delegate.names = dict(names)
        self.timeline.viewport().update()

    def show_conversation(self, conversation: dict[str, Any] | None) -> None:
        changed = (conversation or {}).get("id") != (self.conversation or {}).get("id")
        self.conversation = conversation
        enabled = conversation is not None
        for w in (self.claim_button, self.transfer_button, self.type_combo, self.priority_combo,
                  self.status_combo, self.channel_combo, self.note_toggle, self.editor, self.send_button,
                  self.case_toggle, self.case_save, self.script_button):  # fmt: skip
            w.setEnabled(enabled)
        if conversation is None:
            self.title_label.setText(_tr("No conversation selected"))
            self.meta_label.setText(_tr("Pick one in the inbox (Ctrl+Down / J for the next)."))
            self.model.clear()
            self.case_summary.setText("")
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
        if changed or not self.case_form.isVisible():
            self._show_case_record(dict(conversation.get("case_record") or {}))
        if changed:
            with QSignalBlocker(self.channel_combo):
                self.channel_combo.setCurrentIndex(max(self.channel_combo.findData(conversation.get("channel")), 0))
            self.editor.clear()
            self.forget_script()
            self.picker.hide()
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
        missing = variables_in(body)
        if missing and not self.note_toggle.isChecked():
            self.error_label.setText(missing_message(missing, self._ui_language()))
            self.error_label.show()
            return
        self.error_label.hide()
        self.send_button.setEnabled(False)
        channel = str(self.channel_combo.currentData() or "")
        self.send_requested.emit(body, channel, self.note_toggle.isChecked())

    def sent(self) -> None:
        self.editor.clear()
        self.forget_script()
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

    # -- scripts ----------------------------------------------------------------------------

    def set_scripts(self, scripts: list[Any]) -> None:
        self.picker.set_scripts(scripts)

    def set_render_context(self, context: dict[str, Any]) -> None:
        conv = self.conversation or {}
        self.picker.set_context(
            context,
            channel=str(self.channel_combo.currentData() or conv.get("channel") or "") or None,
            request_type=conv.get("request_type"),
        )
        self._render_context = dict(context)

    def open_picker(self, text: str = "") -> None:
        if self.conversation is None:
            return
        self.set_render_context(self._render_context)
        self.picker.open(text if isinstance(text, str) else "")

    def insert_script(self, script: Any, body: str, subject: str) -> None:
        """Put a picked script's rendered text into the editor (editable before sending)."""
        self.note_toggle.setChecked(False)
        with QSignalBlocker(self.editor):
            self.editor.setPlainText(body)
        self._update_counter()
        self.script_ref = (str(script.id), int(script.version)) if script.id else None
        self.script_subject = subject or None
        missing = variables_in(body) + (variables_in(subject) if subject else ())
        if missing:
            self.error_label.setText(missing_message(tuple(dict.fromkeys(missing)), self._ui_language()))
            self.error_label.show()
        else:
            self.error_label.hide()
        self.lint_label.hide()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        cursor = self.editor.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self.editor.setTextCursor(cursor)

    def _picker_closed(self) -> None:
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def forget_script(self) -> None:
        self.script_ref = None
        self.script_subject = None

    def _ui_language(self) -> str:
        from PySide6.QtCore import QLocale

        return "zh" if QLocale().language() == QLocale.Language.Chinese else "en"

    def _on_text_changed(self) -> None:
        if not self.editor.toPlainText().strip():
            self.forget_script()
            self.lint_label.hide()
            return
        if self.script_ref is None:
            self._lint_timer.start()

    def check_wording(self) -> list[Any]:
        """Warnings (never blocking) on the agent's own text: forbidden wording, length."""
        text = self.editor.toPlainText()
        if self.note_toggle.isChecked() or not text.strip() or self.script_ref is not None:
            self.lint_label.hide()
            return []
        from workstation.scripts.lint import lint_text, load_lint_config

        try:
            if self._lint_config is None:
                self._lint_config = load_lint_config()
        except Exception:  # noqa: BLE001 - a broken lint file never blocks replying
            return []
        channel = str(self.channel_combo.currentData() or "") or None
        issues = list(lint_text(text, config=self._lint_config, channel=channel, for_agent=True))
        if issues:
            self.lint_label.setText(_tr("Wording: ") + " · ".join(i.message for i in issues[:3]))
            self.lint_label.show()
        else:
            self.lint_label.hide()
        return issues

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.editor
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.text() == "/"
            and not self.editor.toPlainText()
            and not self.note_toggle.isChecked()
        ):
            self.open_picker()
            return True
        return super().eventFilter(watched, event)

    def _scroll_to_end(self, *_args: object) -> None:
        self.timeline.scrollToBottom()

    def _rows_inserted(self, _parent: object, first: int, _last: int) -> None:
        if first > 0 or self._keep_from_bottom is None:
            self._scroll_to_end()  # new items at the end: show the newest

    def _scrolled(self, value: int) -> None:
        """At the top: bring in the next older page, the items on screen staying put."""
        bar = self.timeline.verticalScrollBar()
        if value == bar.minimum() and bar.maximum() > 0 and self.model.older:
            self.fetch_older()

    def fetch_older(self) -> int:
        """Show the next older page above; what is on screen stays where it is."""
        bar = self.timeline.verticalScrollBar()
        from_bottom = bar.maximum() - bar.value()  # unchanged by rows put in above
        self._keep_from_bottom = from_bottom
        try:
            added = self.model.fetch_older()
            if added:
                self.timeline.doItemsLayout()  # the new scroll range now, not at the next paint
                bar.setValue(bar.maximum() - from_bottom)
        finally:
            self._keep_from_bottom = None
        return added

    def _range_changed(self, _minimum: int, maximum: int) -> None:
        if self._keep_from_bottom is not None:
            self.timeline.verticalScrollBar().setValue(maximum - self._keep_from_bottom)
