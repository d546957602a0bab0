"""The agent desk over an in-memory reader and recording services (no database, no network)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt

from tests.ui.desk_fakes import USER, FakeReader, FakeServices
from tests.ui.fakes import NOW
from workstation.services.changes import ServiceError
from workstation.sync.engine import SyncStatus
from workstation.ui.conversation_panel import sms_parts
from workstation.ui.desk_window import DeskWindow
from workstation.ui.models.inbox import ID_ROLE, Col, InboxModel
from workstation.ui.models.timeline import TimelineModel
from workstation.ui.pending_dialog import PendingChangesDialog, PendingModel
from workstation.ui.reader import InboxQuery
from workstation.ui.sync_bridge import SyncBridge
from workstation.ui.timeline_delegate import describe


@pytest.fixture
def reader() -> FakeReader:
    return FakeReader()


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


def make_window(qtbot, reader, services, runner, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("sync_expected", False)
    window = DeskWindow(
        reader=reader, services=services, runner=runner, user=USER, server_url="http://127.0.0.1:9",
        clock=lambda: NOW, tick_ms=0, page_size=50, **kw,
    )  # fmt: skip
    qtbot.addWidget(window)
    window.resize(1400, 800)
    window.show()
    qtbot.waitUntil(lambda: window.inbox.rowCount() > 0 and window.current_conversation_id is not None, timeout=5000)
    return window


def ids_of(model: InboxModel) -> list[str]:
    return [model.data(model.index(r, 0), ID_ROLE) for r in range(model.rowCount())]


# -- models ---------------------------------------------------------------------------------


def test_inbox_model_passes_qtmodeltester_and_pages_lazily(qtbot, qtmodeltester, reader, runner) -> None:  # type: ignore[no-untyped-def]
    model = InboxModel(reader=reader, runner=runner, query=InboxQuery(view="mine"), page_size=50, clock=lambda: NOW, tick_ms=0)
    with qtbot.waitSignal(model.refreshed, timeout=5000):
        model.refresh()
    assert model.rowCount() == 50 and model.total == 450
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 100
    assert reader.row_calls == [50, 50]  # rows come by page, never all at once
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 450 and len(set(ids_of(model))) == 450
    qtmodeltester.check(model)


def test_inbox_ids_are_read_off_the_ui_thread(qtbot, reader, runner) -> None:  # type: ignore[no-untyped-def]
    reader.gate = threading.Event()
    model = InboxModel(reader=reader, runner=runner, query=InboxQuery(view="mine"), page_size=50, tick_ms=0)
    model.refresh()
    assert model.rowCount() == 0 and model.loading  # the UI thread did not wait
    reader.gate.set()
    qtbot.waitUntil(lambda: model.rowCount() == 50, timeout=5000)


def test_inbox_live_refresh_keeps_persistent_indexes(qtbot, qtmodeltester, reader, runner) -> None:  # type: ignore[no-untyped-def]
    model = InboxModel(reader=reader, runner=runner, query=InboxQuery(view="mine"), page_size=50, clock=lambda: NOW, tick_ms=0)
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.refreshed, timeout=5000):
        model.refresh()
    model.fetchMore(QModelIndex())
    chosen = model.conversation_id(10)
    keep = model.index(10, Col.CUSTOMER)
    from PySide6.QtCore import QPersistentModelIndex

    persistent = QPersistentModelIndex(keep)
    reader.add_top("mine", 3)
    reader.views["mine"].remove(model.conversation_id(20))  # one went away
    with qtbot.waitSignal(model.refreshed, timeout=5000):
        model.refresh()
    assert model.rowCount() == 100  # as many rows as were loaded: the scroll position holds
    assert persistent.isValid() and persistent.row() == 13
    assert model.conversation_id(persistent.row()) == chosen
    # and it shrinks correctly when the view empties
    reader.views["mine"] = reader.views["mine"][:5]
    with qtbot.waitSignal(model.refreshed, timeout=5000):
        model.refresh()
    assert model.rowCount() == 5 and not persistent.isValid()


def test_sla_colour_follows_the_domain_clock(qtbot, reader, runner) -> None:  # type: ignore[no-untyped-def]
    model = InboxModel(reader=reader, runner=runner, query=InboxQuery(view="mine"), page_size=50, clock=lambda: NOW, tick_ms=0)
    with qtbot.waitSignal(model.refreshed, timeout=5000):
        model.refresh()
    states = {model.sla_state(r) for r in range(model.rowCount())}
    assert {"red", "amber", "green"} <= {str(s) for s in states}
    breached = next(r for r in range(model.rowCount()) if str(model.sla_state(r)) == "red")
    assert str(model.data(model.index(breached, Col.SLA))).startswith("-")


def test_timeline_and_pending_models_pass_qtmodeltester(qtbot, qtmodeltester, reader, runner) -> None:  # type: ignore[no-untyped-def]
    timeline = TimelineModel(reader=reader, runner=runner, describe=describe)
    with qtbot.waitSignal(timeline.loaded, timeout=5000):
        timeline.load("conv-mine-00001")
    assert timeline.rowCount() == 6
    qtmodeltester.check(timeline)
    assert "Call" in timeline.data(timeline.index(4)) and "2:42" in timeline.data(timeline.index(4))
    pending = PendingModel()
    pending.set_entries([{"mutation_id": 3, "name": "claim_conversation", "status": "rejected", "reason": "已被他人认领",
                          "created_at": "2026-03-02T05:00:00Z"}])
    qtmodeltester.check(pending)
    assert pending.data(pending.index(0, 3)) == "已被他人认领"


# -- the window -----------------------------------------------------------------------------


def test_desk_shows_first_conversation_timeline_and_customer(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    qtbot.waitUntil(lambda: window.timeline_model.rowCount() == 6, timeout=5000)
    qtbot.waitUntil(lambda: "王小明" in window.customer_panel.browser.toPlainText(), timeout=5000)
    text = window.customer_panel.browser.toPlainText()
    assert "138****1234" in text and "13812341234" not in text  # identities masked
    assert "8000123" in text and "蓝牙耳机" in text
    assert window.conversation_panel.title_label.text() == reader.rows[window.current_conversation_id]["subject"]
    assert window.view_tabs.tabText(0).endswith("(450)")


def test_view_switching_and_channel_filter(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    window.set_view("unassigned")
    qtbot.waitUntil(lambda: window.inbox.total == 30, timeout=5000)
    assert all(i.startswith("conv-unassigned-") for i in ids_of(window.inbox))
    window.channel_filter.setCurrentIndex(window.channel_filter.findData("sms"))
    qtbot.waitUntil(lambda: window.inbox.query.channel == "sms" and not window.inbox.loading, timeout=5000)
    qtbot.waitUntil(lambda: window.inbox.rowCount() > 0, timeout=5000)
    assert {window.inbox.row_data(r)["channel"] for r in range(window.inbox.rowCount())} == {"sms"}


def test_live_update_keeps_selection_and_scroll(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    window.inbox.fetchMore(QModelIndex())
    window.table.selectRow(40)
    chosen = window.current_conversation_id
    window.table.verticalScrollBar().setValue(20)
    scroll = window.table.verticalScrollBar().value()
    reader.add_top("mine", 2)
    with qtbot.waitSignal(window.inbox.refreshed, timeout=5000):
        window.apply_changes(frozenset({"conversations"}))
    assert window.current_conversation_id == chosen
    assert window.inbox.conversation_id(window.table.currentIndex().row()) == chosen
    assert window.table.currentIndex().row() == 42
    assert window.table.verticalScrollBar().value() == scroll


def test_keyboard_moves_between_conversations(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    window.table.setFocus()
    first = window.current_conversation_id
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    second = window.current_conversation_id
    assert second != first and window.table.currentIndex().row() == 1
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert window.table.currentIndex().row() == 2
    qtbot.keyClick(window.table, Qt.Key.Key_K)
    qtbot.keyClick(window.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert window.current_conversation_id == first
    qtbot.keyClick(window.table, Qt.Key.Key_R)
    assert window.conversation_panel.editor.hasFocus() and not window.conversation_panel.note_toggle.isChecked()
    qtbot.keyClick(window.conversation_panel.editor, Qt.Key.Key_N)  # typing, not a shortcut
    assert window.conversation_panel.editor.toPlainText() == "n"
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_box.hasFocus()


def test_ctrl_enter_sends_the_reply_through_the_service(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    cid = window.current_conversation_id
    panel = window.conversation_panel
    panel.focus_reply()
    panel.editor.insertPlainText("您好，已为您换新")  # keyClicks is ASCII-only
    qtbot.keyClick(panel.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(services.calls), timeout=5000)
    channel = reader.rows[cid]["channel"]
    assert services.calls[0] == ("reply", cid, "您好，已为您换新", channel)
    qtbot.waitUntil(lambda: panel.editor.toPlainText() == "", timeout=5000)
    # N: an internal note goes to add_note
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_N)
    assert panel.note_toggle.isChecked() and panel.editor.hasFocus()
    panel.editor.insertPlainText("客户要求周末送货")
    qtbot.keyClick(panel.editor, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(services.calls) == 2, timeout=5000)
    assert services.calls[1] == ("add_note", cid, "客户要求周末送货")


def test_a_refused_reply_keeps_the_text_and_says_why(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    services.fail_with = ServiceError("conversation_id", "the conversation is closed; replies cannot be added")
    panel = window.conversation_panel
    panel.editor.setPlainText("hello")
    panel.send()
    qtbot.waitUntil(lambda: panel.error_label.isVisible(), timeout=5000)
    assert "closed" in panel.error_label.text() and panel.editor.toPlainText() == "hello"


def test_claim_and_field_selectors_call_the_services(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    window.set_view("unassigned")
    qtbot.waitUntil(lambda: window.current_conversation_id is not None
                    and window.current_conversation_id.startswith("conv-unassigned"), timeout=5000)
    cid = window.current_conversation_id
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_C)
    qtbot.waitUntil(lambda: ("claim", cid) in services.calls, timeout=5000)
    combo = window.conversation_panel.priority_combo
    combo.setCurrentIndex(combo.findData("low"))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: ("set_fields", cid, {"priority": "low"}) in services.calls, timeout=5000)


def test_sms_counter() -> None:
    assert sms_parts("") == (0, 0)
    assert sms_parts("a" * 160) == (160, 1)
    assert sms_parts("a" * 161) == (161, 2)
    assert sms_parts("您" * 70) == (70, 1)
    assert sms_parts("您" * 71) == (71, 2)


def test_sms_counter_shows_in_the_composer(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    panel = window.conversation_panel
    panel.channel_combo.setCurrentIndex(panel.channel_combo.findData("sms"))
    panel.editor.setPlainText("您" * 71)
    assert "2" in panel.counter_label.text() and "71" in panel.counter_label.text()


def test_search_shows_matching_conversations(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    qtbot.keyClicks(window.search_box, "#12")
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.inbox.query.search_ids is not None and not window.inbox.loading, timeout=5000)
    qtbot.waitUntil(lambda: window.inbox.rowCount() > 0, timeout=5000)
    assert all("#12" in window.inbox.row_data(r)["subject"] for r in range(window.inbox.rowCount()))
    window.search_box.clear()
    qtbot.waitUntil(lambda: window.inbox.query.search_ids is None, timeout=5000)


# -- sync state, pending changes, cheat sheet, layout ---------------------------------------


def test_offline_banner_follows_the_engine_state_across_threads(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    services.entries = [{"mutation_id": n, "name": "add_note", "status": "pending"} for n in (1, 2)]
    window = make_window(qtbot, reader, services, runner, sync_expected=True)
    bridge = SyncBridge()
    bridge.status_changed.connect(window.apply_sync_status)
    assert not window.banner.isVisible()
    offline = SyncStatus(state="offline", pending=2, last_sync_at=None, message="server unreachable")
    worker = threading.Thread(target=bridge.status, args=(offline,))  # as the engine thread does
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert "server unreachable" in window.banner_label.text()
    assert window.sync_label.text() == "Offline" and "2" in window.pending_button.text()
    window.apply_sync_status(SyncStatus(state="online", pending=0, last_sync_at=datetime.now(UTC)))
    assert not window.banner.isVisible() and window.sync_label.text() == "Online"
    assert window.last_sync_label.text().startswith("Last sync")


def test_desk_ready_waits_for_the_first_sync(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = DeskWindow(reader=reader, services=services, runner=runner, user=USER, server_url="x",
                        clock=lambda: NOW, tick_ms=0, page_size=50)  # fmt: skip
    qtbot.addWidget(window)
    seen: list[bool] = []
    window.desk_ready.connect(lambda: seen.append(True))
    qtbot.waitUntil(lambda: window.timeline_model.rowCount() == 6, timeout=5000)
    qtbot.wait(100)
    assert not seen
    with qtbot.waitSignal(window.desk_ready, timeout=5000):
        window.apply_sync_status(SyncStatus(state="online", pending=0, last_sync_at=NOW))


def test_pending_changes_dialog_retry_and_confirmed_discard(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    services.entries = [
        {"mutation_id": 7, "name": "claim_conversation", "summary": "认领 王小明", "status": "rejected",
         "reason": "already claimed by 李娜", "created_at": "2026-03-02T05:00:00Z"},
        {"mutation_id": 8, "name": "send_reply", "summary": "回复 王小明: 您好", "status": "rejected",
         "reason": "conversation closed", "created_at": "2026-03-02T05:01:00Z"},
        {"mutation_id": 9, "name": "add_note", "summary": "备注", "status": "pending", "created_at": "2026-03-02T05:02:00Z"},
    ]
    answers: list[bool] = [False, True]
    asked: list[str] = []

    def confirm(_parent, text: str) -> bool:  # type: ignore[no-untyped-def]
        asked.append(text)
        return answers.pop(0)

    window = make_window(qtbot, reader, services, runner, confirm=confirm)
    qtbot.waitUntil(lambda: "2 rejected" in window.pending_button.text(), timeout=5000)
    qtbot.mouseClick(window.pending_button, Qt.MouseButton.LeftButton)
    dialog = window.pending_dialog
    assert isinstance(dialog, PendingChangesDialog) and dialog.isVisible()
    assert dialog.model.rowCount() == 3
    assert dialog.model.data(dialog.model.index(0, 3)) == "already claimed by 李娜"
    dialog.select_row(2)
    assert not dialog.retry_button.isEnabled()  # a pending one is retried anyway
    dialog.select_row(0)
    dialog.retry_selected()
    assert ("retry", 7) in services.calls and dialog.model.rowCount() == 2
    dialog.select_row(0)
    dialog.discard_selected()  # answered "no"
    assert ("discard", 8) not in services.calls and asked
    dialog.select_row(0)
    dialog.discard_selected()  # answered "yes"
    assert ("discard", 8) in services.calls and dialog.model.rowCount() == 1


def test_f1_lists_the_shortcuts(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, reader, services, runner)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F1)
    sheet = window.cheat_sheet
    assert sheet.isVisible()
    keys = [k for k, _ in sheet.shortcuts]
    assert {"Ctrl+Down", "Ctrl+Up", "J", "K", "R", "N", "C", "Ctrl+F", "F1"} <= set(keys)
    sheet.close()


def test_splitter_layout_is_remembered(qtbot, reader, services, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = make_window(qtbot, reader, services, runner, settings=settings)
    window.splitter.setSizes([700, 400, 300])
    sizes = window.splitter.sizes()
    window.close()
    again = make_window(qtbot, reader, services, runner, settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    assert again.splitter.sizes() == sizes


def test_chinese_desk(qtbot, reader, services, runner) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication

    from workstation.ui.i18n import make_translator

    translator = make_translator("zh_CN")
    assert translator is not None
    QCoreApplication.installTranslator(translator)
    try:
        window = make_window(qtbot, reader, services, runner)
        assert window.view_tabs.tabText(3).startswith("即将超时")
        assert window.inbox.headerData(Col.SLA, Qt.Orientation.Horizontal) == "时效剩余"
        assert window.conversation_panel.send_button.text() == "发送"
    finally:
        QCoreApplication.removeTranslator(translator)
