"""Damaged item → eligibility → compensation above the agent's limit → pending approval → the
team lead approves on a second client → the agent's desk shows it approved → the reply goes
out from an approved script with the amount filled in → the server's message has the amount
and records the script id and version. Real server on 127.0.0.1, real desk window."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import fail
from PySide6.QtCore import QSettings, Qt
from sqlalchemy import select

from tests.integration.server import factories as f
from tests.integration.server.conftest import PASSWORD
from tests.integration.sync.conftest import LiveServer, make_client, server  # noqa: F401
from workstation import app as composition
from workstation.config import Settings
from workstation.domain.enums import Role
from workstation.server.script_library import load_default_library
from workstation.server.tables import CompensationOffer, Message, ReplyScript
from workstation.services.desk import DeskServices

pytestmark = [
    pytest.mark.slow,
    pytest.mark.qt_log_ignore(
        r"^This plugin does not support propagateSizeHints\(\)", r"^This plugin does not support raise\(\)"
    ),
]

WAIT = 20_000


def test_damaged_item_compensation_approved_by_the_lead_goes_out_in_a_script(  # type: ignore[no-untyped-def]
    qtbot, server: LiveServer, tmp_path: Path  # noqa: F811 - the fixture
) -> None:
    server.make_user("amy", Role.AGENT)
    lena = server.make_user("lena", Role.TEAM_LEAD)
    with server.db.write() as s:
        load_default_library(s, approved_by=lena, now=server.clock())
    w = f.world(server)  # type: ignore[arg-type]  # a chat about broken earphones, item ¥200
    settings = Settings(data_dir=tmp_path / "desk", server_url=server.url, idle_lock_minutes=15)
    signed = composition.sign_in_to(settings, server.url, "amy", PASSWORD, token_backend=fail.Keyring())
    ui_settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    desk = composition.build_desk(settings=settings, api=signed.api, user=signed.user, ui_settings=ui_settings,
                                  clock=server.clock)  # fmt: skip
    window = desk.window
    qtbot.addWidget(window)
    window.resize(1400, 850)
    window.show()
    desk.start()
    try:
        _scenario(qtbot, server, desk, window, w, tmp_path)
    finally:
        desk.close()
        signed.api.close()


def _scenario(qtbot, server: LiveServer, desk: Any, window: Any, w: Any, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    qtbot.waitUntil(lambda: window.sync_label.text() == "Online", timeout=WAIT)
    window.set_view("all")
    qtbot.waitUntil(lambda: window.inbox.row_of(w.conversation_id) >= 0, timeout=WAIT)
    window.open_conversation(w.conversation_id)
    qtbot.waitUntil(lambda: window.current_conversation_id == w.conversation_id, timeout=WAIT)
    panel = window.conversation_panel
    qtbot.waitUntil(lambda: panel.picker.script_count() >= 60, timeout=WAIT)  # the library synced

    # -- the calculators take the conversation's order item --------------------------------
    calc = window.calculator
    qtbot.waitUntil(lambda: calc.item is not None and calc.item.get("id") == w.item_id, timeout=WAIT)
    window.toggle_calculator()
    assert window.calculator_dock.isVisible()
    calc.reason_combo.setCurrentIndex(calc.reason_combo.findData("quality"))
    calc.evidence_check.setChecked(True)
    assert calc.eligibility is not None and calc.eligibility.verdict == "return", calc.eligibility_label.text()
    calc.tabs.setCurrentIndex(1)
    calc.kind_combo.setCurrentIndex(calc.kind_combo.findData("damaged_goods"))
    # The quote is worked out in the background; the figures shown are the last answer until then.
    qtbot.waitUntil(lambda: calc.quote_result is not None, timeout=WAIT)
    assert calc.quote_result.total == Decimal("100.00"), calc.lines_label.text()
    assert calc.offer_button.isEnabled()
    assert "needs approval" in calc.authority_label.text()
    qtbot.mouseClick(calc.offer_button, Qt.MouseButton.LeftButton)

    def server_offers() -> list[CompensationOffer]:
        with server.db.read() as s:
            return list(s.execute(select(CompensationOffer).where(CompensationOffer.order_id == w.order_id)).scalars())

    qtbot.waitUntil(lambda: len(server_offers()) == 1, timeout=WAIT)
    offer = server_offers()[0]
    assert offer.status == "pending_approval" and offer.amount == Decimal("100.00")
    qtbot.waitUntil(lambda: window._offer_status.get(offer.id) == "pending_approval", timeout=WAIT)

    # -- the team lead approves on another client --------------------------------------------
    lead = make_client(server, "lena", tmp_path / "lena.sqlite3")
    try:
        for _ in range(3):
            lead.engine.run_once()
        services = DeskServices(cache=lead.db, clock=server.clock,
                                user={"id": server.users["lena"], "username": "lena", "role": "team_lead"})  # fmt: skip
        from workstation.ui.reader import CacheReader

        pending = CacheReader(lead.db).offers()
        assert [o["id"] for o in pending] == [offer.id]
        services.decide_compensation(offer.id, "approve")
        for _ in range(3):
            lead.engine.run_once()
    finally:
        lead.close()
    qtbot.waitUntil(lambda: server_offers()[0].status == "approved", timeout=WAIT)

    # -- the agent sees it approved, live ----------------------------------------------------
    window.sync_now()
    card = window.customer_panel
    qtbot.waitUntil(lambda: card.card is not None and any(o.get("status") == "approved" for o in card.card.compensation),
                    timeout=WAIT)  # fmt: skip
    qtbot.waitUntil(lambda: any("approved" in n for n in window.offer_notices), timeout=WAIT)
    qtbot.waitUntil(lambda: window.render_context().get("compensation.amount") == "100.00", timeout=WAIT)

    # -- the reply from an approved script, with the amount --------------------------------
    panel.focus_reply()
    qtbot.keyClick(panel.editor, "/")
    assert panel.picker.isVisible()
    panel.picker.search_edit.setText("服务补偿优惠券")
    script = panel.picker.current_script()
    assert script is not None and script.key == "compensation.coupon.zh"
    qtbot.keyClick(panel.picker.search_edit, Qt.Key.Key_Return)
    body = panel.editor.toPlainText()
    assert "100.00" in body and "{{" not in body, body
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: panel.editor.toPlainText() == "", timeout=WAIT)

    def sent() -> list[Message]:
        with server.db.read() as s:
            return list(s.execute(select(Message).where(
                Message.conversation_id == w.conversation_id, Message.direction == "outbound")).scalars())

    qtbot.waitUntil(lambda: any("100.00" in m.body for m in sent()), timeout=WAIT)
    message = next(m for m in sent() if "100.00" in m.body)
    with server.db.read() as s:
        row = s.execute(select(ReplyScript).where(ReplyScript.key == "compensation.coupon.zh")).scalar_one()
    assert (message.script_id, message.script_version) == (row.id, row.version)
