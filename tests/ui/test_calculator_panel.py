"""The calculator panel: eligibility, compensation (itemised, authority) and a repair quote
for the selected order item; Offer asks for the offer; results feed the script variables."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt

from tests.ui.fakes import NOW
from workstation.domain.compensation import CompensationRequest, calculate_compensation
from workstation.domain.enums import CompensationKind
from workstation.domain.policy import load_policy
from workstation.services import scripts as svc
from workstation.ui.calculator_panel import CalculatorPanel

POLICY = load_policy()
ITEM = {"id": "item-1", "order_id": "o1", "title": "蓝牙音箱", "category": "electronics", "price": "240.00",
        "quantity": 1, "warranty_months": 12}  # fmt: skip
ORDER = {"id": "o1", "order_no": "SO0001", "amount": "240.00", "paid_at": (NOW - timedelta(days=5)).isoformat(),
         "delivered_at": (NOW - timedelta(days=2)).isoformat(), "customer_id": "c1"}  # fmt: skip


def quote(**args: Any) -> Any:
    def dec(k: str) -> Decimal | None:
        return None if args.get(k) is None else Decimal(str(args[k]))

    return calculate_compensation(POLICY, CompensationRequest(
        kind=CompensationKind(args["kind"]), price=Decimal(ITEM["price"]), quantity=1,
        order_amount=Decimal(ORDER["amount"]), testing_fee=dec("testing_fee") or Decimal(0),
        shipping_fee=dec("shipping_fee") or Decimal(0), severity=args.get("severity"),
        reship=bool(args.get("reship")), goodwill_amount=dec("goodwill_amount"),
    ))  # fmt: skip


@pytest.fixture
def panel(qtbot):  # type: ignore[no-untyped-def]
    p = CalculatorPanel(
        policy=lambda: POLICY, clock=lambda: NOW, quote=quote,
        authority=lambda amount: svc.authority(POLICY, role="agent", tenure_months=0, amount=amount),
    )  # fmt: skip
    qtbot.addWidget(p)
    p.show()
    p.set_items([(ITEM, ORDER)], conversation_id="conv-1", prefer_order="o1")
    return p


def test_eligibility_follows_the_inputs(panel) -> None:  # type: ignore[no-untyped-def]
    panel.reason_combo.setCurrentIndex(panel.reason_combo.findData("quality"))
    panel.evidence_check.setChecked(True)
    assert panel.eligibility is not None and panel.eligibility.verdict == "return"
    assert "Rule:" in panel.eligibility_label.text() and "Deadline:" in panel.eligibility_label.text()
    panel.reason_combo.setCurrentIndex(panel.reason_combo.findData("no_reason"))
    panel.used_check.setChecked(True)
    assert panel.eligibility.verdict != "return"


def test_damaged_goods_above_the_agent_limit_needs_a_team_lead(qtbot, panel) -> None:  # type: ignore[no-untyped-def]
    panel.tabs.setCurrentIndex(1)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("damaged_goods"))
    assert panel.quote_result.total == Decimal("120.00")
    assert "120.00" in panel.total_label.text()
    assert "team lead" in panel.authority_label.text() or "senior agent" in panel.authority_label.text()
    assert panel.result["amount"] == Decimal("120.00")
    with qtbot.waitSignal(panel.offer_requested) as sig:
        qtbot.mouseClick(panel.offer_button, Qt.MouseButton.LeftButton)
    assert sig.args[0] == {"kind": "damaged_goods", "order_item_id": "item-1", "conversation_id": "conv-1",
                           "reship": False}  # fmt: skip
    ctx = svc.render_context(compensation=panel.result)
    assert ctx["compensation.amount"] == "120.00"


def test_small_goodwill_is_within_authority_and_bad_amounts_name_the_field(panel) -> None:  # type: ignore[no-untyped-def]
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("goodwill"))
    panel.goodwill_edit.setText("10")
    assert "Within your authority" in panel.authority_label.text()
    panel.goodwill_edit.setText("-3")
    assert panel.quote_result is None and not panel.offer_button.isEnabled()
    assert "goodwill amount" in panel.lines_label.text()
    panel.goodwill_edit.setText("abc")
    assert "not an amount" in panel.lines_label.text()


def test_service_failure_coupon_by_severity(panel) -> None:  # type: ignore[no-untyped-def]
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("service_failure"))
    panel.severity_combo.setCurrentIndex(panel.severity_combo.findData("severe"))
    severe = panel.quote_result.total
    panel.severity_combo.setCurrentIndex(panel.severity_combo.findData("minor"))
    assert panel.quote_result.total < severe
    assert "Coupon, 10% of the order" in panel.lines_label.text()


def test_repair_quote_from_the_price_list(panel) -> None:  # type: ignore[no-untyped-def]
    panel.tabs.setCurrentIndex(2)
    assert panel.parts_list.count() > 0 and panel.labour_combo.count() > 1
    panel.parts_list.item(0).setCheckState(Qt.CheckState.Checked)
    assert panel.repair.in_warranty and panel.repair.total == Decimal("0.00")
    panel.user_caused_check.setChecked(True)
    assert panel.repair.total > 0
    assert "accepts the quote" in panel.repair_label.text()
    assert panel.result["repair_amount"] == panel.repair.total


def test_without_an_item_nothing_is_offered(qtbot) -> None:  # type: ignore[no-untyped-def]
    p = CalculatorPanel(policy=lambda: POLICY, clock=lambda: NOW, quote=quote)
    qtbot.addWidget(p)
    p.set_items([])
    assert not p.offer_button.isEnabled()
    assert "Pick an order item" in p.item_label.text()
