"""Desk notifications: a new conversation or a customer's reply, announced in the system tray
(or, where there is no tray, a toast inside the window), with an optional sound.

`NotificationPolicy` decides (pure Python): only conversations that are mine or unassigned,
never what is already on screen (the conversation open in the focused window), at most once
per conversation burst (messages less than `BURST_SECONDS` apart are one burst; opening the
conversation ends it). `Notifier` presents: tray message or toast, sound, do-not-disturb;
the choices are remembered in QSettings (`preferences`). Clicking a notification emits
`activated(conversation_id)`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSystemTrayIcon,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workstation.ui import labels, preferences
from workstation.ui.arrivals import Arrival

BURST_SECONDS = 120.0
TOAST_MS = 8000
MAX_NAMES = 3
SOUND_FILE = "sounds/notify.wav"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Notifications", text)


class NotificationPolicy:
    """Which arrivals deserve a notification. ``clock``: monotonic seconds."""

    def __init__(self, *, user_id: str | None, clock: Callable[[], float] = time.monotonic,
                 burst_seconds: float = BURST_SECONDS) -> None:  # fmt: skip
        self.user_id = user_id
        self.clock = clock
        self.burst_seconds = burst_seconds
        self._last: dict[str, float] = {}

    def seen(self, conversation_id: str | None) -> None:
        """The agent looked at it: the next message starts a new burst."""
        if conversation_id:
            self._last.pop(conversation_id, None)

    def select(self, arrivals: Iterable[Arrival], *, on_screen: Callable[[str], bool]) -> list[Arrival]:
        now = self.clock()
        keep: list[Arrival] = []
        for a in arrivals:
            if a.assignee_id not in (None, self.user_id):
                continue  # a colleague's conversation
            if on_screen(a.conversation_id):
                self.seen(a.conversation_id)
                continue
            last = self._last.get(a.conversation_id)
            self._last[a.conversation_id] = now
            if last is not None and now - last < self.burst_seconds:
                continue  # the same burst: already announced
            keep.append(a)
        return keep


def describe(arrivals: list[Arrival], *, private: bool = False) -> tuple[str, str]:
    """(title, message) of one notification about `arrivals` (translated). ``private``
    (the desk is locked): no customer names or message text, only that something came."""
    if private:
        return (_tr("{count} conversations have new messages").format(count=len(arrivals)),
                _tr("Unlock the workstation to read them."))  # fmt: skip
    if len(arrivals) == 1:
        a = arrivals[0]
        who = a.customer_name or _tr("A customer")
        channel = labels.channel(a.channel) if a.channel else ""
        if a.new_conversation:
            title = _tr("New conversation: {customer} · {channel}").format(customer=who, channel=channel)
        elif a.count > 1:
            title = _tr("{count} new messages from {customer} · {channel}").format(
                count=a.count, customer=who, channel=channel)  # fmt: skip
        else:
            title = _tr("{customer} replied · {channel}").format(customer=who, channel=channel)
        return title, a.preview
    names = [
        _tr("{customer} ({channel})").format(
            customer=a.customer_name or _tr("A customer"), channel=labels.channel(a.channel) if a.channel else "")
        for a in arrivals[:MAX_NAMES]
    ]  # fmt: skip
    message = _tr(", ").join(names)
    if len(arrivals) > MAX_NAMES:
        message = _tr("{names} and {more} more").format(names=message, more=len(arrivals) - MAX_NAMES)
    new = sum(1 for a in arrivals if a.new_conversation)
    if new == len(arrivals):
        title = _tr("{count} new conversations").format(count=len(arrivals))
    else:
        title = _tr("{count} conversations have new messages").format(count=len(arrivals))
    return title, message


class Toast(QFrame):
    """An in-window notification (top right), for systems without a tray."""

    clicked = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("notificationToast")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.restyle()
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 6, 8)
        col = QVBoxLayout()
        self.title_label = QLabel(self)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.title_label.setStyleSheet("font-weight: bold;")
        self.title_label.setWordWrap(True)
        self.message_label = QLabel(self)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setWordWrap(True)
        col.addWidget(self.title_label)
        col.addWidget(self.message_label)
        row.addLayout(col, 1)
        self.close_button = QToolButton(self)
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setAccessibleName(_tr("Dismiss"))
        self.close_button.clicked.connect(self.hide)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.setFixedWidth(360)
        self.hide()

    def restyle(self) -> None:
        from workstation.ui import theme

        if theme.is_dark():
            css = "#notificationToast { background: #2f3a4a; border: 1px solid #5c7aa6; border-radius: 6px; }"
        else:
            css = "#notificationToast { background: #e8f0fe; border: 1px solid #8ab4f8; border-radius: 6px; }"
        self.setStyleSheet(css)

    def show_message(self, title: str, message: str, timeout_ms: int = TOAST_MS) -> None:
        self.restyle()
        self.title_label.setText(title)
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))
        layout = self.layout()
        layout.activate()
        height = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else self.sizeHint().height()
        self.resize(self.width(), height)
        self.place()
        self.show()
        self.raise_()
        self._timer.start(timeout_ms)

    def place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.move(max(0, parent.width() - self.width() - 16), 56)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.hide()
            self.clicked.emit()
        super().mousePressEvent(event)


def app_icon() -> QIcon:
    from workstation.ui.icons import badge

    return QIcon(badge("#1565c0", "售", 32))


class Notifier(QObject):
    """Presents notifications for one desk window; remembers do-not-disturb and sound."""

    activated = Signal(str)  # conversation id the agent clicked on
    do_not_disturb_changed = Signal(bool)
    sound_changed = Signal(bool)

    def __init__(self, *, window: QWidget, settings: Any = None, tray: bool | None = None,
                 sound_file: Path | None = None) -> None:  # fmt: skip
        super().__init__(window)
        self._window = window
        self._settings = settings
        self._dnd = preferences.do_not_disturb(settings)
        self._sound = preferences.sound_on(settings)
        self._sound_file = sound_file
        self._effect: Any = None
        self._target: str | None = None
        self.held_back = 0  # notifications not shown while do-not-disturb was on
        self.shown: list[tuple[str, str]] = []
        self.play_sound: Callable[[], None] = self._play
        use_tray = QSystemTrayIcon.isSystemTrayAvailable() if tray is None else tray
        self.tray: QSystemTrayIcon | None = None
        self.toast: Toast | None = None
        if use_tray:
            self.tray = QSystemTrayIcon(app_icon(), self)
            self.tray.setToolTip(QCoreApplication.translate("DeskWindow", "After-sales workstation"))
            self.tray.messageClicked.connect(self._clicked)
            self.tray.activated.connect(self._tray_activated)
            self.tray.setContextMenu(self._tray_menu())
            self.tray.show()
        else:
            self.toast = Toast(window)
            self.toast.clicked.connect(self._clicked)

    # -- choices ----------------------------------------------------------------------------

    @property
    def do_not_disturb(self) -> bool:
        return self._dnd

    def set_do_not_disturb(self, on: bool) -> None:
        if on == self._dnd:
            return
        self._dnd = bool(on)
        preferences.save_flag(self._settings, preferences.DO_NOT_DISTURB, self._dnd)
        if not self._dnd:
            self.held_back = 0
        elif self.toast is not None:
            self.toast.hide()
        self.do_not_disturb_changed.emit(self._dnd)

    @property
    def sound(self) -> bool:
        return self._sound

    def set_sound(self, on: bool) -> None:
        if on == self._sound:
            return
        self._sound = bool(on)
        preferences.save_flag(self._settings, preferences.SOUND, self._sound)
        self.sound_changed.emit(self._sound)

    # -- showing ----------------------------------------------------------------------------

    def announce(self, arrivals: list[Arrival], *, private: bool = False) -> bool:
        """Show one notification about `arrivals`; False when nothing was shown.
        ``private``: say that something came, not who or what (a locked desk)."""
        if not arrivals:
            return False
        if self._dnd:
            self.held_back += 1
            return False
        title, message = describe(arrivals, private=private)
        self._target = arrivals[0].conversation_id
        self.shown.append((title, message))
        if self.tray is not None:
            self.tray.showMessage(title, message, app_icon(), TOAST_MS)
        elif self.toast is not None:
            self.toast.show_message(title, message)
        if self._sound:
            self.play_sound()
        if not self._window.isActiveWindow():
            QApplication.alert(self._window)  # the taskbar entry asks for attention
        return True

    def _clicked(self) -> None:
        if self._target:
            self.activated.emit(self._target)

    def _tray_menu(self) -> QMenu:
        menu = QMenu(self._window)
        show = menu.addAction(_tr("Show the desk"))
        show.triggered.connect(lambda: self._tray_activated(QSystemTrayIcon.ActivationReason.Trigger))
        self.tray_dnd_action = menu.addAction(QCoreApplication.translate("DeskWindow", "Do not disturb"))
        self.tray_dnd_action.setCheckable(True)
        self.tray_dnd_action.setChecked(self._dnd)
        self.tray_dnd_action.toggled.connect(self.set_do_not_disturb)
        self.do_not_disturb_changed.connect(self.tray_dnd_action.setChecked)
        return menu

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self._window.showNormal()
            self._window.raise_()
            self._window.activateWindow()

    def reposition(self) -> None:
        if self.toast is not None and self.toast.isVisible():
            self.toast.place()

    def _play(self) -> None:
        """The chime (QtMultimedia, when installed), else the system beep."""
        if self._effect is None and self._sound_file is not None and self._sound_file.exists():
            try:
                from PySide6.QtCore import QUrl
                from PySide6.QtMultimedia import QSoundEffect
            except ImportError:
                self._effect = False
            else:
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(self._sound_file)))
                effect.setVolume(0.6)
                self._effect = effect
        if self._effect:
            self._effect.play()
        else:
            QApplication.beep()

    def close(self) -> None:
        if self.tray is not None:
            self.tray.hide()
        if self.toast is not None:
            self.toast.hide()
