"""A locked desk shows no customer data anywhere: not in its docks (docked, tabbed or
floating) nor in the windows it owns, also ones that open while it is locked; unlocking
brings back exactly what was showing."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QWidget

from tests.ui.desk_fakes import USER, FakeReader, FakeServices
from tests.ui.fakes import NOW
from tests.ui.test_call_record import POP
from workstation.ui.desk_window import DeskWindow

NOISE = pytest.mark.qt_log_ignore(
    r"^This plugin does not support propagateSizeHints\(\)", r"^This plugin does not support raise\(\)"
)


def make_window(qtbot, runner) -> DeskWindow:  # type: ignore[no-untyped-def]
    window = DeskWindow(
        reader=FakeReader(), services=FakeServices(), runner=runner, user=USER, server_url="http://127.0.0.1:9",
        clock=lambda: NOW, tick_ms=0, page_size=50, sync_expected=False,
        check_password=lambda p: p == "secret", idle_lock_minutes=15,
    )  # fmt: skip
    qtbot.addWidget(window)
    window.resize(1400, 800)
    window.show()
    qtbot.waitUntil(lambda: window.inbox.rowCount() > 0, timeout=5000)
    return window


def showing(window: DeskWindow) -> set[str]:
    """Object names of the docks and the desk's own windows that are on screen."""
    names = {d.objectName() for d in window.findChildren(QDockWidget) if d.isVisible()}
    for w in QApplication.topLevelWidgets():
        parent = w.parentWidget()
        while parent is not None and parent is not window:
            parent = parent.parentWidget()
        if w.isVisible() and parent is window:
            names.add(w.objectName() or type(w).__name__)
    return names


def unlock(window: DeskWindow) -> None:
    dialog = window.lock_dialog
    assert dialog is not None
    dialog.password.setText("secret")
    dialog.try_unlock()
    assert not window.locked


@NOISE
def test_the_lock_hides_docks_and_tool_windows_and_unlock_restores_exactly_them(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, runner)
    window.toggle_calculator()
    panel = window.start_call_record(POP)
    assert panel is not None
    tool = QWidget(window, Qt.WindowType.Tool)  # e.g. a floating helper window of the desk
    tool.setObjectName("toolWindow")
    QLabel("王小明 138****1234", tool)
    tool.show()
    before = showing(window)
    assert {"calculatorDock", "callRecordDock", "toolWindow"} <= before
    hidden_before = {d.objectName() for d in window.findChildren(QDockWidget) if not d.isVisible()}

    window.lock()
    assert window.locked
    assert showing(window) == {"lockDialog"}
    window.calculator_dock.show()  # something opening while locked (an answered call, a shortcut)
    assert not window.calculator_dock.isVisible()
    window.grab().save("/tmp/desk_locked.png")

    unlock(window)
    assert showing(window) == before
    assert {d.objectName() for d in window.findChildren(QDockWidget) if not d.isVisible()} == hidden_before
    assert panel.notes_edit.isEnabled()  # the record is as it was: the call goes on


@NOISE
def test_tabbed_and_floating_docks_come_back_as_they_were(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, runner)
    window.toggle_calculator()
    record = window.start_call_record(POP)
    assert record is not None
    calculator, call_dock = window.calculator_dock, window.call_record_dock
    window.tabifyDockWidget(calculator, call_dock)
    call_dock.raise_()  # the call record is the tab in front, the calculator behind it

    def in_front(dock: QDockWidget) -> bool:  # tabs behind are "visible" too, without screen area
        return dock.isVisible() and not dock.visibleRegion().isEmpty()

    qtbot.waitUntil(lambda: in_front(call_dock) and not in_front(calculator), timeout=2000)
    window.lock()
    assert not call_dock.isVisible() and not calculator.isVisible()
    unlock(window)
    qtbot.waitUntil(lambda: in_front(call_dock), timeout=2000)
    assert not in_front(calculator) and calculator.isVisible()  # both tabs back, the same in front

    calculator.setFloating(True)
    qtbot.waitUntil(calculator.isVisible, timeout=2000)
    window.lock()
    assert not calculator.isVisible() and not call_dock.isVisible()
    unlock(window)
    assert calculator.isVisible() and calculator.isFloating() and call_dock.isVisible()


@NOISE
def test_a_dock_closed_before_the_lock_stays_closed(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, runner)
    assert not window.calculator_dock.isVisible()
    window.lock()
    unlock(window)
    assert not window.calculator_dock.isVisible()
    seen: list[Any] = []
    window.lock()
    window.lock()  # locking twice changes nothing
    seen.append(showing(window))
    unlock(window)
    assert seen == [{"lockDialog"}] and not window.calculator_dock.isVisible()
