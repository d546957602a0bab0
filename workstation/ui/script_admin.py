"""Authoring and approval of reply scripts (team leads and admins), over the server's HTTP
routes — online only: the cache holds approved versions, drafts live on the server.

List the scripts and their versions with status; create a draft, edit it, submit, approve
(wording-lint errors come back from the server, are shown and block), reject with a reason,
retire, revise (a new draft of every channel at once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workstation.scripts.model import CATEGORIES, LANGUAGES


def _tr(text: str) -> str:
    return QCoreApplication.translate("ScriptAdmin", text)


def _message(exc: BaseException) -> str:
    detail = getattr(exc, "detail", "") or ""
    title = getattr(exc, "title", "") or ""
    if getattr(exc, "status", None) == 0:
        return _tr("The server cannot be reached; script authoring works online only.")
    return f"{title}: {detail}" if detail else (title or str(exc))


class ScriptAdminDialog(QDialog):
    def __init__(self, *, api: Any, runner: Any, online: bool = True,
                 keys: Callable[[], list[str]] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("Reply scripts"))
        self.setObjectName("scriptAdmin")
        self._api = api
        self._runner = runner
        self.online = online and api is not None
        self.versions: list[dict[str, Any]] = []
        self.key: str | None = None
        col = QVBoxLayout(self)
        self.offline_label = QLabel(_tr("Script authoring needs the server; you are offline."), self)
        self.offline_label.setStyleSheet("color: #c62828;")
        self.offline_label.setVisible(not self.online)
        col.addWidget(self.offline_label)
        top = QHBoxLayout()
        left = QVBoxLayout()
        self.key_edit = QLineEdit(self)
        self.key_edit.setPlaceholderText(_tr("script key, Enter opens"))
        self.key_edit.returnPressed.connect(lambda: self.open_key(self.key_edit.text().strip()))
        self.key_list = QListWidget(self)
        self.key_list.currentTextChanged.connect(lambda k: self.open_key(k) if k else None)
        for k in sorted(set(keys() if keys else [])):
            self.key_list.addItem(k)
        left.addWidget(self.key_edit)
        left.addWidget(self.key_list, 1)
        top.addLayout(left, 1)
        right = QVBoxLayout()
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([_tr("Version"), _tr("Status"), _tr("Title"), _tr("Approved by")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.currentCellChanged.connect(lambda *_: self._show_version())
        right.addWidget(self.table, 1)
        form = QFormLayout()
        self.new_key_edit = QLineEdit(self)
        self.title_edit = QLineEdit(self)
        self.category_combo = QComboBox(self)
        self.category_combo.addItems(list(CATEGORIES))
        self.language_combo = QComboBox(self)
        self.language_combo.addItems(list(LANGUAGES))
        self.tags_edit = QLineEdit(self)
        self.chat_edit = QPlainTextEdit(self)
        self.subject_edit = QLineEdit(self)
        self.email_edit = QPlainTextEdit(self)
        self.sms_edit = QPlainTextEdit(self)
        for e in (self.chat_edit, self.email_edit, self.sms_edit):
            e.setFixedHeight(e.fontMetrics().lineSpacing() * 3 + 12)
        form.addRow(_tr("Key (new script)"), self.new_key_edit)
        form.addRow(_tr("Title"), self.title_edit)
        form.addRow(_tr("Category"), self.category_combo)
        form.addRow(_tr("Language"), self.language_combo)
        form.addRow(_tr("Tags (comma)"), self.tags_edit)
        form.addRow(_tr("Chat"), self.chat_edit)
        form.addRow(_tr("E-mail subject"), self.subject_edit)
        form.addRow(_tr("E-mail"), self.email_edit)
        form.addRow(_tr("SMS"), self.sms_edit)
        right.addLayout(form)
        top.addLayout(right, 3)
        col.addLayout(top, 1)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, text in (("create", _tr("New script")), ("save", _tr("Save draft")), ("submit", _tr("Submit")),
                           ("approve", _tr("Approve")), ("reject", _tr("Reject")), ("retire", _tr("Retire")),
                           ("revise", _tr("Revise"))):  # fmt: skip
            b = QPushButton(text, self)
            b.clicked.connect(lambda _c=False, n=name: self.act(n))
            buttons.addWidget(b)
            self.buttons[name] = b
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setPlaceholderText(_tr("reason to reject"))
        buttons.addWidget(self.reason_edit)
        col.addLayout(buttons)
        self.message_label = QLabel("", self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        col.addWidget(self.message_label)
        self.resize(980, 640)
        self._update_buttons()

    # -- state ------------------------------------------------------------------------------

    def current_version(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        return self.versions[row] if 0 <= row < len(self.versions) else None

    def _update_buttons(self) -> None:
        v = self.current_version()
        status = (v or {}).get("status")
        allowed = {
            "create": True,
            "save": status == "draft",
            "submit": status == "draft",
            "approve": status == "submitted",
            "reject": status == "submitted",
            "retire": status == "approved",
            "revise": self.key is not None and not any(x.get("status") in ("draft", "submitted") for x in self.versions),
        }
        for name, b in self.buttons.items():
            b.setEnabled(self.online and allowed[name])

    def _content(self) -> dict[str, Any]:
        variants: dict[str, Any] = {}
        if self.chat_edit.toPlainText().strip():
            variants["chat"] = {"body": self.chat_edit.toPlainText()}
        if self.email_edit.toPlainText().strip():
            variants["email"] = {"body": self.email_edit.toPlainText(), "subject": self.subject_edit.text()}
        if self.sms_edit.toPlainText().strip():
            variants["sms"] = {"body": self.sms_edit.toPlainText()}
        return {
            "title": self.title_edit.text().strip(),
            "category": self.category_combo.currentText(),
            "variants": variants,
            "tags": [t.strip() for t in self.tags_edit.text().split(",") if t.strip()],
        }

    def _show_version(self) -> None:
        v = self.current_version()
        if v is not None:
            self.title_edit.setText(str(v.get("title") or ""))
            self.category_combo.setCurrentText(str(v.get("category") or ""))
            self.language_combo.setCurrentText(str(v.get("language") or ""))
            self.tags_edit.setText(", ".join(v.get("tags") or []))
            variants = v.get("variants") or {}
            self.chat_edit.setPlainText(str((variants.get("chat") or variants.get("default") or {}).get("body") or ""))
            email = variants.get("email") or {}
            self.subject_edit.setText(str(email.get("subject") or ""))
            self.email_edit.setPlainText(str(email.get("body") or ""))
            self.sms_edit.setPlainText(str((variants.get("sms") or {}).get("body") or ""))
        self._update_buttons()

    # -- server calls -----------------------------------------------------------------------

    def _call(self, fn: Callable[[], Any], done: Callable[[Any], None], what: str) -> None:
        if not self.online:
            self.message_label.setText(_tr("Script authoring needs the server; you are offline."))
            return
        self.message_label.setText(_tr("{what}…").format(what=what))

        def failed(exc: BaseException) -> None:
            self.message_label.setText(_message(exc))
            self._update_buttons()

        self._runner.run_in_background(owner=self, fn=fn, on_success=done, on_failure=failed)

    def open_key(self, key: str) -> None:
        if not key:
            return
        api = self._api

        def arrived(rows: list[dict[str, Any]]) -> None:
            self.key = key
            self.versions = sorted(rows, key=lambda r: int(r.get("version") or 0))
            self.table.setRowCount(len(self.versions))
            for i, r in enumerate(self.versions):
                for c, value in enumerate((r.get("version"), r.get("status"), r.get("title"), r.get("approved_by"))):
                    self.table.setItem(i, c, QTableWidgetItem(str(value or "")))
            if self.versions:
                self.table.setCurrentCell(len(self.versions) - 1, 0)
            self.message_label.setText(_tr("{key}: {n} version(s)").format(key=key, n=len(self.versions)))
            self._show_version()

        self._call(lambda: api.script_versions(key), arrived, _tr("Loading {key}").format(key=key))

    def act(self, name: str) -> None:
        api, v = self._api, self.current_version()
        key = self.key

        def reload(_result: Any = None, *, key_: str | None = None, note: str = "") -> None:
            target = key_ or key
            if target and not self.key_list.findItems(target, Qt.MatchFlag.MatchExactly):
                self.key_list.addItem(target)
            if target:
                self.open_key(target)
            if note:
                self.message_label.setText(note)

        if name == "create":
            new_key = self.new_key_edit.text().strip()
            content = {"key": new_key, "language": self.language_combo.currentText(), **self._content()}
            self._call(lambda: api.create_script(content), lambda r: reload(key_=new_key), _tr("Creating"))
            return
        if key is None or (v is None and name != "revise"):
            return
        version = int(v["version"]) if v else 0
        if name == "save":
            changes = self._content()
            self._call(lambda: api.edit_script_draft(key, version, changes), reload, _tr("Saving"))
        elif name == "submit":
            self._call(lambda: api.submit_script(key, version), reload, _tr("Submitting"))
        elif name == "approve":
            self._call(lambda: api.approve_script(key, version), reload, _tr("Approving"))
        elif name == "reject":
            reason = self.reason_edit.text().strip()
            if not reason:
                self.message_label.setText(_tr("A rejection needs its reason."))
                return
            self._call(lambda: api.reject_script(key, version, reason), reload, _tr("Rejecting"))
        elif name == "retire":
            self._call(lambda: api.retire_script(key, version), reload, _tr("Retiring"))
        elif name == "revise":
            self._call(lambda: api.revise_script(key, {}), reload, _tr("Revising"))
