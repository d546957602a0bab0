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
        self,
        *,
        settings: Settings,
        api: ApiClient,
        user: dict[str, Any],
        clock: Any = None,
        on_session: Any = None,
    ) -> None:
        """``on_session(session)``: the engine refreshed the sign-in (refresh tokens rotate:
        keep the new one, e.g. in the keyring, or the next automatic sign-in fails)."""
        from workstation.domain.clock import system_clock
        from workstation.store import state as store_state
        from workstation.sync.engine import SyncEngine
        from workstation.ui.reader import CacheReader

        self.user = user
        self.api = api
        clock = clock or system_clock
        username = str(user.get("username") or user.get("id") or "user")
        self.cache_path = cache_path_for(settings, api.base_url, username)
        self.db = open_cache(self.cache_path)
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
            on_session=on_session,
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
    """Checks the unlock password locally (works offline): a salted scrypt hash. Kept in this
    process's memory; `verifier()` is what the OS keyring keeps so that a session restored
    from its refresh token can still be unlocked (never a plain file, never the password)."""

    def __init__(self, password: str) -> None:
        import os

        self._salt = os.urandom(16)
        self._hash = self._digest(password)

    def verifier(self) -> str:
        return f"scrypt$12$8$1${self._salt.hex()}${self._hash.hex()}"

    @classmethod
    def from_verifier(cls, text: str) -> PasswordCheck | None:
        """The check of a stored verifier, or None when it is not one of ours."""
        parts = str(text or "").split("$")
        if len(parts) != 6 or parts[:4] != ["scrypt", "12", "8", "1"]:
            return None
        try:
            salt, digest = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
        except ValueError:
            return None
        check = cls.__new__(cls)
        check._salt, check._hash = salt, digest
        return check

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
    """One open desk: the session below the UI, the window and what carries engine events.

    The window can be rebuilt (`switch_language`): the session, engine, bridge and runner
    stay; the new window gets the last sync state and the old one's view and selection."""

    session: DeskSession
    window: Any
    bridge: Any
    runner: Any
    make_window: Any = None  # () -> a new DeskWindow wired to the bridge
    on_logout: Any = None  # (wipe: bool) -> None, set by the event loop's owner
    last_status: Any = None
    offline_message: str | None = None

    def __post_init__(self) -> None:
        self.bridge.status_changed.connect(self._remember_status)
        self._adopt(self.window)

    def _remember_status(self, status: Any) -> None:
        self.last_status = status

    def _adopt(self, window: Any) -> None:
        window.language_requested.connect(self.switch_language)
        window.logout_requested.connect(self._logout)

    def _logout(self, wipe: bool) -> None:
        if self.on_logout is not None:
            self.on_logout(bool(wipe))

    def switch_language(self, language: str) -> Any:
        """Switch the UI language now: install it, rebuild the window in it (same place, view,
        filters, search and open conversation), close the old one. Returns the new window."""
        from PySide6.QtWidgets import QApplication

        from workstation.ui.application import set_language

        old = self.window
        if self.make_window is None:
            return old
        state = old.view_state()
        old.save_layout()
        app = QApplication.instance()
        if app is not None:
            set_language(app, language)
        window = self.make_window()
        window.restoreGeometry(old.saveGeometry())
        if self.last_status is not None:
            window.apply_sync_status(self.last_status)
        elif self.offline_message is not None:
            window.set_offline_banner(self.offline_message)
        window.restore_view_state(state)
        self._adopt(window)
        self.window = window
        import warnings

        for signal, slot in ((self.bridge.status_changed, old.apply_sync_status),
                             (self.bridge.changed, old.apply_changes),
                             (self.bridge.screen_pop, old.on_screen_pop)):  # fmt: skip
            with warnings.catch_warnings():  # PySide warns when it was not connected
                warnings.simplefilter("ignore", RuntimeWarning)
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        if old.isMaximized():
            window.showMaximized()
        elif old.isVisible():
            window.show()
        old.close()
        old.deleteLater()
        return window

    def start(self) -> None:
        self.session.start()
        live = getattr(self.session.engine, "live", None)
        if live is not None and hasattr(live, "on_event"):
            live.on_event = self.bridge.hint  # screen pops and other non-pull hints

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
    check_password: Any = None,
    notice: str = "",
    runner: Any = None,
    token_backend: Any = None,
    tray: bool | None = None,
) -> Desk:
    """Wire one desk (needs a QApplication): cache + services + engine, the window, the bridge
    from the engine thread to the UI thread, the reveal call, the idle lock (``password`` or a
    ready ``check_password``) and the notifications of what customers send."""
    from workstation.sync.credentials import TokenStore
    from workstation.ui import arrivals
    from workstation.ui.application import current_language
    from workstation.ui.desk_window import DeskWindow
    from workstation.ui.sync_bridge import SyncBridge
    from workstation.ui.tasks import TaskRunner

    runner = runner or TaskRunner()
    username = str(user.get("username") or "")
    tokens = TokenStore(api.base_url, username, backend=token_backend) if username else None

    def keep_session(new_session: Any) -> None:  # engine thread
        if tokens is not None and getattr(new_session, "refresh_token", ""):
            tokens.save(new_session.refresh_token)

    session = DeskSession(settings=settings, api=api, user=user, clock=clock, on_session=keep_session)
    bridge = SyncBridge()
    view = DEFAULT_VIEW_BY_ROLE.get(str(user.get("role") or ""), "mine")
    ui_settings = ui_settings if ui_settings is not None else ui_settings_for(settings)
    check = check_password or (PasswordCheck(password) if password else None)
    db = session.db

    def reveal(customer_id: str, field: str) -> str:
        return str(api.reveal_contact(customer_id, field).get("value") or "")

    def make_window() -> Any:
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
            check_password=check,
            idle_lock_minutes=int(ui_settings.value("privacy/idle_lock_minutes", settings.idle_lock_minutes)),
            script_api=api,
            arrivals=lambda mark: arrivals.arrivals_since(db, mark),
            watermark=lambda: arrivals.watermark(db),
            tray=tray,
            sound_file=settings.resources_dir / "sounds" / "notify.wav",
            language=current_language(),
        )
        bridge.status_changed.connect(window.apply_sync_status)
        bridge.changed.connect(window.apply_changes)
        bridge.screen_pop.connect(window.on_screen_pop)
        return window

    window = make_window()
    session.listen(on_state=bridge.status, on_changes=bridge.changes)
    if offline:
        window.set_offline_banner(offline_message)
    if notice:
        window.statusBar().showMessage(notice, 20000)
    if not ui_settings.contains("desk/geometry"):
        window.resize(1440, 860)
    return Desk(session=session, window=window, bridge=bridge, runner=runner, make_window=make_window,
                offline_message=offline_message if offline else None)  # fmt: skip


def wipe_cache(path: Path) -> list[Path]:
    """Delete a user's local cache: the database, its -wal/-shm/-journal and any damaged
    copies set aside (`.corrupt-*`). Close it first. Returns what was removed."""
    removed = []
    candidates = [path.with_name(path.name + s) for s in ("", "-wal", "-shm", "-journal")]
    candidates += sorted(path.parent.glob(path.name + ".corrupt-*")) if path.parent.exists() else []
    for candidate in candidates:
        if candidate.exists():
            candidate.unlink()
            removed.append(candidate)
    return removed


def initial_language(settings: Settings, ui_settings: Any) -> str:
    """WORKSTATION_LANGUAGE / --language when given, else the saved menu choice, else ""
    (the system's)."""
    from workstation.ui.preferences import saved_language

    return settings.language or saved_language(ui_settings)


@dataclass(kw_only=True)
class DeskRun:
    """How one desk ended: the event loop's code and whether the agent signed out."""

    code: int = 0
    logged_out: bool = False
    wipe: bool = False
    wiped: list[Path] | None = None


def sign_out(desk: Desk, *, wipe: bool, token_backend: Any = None, on_done: Any = None) -> None:
    """Forget the sign-in at once (keyring), then, off the UI thread, stop syncing and end
    the session at the server (best effort); ``on_done()`` follows on the UI thread."""
    from workstation.sync.credentials import forget_account

    session = desk.session
    user = str(session.user.get("username") or "")
    if user:
        forget_account(session.api.base_url, user, backend=token_backend)
    window = desk.window
    window.statusBar().showMessage(QT_SIGNING_OUT(), 0)
    window.setEnabled(False)

    def work() -> None:
        session.engine.stop()
        if user:  # the engine may have refreshed the sign-in while stopping
            forget_account(session.api.base_url, user, backend=token_backend)
        try:
            session.api.logout()
        except Exception as exc:  # offline: the token just expires at the server
            log.info("could not end the session at the server: %s", exc)

    done = on_done or (lambda: None)
    desk.runner.run_in_background(owner=window, fn=work, on_success=lambda _r: done(), on_failure=lambda _e: done())


def QT_SIGNING_OUT() -> str:  # noqa: N802 - a translated constant
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("DeskWindow", "Signing out…")


def _run_desk(
    app: Any, *, settings: Settings, signed: SignedIn, check: Any, screenshot: Path | None,
    token_backend: Any = None,
) -> DeskRun:  # fmt: skip
    from PySide6.QtCore import QTimer

    desk = build_desk(
        settings=settings, api=signed.api, user=signed.user, offline=signed.offline,
        offline_message=signed.message, check_password=check, notice=signed.notice,
        token_backend=token_backend,
    )  # fmt: skip
    run = DeskRun()

    def logout(wipe: bool) -> None:
        run.logged_out, run.wipe = True, wipe
        sign_out(desk, wipe=wipe, token_backend=token_backend, on_done=app.quit)

    desk.on_logout = logout
    if screenshot is not None:
        window = desk.window
        window.resize(1440, 860)

        def _shoot() -> None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not desk.window.grab().save(str(screenshot)):
                log.error("could not write screenshot %s", screenshot)
                run.code = 1
            desk.window.close()
            app.quit()

        def _timeout() -> None:
            log.error("the desk was not ready within %d s; no screenshot taken", SCREENSHOT_TIMEOUT_MS // 1000)
            run.code = 2
            app.quit()

        window.desk_ready.connect(lambda: QTimer.singleShot(400, _shoot))
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, _timeout)

    desk.window.show()
    desk.start()
    try:
        code = app.exec()
    finally:
        window = desk.window
        if window.isVisible():  # signed out: hide it (closing the last window would quit)
            window.save_layout()
            window.idle.stop()
            window.notifier.close()
            window.hide()
        desk.close()
        window.deleteLater()
    run.code = run.code or code
    if run.logged_out and run.wipe:
        run.wiped = wipe_cache(desk.session.cache_path)
        log.info("signed out and removed the local cache (%d files)", len(run.wiped))
    return run


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
    check_password: Any = None,
) -> int:
    """Open the desk for a signed-in session (or an offline start from the cache) and run
    the event loop. With `screenshot`, the desk is rendered to that PNG once the first sync
    finished and the first conversation is shown, then the app exits (1: the PNG could not
    be written, 2: timeout). Signing out returns to the sign-in dialog; the API clients made
    there are closed here (`api` stays the caller's)."""
    from workstation.ui.application import create_application, quit_on_signals

    ui_settings = ui_settings_for(settings)
    app = create_application(argv, language=initial_language(settings, ui_settings))
    quit_on_signals(app)
    from workstation.ui import theme

    theme.apply(app, theme.saved(ui_settings))
    signed = SignedIn(api=api, user=user, offline=offline, message=offline_message, notice=notice)
    check = check_password or (PasswordCheck(password) if password else None)
    owned: ApiClient | None = None
    try:
        while True:
            run = _run_desk(app, settings=settings, signed=signed, check=check, screenshot=screenshot)
            if not run.logged_out:
                return run.code
            if owned is not None:
                owned.close()
                owned = None
            screenshot = None
            from workstation.ui.signin_dialog import KEY_SERVER, KEY_USER

            ui_settings.setValue(KEY_SERVER, signed.api.base_url)  # the dialog offers the same server
            ui_settings.setValue(KEY_USER, str(signed.user.get("username") or ""))
            answer = ask_sign_in(settings.with_(server_url=signed.api.base_url), ui_settings, automatic=False)
            if answer is None:
                return 0
            signed, check = answer
            owned = signed.api
    finally:
        if owned is not None:
            owned.close()


def ask_sign_in(
    settings: Settings, ui_settings: Any, *, automatic: bool = True, token_backend: Any = None
) -> tuple[SignedIn, Any] | None:
    """The sign-in dialog (which first tries the saved sign-in when ``automatic``); the
    outcome and the idle lock's password check, or None when the user gave up."""
    from workstation.ui.signin_dialog import SignInDialog

    dialog = SignInDialog(
        settings=ui_settings,
        default_server=settings.server_url,
        sign_in=lambda url, user, password: sign_in_to(settings, url, user, password, token_backend=token_backend),
        restore=(lambda url, user: restore_session(settings, url, user, token_backend=token_backend))
        if automatic else None,
    )  # fmt: skip
    if dialog.exec() != dialog.DialogCode.Accepted or dialog.result_value is None:
        return None
    outcome: SignedIn = dialog.result_value
    check = outcome.check or (PasswordCheck(dialog.password) if dialog.password else None)
    return outcome, check


def run_gui(*, settings: Settings, argv: list[str] | None = None) -> int:
    """`workstation` with no subcommand: the sign-in dialog (skipped when the saved sign-in
    still works), then the desk; signing out comes back to the dialog."""
    from workstation.ui.application import create_application, quit_on_signals

    ui_settings = ui_settings_for(settings)
    app = create_application(argv, language=initial_language(settings, ui_settings))
    quit_on_signals(app)
    from workstation.ui import theme

    theme.apply(app, theme.saved(ui_settings))
    answer = ask_sign_in(settings, ui_settings, automatic=True)
    if answer is None:
        return 0
    outcome, check = answer
    api = outcome.api
    try:
        return run_desktop(
            settings=settings.with_(server_url=api.base_url), api=api, user=outcome.user,
            offline=outcome.offline, offline_message=outcome.message, check_password=check,
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
    check: Any = None  # PasswordCheck of a restored session (from the keyring's verifier)
    restored: bool = False


def sign_in_to(
    settings: Settings, server_url: str, username: str, password: str, *, token_backend: Any = None
) -> SignedIn:
    """Background part of the sign-in dialog: sign in (or start offline from the cache) and
    keep the refresh token and the unlock verifier in the OS keyring (memory only, with a
    warning, when insecure)."""
    from workstation.sync.credentials import UNLOCK, TokenStore

    api = make_api_client(settings, base_url=server_url)
    try:
        result = sign_in(settings, api, username, password)
    except BaseException:
        api.close()
        raise
    notice = ""
    check = PasswordCheck(password)
    if not result.offline and api.session is not None:
        store = TokenStore(api.base_url, username, backend=token_backend)
        store.save(api.session.refresh_token)
        TokenStore(api.base_url, username, backend=token_backend, purpose=UNLOCK).save(check.verifier())
        notice = store.warning or ""
    return SignedIn(
        api=api, user=result.user, offline=result.offline, message=result.message, notice=notice, check=check
    )


class SavedSignInExpired(Exception):
    """The saved sign-in no longer works; the user signs in with the password."""


def restore_session(
    settings: Settings, server_url: str, username: str, *, token_backend: Any = None
) -> SignedIn | None:
    """Automatic sign-in (background): the refresh token saved for this account, if any,
    is exchanged for a new session; the new refresh token replaces it. None when nothing
    usable is saved (the dialog just asks). An unreachable server with a cache for the user
    starts offline (the engine refreshes once the server is back). A refused token is
    forgotten and `SavedSignInExpired` raised."""
    from workstation.sync.api import Session
    from workstation.sync.credentials import UNLOCK, TokenStore, forget_account

    if not server_url.startswith(("http://", "https://")) or not username:
        return None
    tokens = TokenStore(server_url.rstrip("/"), username, backend=token_backend)
    token = tokens.load()
    verifier = TokenStore(server_url.rstrip("/"), username, backend=token_backend, purpose=UNLOCK).load()
    check = PasswordCheck.from_verifier(verifier or "")
    if not token or check is None:
        return None  # without the unlock verifier the idle lock could not work: ask
    api = make_api_client(settings, base_url=server_url)
    try:
        session = api.refresh(token)
    except ApiError as exc:
        if exc.is_network or exc.is_transient:
            user = cached_user(settings, api.base_url, username)
            if user is None:
                api.close()
                raise
            api.use_session(Session(access_token="", refresh_token=token, user=user))
            return SignedIn(api=api, user=user, offline=True, message=str(exc.detail or exc.title or exc),
                            check=check, restored=True)  # fmt: skip
        api.close()
        forget_account(server_url.rstrip("/"), username, backend=token_backend)
        raise SavedSignInExpired(str(exc.detail or exc.title or exc)) from exc
    except BaseException:
        api.close()
        raise
    tokens.save(session.refresh_token)
    return SignedIn(api=api, user=session.user or {"username": username}, check=check, restored=True,
                    notice=tokens.warning or "")  # fmt: skip
