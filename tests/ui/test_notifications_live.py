"""Notifications against a real ticket API on 127.0.0.1: a customer writes in through the
chat webhook → the desk's sync pulls it → one notification naming customer and channel;
more messages of the same burst and the agent's own reply announce nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from keyring.backends import fail
from PySide6.QtCore import QSettings

from tests.integration.server.conftest import PASSWORD
from tests.integration.sync.conftest import LiveServer, server  # noqa: F401
from workstation import app as composition
from workstation.config import Settings
from workstation.domain.enums import Role
from workstation.server.channels.signature import signed_headers

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)"),
]

WAIT = 20_000


def chat(live: LiveServer, message_id: str, text: str) -> None:
    body = json.dumps({"message_id": message_id, "sender": {"handle": "visitor-42", "name": "王芳"}, "text": text},
                      ensure_ascii=False).encode()  # fmt: skip
    headers = {"content-type": "application/json",
               **signed_headers("test-secret", body, timestamp=int(live.clock().timestamp()))}  # fmt: skip
    answer = httpx.post(f"{live.url}/channels/chat/messages", content=body, headers=headers, timeout=5)
    assert answer.status_code in (200, 201, 202), answer.text


def test_a_customer_writing_in_is_announced_once(qtbot, server: LiveServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    server.make_user("amy", Role.AGENT)
    settings = Settings(data_dir=tmp_path / "desk", server_url=server.url)
    signed = composition.sign_in_to(settings, server.url, "amy", PASSWORD, token_backend=fail.Keyring())
    ui = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    desk = composition.build_desk(settings=settings, api=signed.api, user=signed.user, ui_settings=ui,
                                  clock=server.clock, password=PASSWORD, tray=False)  # fmt: skip
    window = desk.window
    qtbot.addWidget(window)
    window.notifier.play_sound = lambda: None
    window.show()
    desk.start()
    try:
        qtbot.waitUntil(lambda: window.sync_label.text() == "Online" and window._mark is not None, timeout=WAIT)
        chat(server, "m-1", "你好，我的快递显示签收了但没收到")
        qtbot.waitUntil(lambda: len(window.notifier.shown) == 1, timeout=WAIT)
        title, message = window.notifier.shown[0]
        assert title == "New conversation: 王芳 · Online chat" and "没收到" in message
        chat(server, "m-2", "在吗？")  # the same burst
        before = window.notifier.shown[:]
        qtbot.waitUntil(lambda: _synced_message(desk, "在吗？"), timeout=WAIT)
        qtbot.wait(300)
        assert window.notifier.shown == before
    finally:
        desk.close()
        signed.api.close()


def _synced_message(desk: Any, body: str) -> bool:
    from sqlalchemy import select

    from workstation.store.tables import messages

    with desk.session.db.read() as s:
        return s.execute(select(messages.c.id).where(messages.c.body == body)).first() is not None
