"""Case work, filters, screen pop, privacy and themes on the desk (fakes; no database, no network)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from tests.ui.desk_fakes import USER, FakeReader, FakeServices
from tests.ui.fakes import NOW
from workstation.services.changes import ServiceError
from workstation.sync.live import SseEvent, screen_pop_of
from workstation.ui import theme
from workstation.ui.case_dialogs import OpenCaseDialog, TransferDialog, assess
from workstation.ui.desk_window import DeskWindow
from workstation.ui.sync_bridge import SyncBridge


@pytest.fixture
def reader() -> FakeReader:
    return FakeReader()


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


def make_window(qtbot, reader, services, runner, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("sync_expected", False)
    window = DeskWindow(
        reader=reader, services=services, runner=runner, user=kw.pop("user", USER),
        server_url="http://127.0.0.1:9", clock=lambda: NOW, tick_ms=0, page_size=50, **kw,
    )  # fmt: skip
    qtbot.addWidget(window)
    window.resize(1400, 800)
    window.show()
    qtbot.waitUntil(lambda: window.inbox.rowCount() > 0 and window.current_conversation_id is not None, timeout=5000)
    return window


def wait_call(qtbot, services: FakeServices, name: str):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: any(c[0] == name for c in services.calls), timeout=5000)
    return next(c for c in services.calls if c[0] == name)


# -- inbox filters ------------------------------------------------------------------------


def test_inbox_filters_by_type_priority_status_and_tag(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    window.type_filter.setCurrentIndex(window.type_filter.findData("complaint"))
    qtbot.waitUntil(lambda: window.inbox.query.request_type == "complaint", timeout=5000)
    qtbot.waitUntil(lambda: not window.inbox.loading and window.inbox.rowCount() > 0, timeout=5000)
    rows = [window.inbox.row_data(r) for r in range(window.inbox.rowCount())]
    assert rows and all(r["request_type"] == "complaint" for r in rows)

    window.set_filters(request_type="inquiry", priority="normal", status="new")
    q = window.inbox.query
    assert (q.request_type, q.priority, q.status, q.tag) == ("inquiry", "normal", "new", None)
    assert q.filters().statuses == frozenset({"new"}) and q.filters().priorities == frozenset({"normal"})
    qtbot.waitUntil(lambda: not window.inbox.loading, timeout=5000)
    rows = [window.inbox.row_data(r) for r in range(window.inbox.rowCount())]
    assert all(r["request_type"] == "inquiry" and r["status"] == "new" for r in rows)

    window.tag_filter.setText("vip")
    window.tag_filter.editingFinished.emit()
    assert window.inbox.query.tag == "vip" and window.inbox.query.filters().tag == "vip"
    window.set_filters()
    assert window.inbox.query.filters().request_types is None and window.inbox.query.tag is None


# -- case record, transfer, open a case ----------------------------------------------------------


def test_case_record_is_saved_through_the_service(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    panel = window.conversation_panel
    assert not panel.case_form.isVisible()
    window.edit_case_record()
    assert panel.case_form.isVisible()
    panel.asks_edit.setText("换一副新耳机")
    panel.solution_edit.setText("先寄新品再退回旧品")
    panel.promised_check.setChecked(True)
    panel.wishes_edit.setText("周末送货")
    qtbot.mouseClick(panel.case_save, Qt.MouseButton.LeftButton)
    call = wait_call(qtbot, services, "update_case_record")
    assert call[1] == window.current_conversation_id
    values = call[2]
    assert values["asks"] == "换一副新耳机" and values["wishes"] == "周末送货"
    assert values["solution"] == "先寄新品再退回旧品"
    assert isinstance(values["promised_at"], datetime) and values["promised_at"].tzinfo is not None
    qtbot.waitUntil(panel.case_save.isEnabled, timeout=5000)


def test_case_record_shows_the_stored_record(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    first = reader.views["mine"][0]
    reader.rows[first]["case_record"] = {"asks": "退款", "solution": "七天无理由", "wishes": "",
                                         "promised_at": "2026-03-03T02:00:00+00:00"}
    window = make_window(qtbot, reader, services, runner)
    panel = window.conversation_panel
    assert window.current_conversation_id == first
    assert panel.asks_edit.text() == "退款" and panel.promised_check.isChecked()
    assert "退款" in panel.case_summary.text()
    qtbot.mouseClick(panel.case_save, Qt.MouseButton.LeftButton)  # nothing changed but the time
    services.fail_with = ServiceError("asks", "too long")
    window.edit_case_record()
    panel.asks_edit.setText("x" * 5)
    qtbot.mouseClick(panel.case_save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "too long" in window.statusBar().currentMessage(), timeout=5000)


def test_transfer_to_a_queue_and_to_a_colleague(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    qtbot.waitUntil(lambda: len(window._names) == 3, timeout=5000)
    dialog = window.show_transfer()
    assert isinstance(dialog, TransferDialog)
    names = [dialog.user_combo.itemText(i) for i in range(dialog.user_combo.count())]
    assert "王晓雨" not in names and "Lena Zhou" in names  # not to myself
    dialog.to_queue.setChecked(True)
    dialog.queue_combo.setCurrentIndex(dialog.queue_combo.findData("returns"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    call = wait_call(qtbot, services, "transfer")
    assert call[2] == {"to_queue": "returns"}
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)

    services.calls.clear()
    services.fail_with = ServiceError("to_user_id", "that user cannot take conversations")
    dialog = window.show_transfer()
    dialog.to_user.setChecked(True)
    dialog.user_combo.setCurrentIndex(dialog.user_combo.findData("user-lead"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=5000)
    assert services.calls[0][2] == {"to_user_id": "user-lead"}
    assert "cannot take" in dialog.error_label.text() and dialog.isVisible()


def test_open_a_case_from_an_order_item_shows_the_verdict_first(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    customer = window.customer_panel
    qtbot.waitUntil(lambda: customer.find_item("item-1") is not None, timeout=5000)
    assert "item:item-1" in customer.browser.toHtml()
    customer.browser.anchorClicked.emit(QUrl("item:item-1"))
    dialog = window.open_case_dialog
    assert isinstance(dialog, OpenCaseDialog) and dialog.isVisible()
    # two days after delivery, no reason given: a 7-day return is fine
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("no_reason"))
    assert dialog.verdict is not None and dialog.verdict.eligible
    assert dialog.ok_button.isEnabled()
    assert "Deadline" in dialog.verdict_label.text()
    # used, packaging gone: no-reason return refused, the button says no
    dialog.used_box.setChecked(True)
    dialog.packaging_box.setChecked(False)
    assert not dialog.ok_button.isEnabled()
    dialog.used_box.setChecked(False)
    dialog.packaging_box.setChecked(True)
    dialog.kind_buttons["repair"].setChecked(True)
    assert dialog.ok_button.isEnabled()
    dialog.kind_buttons["return"].setChecked(True)
    dialog.description.setPlainText("不想要了")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    call = wait_call(qtbot, services, "open_case")
    args = call[2]
    assert args["order_item_id"] == "item-1" and args["kind"] == "return" and args["reason"] == "no_reason"
    assert args["conversation_id"] == window.current_conversation_id
    assert args["description"] == "不想要了" and args["packaging_intact"] is True
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)


def test_open_case_rejection_is_shown_in_the_dialog(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    qtbot.waitUntil(lambda: window.customer_panel.find_item("item-1") is not None, timeout=5000)
    services.fail_with = ServiceError("kind", "over the window (rule x)")
    window.customer_panel.request_case("item-1")
    dialog = window.open_case_dialog
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("quality"))
    dialog.evidence_box.setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error_label.isVisible, timeout=5000)
    assert "over the window" in dialog.error_label.text() and dialog.isVisible()


def test_assess_refuses_an_order_without_payment_time() -> None:
    from workstation.domain.policy import load_policy

    verdict = assess(load_policy(), item={"category": "electronics", "price": "1"}, order={},
                     reason="quality", has_evidence=True, used=False, packaging_intact=True, now=NOW)  # fmt: skip
    assert not verdict.eligible and verdict.options == ()


# -- phone screen pop ---------------------------------------------------------------------------

# The offscreen platform has no window stack: showing a tool window says it cannot raise it.
POP_NOISE = pytest.mark.qt_log_ignore(
    r"^This plugin does not support propagateSizeHints\(\)", r"^This plugin does not support raise\(\)"
)



@POP_NOISE
def test_screen_pop_shows_the_known_customer_and_opens_them(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    target = reader.rows[reader.views["all"][10]]
    bridge = SyncBridge()
    bridge.screen_pop.connect(window.on_screen_pop)
    event = SseEvent(event="screen_pop", id="7",
                     data='{"call_id": "call-1", "caller_masked": "138****1234", '
                          f'"customer_id": "{target["customer_id"]}", "agent": "agent"}}')  # fmt: skip
    threading.Thread(target=bridge.event, args=(event,)).start()  # from the live-hints thread
    qtbot.waitUntil(lambda: window.screen_pop is not None and window.screen_pop.isVisible(), timeout=5000)
    pop = window.screen_pop
    assert "138****1234" in pop.caller_label.text()
    qtbot.waitUntil(lambda: "王小明" in pop.customer_label.text(), timeout=5000)
    assert "orders" in pop.detail_label.text()
    qtbot.mouseClick(pop.open_button, Qt.MouseButton.LeftButton)
    assert not pop.isVisible()
    expected = reader.latest_conversation_of(str(target["customer_id"]))
    qtbot.waitUntil(lambda: window.current_conversation_id == expected, timeout=5000)


def test_screen_pops_for_colleagues_are_not_shown(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    window.on_screen_pop({"call_id": "c3", "caller_masked": "1", "customer_id": None, "agent": "someone.else"})
    assert window.screen_pop is None


@POP_NOISE
def test_screen_pop_for_an_unknown_caller_says_new_customer(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    pop = window.show_screen_pop({"call_id": "c2", "caller_masked": "159****0000", "customer_id": None})
    assert pop.isVisible() and "New customer" in pop.customer_label.text()
    assert not pop.open_button.isEnabled()
    qtbot.mouseClick(pop.dismiss_button, Qt.MouseButton.LeftButton)
    assert not pop.isVisible()


def test_screen_pop_parser() -> None:
    ok = SseEvent(event="screen_pop", data='{"call_id": "c", "caller_masked": "1", "customer_id": null, "agent": "a"}', id="3")
    assert screen_pop_of(ok) == {"call_id": "c", "caller_masked": "1", "customer_id": None, "agent": "a"}
    framed = SseEvent(event="screen_pop", data='{"seq": 3, "data": {"call_id": "c"}}', id="3")
    assert screen_pop_of(framed) is not None and screen_pop_of(framed)["call_id"] == "c"  # type: ignore[index]
    assert screen_pop_of(SseEvent(event="pull", data='{"seq": 3}', id="3")) is None
    assert screen_pop_of(SseEvent(event="screen_pop", data='{"seq": 3}', id="3")) is None
    assert screen_pop_of(SseEvent(event="screen_pop", data="not json", id="3")) is None


def test_live_hints_hand_other_events_to_on_event() -> None:
    from workstation.sync.live import LiveHints

    hints: list[int | None] = []
    seen: list[SseEvent] = []
    live = LiveHints(api=None, on_hint=hints.append)  # type: ignore[arg-type]
    live.on_event = seen.append
    live._other(SseEvent(event="screen_pop", data='{"call_id": "c"}', id="9"))
    assert [e.event for e in seen] == ["screen_pop"] and hints == [9]

    def broken(_event: SseEvent) -> None:
        raise RuntimeError("listener bug")

    live.on_event = broken
    live._other(SseEvent(event="screen_pop", data="{}", id="10"))  # logged, not raised
    assert hints == [9, 10]


# -- privacy --------------------------------------------------------------------------------


def test_reveal_shows_the_value_for_this_session_only(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    asked: list[tuple[str, str]] = []

    def reveal(customer_id: str, field: str) -> str:
        asked.append((customer_id, field))
        return "13812341234" if field == "phone" else "上海市浦东新区世纪大道100号"

    window = make_window(qtbot, reader, services, runner, reveal=reveal)
    panel = window.customer_panel
    qtbot.waitUntil(lambda: panel.card is not None, timeout=5000)
    html = panel.browser.toHtml()
    assert "reveal:phone" in html and "reveal:address" in html and "13812341234" not in html
    panel.browser.anchorClicked.emit(QUrl("reveal:phone"))
    qtbot.waitUntil(lambda: "13812341234" in panel.browser.toPlainText(), timeout=5000)
    assert asked == [(panel.customer_id, "phone")]
    assert "reveal:address" in panel.browser.toHtml()
    panel.forget_revealed()
    assert "13812341234" not in panel.browser.toPlainText()


def test_reveal_is_not_offered_to_other_roles_or_without_the_api(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner, user={**USER, "role": "qa_auditor"}, reveal=lambda c, f: "x")
    qtbot.waitUntil(lambda: window.customer_panel.card is not None, timeout=5000)
    assert "reveal:" not in window.customer_panel.browser.toHtml()
    window.reveal_contact("cust-001", "phone")  # refused quietly
    assert "x" not in window.customer_panel.revealed("cust-001")


def test_idle_lock_hides_the_desk_until_the_password(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner, reveal=lambda c, f: "13812341234",
                         check_password=lambda p: p == "secret", idle_lock_minutes=15)  # fmt: skip
    panel = window.customer_panel
    qtbot.waitUntil(lambda: panel.card is not None, timeout=5000)
    panel.set_revealed(str(panel.customer_id), "phone", "13812341234")
    assert not window.locked
    window.idle.set_timeout(150)  # 15 minutes would be long for a test
    qtbot.waitUntil(lambda: window.locked, timeout=5000)
    assert not window.centralWidget().isVisible()
    assert panel.revealed(str(panel.customer_id)) == {}  # reveals end with the lock
    dialog = window.lock_dialog
    dialog.password.setText("wrong")
    dialog.try_unlock()
    assert window.locked and dialog.error_label.isVisible()
    dialog.reject()  # Escape does not unlock
    assert window.locked
    dialog.password.setText("secret")
    dialog.try_unlock()
    assert not window.locked and window.centralWidget().isVisible()


def test_no_lock_without_a_password_check(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner, idle_lock_minutes=0.001)
    window.lock()
    qtbot.wait(150)
    assert not window.locked


# -- themes ---------------------------------------------------------------------------------


def test_theme_switch_is_applied_and_remembered(qtbot, reader, services, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = make_window(qtbot, reader, services, runner, settings=settings)
    app = QApplication.instance()
    original = app.palette()
    try:
        window.theme_actions["dark"].trigger()
        assert theme.current() == "dark" and theme.saved(settings) == "dark"
        assert app.palette().color(QPalette.ColorRole.Window).lightness() < 80
        assert window.theme_actions["dark"].isChecked() and not window.theme_actions["light"].isChecked()
        window.grab()  # the timeline paints with the dark bubbles without complaint
        window.set_theme("light")
        assert theme.saved(settings) == "light"
        assert app.palette().color(QPalette.ColorRole.Window).lightness() > 150
    finally:
        theme.apply(None, "light")
        app.setPalette(original)
    assert theme.saved(None) == "light"


def test_now_is_timezone_aware() -> None:
    from workstation.app import _now

    assert _now().tzinfo is not None and _now() <= datetime.now(UTC)


def test_input_keeps_the_session_unlocked(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit

    from workstation.ui.idle_lock import IdleWatcher

    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    watcher = IdleWatcher(timeout_ms=300)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))
    try:
        for _ in range(6):
            qtbot.keyClick(edit, "a")
            qtbot.wait(100)
        assert not fired
        qtbot.waitUntil(lambda: bool(fired), timeout=3000)
        qtbot.wait(400)
        assert fired == [True]  # once, until re-armed
        watcher.set_timeout(0)
        assert not watcher._timer.isActive()
    finally:
        watcher.stop()


def test_idle_lock_minutes_are_configurable_and_remembered(qtbot, reader, services, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = make_window(qtbot, reader, services, runner, settings=settings, check_password=lambda p: True,
                         idle_lock_minutes=15)  # fmt: skip
    assert window.idle_lock_minutes == 15
    window.set_idle_lock_minutes(5)
    assert window.idle_lock_minutes == 5 and int(settings.value("privacy/idle_lock_minutes")) == 5
    window.set_idle_lock_minutes(0)  # at least a minute
    assert window.idle_lock_minutes == 1


def test_workstation_without_a_command_opens_the_sign_in(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from workstation import __main__ as cli
    from workstation import app

    seen: list[object] = []
    monkeypatch.setattr(app, "run_gui", lambda *, settings: seen.append(settings) or 0)
    assert cli.main([]) == 0
    assert len(seen) == 1
