"""Composition root of the desktop client: the ONLY place that wires things together.

Settings, the API client, the background task runner, the models and the windows are built
here, on demand, and handed to each other. Nothing is created at import time.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from workstation.config import Settings
from workstation.sync.api import ApiClient, ApiError

if TYPE_CHECKING:
    from workstation.store.db import CacheDatabase

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


def cache_path_for(settings: Settings, server_url: str, username: str) -> Path:
    """The per-user cache: ``<data dir>/cache/<server host>-<user>.db``."""
    host = urlparse(server_url).hostname or "server"
    name = re.sub(r"[^A-Za-z0-9_.@-]", "_", f"{host}-{username}")
    return settings.data_dir / "cache" / f"{name}.db"


def open_cache(path: Path) -> CacheDatabase:
    """Open (migrating) the cache; a damaged one is set aside, keeping its unsent changes."""
    from workstation.store import outbox
    from workstation.store.db import (
        CacheCorrupt,
        CacheDatabase,
        quarantine,
        salvage_outbox,
        salvage_state,
    )

    try:
        return CacheDatabase.open(path, check="header")
    except CacheCorrupt as exc:
        rows, saved = salvage_outbox(path), salvage_state(path)
        moved = quarantine(path)
        log.warning("the cache %s was damaged (%s); moved to %s, kept %d unsent changes", path, exc, moved, len(rows))
        db = CacheDatabase.open(path)
        outbox.restore(db, rows, saved)
        return db


@dataclass(frozen=True, kw_only=True, slots=True)
class SignIn:
    user: dict[str, Any]
    offline: bool = False
    message: str = ""


def cached_user(settings: Settings, server_url: str, username: str) -> dict[str, Any] | None:
    """The user record kept in that user's cache (for an offline start), or None."""
    path = cache_path_for(settings, server_url, username)
    if not path.exists():
        return None
    from sqlalchemy import select

    from workstation.store.tables import users

    db = open_cache(path)
    try:
        with db.read() as session:
            data = session.execute(select(users.c.data).where(users.c.username == username)).scalar()
    finally:
        db.close()
    return dict(data) if isinstance(data, dict) else None


def sign_in(settings: Settings, api: ApiClient, username: str, password: str) -> SignIn:
    """Sign in; when the server cannot be reached but this user has a cache, start from it."""
    try:
        return SignIn(user=api.login(username, password).user)
    except ApiError as exc:
        if not exc.is_network:
            raise
        user = cached_user(settings, api.base_url, username)
        if user is None:
            raise
        return SignIn(user=user, offline=True, message=str(exc.detail or exc.title or exc))


class DeskSession:
    """Everything one signed-in desk needs below the UI: cache, services, sync engine."""

    def __init__(
        self, *, settings: Settings, api: ApiClient, user: dict[str, Any], clock: Any = None
    ) -> None:
        from workstation.domain.clock import system_clock
        from workstation.store import state as store_state
        from workstation.sync.engine import SyncEngine
        from workstation.ui.reader import CacheReader

        self.user = user
        self.api = api
        clock = clock or system_clock
        username = str(user.get("username") or user.get("id") or "user")
        self.db = open_cache(cache_path_for(settings, api.base_url, username))
        with self.db.write() as session:
            store_state.put(session, store_state.SERVER_URL, api.base_url)
            if user.get("id"):
                store_state.put(session, store_state.USER_ID, str(user["id"]))
            client_id = store_state.ensure_client_id(session)
        self.reader = CacheReader(self.db, user_id=str(user.get("id") or "") or None)
        self.services = make_services(self.db, user, on_local_write=self.poke, clock=clock)
        self._on_state: list[Any] = []
        self._on_changes: list[Any] = []
        self.engine = SyncEngine(
            api=api,
            cache=self.db,
            client_id=client_id,
            clock=clock,
            on_state=self._state,
            on_changes=self._changes,
            live=True,
            poll_interval=settings_poll_interval(settings),
        )

    def poke(self) -> None:
        engine = getattr(self, "engine", None)
        if engine is not None:
            engine.poke()

    def amber_percent(self) -> Decimal:
        try:
            if self.services is not None:
                return Decimal(self.services.policy.sla.amber_remaining_percent)
        except Exception:  # a policy problem must not keep the desk from opening
            log.exception("could not load the SLA policy; amber at 25%")
        return Decimal(25)

    # engine thread ----------------------------------------------------------------------

    def _state(self, status: Any) -> None:
        for listener in list(self._on_state):
            listener(status)

    def _changes(self, entities: frozenset[str]) -> None:
        names = set(entities)
        if self.services is not None:
            try:
                names |= set(self.services.after_pull(entities).entities)
            except Exception:
                log.exception("re-applying pending changes after a pull failed")
        for listener in list(self._on_changes):
            listener(frozenset(names))

    def listen(self, *, on_state: Any, on_changes: Any) -> None:
        self._on_state.append(on_state)
        self._on_changes.append(on_changes)

    def start(self) -> None:
        self.engine.start()

    def close(self) -> None:
        self.engine.stop()
        self._on_state.clear()
        self._on_changes.clear()
        self.db.close()


def settings_poll_interval(settings: Settings) -> float:
    return float(getattr(settings, "poll_interval", 30.0) or 30.0)


def make_services(
    db: CacheDatabase, user: dict[str, Any], *, on_local_write: Any, clock: Any = None
) -> Any:
    """The desk use cases, or None when the services package is not available."""
    try:
        from workstation.domain.clock import system_clock
        from workstation.services.desk import DeskServices
    except ImportError:  # pragma: no cover - only while the services are being written
        log.warning("workstation.services.desk is not available; the desk is read-only")
        return None
    try:
        return DeskServices(
            cache=db, clock=clock or system_clock, user=user, on_local_write=on_local_write
        )
    except Exception:
        log.exception("the desk services could not start; the desk is read-only")
        return None


class PasswordCheck:
    """Checks the unlock password locally (works offline): a salted scrypt hash kept in this
    process's memory only, never written anywhere."""

    def __init__(self, password: str) -> None:
        import os

        self._salt = os.urandom(16)
        self._hash = self._digest(password)

    def _digest(self, password: str) -> bytes:
        import hashlib

        return hashlib.scrypt(password.encode("utf-8"), salt=self._salt, n=2**12, r=8, p=1)

    def __call__(self, password: str) -> bool:
        import hmac

        return hmac.compare_digest(self._digest(password), self._hash)


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def ui_settings_for(settings: Settings) -> Any:
    from PySide6.QtCore import QSettings

    return QSettings(str(settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)


@dataclass(kw_only=True)
class Desk:
    """One open desk: the session below the UI, the window and what carries engine events."""

    session: DeskSession
    window: Any
    bridge: Any
    runner: Any

    def start(self) -> None:
        self.session.start()
        live = getattr(self.session.engine, "live", None)
        if live is not None and hasattr(live, "on_event"):
            live.on_event = self.bridge.event  # screen pops and other non-pull hints

    def close(self) -> None:
        self.session.engine.stop()
        self.runner.cancel_all()
        self.window.inbox.stop()
        self.runner.wait(5000)
        self.session.close()


def build_desk(
    *,
    settings: Settings,
    api: ApiClient,
    user: dict[str, Any],
    ui_settings: Any = None,
    offline: bool = False,
    offline_message: str = "",
    clock: Any = None,
    password: str | None = None,
    notice: str = "",
    runner: Any = None,
) -> Desk:
    """Wire one desk (needs a QApplication): cache + services + engine, the window, the bridge
    from the engine thread to the UI thread, the reveal call and the idle lock."""
    from workstation.ui.desk_window import DeskWindow
    from workstation.ui.sync_bridge import SyncBridge
    from workstation.ui.tasks import TaskRunner

    runner = runner or TaskRunner()
    session = DeskSession(settings=settings, api=api, user=user, clock=clock)
    bridge = SyncBridge()
    view = DEFAULT_VIEW_BY_ROLE.get(str(user.get("role") or ""), "mine")
    ui_settings = ui_settings if ui_settings is not None else ui_settings_for(settings)

    def reveal(customer_id: str, field: str) -> str:
        return str(api.reveal_contact(customer_id, field).get("value") or "")

    window = DeskWindow(
        reader=session.reader,
        services=session.services,
        runner=runner,
        user=user,
        server_url=api.base_url,
        view=view,
        settings=ui_settings,
        amber_percent=session.amber_percent(),
        page_size=settings.page_size,
        sync_now=session.poke,
        reveal=reveal,
        clock=clock or _now,
        check_password=PasswordCheck(password) if password else None,
        idle_lock_minutes=int(ui_settings.value("privacy/idle_lock_minutes", settings.idle_lock_minutes)),
        script_api=api,
    )
    bridge.status_changed.connect(window.apply_sync_status)
    bridge.changed.connect(window.apply_changes)
    bridge.screen_pop.connect(window.on_screen_pop)
    session.listen(on_state=bridge.status, on_changes=bridge.changes)
    if offline:
        window.set_offline_banner(offline_message)
    if notice:
        window.statusBar().showMessage(notice, 20000)
    if not ui_settings.contains("desk/geometry"):
        window.resize(1440, 860)
    return Desk(session=session, window=window, bridge=bridge, runner=runner)


def run_desktop(
    *,
    settings: Settings,
    api: ApiClient,
    user: dict[str, Any],
    screenshot: Path | None = None,
    argv: list[str] | None = None,
    offline: bool = False,
    offline_message: str = "",
    password: str | None = None,
    notice: str = "",
) -> int:
    """Open the desk for a signed-in session (or an offline start from the cache) and run
    the event loop. With `screenshot`, the desk is rendered to that PNG once the first sync
    finished and the first conversation is shown, then the app exits (1: the PNG could not
    be written, 2: timeout)."""
    from PySide6.QtCore import QTimer

    from workstation.ui.application import create_application, quit_on_signals

    app = create_application(argv, language=settings.language)
    quit_on_signals(app)
    from workstation.ui import theme

    theme.apply(app, theme.saved(ui_settings_for(settings)))
    desk = build_desk(
        settings=settings, api=api, user=user, offline=offline, offline_message=offline_message,
        password=password, notice=notice,
    )  # fmt: skip
    window = desk.window
    outcome = {"code": 0}

    if screenshot is not None:
        window.resize(1440, 860)

        def _shoot() -> None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(screenshot)):
                log.error("could not write screenshot %s", screenshot)
                outcome["code"] = 1
            window.close()
            app.quit()

        def _timeout() -> None:
            log.error("the desk was not ready within %d s; no screenshot taken", SCREENSHOT_TIMEOUT_MS // 1000)
            outcome["code"] = 2
            app.quit()

        window.desk_ready.connect(lambda: QTimer.singleShot(400, _shoot))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, _timeout)

    window.show()
    desk.start()
    try:
        code = app.exec()
    finally:
        desk.close()
        window.deleteLater()
    return outcome["code"] or code


def run_gui(*, settings: Settings, argv: list[str] | None = None) -> int:
    """`workstation` with no subcommand: the sign-in dialog, then the desk."""
    from workstation.ui.application import create_application, quit_on_signals
    from workstation.ui.signin_dialog import SignInDialog

    app = create_application(argv, language=settings.language)
    quit_on_signals(app)
    from workstation.ui import theme

    ui_settings = ui_settings_for(settings)
    theme.apply(app, theme.saved(ui_settings))
    dialog = SignInDialog(
        settings=ui_settings,
        default_server=settings.server_url,
        sign_in=lambda url, user, password: sign_in_to(settings, url, user, password),
    )
    if dialog.exec() != dialog.DialogCode.Accepted or dialog.result_value is None:
        return 0
    outcome = dialog.result_value
    api = outcome.api
    try:
        return run_desktop(
            settings=settings.with_(server_url=api.base_url), api=api, user=outcome.user,
            offline=outcome.offline, offline_message=outcome.message, password=dialog.password,
            notice=outcome.notice,
        )  # fmt: skip
    finally:
        api.close()


@dataclass(frozen=True, kw_only=True, slots=True)
class SignedIn:
    api: ApiClient
    user: dict[str, Any]
    offline: bool = False
    message: str = ""
    notice: str = ""


def sign_in_to(
    settings: Settings, server_url: str, username: str, password: str, *, token_backend: Any = None
) -> SignedIn:
    """Background part of the sign-in dialog: sign in (or start offline from the cache) and
    keep the refresh token in the OS keyring (memory only, with a warning, when insecure)."""
    from workstation.sync.credentials import TokenStore

    api = make_api_client(settings, base_url=server_url)
    try:
        result = sign_in(settings, api, username, password)
    except BaseException:
        api.close()
        raise
    notice = ""
    if not result.offline and api.session is not None:
        store = TokenStore(api.base_url, username, backend=token_backend)
        store.save(api.session.refresh_token)
        notice = store.warning or ""
    return SignedIn(
        api=api, user=result.user, offline=result.offline, message=result.message, notice=notice
    )
