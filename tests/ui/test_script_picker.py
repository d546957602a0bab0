"""The `/` script picker of the composer: search (pinyin initials, English), suggestions for
the request type, preview with variables, Enter inserts, the script id/version go with the
reply, missing variables block sending, wording warnings on free text."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.desk_fakes import USER, FakeReader, FakeServices
from tests.ui.fakes import NOW
from workstation.scripts.library import load_library
from workstation.scripts.search import ScriptIndex
from workstation.ui.desk_window import DeskWindow
from workstation.ui.models.scripts import KeyRole, ScriptListModel, ScriptRole


def library() -> list[Any]:
    return [s.with_changes(id=f"id-{s.key}") for s in load_library()]


class ScriptReader(FakeReader):
    def __init__(self) -> None:
        super().__init__({"mine": 5, "all": 5})
        self.scripts = library()

    def approved_scripts(self) -> list[Any]:
        return list(self.scripts)


class RecordingServices(FakeServices):
    def reply(self, conversation_id: str, body: str, *, channel: str | None = None, **kw: Any) -> Any:
        self.kwargs = kw
        return self._record("reply", conversation_id, body, channel)


@pytest.fixture
def window(qtbot, runner):  # type: ignore[no-untyped-def]
    reader, services = ScriptReader(), RecordingServices()
    w = DeskWindow(reader=reader, services=services, runner=runner, user=USER, server_url="x",
                   clock=lambda: NOW, tick_ms=0, page_size=50, sync_expected=False)  # fmt: skip
    qtbot.addWidget(w)
    w.resize(1400, 800)
    w.show()
    qtbot.waitUntil(lambda: w.current_conversation_id is not None and w.customer_panel.card is not None, timeout=5000)
    qtbot.waitUntil(lambda: w.conversation_panel.picker.script_count() > 0, timeout=5000)
    w.services = services
    return w


def test_list_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ScriptListModel()
    index = ScriptIndex.build(library())
    model.set_hits(index.query("tkyf"))
    qtmodeltester.check(model)
    assert model.rowCount() > 0
    first = model.index(0, 0)
    assert model.data(first, KeyRole) == model.data(first, ScriptRole).key
    assert "退" in model.data(first, Qt.ItemDataRole.DisplayRole)


def test_slash_opens_the_picker_and_pinyin_initials_find_a_script(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    panel = window.conversation_panel
    panel.editor.setFocus()
    qtbot.keyClick(panel.editor, "/")
    assert panel.picker.isVisible()
    assert panel.editor.toPlainText() == ""  # the slash opened the picker, it is not text
    qtbot.keyClicks(panel.picker.search_edit, "fwbc")
    first = panel.picker.model.script(0)
    assert first is not None and first.title == "服务补偿优惠券"
    assert "您" in panel.picker.preview.toPlainText()
    qtbot.keyClicks(panel.picker.search_edit, "x")  # nothing matches
    assert panel.picker.model.rowCount() == 0
    qtbot.keyClick(panel.picker.search_edit, Qt.Key.Key_Escape)
    assert not panel.picker.isVisible()


def test_english_search_and_request_type_suggestions_first(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    panel = window.conversation_panel
    panel.conversation = {**(panel.conversation or {}), "request_type": "return_refund"}
    panel.open_picker()
    first = panel.picker.model.script(0)
    assert first is not None and "return_refund" in first.request_types
    panel.picker.search_edit.setText("damaged")
    assert any("damaged" in (panel.picker.model.script(r).title.lower()) for r in range(panel.picker.model.rowCount()))


def test_missing_variables_block_sending_and_name_what_is_missing(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    panel, services = window.conversation_panel, window.services
    panel.set_render_context({k: v for k, v in window.render_context().items() if k != "compensation.amount"})
    panel.open_picker("fwbc")
    assert "compensation.amount" in panel.picker.status_label.text()
    qtbot.keyClick(panel.picker.search_edit, Qt.Key.Key_Return)
    assert not panel.picker.isVisible()
    assert "{{compensation.amount}}" in panel.editor.toPlainText()
    assert panel.script_ref == ("id-compensation.coupon.zh", 1)
    panel.send()
    assert "compensation.amount" in panel.error_label.text()
    qtbot.wait(50)
    assert not [c for c in services.calls if c[0] == "reply"]


def test_enter_inserts_the_filled_script_and_the_reply_records_it(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    panel, services = window.conversation_panel, window.services
    ctx = window.render_context()
    assert ctx.get("agent.name") == USER["display_name"]
    panel.set_render_context({**ctx, "customer.name": "王女士", "compensation.amount": "50.00"})
    panel.open_picker("fwbc")
    qtbot.keyClick(panel.picker.search_edit, Qt.Key.Key_Return)
    text = panel.editor.toPlainText()
    assert "50.00" in text and "王女士" in text and "{{" not in text
    panel.editor.appendPlainText("祝您生活愉快。")  # editable before sending
    assert panel.script_ref is not None
    panel.send()
    qtbot.waitUntil(lambda: any(c[0] == "reply" for c in services.calls), timeout=5000)
    call = next(c for c in services.calls if c[0] == "reply")
    assert "50.00" in call[2] and call[2].endswith("祝您生活愉快。")
    assert services.kwargs == {"script_id": "id-compensation.coupon.zh", "script_version": 1}
    qtbot.waitUntil(lambda: panel.editor.toPlainText() == "", timeout=5000)
    assert panel.script_ref is None


def test_free_text_gets_wording_warnings_but_can_be_sent(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    panel, services = window.conversation_panel, window.services
    panel.editor.setPlainText("这个我不知道，您必须自己寄回。")
    issues = panel.check_wording()
    assert issues and all(i.severity == "warning" for i in issues)
    assert panel.lint_label.isVisible()
    panel.send()
    qtbot.waitUntil(lambda: any(c[0] == "reply" for c in services.calls), timeout=5000)
    assert services.kwargs == {}
