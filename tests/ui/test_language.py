"""Switching the UI language at runtime: the desk is rebuilt in the new language with the
same view, filters and open conversation; no visible chrome stays in the old language;
dates, times and money follow the locale."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDockWidget,
    QLineEdit,
    QMenu,
    QTabBar,
)

from tests.ui.desk_fakes import USER, FakeReader, FakeServices
from tests.ui.fakes import NOW
from workstation.app import Desk
from workstation.ui import timefmt
from workstation.ui.application import current_language, set_language
from workstation.ui.desk_window import DeskWindow
from workstation.ui.sync_bridge import SyncBridge


@pytest.fixture
def english():  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    set_language(app, "en")
    yield app
    set_language(app, "en")
    QLocale.setDefault(QLocale.system())


def chrome(window: DeskWindow) -> list[str]:
    """The window's own texts (not the customers' data): menus, tabs, buttons, labels of
    the chrome, placeholders, filter choices, dock titles, column titles."""
    texts: list[str] = []

    def menu_texts(menu: QMenu) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                texts.append(action.text())
                menu_texts(action.menu())
            elif action.text():
                texts.append(action.text())

    for action in window.menuBar().actions():
        texts.append(action.text())
        if action.menu() is not None:
            menu_texts(action.menu())
    for bar in window.findChildren(QTabBar):
        texts += [re.sub(r" \(\d+\)$", "", bar.tabText(i)) for i in range(bar.count())]
    for edit in window.findChildren(QLineEdit):
        texts.append(edit.placeholderText())
    for combo in window.findChildren(QComboBox):
        texts += [combo.itemText(i) for i in range(combo.count())]
    for dock in window.findChildren(QDockWidget):
        texts.append(dock.windowTitle())
    for button in window.findChildren(QAbstractButton):
        if button.text() and button.isVisibleTo(window):
            texts.append(button.text())
    for label in (window.sync_label, window.pending_button, window.last_sync_label):
        texts.append(label.text())
    model = window.inbox
    texts += [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(model.columnCount())]
    texts.append(window.windowTitle())
    return [t for t in texts if t]


def build(qtbot, runner, settings: QSettings, bridge: SyncBridge) -> tuple[Desk, list[DeskWindow]]:  # type: ignore[no-untyped-def]
    reader, services = FakeReader(), FakeServices()
    made: list[DeskWindow] = []

    def make_window() -> DeskWindow:
        window = DeskWindow(reader=reader, services=services, runner=runner, user=USER,
                            server_url="http://127.0.0.1:9", clock=lambda: NOW, tick_ms=0, page_size=50,
                            settings=settings, sync_expected=False, tray=False,
                            language=current_language())  # fmt: skip
        bridge.status_changed.connect(window.apply_sync_status)
        bridge.changed.connect(window.apply_changes)
        made.append(window)
        return window

    first = make_window()
    first.resize(1400, 800)
    first.show()
    qtbot.waitUntil(lambda: first.current_conversation_id is not None, timeout=5000)
    session = SimpleNamespace()
    return Desk(session=session, window=first, bridge=bridge, runner=runner, make_window=make_window), made


def test_switching_to_chinese_rebuilds_the_desk_and_keeps_the_conversation(qtbot, runner, english, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    bridge = SyncBridge()
    desk, made = build(qtbot, runner, settings, bridge)
    old = desk.window
    old.set_filters(priority="high")
    qtbot.waitUntil(lambda: old.inbox.rowCount() > 3, timeout=5000)
    old.table.selectRow(3)
    chosen = old.current_conversation_id
    qtbot.waitUntil(lambda: old.conversation_panel.editor.isEnabled(), timeout=5000)
    old.conversation_panel.editor.setPlainText("您好，正在为您处理")  # a reply being written
    before = chrome(old)
    assert "&Settings" in before and "Mine" in before

    old.language_actions["zh_CN"].trigger()  # the menu: 中文
    new = desk.window
    assert new is not old and new.isVisible() and not old.isVisible()
    assert settings.value("ui/language") == "zh_CN"
    assert current_language() == "zh_CN" and QLocale().language() == QLocale.Language.Chinese
    qtbot.waitUntil(lambda: new.current_conversation_id == chosen, timeout=5000)
    assert new.priority_filter.currentData() == "high"
    qtbot.waitUntil(lambda: new.conversation_panel.editor.toPlainText() == "您好，正在为您处理", timeout=5000)
    assert new.language_actions["zh_CN"].isChecked()
    after = chrome(new)
    assert "设置(&S)" in after and "我的" in after
    # nothing of the chrome is left in English (the same text in both means untranslated)
    # (labour codes with prices, e.g. "basic · ¥50.00", are policy data the calculator shows as they are)
    same = sorted({t for t in set(before) & set(after) if re.search(r"[A-Za-z]{2,}", t) and "¥" not in t}
                  - {"English", "VIP"})
    assert same == [], same
    # sync state from the bridge reaches the new window, not the old one
    from workstation.sync.engine import SyncStatus

    bridge.status(SyncStatus(state="online", pending=0, last_sync_at=NOW))
    assert new.sync_label.text() == "在线"

    new.request_language("en")
    back = desk.window
    assert back is not new and "&Settings" in chrome(back)
    qtbot.waitUntil(lambda: back.current_conversation_id == chosen, timeout=5000)
    for w in made:
        if w is desk.window:
            w.close()


def test_the_language_is_remembered_and_env_wins(tmp_path: Path) -> None:
    from workstation.app import initial_language
    from workstation.config import Settings

    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    assert initial_language(Settings(data_dir=tmp_path), settings) == ""  # the system's
    settings.setValue("ui/language", "zh_CN")
    assert initial_language(Settings(data_dir=tmp_path), settings) == "zh_CN"
    assert initial_language(Settings(data_dir=tmp_path, language="en"), settings) == "en"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh_CN", {"money": "¥1,234.50", "negative": "-¥12.00", "day": "2025/11/2", "today": "14:05",
                   "year": "3月1日 14:05", "clock": "14:05:09"}),
        ("en", {"money": "CN¥1,234.50", "negative": "-CN¥12.00", "day": "Nov 2, 2025", "today": "2:05 PM",
                "year": "Mar 1, 2:05 PM", "clock": "2:05:09 PM"}),
    ],
)
def test_dates_times_and_money_follow_the_locale(english, language: str, expected: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    set_language(QCoreApplication.instance(), language)
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    local = datetime(2026, 3, 1, 14, 5, 9).astimezone()
    assert timefmt.money("1234.5") == expected["money"]
    assert timefmt.money(-12) == expected["negative"]
    assert timefmt.money("n/a") == "n/a"
    assert timefmt.day(datetime(2025, 11, 2, 12, 0).astimezone()) == expected["day"]
    assert timefmt.short(local, now=local).replace("\u202f", " ") == expected["today"]
    assert timefmt.short(local, now=local.replace(month=9)).replace("\u202f", " ") == expected["year"]
    assert timefmt.clock(local).replace("\u202f", " ") == expected["clock"]
