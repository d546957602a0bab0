"""Sign out: forget the saved sign-in and, if the agent wants, the local copy of the data.

The dialog says what signing out does, offers to delete the local cache, and when changes
have not reached the server yet says how many would be lost and asks once more before a
wipe (the default answer keeps them). `confirmed(wipe)` carries the decision.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Logout", text)


def loss_warning(pending: int) -> str:
    if pending < 0:
        return _tr("Some changes may not have reached the server. Deleting the local data would lose them for good.")
    return _tr("{count} changes have not reached the server. Deleting the local data loses them for good.").format(
        count=pending)  # fmt: skip


def ask_twice(parent: QWidget, pending: int) -> bool:
    """The second question before unsent changes are deleted; the default is No."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_tr("Delete unsent changes?"))
    box.setText(loss_warning(pending))
    box.setInformativeText(_tr("Delete them and the local data?"))
    delete = box.addButton(_tr("Delete them"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(_tr("Keep the local data"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is delete


class LogoutDialog(QDialog):
    confirmed = Signal(bool)  # True: also wipe the local cache

    def __init__(self, *, pending: int, user: str = "", confirm: Callable[[QWidget, str], bool] | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        """``pending``: changes not yet confirmed by the server (-1: unknown); ``confirm``
        replaces the second question (tests)."""
        super().__init__(parent)
        self.setObjectName("logoutDialog")
        self.setWindowTitle(_tr("Sign out"))
        self.pending = pending
        self._confirm = confirm
        col = QVBoxLayout(self)
        intro = _tr("Sign out {user}? The sign-in saved on this computer is removed; next time you "
                    "enter your password again.").format(user=user) if user else _tr(
            "Sign out? The sign-in saved on this computer is removed; next time you enter your password again.")
        self.intro_label = QLabel(intro, self)
        self.intro_label.setWordWrap(True)
        self.intro_label.setTextFormat(Qt.TextFormat.PlainText)
        col.addWidget(self.intro_label)
        self.wipe_box = QCheckBox(_tr("Also delete the local copy of the data on this computer"), self)
        col.addWidget(self.wipe_box)
        hint = QLabel(_tr("Delete it on a shared computer. It is downloaded again at the next sign-in."), self)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(placeholder-text);")
        col.addWidget(hint)
        self.pending_label = QLabel(self)
        self.pending_label.setWordWrap(True)
        self.pending_label.setTextFormat(Qt.TextFormat.PlainText)
        if pending > 0:
            self.pending_label.setText(
                _tr("{count} changes have not reached the server yet. They are sent at your next sign-in — "
                    "unless you delete the local data: then they are lost.").format(count=pending))  # fmt: skip
            self.pending_label.setStyleSheet("color: #c62828; font-weight: bold;")
        elif pending < 0:
            self.pending_label.setText(_tr("Could not count the unsent changes; deleting the local data may lose some."))
            self.pending_label.setStyleSheet("color: #b26a00;")
        else:
            self.pending_label.setText(_tr("Every change has reached the server."))
        col.addWidget(self.pending_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_tr("Sign out"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_tr("Cancel"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        col.addWidget(self.buttons)
        self.setMinimumWidth(460)

    def submit(self) -> None:
        wipe = self.wipe_box.isChecked()
        if wipe and self.pending != 0:
            if self._confirm is not None:
                sure = self._confirm(self, loss_warning(self.pending))
            else:
                sure = ask_twice(self, self.pending)
            if not sure:
                self.wipe_box.setChecked(False)
                return  # nothing happens: the agent reconsiders
        self.accept()
        self.confirmed.emit(wipe)
