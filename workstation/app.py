"""Composition root of the desktop client: the ONLY place that wires things together.

Settings, the API client, the background task runner, the models and the windows are built
here, on demand, and handed to each other. Nothing is created at import time.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from workstation.config import Settings
from workstation.sync.api import ApiClient

log = logging.getLogger(__name__)

DEFAULT_VIEW_BY_ROLE = {
    "agent": "mine",
    "senior_agent": "mine",
    "field_engineer": "mine",
    "team_lead": "all",
    "admin": "all",
}
SCREENSHOT_TIMEOUT_MS = 60_000


def make_api_client(settings: Settings, *, base_url: str | None = None) -> ApiClient:
    return ApiClient(base_url=base_url or settings.server_url, timeout=settings.http_timeout)


def run_desktop(
    *,
    settings: Settings,
    api: ApiClient,
    user: dict[str, Any],
    screenshot: Path | None = None,
    argv: list[str] | None = None,
) -> int:
    """Open the main window for a signed-in session and run the event loop.

    With `screenshot`, the window is rendered to that PNG once the first page of data has
    arrived, and the app exits (status 1 when the first load failed, 2 on timeout).
    """
    from PySide6.QtCore import QTimer

    from workstation.ui.application import create_application, quit_on_signals
    from workstation.ui.main_window import MainWindow
    from workstation.ui.models.conversation_table import ConversationTableModel
    from workstation.ui.tasks import TaskRunner

    app = create_application(argv, language=settings.language)
    quit_on_signals(app)
    runner = TaskRunner(parent=app)
    view = DEFAULT_VIEW_BY_ROLE.get(str(user.get("role") or ""), "mine")
    model = ConversationTableModel(
        source=api, runner=runner, view=view, page_size=settings.page_size
    )
    model.reload()  # starts the first page in the background before any view asks
    window = MainWindow(model=model, user=user, server_url=api.base_url)
    window.resize(1280, 760)
    outcome = {"code": 0}

    if screenshot is not None:
        failed = {"value": False}
        model.load_failed.connect(lambda _exc: failed.__setitem__("value", True))

        def _shoot() -> None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(screenshot)):
                log.error("could not write screenshot %s", screenshot)
                outcome["code"] = 1
            elif failed["value"]:
                outcome["code"] = 1
            window.close()
            app.quit()

        def _timeout() -> None:
            log.error(
                "no data arrived within %d s; no screenshot taken", SCREENSHOT_TIMEOUT_MS // 1000
            )
            outcome["code"] = 2
            app.quit()

        # Let layout and the first paint settle before grabbing.
        window.first_load_finished.connect(lambda: QTimer.singleShot(300, _shoot))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, _timeout)

    window.show()
    try:
        code = app.exec()
    finally:
        runner.cancel_all()
        model.stop()
        runner.wait(5000)
        window.deleteLater()
    return outcome["code"] or code
