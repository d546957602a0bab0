"""Team leads' approvals: pending offers listed with rule and amount; approve / change /
reject with a reason go to services.decide_compensation; the offerer sees the outcome live."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.desk_fakes import USER, FakeReader, FakeServices
from tests.ui.fakes import NOW
from workstation.services.changes import OpChanges
from workstation.ui import timefmt
from workstation.ui.approvals import ApprovalsPanel, OffersModel
from workstation.ui.desk_window import DeskWindow

LEAD = {"id": "user-lead", "username": "lena", "display_name": "李组长", "role": "team_lead"}


def offer(i: int, status: str = "pending_approval", **kw: Any) -> dict[str, Any]:
    return {
        "id": f"offer-{i}", "kind": "damaged_goods", "rule": "damaged.percent", "status": status,
        "amount": "120.00", "authority_amount": "120.00", "offered_by": "user-agent",
        "order_id": "o1", "order_no": f"SO{i}", "customer_name": "王女士", "created_at": "2026-03-02T05:00:00Z",
        "lines": [{"label": "50% of item value", "amount": "120.00", "rule": "damaged.percent"}],
        "approved_amount": None, **kw,
    }  # fmt: skip


class OfferReader(FakeReader):
    def __init__(self) -> None:
        super().__init__({"mine": 3, "all": 3})
        self.offer_rows = [offer(1), offer(2)]

    def offers(self, status: str | None = "pending_approval") -> list[dict[str, Any]]:
        return [dict(o) for o in self.offer_rows if status is None or o["status"] == status]


class DecidingServices(FakeServices):
    def decide_compensation(self, offer_id: str, decision: str, **kw: Any) -> OpChanges:
        self._record("decide_compensation", offer_id, decision, kw)
        return OpChanges(entities=frozenset({"compensation_offers"}))


def test_offers_model_passes_the_model_tester(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = OffersModel()
    model.set_rows([offer(1), offer(2)])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 5)) == timefmt.money("120.00")  # CN¥120.00 in English, ¥ in Chinese


@pytest.fixture
def approvals(qtbot):  # type: ignore[no-untyped-def]
    panel = ApprovalsPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_offers([offer(1), offer(2)], {"user-agent": "王晓雨"})
    return panel


def test_a_pending_offer_shows_rule_lines_and_offerer(approvals) -> None:  # type: ignore[no-untyped-def]
    assert approvals.model.rowCount() == 2
    detail = approvals.detail.text()
    assert "Damaged goods: share of item value" in detail and "50% of the item value" in detail
    assert "damaged.percent" not in detail and "120.00" in detail
    assert approvals.model.data(approvals.model.index(0, 6)) == "王晓雨"


def test_approve_change_and_reject_with_reason(qtbot, approvals) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(approvals.decision_requested) as sig:
        qtbot.mouseClick(approvals.approve_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["offer-1", "approve", "", ""]
    approvals.amount_edit.setText("oops")
    with qtbot.assertNotEmitted(approvals.decision_requested):
        approvals.decide("change")
    assert "amount" in approvals.error_label.text()
    approvals.amount_edit.setText("80")
    with qtbot.waitSignal(approvals.decision_requested) as sig:
        approvals.decide("change")
    assert sig.args == ["offer-1", "change", "80.00", ""]
    with qtbot.assertNotEmitted(approvals.decision_requested):
        approvals.decide("reject")
    assert "reason" in approvals.error_label.text()
    approvals.reason_edit.setText("证据不足")
    with qtbot.waitSignal(approvals.decision_requested) as sig:
        approvals.decide("reject")
    assert sig.args == ["offer-1", "reject", "", "证据不足"]


def make_window(qtbot, runner, user):  # type: ignore[no-untyped-def]
    reader, services = OfferReader(), DecidingServices()
    w = DeskWindow(reader=reader, services=services, runner=runner, user=user, server_url="x",
                   clock=lambda: NOW, tick_ms=0, page_size=50, sync_expected=False)  # fmt: skip
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.current_conversation_id is not None, timeout=5000)
    return w, reader, services


def test_a_team_lead_decides_from_the_desk(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    w, reader, services = make_window(qtbot, runner, LEAD)
    assert w.approvals is not None
    qtbot.waitUntil(lambda: w.approvals.model.rowCount() == 2, timeout=5000)
    w.toggle_approvals()
    assert w.approvals_dock.isVisible()
    w.approvals.reason_edit.setText("ok")
    w.approvals.decide("approve")
    qtbot.waitUntil(lambda: any(c[0] == "decide_compensation" for c in services.calls), timeout=5000)
    assert services.calls[-1] == ("decide_compensation", "offer-1", "approve", {"reason": "ok"})
    reader.offer_rows[0]["status"] = "approved"
    w.apply_changes({"compensation_offers"})
    qtbot.waitUntil(lambda: w.approvals.model.rowCount() == 1, timeout=5000)


def test_an_agent_has_no_approvals_and_sees_the_outcome_live(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    w, reader, _services = make_window(qtbot, runner, USER)
    assert w.approvals is None
    assert w.show_script_admin() is None
    qtbot.waitUntil(lambda: len(w._offer_status) == 2, timeout=5000)
    reader.offer_rows[1].update(status="changed", approved_amount="80.00")
    w.apply_changes({"compensation_offers"})
    qtbot.waitUntil(lambda: "80.00" in w.statusBar().currentMessage(), timeout=5000)
    assert "changed amount" in w.statusBar().currentMessage()


# -- script authoring (team leads) ------------------------------------------------------------


class FakeScriptApi:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.rows = [
            {"key": "greet.zh", "version": 1, "status": "approved", "title": "问候", "category": "greeting",
             "language": "zh", "variants": {"chat": {"body": "您好"}}, "tags": [], "approved_by": "lena"},
            {"key": "greet.zh", "version": 2, "status": "submitted", "title": "问候", "category": "greeting",
             "language": "zh", "variants": {"chat": {"body": "您必须先登录"}}, "tags": []},
        ]  # fmt: skip

    def script_versions(self, key: str) -> list[dict[str, Any]]:
        self.calls.append(("versions", key))
        return [dict(r) for r in self.rows]

    def approve_script(self, key: str, version: int) -> dict[str, Any]:
        from workstation.sync.api import ApiError

        self.calls.append(("approve", key, version))
        raise ApiError(422, "Wording lint failed", "commands the customer: 必须")

    def reject_script(self, key: str, version: int, reason: str) -> dict[str, Any]:
        self.calls.append(("reject", key, version, reason))
        return {}


def test_script_authoring_shows_versions_and_blocking_lint(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    from workstation.ui.script_admin import ScriptAdminDialog

    api = FakeScriptApi()
    dialog = ScriptAdminDialog(api=api, runner=runner, keys=lambda: ["greet.zh"])
    qtbot.addWidget(dialog)
    dialog.open_key("greet.zh")
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=5000)
    assert dialog.current_version()["status"] == "submitted"
    assert dialog.buttons["approve"].isEnabled() and not dialog.buttons["retire"].isEnabled()
    dialog.act("approve")
    qtbot.waitUntil(lambda: "Wording lint failed" in dialog.message_label.text(), timeout=5000)
    assert "必须" in dialog.message_label.text()
    dialog.act("reject")
    assert "reason" in dialog.message_label.text()
    dialog.reason_edit.setText("请改为礼貌用语")
    dialog.act("reject")
    qtbot.waitUntil(lambda: ("reject", "greet.zh", 2, "请改为礼貌用语") in api.calls, timeout=5000)


def test_script_authoring_offline_says_so(qtbot, runner) -> None:  # type: ignore[no-untyped-def]
    from workstation.ui.script_admin import ScriptAdminDialog

    dialog = ScriptAdminDialog(api=FakeScriptApi(), runner=runner, online=False)
    qtbot.addWidget(dialog)
    assert not dialog.offline_label.isHidden()
    assert not any(b.isEnabled() for b in dialog.buttons.values())
