"""Signing out (the dialog, forgetting the keyring secrets, wiping the cache) and signing in
automatically from the saved refresh token (and falling back to the password)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QSettings

from tests.ui.desk_fakes import USER, FakeReader, FakeServices
from tests.ui.test_desk import make_window
from tests.unit.sync.test_credentials import MemoryKeyring
from workstation import app as composition
from workstation.config import Settings
from workstation.sync.api import ApiClient
from workstation.sync.credentials import UNLOCK, TokenStore
from workstation.ui.logout_dialog import LogoutDialog
from workstation.ui.signin_dialog import SignInDialog

SERVER = "http://tickets.test"


# -- the dialog ------------------------------------------------------------------------------


def make_dialog(qtbot, pending: int, answers: list[bool] | None = None) -> tuple[LogoutDialog, list[bool], list[str]]:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    answers = list(answers or [])

    def confirm(_parent: Any, text: str) -> bool:
        asked.append(text)
        return answers.pop(0)

    dialog = LogoutDialog(pending=pending, user="王晓雨", confirm=confirm)
    qtbot.addWidget(dialog)
    got: list[bool] = []
    dialog.confirmed.connect(got.append)
    dialog.show()
    return dialog, got, asked


def test_no_pending_changes_signs_out_without_a_second_question(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog, got, asked = make_dialog(qtbot, 0)
    assert "Every change has reached the server" in dialog.pending_label.text()
    dialog.wipe_box.setChecked(True)
    dialog.submit()
    assert got == [True] and asked == []


def test_pending_changes_are_counted_and_a_wipe_is_asked_again(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog, got, asked = make_dialog(qtbot, 3, answers=[False, True])
    assert "3 changes have not reached the server" in dialog.pending_label.text()
    dialog.wipe_box.setChecked(True)
    dialog.submit()  # "no": nothing happens, the wipe is unticked
    assert got == [] and dialog.isVisible() and not dialog.wipe_box.isChecked()
    assert "3 changes" in asked[0] and "lose" in asked[0]
    dialog.wipe_box.setChecked(True)
    dialog.submit()  # "yes"
    assert got == [True]


def test_signing_out_without_wiping_keeps_the_changes(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog, got, asked = make_dialog(qtbot, 2)
    dialog.submit()
    assert got == [False] and asked == []


def test_the_desk_counts_pending_changes_before_asking(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    services = FakeServices()
    services.entries = [{"mutation_id": 1, "status": "pending"}, {"mutation_id": 2, "status": "rejected"}]
    window = make_window(qtbot, FakeReader(), services, runner, confirm=lambda _p, _t: True)
    asked: list[bool] = []
    window.logout_requested.connect(asked.append)
    window.desk_actions["logout"].trigger()
    qtbot.waitUntil(lambda: window.logout_dialog is not None and window.logout_dialog.isVisible(), timeout=3000)
    assert window.logout_dialog.pending == 2
    window.logout_dialog.wipe_box.setChecked(True)
    window.logout_dialog.submit()
    assert asked == [True]


# -- the composition root ----------------------------------------------------------------------


def test_sign_out_forgets_the_secrets_and_the_wipe_removes_the_cache(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path)
    api = ApiClient(base_url="http://127.0.0.1:9")
    backend = MemoryKeyring()
    TokenStore(api.base_url, "agent", backend=backend).save("refresh-1")
    TokenStore(api.base_url, "agent", backend=backend, purpose=UNLOCK).save("scrypt$x")
    ui = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    desk = composition.build_desk(settings=settings, api=api, user=USER, ui_settings=ui, token_backend=backend,
                                  tray=False)  # fmt: skip
    qtbot.addWidget(desk.window)
    path = desk.session.cache_path
    assert path.exists()
    done: list[int] = []
    composition.sign_out(desk, wipe=True, token_backend=backend, on_done=lambda: done.append(1))
    assert backend.secrets == {}  # at once, before anything else
    assert not desk.window.isEnabled()
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    desk.close()
    removed = composition.wipe_cache(path)
    assert path in removed and not path.exists()
    assert not list(path.parent.glob(path.name + "*"))
    api.close()


def test_password_check_survives_the_keyring_as_a_verifier() -> None:
    check = composition.PasswordCheck("s3cret")
    again = composition.PasswordCheck.from_verifier(check.verifier())
    assert again is not None and again("s3cret") and not again("wrong")
    assert "s3cret" not in check.verifier()
    assert composition.PasswordCheck.from_verifier("garbage") is None


class FakeServer:
    def __init__(self) -> None:
        self.mode = "ok"
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.mode == "down":
            raise httpx.ConnectError("refused", request=request)
        body = json.loads(request.content or b"{}")
        self.seen.append(body.get("refresh_token", ""))
        if self.mode == "expired":
            return httpx.Response(401, json={"title": "Sign-in expired", "detail": "the refresh token is unknown"})
        return httpx.Response(200, json={"access_token": "a2", "refresh_token": "refresh-2", "expires_in": 900,
                                         "user": {"id": "user-agent", "username": "agent", "role": "agent"}})


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    fake = FakeServer()

    def client(settings: Settings, *, base_url: str | None = None) -> ApiClient:
        return ApiClient(base_url=base_url or settings.server_url, transport=httpx.MockTransport(fake))

    monkeypatch.setattr(composition, "make_api_client", client)
    return fake


def saved(backend: MemoryKeyring, password: str = "pw") -> None:
    TokenStore(SERVER, "agent", backend=backend).save("refresh-1")
    TokenStore(SERVER, "agent", backend=backend, purpose=UNLOCK).save(composition.PasswordCheck(password).verifier())


def test_restore_signs_in_with_the_saved_token_and_keeps_the_new_one(server: FakeServer, tmp_path: Path) -> None:
    backend = MemoryKeyring()
    saved(backend)
    signed = composition.restore_session(Settings(data_dir=tmp_path), SERVER, "agent", token_backend=backend)
    assert signed is not None and signed.restored and not signed.offline
    assert signed.user["username"] == "agent" and signed.check("pw") and not signed.check("nope")
    assert server.seen == ["refresh-1"]
    assert TokenStore(SERVER, "agent", backend=backend).load() == "refresh-2"  # tokens rotate
    signed.api.close()


def test_restore_without_saved_secrets_asks_for_the_password(server: FakeServer, tmp_path: Path) -> None:
    backend = MemoryKeyring()
    assert composition.restore_session(Settings(data_dir=tmp_path), SERVER, "agent", token_backend=backend) is None
    TokenStore(SERVER, "agent", backend=backend).save("refresh-1")  # a token but no unlock verifier
    assert composition.restore_session(Settings(data_dir=tmp_path), SERVER, "agent", token_backend=backend) is None
    assert server.seen == []


def test_an_expired_saved_sign_in_is_forgotten(server: FakeServer, tmp_path: Path) -> None:
    backend = MemoryKeyring()
    saved(backend)
    server.mode = "expired"
    with pytest.raises(composition.SavedSignInExpired):
        composition.restore_session(Settings(data_dir=tmp_path), SERVER, "agent", token_backend=backend)
    assert backend.secrets == {}


def test_an_unreachable_server_without_a_cache_is_an_error(server: FakeServer, tmp_path: Path) -> None:
    from workstation.sync.api import ApiError

    backend = MemoryKeyring()
    saved(backend)
    server.mode = "down"
    with pytest.raises(ApiError):
        composition.restore_session(Settings(data_dir=tmp_path), SERVER, "agent", token_backend=backend)
    assert TokenStore(SERVER, "agent", backend=backend).load() == "refresh-1"  # kept for next time


# -- the sign-in dialog --------------------------------------------------------------------------


@pytest.fixture
def ui(tmp_path: Path) -> QSettings:
    s = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    s.setValue("signin/server_url", SERVER)
    s.setValue("signin/username", "agent")
    return s


def test_the_dialog_accepts_by_itself_when_the_saved_sign_in_works(qtbot, runner, ui) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    result = SimpleNamespace(user={"id": "u"}, offline=False, message="", notice="", api=None)
    calls: list[tuple[str, str]] = []
    dialog = SignInDialog(settings=ui, default_server="http://x", sign_in=lambda *a: None, runner=runner,
                          restore=lambda url, user: calls.append((url, user)) or result)  # fmt: skip
    qtbot.addWidget(dialog)
    assert dialog.restoring and "agent" in dialog.status_label.text() and not dialog.password_edit.isEnabled()
    qtbot.waitUntil(lambda: dialog.result_value is result, timeout=5000)
    assert calls == [(SERVER, "agent")] and dialog.result() == dialog.DialogCode.Accepted


def test_the_dialog_falls_back_to_the_password_when_the_saved_sign_in_fails(qtbot, runner, ui) -> None:  # type: ignore[no-untyped-def]
    def restore(url: str, user: str) -> Any:
        raise composition.SavedSignInExpired("gone")

    dialog = SignInDialog(settings=ui, default_server="http://x", sign_in=lambda *a: None, runner=runner, restore=restore)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.restoring, timeout=5000)
    assert "expired" in dialog.status_label.text() and dialog.password_edit.isEnabled()
    assert dialog.result_value is None and dialog.isVisible()


def test_use_my_password_abandons_the_saved_sign_in(qtbot, runner, ui) -> None:  # type: ignore[no-untyped-def]
    import threading

    gate = threading.Event()
    closed: list[int] = []

    class Api:
        def close(self) -> None:
            closed.append(1)

    from types import SimpleNamespace

    def restore(url: str, user: str) -> Any:
        gate.wait(5)
        return SimpleNamespace(user={}, offline=False, message="", notice="", api=Api())

    dialog = SignInDialog(settings=ui, default_server="http://x", sign_in=lambda *a: None, runner=runner, restore=restore)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.buttons.rejected.emit()  # "Use my password"
    assert not dialog.restoring and dialog.isVisible() and dialog.password_edit.isEnabled()
    gate.set()
    qtbot.waitUntil(lambda: closed == [1], timeout=5000)  # its session is closed, not used
    assert dialog.result_value is None


def test_signing_out_returns_to_the_sign_in_dialog_and_the_next_desk_opens(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    runs: list[Any] = []
    results = [composition.DeskRun(logged_out=True, wipe=True), composition.DeskRun(code=0)]

    def fake_run(app: Any, *, settings: Settings, signed: Any, check: Any, screenshot: Any, token_backend: Any = None) -> Any:
        runs.append((signed.user.get("username"), check, screenshot))
        return results.pop(0)

    closed: list[str] = []
    second = SimpleNamespace(api=SimpleNamespace(base_url=SERVER, close=lambda: closed.append("second")),
                             user={"username": "senior"})  # fmt: skip
    asked: list[bool] = []

    def fake_ask(settings: Settings, ui: Any, *, automatic: bool = True, token_backend: Any = None) -> Any:
        asked.append(automatic)
        return second, "check-2"

    import workstation.ui.application as application

    monkeypatch.setattr(application, "quit_on_signals", lambda _app: None)  # keep pytest's Ctrl+C
    monkeypatch.setattr(composition, "_run_desk", fake_run)
    monkeypatch.setattr(composition, "ask_sign_in", fake_ask)
    first = SimpleNamespace(base_url=SERVER, close=lambda: closed.append("first"))
    code = composition.run_desktop(settings=Settings(data_dir=tmp_path), api=first, user={"username": "agent"},  # type: ignore[arg-type]
                                   check_password="check-1", screenshot=tmp_path / "x.png")  # fmt: skip
    assert code == 0
    assert runs == [("agent", "check-1", tmp_path / "x.png"), ("senior", "check-2", None)]
    assert asked == [False]  # after a sign-out the password is asked, never the saved sign-in
    assert closed == ["second"]  # the caller's client stays open for the caller to close
    ui = composition.ui_settings_for(Settings(data_dir=tmp_path))
    assert ui.value("signin/server_url") == SERVER and ui.value("signin/username") == "agent"
