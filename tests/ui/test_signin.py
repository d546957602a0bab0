"""The sign-in dialog: remembered server, background sign-in, clear errors."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from workstation.sync.api import ApiError
from workstation.ui.signin_dialog import SignInDialog


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def make(qtbot, settings: QSettings, sign_in: Any, runner: Any) -> SignInDialog:  # type: ignore[no-untyped-def]
    dialog = SignInDialog(settings=settings, default_server="http://127.0.0.1:8700", sign_in=sign_in, runner=runner)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_signs_in_in_the_background_and_remembers_the_server(qtbot, settings, runner) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    calls: list[tuple[str, str, str]] = []

    def sign_in(url: str, user: str, password: str) -> Any:
        calls.append((url, user, password))
        gate.wait(5)
        return SimpleNamespace(user={"id": "u1"}, offline=False, message="", notice="")

    dialog = make(qtbot, settings, sign_in, runner)
    assert dialog.server_edit.text() == "http://127.0.0.1:8700"
    dialog.server_edit.setText("http://tickets.example.cn/")
    dialog.user_edit.setText("amy")
    dialog.password_edit.setText("pw")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.busy and not dialog.ok_button.isEnabled()  # the UI thread did not wait
    assert "Signing in" in dialog.status_label.text()
    gate.set()
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=5000)
    assert calls == [("http://tickets.example.cn", "amy", "pw")]
    assert dialog.result() == dialog.DialogCode.Accepted and dialog.password == "pw"
    assert dialog.password_edit.text() == ""
    assert settings.value("signin/server_url") == "http://tickets.example.cn"
    assert settings.value("signin/username") == "amy"

    again = make(qtbot, settings, sign_in, runner)
    assert again.server_edit.text() == "http://tickets.example.cn" and again.user_edit.text() == "amy"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ApiError(0, "Server unreachable", "connection refused"), "cannot be reached"),
        (ApiError(401, "Unauthorized", "bad credentials"), "Wrong user name or password"),
        (ApiError(500, "Server error", "boom"), "boom"),
    ],
)
def test_failures_are_explained_and_the_form_comes_back(qtbot, settings, runner, error, expected) -> None:  # type: ignore[no-untyped-def]
    def sign_in(url: str, user: str, password: str) -> Any:
        raise error

    dialog = make(qtbot, settings, sign_in, runner)
    dialog.user_edit.setText("amy")
    dialog.password_edit.setText("pw")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=5000)
    assert expected in dialog.status_label.text()
    assert dialog.ok_button.isEnabled() and dialog.result_value is None and dialog.isVisible()
    assert settings.value("signin/username") is None  # only a successful sign-in is remembered


def test_bad_input_is_refused_before_anything_runs(qtbot, settings, runner) -> None:  # type: ignore[no-untyped-def]
    called: list[str] = []
    dialog = make(qtbot, settings, lambda *a: called.append("x"), runner)
    dialog.server_edit.setText("tickets.example.cn")
    dialog.user_edit.setText("amy")
    dialog.password_edit.setText("pw")
    dialog.submit()
    assert "http://" in dialog.status_label.text()
    dialog.server_edit.setText("http://tickets.example.cn")
    dialog.password_edit.setText("")
    dialog.submit()
    assert "password" in dialog.status_label.text()
    assert called == [] and not dialog.busy


def test_the_language_can_be_chosen_before_signing_in(qtbot, settings, runner) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication

    from workstation.ui.application import current_language, set_language

    dialog = make(qtbot, settings, lambda *a: None, runner)
    try:
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("zh_CN"))
        assert current_language() == "zh_CN" and settings.value("ui/language") == "zh_CN"
        assert dialog.windowTitle() == "登录" and dialog.ok_button.text() == "登录"
        assert [lab.text() for lab in dialog.form_labels] == ["服务器", "用户名", "密码"]
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
        assert dialog.ok_button.text() == "Sign in" and dialog.form_labels[2].text() == "Password"
    finally:
        from PySide6.QtCore import QLocale

        set_language(QCoreApplication.instance(), "en")
        QLocale.setDefault(QLocale.system())
