"""The QApplication: name, language (translator + locale, switchable at runtime), and
Ctrl+C handling."""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QLocale, QTimer
from PySide6.QtWidgets import QApplication

from workstation.ui.i18n import DictTranslator, locale_for, make_translator, pick_language

TRANSLATOR_NAME = "workstationTranslator"


def create_application(argv: Sequence[str] | None = None, *, language: str = "") -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName("workstation")
    QCoreApplication.setApplicationName("workstation")
    app.setApplicationDisplayName("Workstation")
    set_language(app, language)
    return app


def set_language(app: QCoreApplication, language: str = "") -> str:
    """Switch the UI language at runtime: the translator and the default QLocale (dates,
    times, money). "" follows the system. Returns the language in effect ("zh_CN" / "en").
    Windows built before the switch keep their texts until rebuilt."""
    chosen = pick_language(language)
    for old in app.findChildren(DictTranslator, TRANSLATOR_NAME):
        app.removeTranslator(old)
        old.setParent(None)
        old.deleteLater()
    translator = make_translator(chosen)
    if translator is not None:
        translator.setObjectName(TRANSLATOR_NAME)
        translator.setParent(app)
        app.installTranslator(translator)
    QLocale.setDefault(locale_for(chosen))
    app.setProperty("workstationLanguage", chosen)
    return chosen


def current_language(app: QCoreApplication | None = None) -> str:
    app = app or QCoreApplication.instance()
    value = app.property("workstationLanguage") if app is not None else None
    return str(value) if value else pick_language("")


def quit_on_signals(app: QApplication) -> None:
    """Ctrl+C / SIGTERM close the app cleanly (the Python handler needs the loop to wake)."""

    def _quit(_signum: int, _frame: object) -> None:
        app.quit()

    signal.signal(signal.SIGINT, _quit)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _quit)
    waker = QTimer(app)
    waker.setInterval(250)
    waker.timeout.connect(lambda: None)
    waker.start()
