"""Possible duplicates in Customer 360: the banner with why, merge for permitted roles only
(confirm dialog with both records), dismiss, errors, and the merged customer shown after."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from tests.ui.desk_fakes import FakeReader
from workstation.services.customers import CustomerMerges, MergeSuggestion
from workstation.sync.api import ApiError
from workstation.ui import i18n
from workstation.ui.customer_panel import CustomerPanel
from workstation.ui.merge_suggestions import MergeConfirmDialog, MergeSuggestionsBar, reasons_text

ME, OTHER, THIRD = "cust-a", "cust-b", "cust-c"


class FakeMergeApi:
    def __init__(self) -> None:
        self.suggested: dict[str, list[dict[str, Any]]] = {
            ME: [
                {"customer_id": OTHER, "display_name": "Wang Xiaoming", "phone": "139****1111",
                 "reasons": ["email", "phone"], "created_at": "2026-01-05T02:00:00Z"},
                {"customer_id": THIRD, "display_name": "王小明", "phone": None, "reasons": ["name"],
                 "created_at": "2026-02-01T02:00:00Z"},
            ]
        }  # fmt: skip
        self.merged: list[tuple[str, str]] = []
        self.fail_with: BaseException | None = None
        self.calls = 0
        self._lock = threading.Lock()

    def merge_suggestions(self, customer_id: str) -> list[dict[str, Any]]:
        with self._lock:
            self.calls += 1
        if self.fail_with is not None:
            raise self.fail_with
        return [dict(s) for s in self.suggested.get(customer_id, [])]

    def merge_customers(self, keep_id: str, duplicate_id: str) -> dict[str, Any]:
        if self.fail_with is not None:
            raise self.fail_with
        self.merged.append((keep_id, duplicate_id))
        for key in list(self.suggested):
            self.suggested[key] = [s for s in self.suggested[key] if s["customer_id"] not in (keep_id, duplicate_id)]
        return {"kept_id": keep_id, "merged_id": duplicate_id, "moved": {"conversations": 2, "orders": 1}}


class Reader(FakeReader):
    """The other record: cached (with its own name) for OTHER, not cached for THIRD."""

    def customer_card(self, customer_id: str) -> Any:
        if customer_id == THIRD:
            return None
        card = super().customer_card(customer_id)
        if customer_id == OTHER and card is not None:
            card.customer.update(display_name="Wang Xiaoming", phone="139****1111", tags=[])
            card.orders.clear()
        return card


def make_panel(qtbot, runner, role: str = "team_lead", api: FakeMergeApi | None = None):  # type: ignore[no-untyped-def]
    api = api or FakeMergeApi()
    panel = CustomerPanel(reader=Reader({"all": 3}), runner=runner)
    qtbot.addWidget(panel)
    panel.resize(360, 760)
    panel.show()
    panel.set_merges(CustomerMerges(api=api, role=role))
    panel.show_customer(ME, conversation_id="conv-all-00001")
    return panel, api


def test_the_banner_lists_duplicates_with_why_and_a_merge_button_for_leads(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    panel, _api = make_panel(qtbot, runner)
    bar = panel.merge_bar
    qtbot.waitUntil(lambda: bar.isVisible() and len(bar.suggestions) == 2, timeout=5000)
    assert bar.title.text() == "Possible duplicates (2)"
    assert set(bar.merge_buttons) == {OTHER, THIRD} and set(bar.dismiss_buttons) == {OTHER, THIRD}
    assert not bar.permission_label.isVisibleTo(bar)
    texts = " ".join(w.text() for w in bar.findChildren(type(bar.title)))
    assert "Wang Xiaoming" in texts and "same e-mail · same phone" in texts and "same name" in texts
    assert "139****1111" in texts
    panel.grab().save("/tmp/customer_merge_lead.png")


def test_an_agent_sees_the_suggestion_but_no_merge_button(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    panel, _api = make_panel(qtbot, runner, role="agent")
    bar = panel.merge_bar
    qtbot.waitUntil(lambda: bar.isVisible() and len(bar.suggestions) == 2, timeout=5000)
    assert bar.merge_buttons == {} and bar.dismiss_buttons
    assert bar.permission_label.isVisibleTo(bar) and "team lead" in bar.permission_label.text()
    panel.request_merge(OTHER)  # not even through the API of the panel
    qtbot.wait(50)
    assert panel.merge_dialog is None
    panel.grab().save("/tmp/customer_merge_agent.png")


def test_dismiss_hides_that_suggestion_for_the_session(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    panel, _api = make_panel(qtbot, runner, role="agent")
    bar = panel.merge_bar
    qtbot.waitUntil(lambda: len(bar.suggestions) == 2, timeout=5000)
    qtbot.mouseClick(bar.dismiss_buttons[THIRD], Qt.MouseButton.LeftButton)
    assert [s.customer_id for s in bar.suggestions] == [OTHER] and bar.title.text() == "Possible duplicate"
    panel.reload()
    qtbot.wait(100)
    qtbot.waitUntil(lambda: not panel._runner._pending, timeout=5000)
    assert [s.customer_id for s in bar.suggestions] == [OTHER]
    qtbot.mouseClick(bar.dismiss_buttons[OTHER], Qt.MouseButton.LeftButton)
    assert not bar.isVisible()


def test_merge_asks_with_both_records_then_shows_the_kept_customer(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    panel, api = make_panel(qtbot, runner)
    bar = panel.merge_bar
    qtbot.waitUntil(lambda: OTHER in bar.merge_buttons, timeout=5000)
    qtbot.mouseClick(bar.merge_buttons[OTHER], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.merge_dialog is not None and panel.merge_dialog.isVisible(), timeout=5000)
    dialog = panel.merge_dialog
    assert dialog is not None
    shown = " ".join(w.text() for w in dialog.findChildren(type(bar.title)))
    assert "王小明" in shown and "Wang Xiaoming" in shown and "same e-mail · same phone" in shown
    assert dialog.cancel_button.isDefault() and dialog.choice() == (ME, OTHER)
    dialog.grab().save("/tmp/merge_confirm.png")
    dialog.reject()  # cancel: nothing merged
    assert api.merged == []
    qtbot.mouseClick(bar.merge_buttons[OTHER], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.merge_dialog is not dialog and panel.merge_dialog.isVisible(), timeout=5000)
    dialog = panel.merge_dialog
    dialog.keep_other.setChecked(True)
    assert dialog.choice() == (OTHER, ME)
    with qtbot.waitSignal(panel.merged, timeout=5000) as merged:
        dialog.accept()
    assert merged.args == [OTHER, ME] and api.merged == [(OTHER, ME)]
    assert panel.customer_id == OTHER and panel.conversation_id is None  # the kept one is shown
    qtbot.waitUntil(lambda: panel.card is not None and panel.card.customer["id"] == OTHER, timeout=5000)


def test_a_refused_or_offline_merge_says_why(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    panel, api = make_panel(qtbot, runner)
    qtbot.waitUntil(lambda: OTHER in panel.merge_bar.merge_buttons, timeout=5000)
    api.fail_with = ApiError(0, "Server unreachable", "refused")
    panel.merge(ME, OTHER)
    qtbot.waitUntil(lambda: panel.merge_bar.message_label.isVisibleTo(panel.merge_bar)
                    and "offline" in panel.merge_bar.message_label.text(), timeout=5000)  # fmt: skip
    assert panel.merge_bar.merge_buttons[OTHER].isEnabled()
    api.fail_with = ApiError(409, "Conflict", "customer cust-b was already merged into cust-x")
    panel.merge(ME, OTHER)
    qtbot.waitUntil(lambda: "already merged" in panel.merge_bar.message_label.text(), timeout=5000)


def test_offline_suggestions_leave_no_banner(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    api = FakeMergeApi()
    api.fail_with = ApiError(0, "Server unreachable")
    panel, _ = make_panel(qtbot, runner, api=api)
    qtbot.waitUntil(lambda: api.calls >= 1 and panel.card is not None, timeout=5000)
    qtbot.wait(50)
    assert not panel.merge_bar.isVisible()


def test_a_field_engineer_gets_no_suggestions(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    panel, api = make_panel(qtbot, runner, role="field_engineer")
    qtbot.waitUntil(lambda: panel.card is not None, timeout=5000)
    qtbot.wait(50)
    assert api.calls == 0 and not panel.merge_bar.isVisible()


def test_the_banner_and_dialog_in_chinese(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    MergeSuggestionsBar()  # registers the strings
    translator = i18n.make_translator("zh_CN")
    assert translator is not None
    QApplication.installTranslator(translator)
    try:
        panel, _api = make_panel(qtbot, runner, role="agent")
        bar = panel.merge_bar
        qtbot.waitUntil(lambda: len(bar.suggestions) == 2, timeout=5000)
        assert bar.title.text() == "疑似重复客户（2）"
        assert "组长" in bar.permission_label.text()
        assert bar.dismiss_buttons[OTHER].text() == "不是同一人"
        assert reasons_text(("email", "phone")) == "邮箱相同 · 电话相同"
        panel.grab().save("/tmp/customer_merge_zh.png")
        suggestion = MergeSuggestion.from_wire(_api.suggested[ME][0])
        dialog = MergeConfirmDialog(current_id=ME, current_card=panel.card, suggestion=suggestion)
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "合并客户" and dialog.merge_button.text() == "合并(&M)"
        dialog.show()
        dialog.grab().save("/tmp/merge_confirm_zh.png")
        dialog.done(QDialog.DialogCode.Rejected)
    finally:
        QApplication.removeTranslator(translator)


@pytest.mark.parametrize("role", ["team_lead", "admin"])
def test_merge_roles(role: str) -> None:
    assert CustomerMerges(api=FakeMergeApi(), role=role).can_merge
    assert not CustomerMerges(api=FakeMergeApi(), role="senior_agent").can_merge
