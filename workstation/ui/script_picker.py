"""The `/` script picker of the composer: search the approved scripts as you type (title,
text, tags, pinyin initials, English), suggestions for the conversation's request type first,
a preview with the variables filled, Enter inserts.

An inline panel above the reply editor (not a separate window): Up/Down move, Enter inserts,
Esc closes. It only shows and asks: `chosen(script, body, subject)` carries the rendered text
for the reply channel; the composer keeps it editable and remembers the script's id/version.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from workstation.scripts.model import ScriptVersion
from workstation.scripts.render import RenderedMessage, render_script
from workstation.scripts.search import ScriptIndex
from workstation.ui.models.scripts import ScriptListModel

LIMIT = 50


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScriptPicker", text)


class ScriptPicker(QFrame):
    chosen = Signal(object, str, str)  # ScriptVersion, body, subject ("" when none)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scriptPicker")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._index = ScriptIndex.build([])
        self._context: dict[str, Any] = {}
        self.channel: str | None = None
        self.request_type: str | None = None
        self.language: str | None = None
        self.model = ScriptListModel(self)
        col = QVBoxLayout(self)
        col.setContentsMargins(4, 4, 4, 4)
        col.setSpacing(3)
        self.search_edit = QLineEdit(self)
        self.search_edit.setAccessibleName(_tr("Search scripts"))
        self.search_edit.setPlaceholderText(_tr("Search scripts: title, text, tag, pinyin initials (thtk)… Enter inserts, Esc closes"))
        self.search_edit.textChanged.connect(self.search)
        self.search_edit.installEventFilter(self)
        col.addWidget(self.search_edit)
        row = QHBoxLayout()
        self.list_view = QListView(self)
        self.list_view.setModel(self.model)
        self.list_view.setAccessibleName(_tr("Scripts"))
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list_view.selectionModel().currentRowChanged.connect(self._update_preview)
        self.list_view.activated.connect(lambda _i: self.accept())
        self.list_view.installEventFilter(self)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(_tr("Preview"))
        row.addWidget(self.list_view, 2)
        row.addWidget(self.preview, 3)
        col.addLayout(row, 1)
        self.status_label = QLabel("", self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        col.addWidget(self.status_label)
        self.setMinimumHeight(200)
        self.hide()

    # -- data -------------------------------------------------------------------------------

    def set_scripts(self, scripts: list[ScriptVersion]) -> None:
        """The approved scripts (only approved ones are ever offered)."""
        self._index = ScriptIndex.build([s for s in scripts if s.status.value == "approved"])
        if self.isVisible():
            self.search(self.search_edit.text())

    def script_count(self) -> int:
        return len(self._index)

    def set_context(self, context: Mapping[str, Any], *, channel: str | None = None,
                    request_type: str | None = None, language: str | None = None) -> None:
        self._context = dict(context)
        self.channel = channel
        self.request_type = request_type
        self.language = language
        if self.isVisible():
            self._update_preview()

    # -- behaviour --------------------------------------------------------------------------

    def open(self, text: str = "") -> None:
        self.show()
        self.search_edit.setText(text)
        self.search(text)
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_picker(self) -> None:
        self.hide()
        self.closed.emit()

    def search(self, text: str) -> None:
        channel = self.channel if self.channel in ("chat", "email", "sms") else None
        hits = self._index.query(text, request_type=self.request_type, channel=channel, limit=LIMIT)
        if not text.strip() and self.request_type:
            # suggestions for the request type first, then everything else
            seen = {h.script.key for h in hits}
            rest = [h for h in self._index.query("", channel=channel, limit=LIMIT) if h.script.key not in seen]
            hits = hits + rest[: max(0, LIMIT - len(hits))]
        self.model.set_hits(hits)
        if hits:
            self.list_view.setCurrentIndex(self.model.index(0, 0))
        else:
            self.preview.setPlainText("")
            self.status_label.setText(_tr("No approved script matches."))

    def current_script(self) -> ScriptVersion | None:
        index = self.list_view.currentIndex()
        return self.model.script(index.row()) if index.isValid() else None

    def rendered(self, script: ScriptVersion | None = None) -> RenderedMessage | None:
        script = script or self.current_script()
        if script is None:
            return None
        return render_script(script, self.channel, self._context)

    def _update_preview(self, *_args: QModelIndex) -> None:
        out = self.rendered()
        if out is None:
            self.preview.setPlainText("")
            self.status_label.setText("")
            return
        text = (f"{out.subject}\n\n" if out.subject else "") + out.body
        self.preview.setPlainText(text)
        if out.missing:
            self.status_label.setText(_tr("Still to fill in: {names}").format(names=", ".join(out.missing)))
            self.status_label.setStyleSheet("color: #b26a00;")
        else:
            self.status_label.setText(_tr("All variables filled."))
            self.status_label.setStyleSheet("color: #2e7d32;")

    def accept(self) -> None:
        script = self.current_script()
        out = self.rendered(script)
        if script is None or out is None:
            return
        self.hide()
        self.chosen.emit(script, out.body, out.subject or "")

    def _move(self, step: int) -> None:
        n = self.model.rowCount()
        if not n:
            return
        row = self.list_view.currentIndex().row()
        row = min(max(row + step, 0), n - 1)
        self.list_view.setCurrentIndex(self.model.index(row, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept()
                return True
            if key == Qt.Key.Key_Escape:
                self.close_picker()
                return True
            if watched is self.search_edit and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                self._move(1 if key == Qt.Key.Key_Down else -1)
                return True
        return super().eventFilter(watched, event)
