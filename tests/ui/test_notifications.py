"""Notifications of customer arrivals: which ones (policy), what they say, where they show
(tray or toast), do-not-disturb and sound (remembered), and the cache query behind them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from tests.ui.desk_fakes import USER, FakeReader, FakeServices
from tests.ui.test_desk import make_window
from workstation.ui.arrivals import Arrival, Watermark
from workstation.ui.notifications import NotificationPolicy, Notifier, describe


def arrival(cid: str = "conv-mine-00001", *, name: str = "王小明", channel: str = "chat", new: bool = False,
            count: int = 1, assignee: str | None = "user-agent") -> Arrival:  # fmt: skip
    return Arrival(conversation_id=cid, customer_name=name, channel=channel, count=count,
                   preview="耳机左边不响", assignee_id=assignee, new_conversation=new)  # fmt: skip


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


# -- policy and wording ------------------------------------------------------------------------


def test_policy_skips_colleagues_on_screen_and_repeats_within_a_burst() -> None:
    clock = Clock()
    policy = NotificationPolicy(user_id="user-agent", clock=clock, burst_seconds=120)
    mine, free, theirs = arrival("a"), arrival("b", assignee=None), arrival("c", assignee="user-lead")
    assert policy.select([mine, free, theirs], on_screen=lambda _c: False) == [mine, free]
    clock.t += 60
    assert policy.select([mine], on_screen=lambda _c: False) == []  # the same burst
    clock.t += 100  # 100 s after the last message: still the burst (it extends)
    assert policy.select([mine], on_screen=lambda _c: False) == []
    clock.t += 121
    assert policy.select([mine], on_screen=lambda _c: False) == [mine]  # a new burst
    assert policy.select([free], on_screen=lambda c: c == "b") == []  # on screen
    policy.seen("a")
    assert policy.select([mine], on_screen=lambda _c: False) == [mine]  # looked at: new burst


def test_wording_names_customer_and_channel() -> None:
    assert describe([arrival(new=True)])[0] == "New conversation: 王小明 · Online chat"
    assert describe([arrival()]) == ("王小明 replied · Online chat", "耳机左边不响")
    assert describe([arrival(count=3, channel="sms")])[0] == "3 new messages from 王小明 · SMS"
    title, message = describe([arrival(c, name=n) for c, n in (("a", "A"), ("b", "B"), ("c", "C"), ("d", "D"))])
    assert title == "4 conversations have new messages"
    assert message == "A (Online chat), B (Online chat), C (Online chat) and 1 more"
    title, message = describe([arrival()], private=True)  # a locked desk
    assert "王小明" not in title + message and "耳机" not in message and "Unlock" in message


# -- the notifier ---------------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def test_toast_sound_and_do_not_disturb_are_remembered(qtbot, settings) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget

    host = QWidget()
    qtbot.addWidget(host)
    host.resize(900, 600)
    host.show()
    notifier = Notifier(window=host, settings=settings, tray=False)
    rang: list[int] = []
    notifier.play_sound = lambda: rang.append(1)
    assert notifier.announce([arrival()])
    assert notifier.toast is not None and notifier.toast.isVisible()
    assert "王小明" in notifier.toast.title_label.text() and rang == [1]
    clicked: list[str] = []
    notifier.activated.connect(clicked.append)
    qtbot.mouseClick(notifier.toast, Qt.MouseButton.LeftButton)
    assert clicked == ["conv-mine-00001"] and not notifier.toast.isVisible()
    notifier.set_sound(False)
    notifier.set_do_not_disturb(True)
    assert not notifier.announce([arrival("x")]) and notifier.held_back == 1 and rang == [1]
    again = Notifier(window=host, settings=QSettings(settings.fileName(), QSettings.Format.IniFormat), tray=False)
    assert again.do_not_disturb and not again.sound


@pytest.mark.qt_log_ignore(r"^QObject::connect: No such signal QPlatformNativeInterface::systemTrayWindowChanged")
def test_the_tray_when_there_is_one(qtbot, settings) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QWidget

    host = QWidget()
    qtbot.addWidget(host)
    notifier = Notifier(window=host, settings=settings, tray=True)
    notifier.play_sound = lambda: None
    assert notifier.tray is not None and notifier.toast is None
    assert notifier.announce([arrival(new=True)]) and notifier.shown[0][0].startswith("New conversation")
    notifier.tray_dnd_action.trigger()  # the tray menu's do-not-disturb
    assert notifier.do_not_disturb
    notifier.set_do_not_disturb(False)
    assert not notifier.tray_dnd_action.isChecked()
    clicked: list[str] = []
    notifier.activated.connect(clicked.append)
    notifier.tray.messageClicked.emit()
    assert clicked == ["conv-mine-00001"]
    notifier.close()


# -- in the desk -------------------------------------------------------------------------------------


class FakeArrivals:
    def __init__(self) -> None:
        self.pending: list[Arrival] = []
        self.marks: list[Any] = []

    def watermark(self) -> Watermark:
        return Watermark(rowid=10, seq=10)

    def __call__(self, mark: Watermark) -> tuple[list[Arrival], Watermark]:
        self.marks.append(mark)
        found, self.pending = self.pending, []
        return found, Watermark(rowid=mark.rowid + len(found), seq=mark.seq + len(found))


def desk(qtbot, runner, settings, arrivals: FakeArrivals):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, FakeReader(), FakeServices(), runner, settings=settings, arrivals=arrivals,
                         watermark=arrivals.watermark, tray=False)  # fmt: skip
    window.notifier.play_sound = lambda: None
    qtbot.waitUntil(lambda: window._mark is not None, timeout=3000)
    return window


def test_a_customer_reply_to_another_conversation_notifies_once(qtbot, runner, settings) -> None:  # type: ignore[no-untyped-def]
    arrivals = FakeArrivals()
    window = desk(qtbot, runner, settings, arrivals)
    other = "conv-mine-00007"
    assert other != window.current_conversation_id
    arrivals.pending = [arrival(other)]
    window.apply_changes(frozenset({"messages"}))
    qtbot.waitUntil(lambda: len(window.notifier.shown) == 1, timeout=3000)
    assert window.notifier.toast is not None and window.notifier.toast.isVisible()
    assert arrivals.marks[0] == Watermark(rowid=10, seq=10)
    arrivals.pending = [arrival(other)]  # the customer keeps typing
    window.apply_changes(frozenset({"messages"}))
    qtbot.waitUntil(lambda: len(arrivals.marks) == 2, timeout=3000)
    qtbot.wait(50)
    assert len(window.notifier.shown) == 1
    window.notifier.toast.clicked.emit()  # the agent clicks it: the conversation opens
    qtbot.waitUntil(lambda: window.current_conversation_id == other, timeout=3000)


def test_own_writes_and_what_is_on_screen_do_not_notify(qtbot, runner, settings) -> None:  # type: ignore[no-untyped-def]
    arrivals = FakeArrivals()
    window = desk(qtbot, runner, settings, arrivals)
    window.is_on_screen = lambda cid: cid == window.current_conversation_id  # type: ignore[method-assign]
    window.conversation_panel.focus_reply()
    window.conversation_panel.editor.insertPlainText("您好")
    window.conversation_panel.send()  # an own write: OpChanges with messages
    qtbot.waitUntil(lambda: len(arrivals.marks) >= 1, timeout=3000)
    arrivals.pending = [arrival(window.current_conversation_id or "")]
    window.apply_changes(frozenset({"messages"}))
    qtbot.waitUntil(lambda: len(arrivals.marks) >= 2, timeout=3000)
    qtbot.wait(50)
    assert window.notifier.shown == []


def test_do_not_disturb_from_the_menu_shows_in_the_status_bar(qtbot, runner, settings) -> None:  # type: ignore[no-untyped-def]
    arrivals = FakeArrivals()
    window = desk(qtbot, runner, settings, arrivals)
    assert not window.dnd_button.isVisible()
    window.desk_actions["do_not_disturb"].trigger()
    assert window.notifier.do_not_disturb and window.dnd_button.isVisible()
    arrivals.pending = [arrival("conv-mine-00009", new=True)]
    window.apply_changes(frozenset({"conversations"}))
    qtbot.waitUntil(lambda: len(arrivals.marks) == 1, timeout=3000)
    qtbot.wait(50)
    assert window.notifier.shown == [] and window.notifier.held_back == 1
    qtbot.mouseClick(window.dnd_button, Qt.MouseButton.LeftButton)  # the indicator turns it off
    assert not window.notifier.do_not_disturb and not window.desk_actions["do_not_disturb"].isChecked()
    assert settings.value("notifications/do_not_disturb") in (False, "false")


def test_nothing_is_announced_before_the_first_sync(qtbot, runner, settings) -> None:  # type: ignore[no-untyped-def]
    from workstation.sync.engine import SyncStatus

    arrivals = FakeArrivals()
    window = make_window(qtbot, FakeReader(), FakeServices(), runner, settings=settings, arrivals=arrivals,
                         watermark=arrivals.watermark, tray=False, sync_expected=True)  # fmt: skip
    arrivals.pending = [arrival("conv-mine-00003")]
    window.apply_changes(frozenset({"messages"}))  # the initial download
    qtbot.wait(300)
    assert arrivals.marks == [] and window._mark is None
    window.apply_sync_status(SyncStatus(state="online", pending=0, last_sync_at=None))
    qtbot.waitUntil(lambda: window._mark is not None, timeout=3000)


# -- the cache query ---------------------------------------------------------------------------------


def test_arrivals_since_reads_inbound_messages_after_the_watermark(tmp_path: Path) -> None:
    from tests.unit.store.factories import change, conversation, customer, message
    from workstation.store.db import CacheDatabase
    from workstation.ui.arrivals import arrivals_since, watermark

    db = CacheDatabase.open(tmp_path / "cache.db")
    try:
        page = [
            change("customers", customer("k1", "王小明")),
            change("conversations", conversation("c1", "k1", assignee_id=USER["id"])),
            change("messages", message("m1", "c1", "old question")),
        ]
        _apply(db, page, "1")
        mark = watermark(db)
        assert mark.rowid > 0 and mark.seq > 0
        _apply(db, [
            change("conversations", conversation("c2", "k1", channel="sms")),
            change("messages", message("m2", "c1", "any news?")),
            change("messages", message("m3", "c1", "hello??")),
            change("messages", message("m4", "c1", "we are on it", direction="outbound", author_id=USER["id"])),
            change("messages", message("m5", "c2", "new one", channel="sms")),
        ], "2")  # fmt: skip
        found, after = arrivals_since(db, mark)
        by_id = {a.conversation_id: a for a in found}
        assert by_id["c1"].count == 2 and not by_id["c1"].new_conversation and by_id["c1"].preview == "hello??"
        assert by_id["c1"].customer_name == "王小明" and by_id["c1"].assignee_id == USER["id"]
        assert by_id["c2"].new_conversation and by_id["c2"].channel == "sms"
        assert after.rowid > mark.rowid
        assert arrivals_since(db, after)[0] == []
    finally:
        db.close()


def _apply(db: Any, page: list[dict[str, Any]], cursor: str) -> None:
    from workstation.store.apply import apply_pull_page

    apply_pull_page(db, page, cursor, last_applied_mutation_id=0)


def test_a_locked_desk_announces_without_names(qtbot, runner, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from workstation.ui.desk_window import DeskWindow

    arrivals = FakeArrivals()
    window = desk(qtbot, runner, settings, arrivals)
    monkeypatch.setattr(DeskWindow, "locked", property(lambda self: True))
    arrivals.pending = [arrival("conv-mine-00007")]
    window.apply_changes(frozenset({"messages"}))
    qtbot.waitUntil(lambda: len(window.notifier.shown) == 1, timeout=3000)
    title, message = window.notifier.shown[0]
    assert "王小明" not in title + message and "Unlock" in message
