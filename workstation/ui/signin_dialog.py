"""Sign-in: server URL (remembered), user, password. Signing in runs in the background; an
unreachable server with a cache for that user starts offline from the cache and says so.

With ``restore``, the dialog first tries the sign-in saved for the remembered server and
user (a refresh token in the OS keyring) and accepts by itself when it works; when it does
not (expired, revoked, nothing saved) the form asks for the password as usual."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from workstation.ui.tasks import TaskRunner

KEY_SERVER = "signin/server_url"
KEY_USER = "signin/username"


def _tr(text: str) -> str:
    return QCoreApplication.translate("SignIn", text)


def describe_error(exc: BaseException) -> str:
    status = getattr(exc, "status", None)
    if getattr(exc, "is_network", False):
        return _tr("The server cannot be reached and there is no local copy for this user yet.")
    if type(exc).__name__ == "SavedSignInExpired":
        return _tr("Your saved sign-in has expired. Enter your password to continue.")
    if status in (401, 403):
        return _tr("Wrong user name or password.")
    return str(getattr(exc, "detail", "") or getattr(exc, "title", "") or exc)


class SignInDialog(QDialog):
    """`sign_in(url, user, password)` runs on a worker thread and returns an object with
    ``user``, ``offline``, ``message`` and ``notice`` (see `workstation.app.sign_in_to`)."""

    def __init__(
        self,
        *,
        settings: Any,
        default_server: str,
        sign_in: Callable[[str, str, str], Any],
        runner: TaskRunner | None = None,
        restore: Callable[[str, str], Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``restore(url, user)`` (worker thread): the saved sign-in's outcome, None when
        nothing is saved, or raises."""
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle(_tr("Sign in"))
        self._settings = settings
        self._sign_in = sign_in
        self._runner = runner or TaskRunner(parent=self)
        self.result_value: Any = None
        self.password = ""
        col = QVBoxLayout(self)
        form = QFormLayout()
        self.server_edit = QLineEdit(self)
        self.server_edit.setAccessibleName(_tr("Server"))
        self.server_edit.setText(str(settings.value(KEY_SERVER, default_server) or default_server) if settings else default_server)
        self.user_edit = QLineEdit(self)
        self.user_edit.setAccessibleName(_tr("User"))
        self.user_edit.setText(str(settings.value(KEY_USER, "") or "") if settings else "")
        self.password_edit = QLineEdit(self)
        self.password_edit.setAccessibleName(_tr("Password"))
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.form_labels = [QLabel(self) for _ in range(3)]
        for label, edit in zip(self.form_labels, (self.server_edit, self.user_edit, self.password_edit), strict=True):
            label.setBuddy(edit)
            form.addRow(label, edit)
        col.addLayout(form)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        col.addWidget(self.status_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self._cancel)
        from workstation.ui.i18n import LANGUAGE_NAMES

        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("signInLanguage")
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        from workstation.ui.application import current_language

        self.language_combo.setCurrentIndex(max(self.language_combo.findData(current_language()), 0))
        self.language_combo.currentIndexChanged.connect(self._language_chosen)
        bottom = QHBoxLayout()
        bottom.addWidget(self.language_combo)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        col.addLayout(bottom)
        self.retranslate()
        (self.password_edit if self.user_edit.text() else self.user_edit).setFocus()
        self.busy = False
        self.restoring = False
        self._restore_token = 0
        self.setMinimumWidth(420)
        url, user = self.server_edit.text().strip().rstrip("/"), self.user_edit.text().strip()
        if restore is not None and user and url.startswith(("http://", "https://")):
            self._start_restore(restore, url, user)

    # -- language ---------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(_tr("Sign in"))
        for label, text in zip(self.form_labels, (_tr("Server"), _tr("User"), _tr("Password")), strict=True):
            label.setText(text)
            edit = label.buddy()
            if edit is not None:
                edit.setAccessibleName(text)
        self.ok_button.setText(_tr("Sign in"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_tr("Use my password") if getattr(self, "restoring", False) else _tr("Cancel"))
        self.language_combo.setAccessibleName(_tr("Language"))
        self.language_combo.setToolTip(_tr("Language"))

    def _language_chosen(self, _index: int) -> None:
        """Switch the app's language now (the desk opens in it) and remember it."""
        from PySide6.QtCore import QCoreApplication

        from workstation.ui import preferences
        from workstation.ui.application import set_language

        code = str(self.language_combo.currentData() or "")
        app = QCoreApplication.instance()
        if app is not None and code:
            set_language(app, code)
            preferences.save_language(self._settings, code)
        self.retranslate()
        if not self.busy:
            self.status_label.clear()

    # -- automatic sign-in ------------------------------------------------------------------

    def _set_form_enabled(self, enabled: bool) -> None:
        for w in (self.server_edit, self.user_edit, self.password_edit, self.ok_button):
            w.setEnabled(enabled)

    def _start_restore(self, restore: Callable[[str, str], Any], url: str, user: str) -> None:
        self.busy = self.restoring = True
        self._restore_token += 1
        token = self._restore_token
        self._set_form_enabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("Use my password"))
        self.status_label.setStyleSheet("")
        self.status_label.setText(_tr("Signing in as {user} with the saved sign-in…").format(user=user))
        self._runner.run_in_background(
            lambda: restore(url, user),
            on_success=lambda result: self._restored(token, url, user, result),
            on_failure=lambda exc: self._restore_failed(token, exc),
            owner=self,
        )

    def _end_restore(self) -> None:
        self.busy = self.restoring = False
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("Cancel"))
        self._set_form_enabled(True)
        self.password_edit.setFocus()

    def _restored(self, token: int, url: str, user: str, result: Any) -> None:
        if token != self._restore_token:  # the agent chose the password meanwhile
            api = getattr(result, "api", None)
            if api is not None:
                api.close()
            return
        self._end_restore()
        if result is None:
            self.status_label.clear()
            return
        self._done(url, user, "", result)

    def _restore_failed(self, token: int, exc: BaseException) -> None:
        if token != self._restore_token:
            return
        self._end_restore()
        self._error(describe_error(exc))

    def _cancel(self) -> None:
        if self.restoring:
            self._restore_token += 1  # forget the attempt; its outcome is discarded
            self._end_restore()
            self.status_label.clear()
            return
        self.reject()

    def submit(self) -> None:
        if self.busy:
            return
        url = self.server_edit.text().strip().rstrip("/")
        user = self.user_edit.text().strip()
        password = self.password_edit.text()
        if not url.startswith(("http://", "https://")):
            self._error(_tr("The server address must start with http:// or https://"))
            return
        if not user or not password:
            self._error(_tr("Enter your user name and password."))
            return
        self.busy = True
        self._set_form_enabled(False)
        self.status_label.setStyleSheet("")
        self.status_label.setText(_tr("Signing in…"))
        sign_in = self._sign_in
        self._runner.run_in_background(
            lambda: sign_in(url, user, password),
            on_success=lambda result: self._done(url, user, password, result),
            on_failure=self._failed,
            owner=self,
        )

    def _done(self, url: str, user: str, password: str, result: Any) -> None:
        self.busy = False
        if self._settings is not None:
            self._settings.setValue(KEY_SERVER, url)
            self._settings.setValue(KEY_USER, user)
            self._settings.sync()
        self.result_value = result
        self.password = password
        self.password_edit.clear()
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self._set_form_enabled(True)
        self.password_edit.selectAll()
        self.password_edit.setFocus()
        self._error(describe_error(exc))

    def _error(self, message: str) -> None:
        self.status_label.setStyleSheet("color: #c62828;")
        self.status_label.setText(message)
