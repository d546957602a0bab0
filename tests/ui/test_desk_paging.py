"""Big lists in the desk: the timeline shows a page and brings in older ones on scroll; the
inbox keeps rows fetched while a refresh ran, and a refresh in the same order only repaints
the rows that changed (no layout change)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView

from tests.ui.desk_fakes import FakeReader
from workstation.ui.conversation_panel import ConversationPanel
from workstation.ui.models.inbox import Col, InboxModel
from workstation.ui.models.timeline import TimelineModel
from workstation.ui.reader import InboxQuery
from workstation.ui.timeline_delegate import describe


class HeldRunner:
    """Runs background work only when told to: makes races between a refresh and the view
    deterministic."""

    def __init__(self) -> None:
        self.held: list[tuple[Callable[[], Any], Callable[[Any], None] | None]] = []

    def run_in_background(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
                          on_failure: Callable[[BaseException], None] | None = None, *, owner: Any = None,
                          priority: int = 0) -> int:  # fmt: skip
        self.held.append((fn, on_success))
        return len(self.held)

    def finish_all(self) -> None:
        while self.held:
            fn, on_success = self.held.pop(0)
            result = fn()
            if on_success is not None:
                on_success(result)


class LongTimeline:
    def __init__(self, n: int) -> None:
        self.items = [self.message(k) for k in range(n)]

    @staticmethod
    def message(k: int) -> dict[str, Any]:
        return {"kind": "message", "id": f"m{k:04d}", "direction": "inbound" if k % 2 else "outbound",
                "channel": "chat", "body": f"消息 {k} " + "很长的一段话。" * (k % 7), "at": f"2026-03-02T{k // 60 % 24:02d}:{k % 60:02d}:00Z"}  # fmt: skip

    def timeline(self, conversation_id: str) -> list[dict[str, Any]]:
        return list(self.items)


def test_timeline_shows_the_newest_page_and_brings_older_ones_in_front(qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    reader, runner = LongTimeline(500), HeldRunner()
    model = TimelineModel(reader=reader, runner=runner, describe=describe, page_size=40)
    model.load("conv-1")
    runner.finish_all()
    assert model.rowCount() == 40 and model.older == 460
    assert model.item(0)["id"] == "m0460" and model.item(39)["id"] == "m0499"
    qtmodeltester.check(model)
    first = QPersistentModelIndex(model.index(0))
    with qtbot.waitSignal(model.rowsInserted):
        assert model.fetch_older() == 40
    assert model.rowCount() == 80 and model.item(0)["id"] == "m0420"
    assert first.row() == 40  # what was shown stays the same item
    # a live update appends at the end and keeps what is shown
    reader.items.append(LongTimeline.message(500))
    model.reload()
    runner.finish_all()
    assert model.rowCount() == 81 and model.item(80)["id"] == "m0500" and model.older == 420
    while model.fetch_older():
        pass
    assert model.rowCount() == 501 and model.older == 0
    qtmodeltester.check(model)


def test_a_short_timeline_is_shown_whole(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = HeldRunner()
    model = TimelineModel(reader=LongTimeline(6), runner=runner, page_size=40)
    model.load("conv-1")
    runner.finish_all()
    assert model.rowCount() == 6 and model.older == 0 and model.fetch_older() == 0


def test_scrolling_the_timeline_to_the_top_brings_older_items_without_moving_the_view(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    model = TimelineModel(reader=LongTimeline(300), runner=runner, describe=describe, page_size=30)
    panel = ConversationPanel(model=model, user_id="user-agent")
    qtbot.addWidget(panel)
    panel.resize(600, 500)
    panel.show()
    row = {"id": "conv-1", "subject": "耳机", "channel": "chat", "customer_id": "k1", "status": "open"}
    with qtbot.waitSignal(model.loaded, timeout=5000):
        panel.show_conversation(row)
    view, bar = panel.timeline, panel.timeline.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=5000)  # newest shown
    top_item = model.item(0)["id"]
    bar.setValue(bar.minimum())  # the agent scrolls up to the oldest item shown
    qtbot.waitUntil(lambda: model.rowCount() == 60, timeout=5000)
    shown = view.indexAt(view.viewport().rect().topLeft())
    assert shown.isValid() and model.item(shown.row())["id"] == top_item  # still on the same item
    assert bar.value() > bar.minimum()


def test_inbox_keeps_rows_fetched_while_a_refresh_ran(qtbot) -> None:  # type: ignore[no-untyped-def]
    reader, runner = FakeReader(), HeldRunner()
    model = InboxModel(reader=reader, runner=runner, query=InboxQuery(view="all"), page_size=50, tick_ms=0)
    model.refresh()
    runner.finish_all()
    assert model.rowCount() == 50
    model.refresh()  # a live update starts while 50 rows are loaded …
    model.fetchMore(QModelIndex())  # … and the agent scrolls on before it lands
    model.fetchMore(QModelIndex())
    chosen = QPersistentModelIndex(model.index(120, 0))
    chosen_id = model.conversation_id(120)
    runner.finish_all()  # the stale refresh is asked again for as many rows as now
    assert model.rowCount() == 150
    assert chosen.isValid() and model.conversation_id(chosen.row()) == chosen_id


def test_inbox_refresh_in_the_same_order_repaints_only_what_changed(qtbot) -> None:  # type: ignore[no-untyped-def]
    reader, runner = FakeReader(), HeldRunner()
    model = InboxModel(reader=reader, runner=runner, query=InboxQuery(view="all"), page_size=100, tick_ms=0)
    model.refresh()
    runner.finish_all()
    keep = QPersistentModelIndex(model.index(30, Col.CUSTOMER))
    changed_id = model.conversation_id(40)
    reader.rows[changed_id] = {**reader.rows[changed_id], "preview": "新消息", "unread": 3}
    layouts: list[object] = []
    model.layoutChanged.connect(lambda *a: layouts.append(a))
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.refresh()
        runner.finish_all()
    top, bottom = blocker.args[0], blocker.args[1]
    assert top.row() == bottom.row() == 40 and top.column() == 0 and bottom.column() == len(Col) - 1
    assert not layouts and keep.row() == 30
    assert "新消息" in str(model.data(model.index(40, Col.PREVIEW)))
    # a new conversation on top is a layout change, and the persistent index follows its row
    reader.add_top("all", 1)
    model.refresh()
    runner.finish_all()
    assert layouts and keep.row() == 31


def test_inbox_refresh_repaints_changed_rows_apart_and_shows_their_new_values(qtbot) -> None:  # type: ignore[no-untyped-def]
    reader, runner = FakeReader(), HeldRunner()
    model = InboxModel(reader=reader, runner=runner, query=InboxQuery(view="all"), page_size=100, tick_ms=0)
    model.refresh()
    runner.finish_all()
    far_apart = [model.conversation_id(10), model.conversation_id(80)]
    for n, cid in enumerate(far_apart):
        reader.rows[cid] = {**reader.rows[cid], "subject": f"主题 {n}", "preview": "新消息", "unread": 2,
                            "priority": "urgent"}  # fmt: skip
    spans: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, *_: spans.append((top.row(), bottom.row())))
    model.refresh()
    runner.finish_all()
    # a range 10..80 would repaint every row between them (the whole screen)
    assert spans == [(10, 10), (80, 80)]
    index = model.index(80, Col.PREVIEW)
    assert model.data(index) == "主题 1 — 新消息"
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "主题 1\n新消息"
    assert model.data(index, Qt.ItemDataRole.FontRole) is not None  # unread: bold
    assert model.data(model.index(80, Col.UNREAD)) == "●"
    assert model.data(model.index(80, Col.PRIORITY), Qt.ItemDataRole.ForegroundRole) is not None


def test_inbox_cells_paint_with_one_call_each_and_look_as_with_data(qtbot) -> None:  # type: ignore[no-untyped-def]
    class Counted(InboxModel):
        data_calls = 0

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
            self.data_calls += 1
            return super().data(index, role)

    class RoleByRole(Counted):
        """The same rows through Qt's default multiData (one data() call per role)."""

        def multiData(self, index, roleDataSpan):  # type: ignore[no-untyped-def]
            QAbstractTableModel.multiData(self, index, roleDataSpan)

    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    images, data_calls = [], []
    for cls in (Counted, RoleByRole):
        reader, runner = FakeReader(), HeldRunner()
        model = cls(reader=reader, runner=runner, query=InboxQuery(view="all"), page_size=40, tick_ms=0,
                    clock=lambda: now)  # fmt: skip
        model.refresh()
        runner.finish_all()
        view = QTableView()
        qtbot.addWidget(view)
        view.setModel(model)
        view.resize(900, 500)
        view.show()
        qtbot.waitExposed(view)
        images.append(view.viewport().grab().toImage())
        data_calls.append(model.data_calls)
    assert images[0] == images[1]
    assert data_calls[0] == 0 < data_calls[1]


def test_inbox_rows_still_pass_the_model_tester_after_refreshes(qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    reader, runner = FakeReader(), HeldRunner()
    model = InboxModel(reader=reader, runner=runner, query=InboxQuery(view="mine"), page_size=60, tick_ms=0)
    model.refresh()
    runner.finish_all()
    model.fetchMore(QModelIndex())
    model.refresh()
    runner.finish_all()
    assert model.rowCount() == 120
    qtmodeltester.check(model)  # (it fetches more itself)
    assert [model.conversation_id(r) for r in range(model.rowCount())] == reader.views["mine"][: model.rowCount()]


def test_the_delegate_measures_each_bubble_once_and_follows_new_names(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QListView, QStyleOptionViewItem

    from workstation.ui.timeline_delegate import TimelineDelegate

    runner = HeldRunner()
    reader = LongTimeline(3)
    reader.items[0]["author_id"] = "user-agent"  # an outbound reply
    model = TimelineModel(reader=reader, runner=runner, page_size=40)
    model.load("conv-1")
    runner.finish_all()
    view = QListView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = TimelineDelegate(view)
    option = QStyleOptionViewItem()
    option.font = view.font()
    first = delegate.sizeHint(option, model.index(1))
    assert delegate.sizeHint(option, model.index(1)) == first and len(delegate._measured) == 1
    assert "王晓雨" not in delegate._parts_of(model.item(0)).header
    delegate.names = {"user-agent": "王晓雨"}
    assert "王晓雨" in delegate._parts_of(model.item(0)).header
