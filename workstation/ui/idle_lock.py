"""The idle lock: after N minutes without keyboard or mouse input the desk is covered and
asks for the password again (checked locally, so it unlocks offline too)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


def _tr(text: str) -> str:
    return QCoreApplication.translate("IdleLock", text)


class IdleWatcher(QObject):
    """Watches the application's input events; emits `idle` once after `timeout_ms`."""

    idle = Signal()

    def __init__(self, *, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self._since = QElapsedTimer()
        self._since.start()
        self._fired = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._check)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.set_timeout(timeout_ms)

    def set_timeout(self, timeout_ms: int) -> None:
        """Lock after `timeout_ms` without input (0: never); counts from now."""
        self.timeout_ms = timeout_ms
        self._timer.setInterval(max(50, min(5000, timeout_ms // 4)))
        self.rearm()
        if timeout_ms > 0:
            self._timer.start()
        else:
            self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in ACTIVITY:
            self.touch()
        return False

    def touch(self) -> None:
        self._since.restart()

    def rearm(self) -> None:
        self._fired = False
        self.touch()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def _check(self) -> None:
        if not self._fired and self._since.elapsed() >= self.timeout_ms:
            self._fired = True
            self.idle.emit()


class LockDialog(QDialog):
    """Covers the session until the password is entered again."""

    def __init__(self, *, user: str, check: Callable[[str], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockDialog")
        self.setWindowTitle(_tr("Locked"))
        self.setModal(True)
        self._check = check
        col = QVBoxLayout(self)
        info = QLabel(_tr("The workstation was locked after a period of inactivity.\nEnter the password of {user} to continue.").format(user=user), self)
        info.setTextFormat(Qt.TextFormat.PlainText)
        col.addWidget(info)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_tr("Password"))
        self.password.returnPressed.connect(self.try_unlock)
        col.addWidget(self.password)
        self.error_label = QLabel(self)
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.hide()
        col.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_tr("Unlock"))
        buttons.accepted.connect(self.try_unlock)
        col.addWidget(buttons)

    def try_unlock(self) -> None:
        if self._check(self.password.text()):
            self.password.clear()
            self.accept()
        else:
            self.password.clear()
            self.error_label.setText(_tr("Wrong password."))
            self.error_label.show()

    def reject(self) -> None:  # Escape does not unlock
        return


class PrivacyCover(QObject):
    """What a locked desk must not show besides its central area: every dock (docked or
    floating) and every window the desk owns (tool windows, dialogs). `cover` hides them and,
    until `lift`, hides any that opens meanwhile (an answered call opens the call record);
    `lift` shows exactly those again, with the dock tabs that were in front in front.
    Popups (menus, drop-downs) are closed, not brought back."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._allowed: list[QWidget] = []
        self._hidden: list[QWidget] = []
        self._in_front: list[QDockWidget] = []  # docks that were on top of their tab group
        self.active = False

    def allow(self, widget: QWidget) -> None:
        """A window that may show while covered (the lock dialog itself)."""
        self._allowed.append(widget)

    def cover(self) -> None:
        if self.active:
            return
        self.active = True
        for dock in self._window.findChildren(QDockWidget):
            if dock.isHidden():
                continue
            # tabs behind the front one are "visible" too; only the front one has screen area
            if self._window.tabifiedDockWidgets(dock) and not dock.visibleRegion().isEmpty():
                self._in_front.append(dock)
            self._hide(dock)
        for widget in QApplication.topLevelWidgets():
            if not widget.isHidden() and self._covers(widget):
                self._hide(widget)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def lift(self) -> None:
        if not self.active:
            return
        self.active = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._allowed = []
        hidden, self._hidden = self._hidden, []
        in_front, self._in_front = self._in_front, []
        for widget in hidden:
            if isValid(widget) and not widget.windowType() == Qt.WindowType.Popup:
                widget.show()
        for dock in in_front:
            # raise_ picks the tab; only for docked ones (a floating one would ask the platform)
            if isValid(dock) and not dock.isFloating() and self._window.tabifiedDockWidgets(dock):
                dock.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # ShowToParent comes once a widget is fully shown, so hiding it here is safe and
        # happens before it is painted
        if (event.type() == QEvent.Type.ShowToParent and isinstance(watched, QWidget)
                and (isinstance(watched, QDockWidget) or watched.isWindow()) and self._covers(watched)):  # fmt: skip
            self._hide(watched)
        return False

    def _covers(self, widget: QWidget) -> bool:
        if widget is self._window:
            return False
        for allowed in self._allowed:
            if isValid(allowed) and (widget is allowed or allowed.isAncestorOf(widget)):
                return False
        parent = widget.parentWidget()
        while parent is not None:  # parent links cross window boundaries, unlike isAncestorOf
            if parent is self._window:
                return True
            parent = parent.parentWidget()
        return False

    def _hide(self, widget: QWidget) -> None:
        if widget not in self._hidden:
            self._hidden.append(widget)
        widget.hide()
