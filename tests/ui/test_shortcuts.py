"""Customisable shortcuts: the map (conflicts, reserved keys, persistence), its dialog, and
the desk applying a change at once (keys, menus, cheat sheet)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence

from tests.ui.desk_fakes import FakeReader, FakeServices
from tests.ui.test_desk import make_window
from workstation.ui.shortcuts import ACTIONS, ShortcutMap, ShortcutModel, ShortcutsDialog


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def test_every_action_has_a_unique_default_and_no_defaults_clash() -> None:
    ids = [a.id for a in ACTIONS]
    assert len(ids) == len(set(ids))
    assert ShortcutMap().conflicts() == []


def test_conflicts_and_reserved_keys_are_refused_with_a_reason() -> None:
    m = ShortcutMap()
    assert "Show or hide the calculators" in (m.check("claim", "Ctrl+K") or "")
    assert "already used" in (m.check("claim", "Ctrl+K") or "")
    assert "typing" in (m.check("claim", "Ctrl+C") or "")
    assert "moving around" in (m.check("claim", "Tab") or "")
    assert m.check("claim", "Ctrl+Shift+C") is None
    assert m.check("claim", "C") is None  # its own key


def test_saved_bindings_round_trip_and_defaults_are_not_stored(settings: QSettings) -> None:
    m = ShortcutMap()
    m.set("claim", ["Ctrl+Shift+C"])
    m.save(settings)
    assert settings.value("shortcuts/claim") is not None
    assert settings.value("shortcuts/reply") is None
    again = ShortcutMap.load(settings)
    assert again.keys("claim") == ("Ctrl+Shift+C",) and again.keys("reply") == ("R",)
    again.reset("claim")
    again.save(settings)
    assert settings.value("shortcuts/claim") is None


def test_a_saved_binding_that_clashes_is_ignored(settings: QSettings) -> None:
    settings.setValue("shortcuts/claim", '["Ctrl+K"]')  # the calculators' key
    m = ShortcutMap.load(settings)
    assert m.keys("claim") == ("C",) and m.conflicts() == []


def test_model_passes_qtmodeltester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ShortcutModel(ShortcutMap(), list(ACTIONS))
    qtmodeltester.check(model)
    assert model.rowCount() == len(ACTIONS) and model.columnCount() == 3


def test_dialog_refuses_a_conflict_then_accepts_a_free_key(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ShortcutsDialog(ShortcutMap())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_action("claim")
    assert not dialog.set_keys(0, "Ctrl+K")
    assert "Ctrl+K" in dialog.message.text() and "calculators" in dialog.message.text()
    assert dialog.draft.keys("claim") == ("C",)
    assert dialog.primary_edit.keySequence().toString() == "C"  # the edit shows what is bound
    assert dialog.set_keys(1, "Ctrl+Shift+C")
    assert dialog.draft.keys("claim") == ("C", "Ctrl+Shift+C")
    with qtbot.waitSignal(dialog.applied) as got:
        dialog.buttons.accepted.emit()
    assert got.args[0].keys("claim") == ("C", "Ctrl+Shift+C")


def test_dialog_records_keys_from_the_keyboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ShortcutsDialog(ShortcutMap())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select_action("transfer")
    dialog.primary_edit.setFocus()
    qtbot.keyClick(dialog.primary_edit, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.draft.keys("transfer") == ("Ctrl+Alt+T",), timeout=3000)


def test_reset_all_and_fixed_actions(qtbot) -> None:  # type: ignore[no-untyped-def]
    m = ShortcutMap()
    m.set("claim", ["Ctrl+Shift+C"])
    dialog = ShortcutsDialog(m)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reset_all()
    assert dialog.draft.keys("claim") == ("C",) and "defaults" in dialog.message.text()
    dialog.select_action("send")
    assert not dialog.primary_edit.isEnabled()
    assert not dialog.set_keys(0, "F9")


def test_dialog_filter_hides_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = ShortcutsDialog(ShortcutMap())
    qtbot.addWidget(dialog)
    dialog.filter_edit.setText("F5")
    visible = [a.id for r, a in enumerate(dialog.model.actions) if not dialog.table.isRowHidden(r)]
    assert visible == ["sync_now"]


def test_the_desk_applies_a_changed_shortcut_at_once_and_remembers_it(qtbot, runner, settings) -> None:  # type: ignore[no-untyped-def]
    reader, services = FakeReader(), FakeServices()
    window = make_window(qtbot, reader, services, runner, settings=settings)
    dialog = window.show_shortcuts_dialog()
    dialog.select_action("next_conversation")
    assert dialog.set_keys(1, "Ctrl+Shift+J")
    dialog.buttons.accepted.emit()
    assert window.desk_actions["next_conversation"].shortcuts() == [QKeySequence("Ctrl+Down"), QKeySequence("Ctrl+Shift+J")]
    window.table.setFocus()
    first = window.current_conversation_id
    qtbot.keyClick(window.table, Qt.Key.Key_J)  # the old alternative is gone
    assert window.current_conversation_id == first
    qtbot.keyClick(window.table, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.current_conversation_id != first
    sheet = window.show_cheat_sheet()
    keys = [k for k, _ in sheet.shortcuts]
    assert "Ctrl+Shift+J" in keys and "J" not in keys
    assert "Ctrl+Shift+J" in sheet.label.text()
    sheet.close()
    window.close()
    again = make_window(qtbot, reader, services, runner, settings=QSettings(settings.fileName(), QSettings.Format.IniFormat))
    assert again.shortcut_map.keys("next_conversation") == ("Ctrl+Down", "Ctrl+Shift+J")


def test_every_desk_action_is_reachable(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    window = make_window(qtbot, FakeReader(), FakeServices(), runner)
    bound = set(window.desk_actions)
    agent_actions = {a.id for a in ACTIONS if not a.leads_only}
    assert agent_actions <= bound
    for action_id in agent_actions - {"send"}:
        assert window.desk_actions[action_id].shortcuts() == [QKeySequence(k) for k in window.shortcut_map.keys(action_id)]
