"""The call record: a ticking timer, caller and customer, notes, wrap-up code, saving through
the desk services, the new-customer path, and nothing typed lost (fakes; no network)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.desk_fakes import USER, FakeReader, FakeServices
from tests.ui.fakes import NOW
from workstation.services.calls import wrap_up_codes
from workstation.services.changes import OpChanges, ServiceError
from workstation.ui import i18n
from workstation.ui.call_record import (
    CallRecordDock,
    CallRecordPanel,
    CallWatcher,
    format_elapsed,
    register_zh,
    wrap_up_label,
)
from workstation.ui.desk_window import DeskWindow

POP_NOISE = pytest.mark.qt_log_ignore(
    r"^This plugin does not support propagateSizeHints\(\)", r"^This plugin does not support raise\(\)"
)
CALL = "0193a000-0000-7000-8000-0000000000c1"
POP = {"call_id": CALL, "caller_masked": "138****1234", "customer_id": "cust-1", "agent": "agent"}


class Clock:
    def __init__(self, start: datetime = NOW) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += timedelta(seconds=seconds)


class CallServices(FakeServices):
    """FakeServices plus the phone use cases; `rows` is the cache's call table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, Any]] = {}

    def call(self, call_id: str) -> dict[str, Any] | None:
        row = self.rows.get(call_id)
        return dict(row) if row else None

    def record_call_notes(self, call_id: str, notes: str, wrap_up_code: str | None = None,
                          *, allow_uncached: bool = False) -> OpChanges:  # fmt: skip
        self._record("record_call_notes", call_id, notes, wrap_up_code, allow_uncached)
        return OpChanges(entities=frozenset({"calls"}), ids=frozenset({call_id}), mutation_id=7)


# -- the panel on its own ---------------------------------------------------------------------


def make_panel(qtbot, clock: Clock, tick_ms: int = 20) -> CallRecordPanel:  # type: ignore[no-untyped-def]
    panel = CallRecordPanel(clock=clock, tick_ms=tick_ms)
    qtbot.addWidget(panel)
    panel.resize(360, 520)
    panel.show()
    return panel


def test_the_timer_ticks_with_the_clock_and_stops_when_the_call_ends(qtbot) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    panel = make_panel(qtbot, clock)
    panel.start(POP)
    assert panel.timer_label.text() == "00:00" and panel.running
    clock.advance(7)
    qtbot.waitUntil(lambda: panel.timer_label.text() == "00:07", timeout=2000)
    clock.advance(60)
    qtbot.waitUntil(lambda: panel.timer_label.text() == "01:07", timeout=2000)
    assert "On the call" in panel.state_label.text()
    qtbot.mouseClick(panel.end_button, Qt.MouseButton.LeftButton)
    assert not panel.running and not panel.end_button.isEnabled()
    clock.advance(30)
    qtbot.wait(80)
    assert panel.timer_label.text() == "01:07"  # frozen once ended
    assert "wrap-up" in panel.state_label.text()


def test_answered_and_ended_times_from_the_server_win(qtbot) -> None:  # type: ignore[no-untyped-def]
    clock = Clock()
    panel = make_panel(qtbot, clock)
    panel.start(POP)
    answered = NOW - timedelta(seconds=12)
    panel.update_row({"id": CALL, "state": "answered", "answered_at": answered.isoformat(),
                      "customer_id": "cust-1", "conversation_id": "conv-9"})  # fmt: skip
    assert panel.timer_label.text() == "00:12"
    assert panel.open_conversation_button.isVisibleTo(panel)
    panel.update_row({"id": "another-call", "state": "ended"})
    assert panel.running
    panel.update_row({"id": CALL, "state": "ended", "answered_at": answered.isoformat(), "duration_s": 95,
                      "ended_at": (NOW + timedelta(seconds=83)).isoformat(), "conversation_id": "conv-9"})  # fmt: skip
    assert not panel.running and panel.timer_label.text() == "01:35"
    with qtbot.waitSignal(panel.open_conversation) as opened:
        qtbot.mouseClick(panel.open_conversation_button, Qt.MouseButton.LeftButton)
    assert opened.args == ["conv-9"]


def test_saving_needs_notes_and_a_wrap_up_code_and_keeps_what_was_typed(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, Clock())
    panel.start(POP)
    sent: list[tuple[Any, ...]] = []
    panel.save_requested.connect(lambda *a: sent.append(a))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert sent == [] and panel.error_label.isVisible()
    assert "Write a few words" in panel.error_label.text()
    panel.notes_edit.setPlainText("客户询问退款进度，已告知3天内到账")
    assert not panel.error_label.isVisible()  # typing clears the message
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert sent == [] and "wrap-up code" in panel.error_label.text()
    assert panel.focusWidget() is panel.wrap_combo
    assert panel.notes_edit.toPlainText() == "客户询问退款进度，已告知3天内到账"
    panel.wrap_combo.setCurrentIndex(panel.wrap_combo.findData("info_given"))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert sent == [(CALL, "客户询问退款进度，已告知3天内到账", "info_given")]
    assert not panel.running and not panel.save_button.isEnabled() and panel.saving
    # a refusal from the services: everything stays, the reason shows, the field gets focus
    panel.save_failed("is 20001 characters long", "notes")
    assert panel.save_button.isEnabled() and "20001" in panel.error_label.text()
    assert panel.notes_edit.toPlainText() == "客户询问退款进度，已告知3天内到账"
    assert panel.has_unsaved()
    panel.save()
    panel.saved()
    assert panel.state_label.text() == "Saved." and not panel.active and not panel.has_unsaved()


def test_an_unknown_caller_gets_the_new_customer_form(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, Clock())
    panel.start({**POP, "customer_id": None})
    assert panel.new_customer_box.isVisibleTo(panel) and "New customer" in panel.customer_label.text()
    assert not panel.open_customer_button.isVisibleTo(panel)
    sent: list[tuple[Any, ...]] = []
    panel.save_requested.connect(lambda *a: sent.append(a))
    panel.name_edit.setText("张先生")
    panel.order_edit.setText("SO 123")
    panel.wrap_combo.setCurrentIndex(panel.wrap_combo.findData("case_opened"))
    panel.save()
    assert sent == [] and "no spaces" in panel.error_label.text()
    panel.order_edit.setText("SO123")
    panel.notes_edit.setPlainText("洗衣机漏水，已建维修单")
    panel.save()
    assert sent == [(CALL, "New customer: 张先生 · Order: SO123\n洗衣机漏水，已建维修单", "case_opened")]
    # the server made the customer when the call was answered: the panel learns who it is
    panel2 = make_panel(qtbot, Clock())
    panel2.start({**POP, "customer_id": None})
    with qtbot.waitSignal(panel2.customer_changed) as changed:
        panel2.update_row({"id": CALL, "state": "answered", "customer_id": "cust-new"})
    assert changed.args == ["cust-new"] and panel2.open_customer_button.isVisibleTo(panel2)


def test_closing_the_dock_with_unsaved_notes_asks(qtbot) -> None:  # type: ignore[no-untyped-def]
    answers: list[bool] = [False, True]
    asked: list[str] = []

    def confirm(_parent: Any, text: str) -> bool:
        asked.append(text)
        return answers.pop(0)

    panel = CallRecordPanel(clock=Clock())
    dock = CallRecordDock(panel, confirm=confirm)
    qtbot.addWidget(dock)
    dock.show()
    panel.start(POP)
    assert dock.close()  # nothing typed: closes without asking
    assert asked == []
    dock.show()
    panel.notes_edit.setPlainText("客户要求周末送货")
    assert not dock.close() and dock.isVisible() and len(asked) == 1
    assert panel.notes_edit.toPlainText() == "客户要求周末送货"
    assert dock.close() and not dock.isVisible() and len(asked) == 2


def test_wrap_up_codes_come_from_resources_and_translate(qtbot) -> None:  # type: ignore[no-untyped-def]
    codes = wrap_up_codes()
    assert [c.code for c in codes][:2] == ["resolved_first_contact", "info_given"]
    panel = make_panel(qtbot, Clock())
    assert panel.wrap_combo.count() == len(codes) + 1 and panel.wrap_combo.itemData(0) is None
    register_zh()
    assert i18n.ZH_CN[("CallRecord", "Information given")] == "已告知信息"
    assert i18n.ZH_CN[("ScreenPop", "&Answer")] == "接听(&A)" or ("ScreenPop", "&Answer") not in i18n.ZH_CN
    assert wrap_up_label("info_given") == "Information given" and wrap_up_label("x_y") == "x_y"
    assert format_elapsed(3725) == "1:02:05" and format_elapsed(-3) == "00:00"


def test_chinese_ui_shows_no_english(qtbot) -> None:  # type: ignore[no-untyped-def]
    translator = i18n.make_translator("zh_CN")
    assert translator is not None
    QApplication.installTranslator(translator)
    try:
        panel = make_panel(qtbot, Clock())
        panel.start({**POP, "customer_id": None})
        assert panel.state_label.text() == "通话中"
        assert panel.wrap_combo.itemText(0) == "请选择小结代码…"
        assert panel.wrap_combo.itemText(2) == "已告知信息"
        assert panel.save_button.text() == "保存(&S)" and panel.new_customer_box.title() == "新客户"
        panel.grab().save("/tmp/call_record_zh.png")
    finally:
        QApplication.removeTranslator(translator)


def test_the_watcher_reports_changes_of_one_call_only_once(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    rows: dict[str, dict[str, Any]] = {CALL: {"id": CALL, "state": "ringing"}}
    watcher = CallWatcher(fetch=lambda cid: rows.get(cid), runner=runner, interval_ms=20)
    seen: list[dict[str, Any]] = []
    watcher.row_changed.connect(seen.append)
    watcher.watch(CALL)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=2000)
    qtbot.wait(100)
    assert len(seen) == 1  # unchanged rows are not reported again
    rows[CALL] = {"id": CALL, "state": "answered"}
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=2000)
    watcher.stop()
    assert not watcher.watching


def test_the_watcher_reads_when_told_the_calls_changed_not_on_a_fast_timer(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    rows: dict[str, dict[str, Any]] = {CALL: {"id": CALL, "state": "ringing"}}
    gate, started = threading.Event(), threading.Event()
    gate.set()

    def fetch(cid: str) -> dict[str, Any] | None:
        row = dict(rows[cid])  # what the cache held when the read began
        started.set()
        gate.wait(5)
        return row

    watcher = CallWatcher(fetch=fetch, runner=runner)
    assert watcher._timer.interval() >= 10_000  # polling is a fallback only
    seen: list[dict[str, Any]] = []
    watcher.row_changed.connect(seen.append)
    watcher.watch(CALL)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=2000)
    rows[CALL] = {"id": CALL, "state": "answered"}
    watcher.refresh()  # the desk: pulled changes touched "calls"
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=2000)
    assert seen[-1]["state"] == "answered"

    gate.clear()  # a read is running when the next change arrives: it must not be lost
    started.clear()
    watcher.refresh()
    assert started.wait(2)
    rows[CALL] = {"id": CALL, "state": "ended"}
    watcher.refresh()
    gate.set()
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=2000)
    assert seen[-1]["state"] == "ended"
    watcher.stop()


# -- on the desk ------------------------------------------------------------------------------


def make_window(qtbot, services: CallServices, runner, clock: Clock, **kw: Any) -> DeskWindow:  # type: ignore[no-untyped-def]
    window = DeskWindow(
        reader=FakeReader(), services=services, runner=runner, user=USER, server_url="http://127.0.0.1:9",
        clock=clock, tick_ms=0, page_size=50, sync_expected=False, **kw,
    )  # fmt: skip
    qtbot.addWidget(window)
    window.resize(1400, 800)
    window.show()
    qtbot.waitUntil(lambda: window.inbox.rowCount() > 0, timeout=5000)
    return window


@POP_NOISE
def test_answer_opens_a_ticking_record_and_save_lands_in_the_services(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    clock, services = Clock(), CallServices()
    window = make_window(qtbot, services, runner, clock)
    pop = window.show_screen_pop(POP)
    qtbot.mouseClick(pop.answer_button, Qt.MouseButton.LeftButton)
    dock = window.call_record_dock
    assert dock is not None and dock.isVisible() and not pop.isVisible()
    panel = dock.panel
    panel._timer.setInterval(20)
    qtbot.waitUntil(lambda: "王小明" in panel.customer_label.text(), timeout=5000)
    assert "138****1234" in panel.caller_label.text()
    clock.advance(42)
    qtbot.waitUntil(lambda: panel.timer_label.text() == "00:42", timeout=2000)
    window.grab().save("/tmp/desk_call_record.png")
    panel.notes_edit.setPlainText("客户咨询耳机保修，已告知保修一年")
    panel.wrap_combo.setCurrentIndex(panel.wrap_combo.findData("info_given"))
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(c[0] == "record_call_notes" for c in services.calls), timeout=5000)
    call = next(c for c in services.calls if c[0] == "record_call_notes")
    assert call == ("record_call_notes", CALL, "客户咨询耳机保修，已告知保修一年", "info_given", True)
    qtbot.waitUntil(lambda: panel.state_label.text().startswith("Saved"), timeout=5000)
    assert not panel.active
    qtbot.waitUntil(lambda: not dock.isVisible(), timeout=5000)


@POP_NOISE
def test_a_refused_save_keeps_the_notes_and_says_why(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    services = CallServices()
    window = make_window(qtbot, services, runner, Clock(), confirm=lambda _w, _t: True)
    panel = window.start_call_record(POP)
    services.fail_with = ServiceError("wrap_up_code", "'x' is not a wrap-up code")
    panel.notes_edit.setPlainText("备注")
    panel.wrap_combo.setCurrentIndex(1)
    panel.save()
    qtbot.waitUntil(lambda: panel.error_label.isVisible(), timeout=5000)
    assert "not a wrap-up code" in panel.error_label.text() and panel.save_button.isEnabled()
    assert panel.notes_edit.toPlainText() == "备注" and panel.active


@POP_NOISE
def test_the_record_opens_by_itself_when_the_server_says_i_answered(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    clock, services = Clock(), CallServices()
    services.rows[CALL] = {"id": CALL, "state": "ringing", "customer_id": None, "agent_id": None}
    window = make_window(qtbot, services, runner, clock)
    window.show_screen_pop({**POP, "customer_id": None})
    qtbot.wait(60)
    assert window.call_record_dock is None
    answered = NOW - timedelta(seconds=5)
    services.rows[CALL] = {"id": CALL, "state": "answered", "customer_id": "cust-new", "agent_id": USER["id"],
                           "answered_at": answered.isoformat(), "conversation_id": "conv-all-00003"}  # fmt: skip
    qtbot.wait(300)
    assert window.call_record_dock is None  # no fast polling: the desk learns from the pulled changes
    window.apply_changes({"calls"})
    qtbot.waitUntil(lambda: window.call_record_dock is not None and window.call_record_dock.isVisible(), timeout=5000)
    panel = window.call_record_dock.panel
    assert panel.timer_label.text() == "00:05" and panel.new_customer
    assert panel.customer_id == "cust-new" and panel.conversation_id == "conv-all-00003"
    qtbot.waitUntil(lambda: "王小明" in panel.customer_label.text(), timeout=5000)
    services.rows[CALL] = {**services.rows[CALL], "state": "ended", "duration_s": 61,
                           "ended_at": (NOW + timedelta(seconds=56)).isoformat()}  # fmt: skip
    window.apply_changes({"calls"})
    qtbot.waitUntil(lambda: not panel.running, timeout=5000)
    assert panel.timer_label.text() == "01:01"


@POP_NOISE
def test_a_colleague_answering_does_not_open_my_record(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    services = CallServices()
    services.rows[CALL] = {"id": CALL, "state": "answered", "agent_id": "someone-else",
                           "answered_at": NOW.isoformat()}  # fmt: skip
    window = make_window(qtbot, services, runner, Clock())
    window.show_screen_pop(POP)
    qtbot.waitUntil(lambda: window._ringing is None, timeout=5000)
    assert window.call_record_dock is None


@POP_NOISE
def test_closing_the_window_with_unsaved_call_notes_asks(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    answers = [False, True]
    window = make_window(qtbot, CallServices(), runner, Clock(), confirm=lambda _w, _t: answers.pop(0))
    panel = window.start_call_record(POP)
    panel.notes_edit.setPlainText("还没保存的备注")
    assert not window.close() and window.isVisible()
    assert panel.notes_edit.toPlainText() == "还没保存的备注"
    assert window.close()


def test_now_is_aware() -> None:
    assert NOW.tzinfo is not None and datetime.now(UTC) > NOW - timedelta(days=3650)


@POP_NOISE
def test_saved_while_offline_says_it_will_be_sent_later(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    services = CallServices()
    window = DeskWindow(
        reader=FakeReader(), services=services, runner=runner, user=USER, server_url="http://127.0.0.1:9",
        clock=Clock(), tick_ms=0, page_size=50, sync_expected=True,
    )  # fmt: skip
    qtbot.addWidget(window)
    window.show()
    pop = window.show_screen_pop({**POP, "customer_id": None})
    pop.grab().save("/tmp/screen_pop.png")
    assert pop.answer_button.isVisible() and pop.answer_button.isEnabled()
    qtbot.mouseClick(pop.answer_button, Qt.MouseButton.LeftButton)
    panel = window.call_record_dock.panel
    panel.name_edit.setText("张先生")
    panel.wrap_combo.setCurrentIndex(panel.wrap_combo.findData("callback_promised"))
    assert panel.save()
    qtbot.waitUntil(lambda: "offline" in panel.state_label.text(), timeout=5000)
    call = next(c for c in services.calls if c[0] == "record_call_notes")
    assert call[2] == "New customer: 张先生" and call[4] is True
