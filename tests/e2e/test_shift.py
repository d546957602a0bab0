"""A whole shift on the real desk window against a real ticket API on 127.0.0.1:

sign in (the dialog) → claim a conversation → reply (Ctrl+Enter) → open a return from the
customer's order item → the server goes away → keep working (a note, a status change; the
offline banner shows, the pending count rises) → the server comes back on the same port and
database → everything syncs (pending 0) and is visible on a second client and in the
server's database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from keyring.backends import fail
from PySide6.QtCore import QSettings, Qt, QUrl
from sqlalchemy import select

from tests.integration.server import factories as f
from tests.integration.server.conftest import PASSWORD
from tests.integration.sync.conftest import LiveServer, make_client, server  # noqa: F401
from workstation import app as composition
from workstation.config import Settings
from workstation.domain.enums import Role
from workstation.server.channels.signature import signed_headers
from workstation.server.tables import AuditEntry, Case, Conversation, Customer, Message
from workstation.store.tables import cases as cached_cases
from workstation.store.tables import conversations as cached_conversations
from workstation.store.tables import messages as cached_messages
from workstation.ui.signin_dialog import SignInDialog

pytestmark = [
    pytest.mark.slow,
    # offscreen has no window stack: showing the screen-pop tool window says it cannot raise it
    pytest.mark.qt_log_ignore(
        r"^This plugin does not support propagateSizeHints\(\)", r"^This plugin does not support raise\(\)"
    ),
]

WAIT = 20_000


def pending_shown(window: Any) -> int:
    text = window.pending_button.text()
    digits = "".join(ch for ch in text.split("·")[0] if ch.isdigit())
    return int(digits or 0)


@pytest.fixture
def desk_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "desk"


def test_a_whole_shift_online_offline_and_back(qtbot, server: LiveServer, desk_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811 - the fixture
    amy = server.make_user("amy", Role.AGENT)
    server.make_user("lena", Role.TEAM_LEAD)
    w = f.world(server)  # type: ignore[arg-type]  # an unassigned chat about broken earphones
    for _ in range(5):
        f.world(server)  # type: ignore[arg-type]
    settings = Settings(data_dir=desk_dir, server_url="http://127.0.0.1:9", idle_lock_minutes=15)
    ui_settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)

    # -- sign in --------------------------------------------------------------------------
    dialog = SignInDialog(
        settings=ui_settings,
        default_server=settings.server_url,
        sign_in=lambda url, user, password: composition.sign_in_to(
            settings, url, user, password, token_backend=fail.Keyring()
        ),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.server_edit.setText(server.url)
    dialog.user_edit.setText("amy")
    dialog.password_edit.setText(PASSWORD)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_value is not None, timeout=WAIT)
    signed = dialog.result_value
    assert signed.user["id"] == amy and not signed.offline
    assert "keyring" in signed.notice.lower()  # no secure store here: the desk says so
    assert ui_settings.value("signin/server_url") == server.url  # remembered for next time

    desk = composition.build_desk(
        settings=settings, api=signed.api, user=signed.user, ui_settings=ui_settings,
        clock=server.clock, password=dialog.password, notice=signed.notice,
    )  # fmt: skip
    window = desk.window
    qtbot.addWidget(window)
    window.resize(1400, 850)
    window.show()
    desk.start()
    try:
        _shift(qtbot, server, desk, window, w, tmp_path)
    finally:
        desk.close()
        signed.api.close()


def activate(qtbot, window: Any) -> None:  # type: ignore[no-untyped-def]
    """Back to the desk after a dialog or pop-up (the composer's Ctrl+Enter needs the active window)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)


def ring(live: LiveServer, caller: str, agent: str) -> None:
    """The telephony platform says a call rings at `agent`'s phone (a signed webhook)."""
    body = json.dumps({"call_id": "shift-call-1", "event": "ringing", "caller": caller, "agent": agent}).encode()
    headers = {"content-type": "application/json",
               **signed_headers("test-secret", body, timestamp=int(live.clock().timestamp()))}  # fmt: skip
    answer = httpx.post(f"{live.url}/channels/phone/events", content=body, headers=headers, timeout=5)
    assert answer.status_code == 202, answer.text


def _shift(qtbot, live: LiveServer, desk: Any, window: Any, w: Any, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = live  # noqa: F811 - the same LiveServer, under the name the helpers use
    qtbot.waitUntil(lambda: window.sync_label.text() == "Online", timeout=WAIT)

    # -- the phone rings: the caller's customer pops up before the agent answers -----------
    f.customer(server, phone="+8613955501234", name="韩梅梅")  # type: ignore[arg-type]
    window.sync_now()
    qtbot.waitUntil(lambda: desk.session.engine.live is not None and desk.session.engine.live.connects > 0,
                    timeout=WAIT)  # fmt: skip
    ring(server, "139 5550 1234", "amy")
    qtbot.waitUntil(lambda: window.screen_pop is not None and window.screen_pop.isVisible(), timeout=WAIT)
    pop = window.screen_pop
    assert "1234" in pop.caller_label.text() and "5550" not in pop.caller_label.text()  # masked
    qtbot.waitUntil(lambda: "韩梅梅" in pop.customer_label.text(), timeout=WAIT)
    qtbot.mouseClick(pop.dismiss_button, Qt.MouseButton.LeftButton)
    assert not pop.isVisible()
    activate(qtbot, window)

    # -- claim ----------------------------------------------------------------------------
    window.set_view("unassigned")
    qtbot.waitUntil(lambda: window.inbox.row_of(w.conversation_id) >= 0, timeout=WAIT)
    window.open_conversation(w.conversation_id)
    qtbot.waitUntil(lambda: window.current_conversation_id == w.conversation_id, timeout=WAIT)
    panel = window.conversation_panel
    qtbot.waitUntil(lambda: panel.claim_button.isEnabled(), timeout=WAIT)
    qtbot.mouseClick(panel.claim_button, Qt.MouseButton.LeftButton)

    def server_conv() -> Conversation:
        with server.db.read() as s:
            return s.execute(select(Conversation).where(Conversation.id == w.conversation_id)).scalar_one()

    amy = server.users["amy"]
    qtbot.waitUntil(lambda: server_conv().assignee_id == amy, timeout=WAIT)

    # -- reply with Ctrl+Enter --------------------------------------------------------------
    panel.focus_reply()
    panel.editor.insertPlainText("您好，我们马上为您处理耳机的问题。")  # QTest types ASCII only
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.editor.toPlainText() == "", timeout=WAIT)

    def server_messages(direction: str) -> list[str]:
        with server.db.read() as s:
            return list(s.execute(select(Message.body).where(
                Message.conversation_id == w.conversation_id, Message.direction == direction)).scalars())

    qtbot.waitUntil(lambda: "您好，我们马上为您处理耳机的问题。" in server_messages("outbound"), timeout=WAIT)

    # -- open a return from the order item in Customer 360 ---------------------------------
    customer = window.customer_panel
    qtbot.waitUntil(lambda: customer.find_item(w.item_id) is not None, timeout=WAIT)
    assert f"item:{w.item_id}" in customer.browser.toHtml()
    customer.browser.anchorClicked.emit(QUrl(f"item:{w.item_id}"))
    qtbot.waitUntil(lambda: window.open_case_dialog is not None and window.open_case_dialog.isVisible(), timeout=WAIT)
    case_dialog = window.open_case_dialog
    case_dialog.reason_combo.setCurrentIndex(case_dialog.reason_combo.findData("quality"))
    case_dialog.evidence_box.setChecked(True)
    assert case_dialog.ok_button.isEnabled(), case_dialog.verdict_label.text()
    assert "Eligible" in case_dialog.verdict_label.text()
    case_dialog.description.setPlainText("左耳没有声音")
    qtbot.mouseClick(case_dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not case_dialog.isVisible(), timeout=WAIT)

    def server_cases() -> list[Case]:
        with server.db.read() as s:
            return list(s.execute(select(Case).where(Case.order_item_id == w.item_id)).scalars())

    qtbot.waitUntil(lambda: len(server_cases()) == 1, timeout=WAIT)
    assert server_cases()[0].kind == "return"
    qtbot.waitUntil(lambda: pending_shown(window) == 0, timeout=WAIT)

    # -- reveal the customer's phone number (masked until then; audited by the server) -------
    with server.db.read() as s:
        phone = s.execute(select(Customer.phone).where(Customer.id == w.customer_id)).scalar_one()
    assert phone not in customer.browser.toPlainText()
    customer.browser.anchorClicked.emit(QUrl("reveal:phone"))
    qtbot.waitUntil(lambda: phone in customer.browser.toPlainText(), timeout=WAIT)
    with server.db.read() as s:
        audits = s.execute(select(AuditEntry.action).where(AuditEntry.target_id == w.customer_id)).scalars().all()
    assert "customer.reveal" in audits

    # -- the server goes away: keep working ------------------------------------------------
    server.stop()
    window.sync_now()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=WAIT)
    assert window.sync_label.text() == "Offline"
    activate(qtbot, window)
    panel.focus_note()
    panel.editor.insertPlainText("客户要求周末上门取件")
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.editor.toPlainText() == "" or bool(panel.error_label.text()), timeout=WAIT)
    assert panel.editor.toPlainText() == "", panel.error_label.text()
    index = panel.status_combo.findData("pending_customer")
    panel.status_combo.setCurrentIndex(index)
    panel.status_combo.activated.emit(index)
    qtbot.waitUntil(lambda: pending_shown(window) >= 2, timeout=WAIT)
    # the timeline shows the note at once, from the cache
    qtbot.waitUntil(
        lambda: any("客户要求周末上门取件" in str(window.timeline_model.item(r).get("body"))
                    for r in range(window.timeline_model.rowCount())),
        timeout=WAIT,
    )
    assert "客户要求周末上门取件" not in server_messages("note")

    # -- the server is back on the same port and database ---------------------------------
    server.start()
    window.sync_now()
    qtbot.waitUntil(lambda: pending_shown(window) == 0 and window.sync_label.text() == "Online", timeout=WAIT)
    assert not window.banner.isVisible()
    assert "客户要求周末上门取件" in server_messages("note")
    assert server_conv().status == "pending_customer"

    # -- a second client (the team lead) sees all of it --------------------------------------
    other = make_client(server, "lena", tmp_path / "lena.sqlite3")
    try:
        for _ in range(5):
            other.engine.run_once()
        with other.db.read() as s:
            conv = s.execute(select(cached_conversations.c.data).where(
                cached_conversations.c.id == w.conversation_id)).scalar_one()
            bodies = list(s.execute(select(cached_messages.c.data)).scalars())
            case_rows = s.execute(select(cached_cases.c.data)).scalars().all()
        conv = dict(conv)
        assert conv["assignee_id"] == amy and conv["status"] == "pending_customer"
        texts = {dict(b).get("body") for b in bodies}
        assert {"您好，我们马上为您处理耳机的问题。", "客户要求周末上门取件"} <= texts
        assert any(dict(c).get("order_item_id") == w.item_id and dict(c).get("kind") == "return" for c in case_rows)
    finally:
        other.close()

    # -- next morning the server is down: signing in starts from the cache and says so ---------
    server.stop()
    settings = Settings(data_dir=desk.session.db.path.parents[1], server_url=server.url)
    dialog = SignInDialog(
        settings=None, default_server=server.url,
        sign_in=lambda url, user, password: composition.sign_in_to(settings, url, user, password),
    )  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.user_edit.setText("amy")
    dialog.password_edit.setText(PASSWORD)
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result_value is not None or not dialog.busy, timeout=WAIT)
    assert dialog.result_value is not None, dialog.status_label.text()
    offline = dialog.result_value
    try:
        assert offline.offline and offline.user["id"] == amy and offline.message
    finally:
        offline.api.close()
