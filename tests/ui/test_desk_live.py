"""Live updates without stalling the UI thread: the calculator quotes in the background (and
drops answers for inputs that changed meanwhile), the customer pane is rebuilt only when the
customer's card changed, and during a sync round the inbox refreshes at most once a second
(at once when the round ends, and for the agent's own changes)."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from PySide6.QtCore import QModelIndex

from tests.ui.desk_fakes import FakeReader, FakeServices
from tests.ui.fakes import NOW
from tests.ui.test_calculator_panel import ITEM, ORDER, POLICY, quote
from tests.ui.test_desk import make_window
from workstation.services.changes import OpChanges
from workstation.sync.engine import SyncStatus
from workstation.ui.calculator_panel import CalculatorPanel
from workstation.ui.customer_panel import CustomerPanel
from workstation.ui.reader import CustomerCard


def settle(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    """Every background operation finished and its callback ran on the UI thread."""
    runner.wait(5000)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5000)


# -- calculator ----------------------------------------------------------------------------


def test_the_quote_runs_off_the_ui_thread_and_a_stale_answer_is_dropped(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    release = threading.Event()
    threads: list[threading.Thread] = []
    answers: dict[str, Any] = {}

    def slow_quote(**args: Any) -> Any:
        threads.append(threading.current_thread())
        if args["kind"] == "service_failure":
            release.wait(5)  # still working when the agent picks another kind
        answers[args["kind"]] = quote(**args)
        return answers[args["kind"]]

    panel = CalculatorPanel(policy=lambda: POLICY, clock=lambda: NOW, quote=slow_quote, runner=runner)
    qtbot.addWidget(panel)
    panel.set_items([(ITEM, ORDER)], conversation_id="conv-1", prefer_order="o1")
    settle(qtbot, runner)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("service_failure"))
    assert panel.quoting and panel.quote_result is None and not panel.offer_button.isEnabled()
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("goodwill"))
    qtbot.waitUntil(lambda: "goodwill" in answers, timeout=5000)
    release.set()
    settle(qtbot, runner)
    assert "service_failure" in answers  # it did answer, late: the panel kept the newer figures
    assert all(t is not threading.main_thread() for t in threads)
    assert not panel.quoting
    assert panel.quote_result is answers["goodwill"]
    assert panel.result["kind"] == "goodwill" and panel.result["amount"] == answers["goodwill"].total
    assert panel.offer_button.isEnabled()


def test_a_background_quote_that_fails_says_why(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    def failing(**_args: Any) -> Any:
        raise RuntimeError("the order is not in the cache")

    panel = CalculatorPanel(policy=lambda: POLICY, clock=lambda: NOW, quote=failing, runner=runner)
    qtbot.addWidget(panel)
    panel.set_items([(ITEM, ORDER)], conversation_id="conv-1")
    settle(qtbot, runner)
    assert panel.quote_result is None and not panel.offer_button.isEnabled()
    assert "not in the cache" in panel.lines_label.text()


# -- customer pane -------------------------------------------------------------------------


class CardReader:
    def __init__(self) -> None:
        self.card = FakeReader().customer_card("cust-1")
        self.reads = 0

    def customer_card(self, customer_id: str) -> CustomerCard | None:
        self.reads += 1
        assert self.card is not None
        return dataclasses.replace(self.card)  # a fresh, equal object, as a new read gives


def test_a_live_reload_rebuilds_the_pane_only_when_the_card_changed(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    reader = CardReader()
    panel = CustomerPanel(reader=reader, runner=runner)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.show_customer("cust-1", conversation_id="conv-1")
    renders: list[str] = []
    real_set_html = panel.browser.setHtml
    panel.browser.setHtml = lambda text: (renders.append(text), real_set_html(text))  # type: ignore[method-assign]
    loaded: list[str] = []
    panel.loaded.connect(loaded.append)

    panel.reload()  # a change to some other customer's rows
    settle(qtbot, runner)
    assert reader.reads == 2 and renders == [] and loaded == []

    assert reader.card is not None
    reader.card = dataclasses.replace(reader.card, customer={**reader.card.customer, "display_name": "王大明"})
    panel.reload()
    settle(qtbot, runner)
    assert len(renders) == 1 and loaded == ["cust-1"]
    assert "王大明" in panel.browser.toPlainText()

    panel.show_customer("cust-1", conversation_id="conv-1")  # shown again on purpose: always announced
    settle(qtbot, runner)
    assert loaded == ["cust-1", "cust-1"]
    assert len(renders) == 1  # ... but the same text is not laid out again


# -- inbox during a sync round -------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_during_a_sync_round_the_inbox_refreshes_at_most_once_a_second(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    reader, services = FakeReader(), FakeServices()
    window = make_window(qtbot, reader, services, runner)
    clock = Clock()
    window._monotonic = clock  # noqa: SLF001
    window.inbox.fetchMore(QModelIndex())
    window.table.selectRow(40)
    chosen = window.current_conversation_id
    window.table.verticalScrollBar().setValue(20)
    scroll = window.table.verticalScrollBar().value()
    qtbot.waitUntil(lambda: not window.inbox.loading, timeout=5000)
    refreshes: list[int] = []
    real_refresh = window.inbox.refresh
    window.inbox.refresh = lambda: (refreshes.append(1), real_refresh())  # type: ignore[method-assign]

    def page(names: frozenset[str] = frozenset({"conversations", "messages"})) -> None:
        """One page of the round lands and the desk has handled it."""
        window.apply_changes(names)
        qtbot.waitUntil(lambda: not window._pending_live, timeout=5000)  # noqa: SLF001
        qtbot.waitUntil(lambda: not window.inbox.loading, timeout=5000)

    window.apply_sync_status(SyncStatus(state="syncing", pending=0, last_sync_at=NOW))
    page()
    assert len(refreshes) == 1  # the first page shows at once
    for _ in range(5):
        clock.now += 0.1
        page()
    assert len(refreshes) == 1  # the rest of the second waits for its turn
    clock.now += 0.5
    page()
    assert len(refreshes) == 2  # a second later: one refresh for everything so far
    page(frozenset({"reply_scripts"}))
    assert len(refreshes) == 2  # nothing for the inbox: no refresh

    reader.add_top("mine", 2)  # the round's last page
    page()
    assert len(refreshes) == 2
    window.apply_sync_status(SyncStatus(state="online", pending=0, last_sync_at=NOW))
    qtbot.waitUntil(lambda: len(refreshes) == 3 and not window.inbox.loading, timeout=5000)
    assert window.inbox.total == 452  # the final state, right after the round
    assert window.current_conversation_id == chosen
    assert window.inbox.conversation_id(window.table.currentIndex().row()) == chosen
    assert window.table.currentIndex().row() == 42
    assert window.table.verticalScrollBar().value() == scroll


def test_the_agents_own_change_refreshes_the_inbox_without_waiting(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, FakeReader(), FakeServices(), runner)
    window._monotonic = Clock()  # noqa: SLF001 - time stands still: only a non-throttled refresh can come
    qtbot.waitUntil(lambda: not window.inbox.loading, timeout=5000)
    refreshes: list[int] = []
    real_refresh = window.inbox.refresh
    window.inbox.refresh = lambda: (refreshes.append(1), real_refresh())  # type: ignore[method-assign]
    window.apply_changes(frozenset({"conversations"}))  # from the sync
    qtbot.waitUntil(lambda: len(refreshes) == 1, timeout=5000)
    window.apply_changes(OpChanges(entities=frozenset({"conversations"}), ids=frozenset({"conv-mine-00001"})))
    qtbot.waitUntil(lambda: len(refreshes) == 2, timeout=5000)
