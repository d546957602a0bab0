"""The QApplication: name, language, fonts, and Ctrl+C handling."""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from workstation.ui.i18n import make_translator, pick_language


def create_application(argv: Sequence[str] | None = None, *, language: str = "") -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    QCoreApplication.setOrganizationName("workstation")
    QCoreApplication.setApplicationName("workstation")
    app.setApplicationDisplayName("Workstation")
    translator = make_translator(pick_language(language))
    if translator is not None:
        translator.setParent(app)
        app.installTranslator(translator)
    return app


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
