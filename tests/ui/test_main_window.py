"""The inbox model and the main window shell, over a fake API (no network)."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt

from tests.ui.fakes import NOW, FakeApi, FakeNetworkError
from workstation.ui.main_window import MainWindow
from workstation.ui.models.conversation_table import (
    SLA_AMBER,
    SLA_GREEN,
    SLA_RED,
    Column,
    ConversationTableModel,
    format_remaining,
)

USER = {"id": "u1", "username": "agent", "display_name": "王小明", "role": "agent"}


def make_model(api: FakeApi, runner, *, view: str = "mine", page_size: int = 50, tick_ms: int = 0):  # type: ignore[no-untyped-def]
    return ConversationTableModel(
        source=api,
        runner=runner,
        view=view,
        page_size=page_size,
        clock=lambda: NOW,
        tick_ms=tick_ms,
    )


def load_first_page(qtbot, model: ConversationTableModel) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(model.page_loaded, timeout=5000):
        model.reload()


def test_model_passes_qtmodeltester(qtbot, qtmodeltester, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    model = make_model(fake_api, runner)
    load_first_page(qtbot, model)
    assert model.rowCount() == 50
    qtmodeltester.check(model)


def test_first_page_is_fetched_in_the_background(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    fake_api.gate = threading.Event()
    model = make_model(fake_api, runner)
    model.reload()
    # The UI thread did not wait: no rows yet, loading, and no second request while loading.
    assert model.rowCount() == 0
    assert model.loading
    assert not model.canFetchMore(QModelIndex())
    fake_api.gate.set()
    qtbot.waitUntil(lambda: model.rowCount() == 50, timeout=5000)
    assert fake_api.calls == [("mine", 50, 0)]


def test_fetch_more_pages_until_total(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    fake_api.totals["mine"] = 120
    model = make_model(fake_api, runner)
    load_first_page(qtbot, model)
    for expected in (100, 120):
        assert model.canFetchMore(QModelIndex())
        with qtbot.waitSignal(model.page_loaded, timeout=5000):
            model.fetchMore(QModelIndex())
        assert model.rowCount() == expected
    assert not model.canFetchMore(QModelIndex())
    assert [call[2] for call in fake_api.calls] == [0, 50, 100]
    ids = [model.data(model.index(r, 0), Qt.ItemDataRole.UserRole) for r in range(model.rowCount())]
    assert len(set(ids)) == 120


def test_scrolling_the_view_fetches_more(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    model = make_model(fake_api, runner)
    window = MainWindow(model=model, user=USER, server_url="http://127.0.0.1:9")
    qtbot.addWidget(window)
    window.resize(1000, 600)
    window.show()
    load_first_page(qtbot, model)
    qtbot.waitUntil(lambda: not model.loading, timeout=5000)
    before = model.rowCount()
    assert before < fake_api.totals["mine"]
    bar = window.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(bar.maximum())  # the view asks the model for more at the bottom
    qtbot.waitUntil(lambda: model.rowCount() > before, timeout=5000)
    assert fake_api.calls[-1][2] >= before


def test_view_switch_reloads(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    model = make_model(fake_api, runner)
    window = MainWindow(model=model, user=USER, server_url="http://127.0.0.1:9")
    qtbot.addWidget(window)
    load_first_page(qtbot, model)
    assert model.total == 450
    urgent = next(
        i for i in range(window.view_tabs.count()) if window.view_tabs.tabData(i) == "urgent"
    )
    with qtbot.waitSignal(model.page_loaded, timeout=5000):
        window.view_tabs.setCurrentIndex(urgent)
    assert model.view == "urgent"
    assert model.rowCount() == 7 and model.total == 7
    assert not model.canFetchMore(QModelIndex())
    assert fake_api.calls[-1] == ("urgent", 50, 0)
    assert window.count_label.text().count("7") >= 2


def test_late_page_of_a_previous_view_is_dropped(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    fake_api.gate = threading.Event()
    model = make_model(fake_api, runner)
    model.reload()  # "mine" page is held at the gate
    model.set_view("closed")  # closed has 0 rows
    fake_api.gate.set()
    qtbot.waitUntil(lambda: len(fake_api.calls) == 2 and not model.loading, timeout=5000)
    runner.wait(5000)
    qtbot.wait(50)
    assert model.view == "closed"
    assert model.rowCount() == 0


def test_empty_view_stops_fetching(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    model = make_model(fake_api, runner, view="closed")
    load_first_page(qtbot, model)
    assert model.rowCount() == 0
    assert not model.canFetchMore(QModelIndex())


def test_failure_reports_offline_and_stops_asking(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    fake_api.fail_with = FakeNetworkError("connection refused")
    model = make_model(fake_api, runner)
    window = MainWindow(model=model, user=USER, server_url="http://127.0.0.1:9")
    qtbot.addWidget(window)
    with qtbot.waitSignal(model.load_failed, timeout=5000):
        model.reload()
    assert not model.canFetchMore(QModelIndex())
    assert window.online_label.text() == "Offline"
    fake_api.fail_with = None
    with qtbot.waitSignal(model.page_loaded, timeout=5000):
        window.refresh_button.click()
    assert window.online_label.text() == "Online"


def test_sla_countdown_colours_and_ticks(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    now = [NOW]
    model = ConversationTableModel(
        source=fake_api, runner=runner, view="mine", page_size=10, clock=lambda: now[0], tick_ms=20
    )
    load_first_page(qtbot, model)
    # make_row: row i is due in (i % 7) * 20 - 30 minutes, its window is 2 h long.
    fg = Qt.ItemDataRole.ForegroundRole
    assert model.data(model.index(0, Column.SLA)) == "-30:00"
    assert model.data(model.index(0, Column.SLA), fg) == SLA_RED
    assert model.data(model.index(2, Column.SLA)) == "10:00"
    assert model.data(model.index(2, Column.SLA), fg) == SLA_AMBER  # 10 min < 25% of 2 h
    assert model.data(model.index(5, Column.SLA)) == "1h 10m"
    assert model.data(model.index(5, Column.SLA), fg) == SLA_GREEN
    now[0] = NOW + timedelta(seconds=1)
    with qtbot.waitSignal(model.dataChanged, timeout=2000) as blocker:
        pass
    top, bottom = blocker.args[0], blocker.args[1]
    assert top.column() == bottom.column() == Column.SLA
    assert model.data(model.index(2, Column.SLA)) == "09:59"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "00:00"), (59, "00:59"), (3599, "59:59"), (3600, "1h 00m"), (86399, "23h 59m"),
     (86400, "1d 00h"), (-1, "-00:01"), (-3660, "-1h 01m")],
)  # fmt: skip
def test_format_remaining(seconds: int, text: str) -> None:
    assert format_remaining(timedelta(seconds=seconds)) == text


def test_closed_rows_have_no_clock(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    fake_api.totals["closed"] = 3
    model = make_model(fake_api, runner, view="closed")
    load_first_page(qtbot, model)
    assert model.data(model.index(0, Column.SLA)) == "—"
    assert model.data(model.index(0, Column.SLA), Qt.ItemDataRole.ForegroundRole) is None


def test_header_shows_user_role_and_server(qtbot, fake_api, runner) -> None:  # type: ignore[no-untyped-def]
    model = make_model(fake_api, runner)
    window = MainWindow(model=model, user=USER, server_url="http://127.0.0.1:9")
    qtbot.addWidget(window)
    assert "王小明" in window.user_label.text() and "agent" in window.user_label.text()
    assert "Agent" in window.role_label.text()
    assert "http://127.0.0.1:9" in window.server_label.text()


def test_chinese_translation_and_rendering(qtbot, fake_api, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    from workstation.ui.i18n import make_translator

    translator = make_translator("zh_CN")
    assert translator is not None
    QApplication.instance().installTranslator(translator)
    try:
        model = make_model(fake_api, runner)
        window = MainWindow(model=model, user=USER, server_url="http://127.0.0.1:9")
        qtbot.addWidget(window)
        window.resize(1280, 760)
        window.show()
        load_first_page(qtbot, model)
        assert window.windowTitle() == "售后服务工作台"
        assert model.headerData(Column.CHANNEL, Qt.Orientation.Horizontal) == "渠道"
        assert window.view_tabs.tabText(0) == "我的"
        shot = tmp_path / "main_window_zh.png"
        assert window.grab().save(str(shot))
        assert shot.stat().st_size > 20_000
    finally:
        QApplication.instance().removeTranslator(translator)
