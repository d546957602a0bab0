"""What the domain explains (eligibility reasons, compensation and repair lines, rule ids,
refusals) is worded by code in the UI language: every code the domain can produce has an
English label and a Chinese entry, and the calculators, the case dialog and the approvals show
no English in Chinese."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from tests.ui.fakes import NOW
from tests.ui.test_calculator_panel import ITEM, ORDER, POLICY, quote
from workstation.domain import compensation, returns, warranty
from workstation.domain.calendar import PeriodUnit
from workstation.domain.enums import Category
from workstation.services import scripts as svc
from workstation.ui import labels
from workstation.ui.application import set_language
from workstation.ui.approvals import describe_offer
from workstation.ui.calculator_panel import CalculatorPanel
from workstation.ui.case_dialogs import OpenCaseDialog, assess
from workstation.ui.i18n import ZH_CN

ROOT = Path(__file__).resolve().parents[2]
TEXT_CODES = (
    returns.REASON_CODES | compensation.LINE_CODES | compensation.ERROR_CODES
    | {compensation.ROUNDING_CODE} | warranty.LINE_CODES | warranty.ERROR_CODES | svc.ERROR_CODES
)  # fmt: skip
RULE_CODES = returns.RULES | compensation.RULES | warranty.RULES
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _chinese(source: str) -> str | None:
    return ZH_CN.get(("Labels", source))


def test_every_code_the_domain_can_produce_has_an_english_and_a_chinese_label() -> None:
    missing = sorted(c for c in TEXT_CODES if c not in labels.TEXTS or not _chinese(labels.TEXTS[c]))
    missing += sorted(c for c in RULE_CODES if c not in labels.RULES or not _chinese(labels.RULES[c]))
    missing += sorted(c.value for c in Category if c.value not in labels.CATEGORIES
                      or not _chinese(labels.CATEGORIES[c.value]))  # fmt: skip
    missing += sorted(u.value for u in PeriodUnit if u.value not in labels.PERIOD_UNITS
                      or not _chinese(labels.PERIOD_UNITS[u.value]))  # fmt: skip
    assert missing == [], "no English or Chinese label for: " + ", ".join(missing)
    for source in [labels.TEXTS[c] for c in TEXT_CODES] + [labels.RULES[c] for c in RULE_CODES]:
        assert set(PLACEHOLDER.findall(source)) == set(PLACEHOLDER.findall(_chinese(source) or ""))
    assert not set(labels.TEXTS) - TEXT_CODES, "labels for codes the domain no longer produces"
    assert not set(labels.RULES) - RULE_CODES


def _code_literals(path: Path) -> Iterator[tuple[str, str]]:
    """(keyword, value) of every ``code="…"`` / ``reason_code=`` / ``label_code=`` literal."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in ("code", "reason_code", "label_code") and isinstance(kw.value, ast.Constant):
                    yield kw.arg, str(kw.value.value)


def test_no_code_is_produced_without_being_declared() -> None:
    """A code written into a domain module but left out of its declared set (and so out of
    the test above) fails here."""
    sources = sorted((ROOT / "workstation" / "domain").glob("*.py")) + [ROOT / "workstation/services/scripts.py"]
    found = {value for path in sources for _kw, value in _code_literals(path)}
    assert found, "the scan found nothing: has the keyword changed?"
    assert found - TEXT_CODES == set()


def test_params_are_worded_with_the_language_s_money_periods_and_names(qapp) -> None:  # type: ignore[no-untyped-def]
    params = {"amount": Decimal("60"), "max": Decimal("50.00")}
    period = {"period": POLICY.returns.quality_return}
    try:
        set_language(qapp, "zh_CN")
        assert labels.text("compensation.error.goodwill_above_max", params) == "善意补偿 ¥60.00 超过政策上限 ¥50.00。"
        assert labels.text("return.quality.return_window", period) == "签收后 7 天内出现质量问题：可退货或换货。"
        assert labels.text("return.no_reason.excluded_category", {"category": Category.FRESH_FOOD}).startswith("生鲜食品不支持")
        assert labels.rule("damaged.percent") == "破损·按商品价值比例赔付"
        set_language(qapp, "en")
        assert labels.text("compensation.error.goodwill_above_max", params) == (
            "Goodwill of CN¥60.00 is above the policy maximum of CN¥50.00.")  # fmt: skip
        assert labels.text("return.quality.return_window", period) == (
            "Quality problem within 7 days of delivery: return or exchange.")  # fmt: skip
        # a code this build does not know: the domain's English, as it came
        assert labels.text("return.newer.rule", {}, "As the server said.") == "As the server said."
        assert labels.rule("newer.rule") == "newer.rule"
    finally:
        set_language(qapp, "en")


@pytest.fixture
def chinese(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    set_language(qapp, "zh_CN")
    yield
    set_language(qapp, "en")


def _english_left(*texts: str) -> list[str]:
    return [t for t in texts if LATIN_WORD.search(t)]


def _calculator(qtbot, item: dict[str, Any], order: dict[str, Any]) -> CalculatorPanel:  # type: ignore[no-untyped-def]
    panel = CalculatorPanel(
        policy=lambda: POLICY, clock=lambda: NOW, quote=quote,
        authority=lambda amount: svc.authority(POLICY, role="agent", tenure_months=0, amount=amount),
    )  # fmt: skip
    qtbot.addWidget(panel)
    panel.resize(460, 640)
    panel.show()
    panel.set_items([(item, order)], conversation_id="conv-1")
    return panel


ITEMS = [
    ITEM,
    {**ITEM, "id": "item-2", "title": "草莓", "category": "fresh_food", "price": "59.00", "warranty_months": 0},
    {**ITEM, "id": "item-3", "title": "视频会员", "category": "virtual", "price": "30.00", "warranty_months": 0},
    {**ITEM, "id": "item-4", "title": "连衣裙", "category": "apparel", "price": "399.00", "warranty_months": None,
     "no_reason_excluded": True},
]  # fmt: skip
ORDERS = [
    ORDER,
    {**ORDER, "delivered_at": (NOW - timedelta(days=30)).isoformat(), "paid_at": (NOW - timedelta(days=33)).isoformat()},
    {**ORDER, "delivered_at": None},
]  # fmt: skip


def test_the_calculator_in_chinese_leaves_no_english_explanation(qtbot, chinese) -> None:  # type: ignore[no-untyped-def]
    seen_codes: set[str] = set()
    for item in ITEMS:
        for order in ORDERS:
            panel = _calculator(qtbot, item, order)
            for reason in range(panel.reason_combo.count()):
                panel.reason_combo.setCurrentIndex(reason)
                for evidence, used, intact in ((True, False, True), (False, True, False), (True, True, True)):
                    panel.evidence_check.setChecked(evidence)
                    panel.used_check.setChecked(used)
                    panel.packaging_check.setChecked(intact)
                    assert _english_left(panel.eligibility_label.text()) == []
                    if panel.eligibility is not None:
                        seen_codes.add(panel.eligibility.reason_code)
            for kind in range(panel.kind_combo.count()):
                panel.kind_combo.setCurrentIndex(kind)
                for severity in range(panel.severity_combo.count()):
                    panel.severity_combo.setCurrentIndex(severity)
                    panel.testing_edit.setText("80")
                    panel.shipping_edit.setText("12")
                    for goodwill in ("", "10", "999", "-3", "abc"):
                        panel.goodwill_edit.setText(goodwill)
                        for reship in (False, True):
                            panel.reship_check.setChecked(reship)
                            left = _english_left(panel.lines_label.text(), panel.total_label.text(),
                                                 panel.authority_label.text())  # fmt: skip
                            assert left == []
            for user_caused in (False, True):
                panel.user_caused_check.setChecked(user_caused)
                if panel.parts_list.count():
                    panel.parts_list.item(0).setCheckState(panel.parts_list.item(0).checkState().Checked)
                panel.labour_combo.setCurrentIndex(panel.labour_combo.count() - 1)
                assert _english_left(panel.repair_label.text()) == []
            panel.close()
    # the walk went through refusals and grants alike, not one path many times
    assert len(seen_codes) >= 12


def test_the_calculator_words_lines_rules_and_refusals(qtbot, chinese) -> None:  # type: ignore[no-untyped-def]
    panel = _calculator(qtbot, ITEM, ORDER)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("damaged_goods"))
    lines = panel.lines_label.text()
    assert "商品价值的 50%：¥120.00" in lines and "规则：破损·按商品价值比例赔付" in lines
    assert "每行金额四舍五入" in panel.total_label.text()
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("goodwill"))
    panel.goodwill_edit.setText("999")
    assert panel.lines_label.text() == "善意补偿 ¥999.00 超过政策上限 ¥50.00。"
    panel.reason_combo.setCurrentIndex(panel.reason_combo.findData("quality"))
    panel.evidence_check.setChecked(True)
    text = panel.eligibility_label.text()
    assert "签收后 7 天内出现质量问题：可退货或换货。" in text and "规则：质量问题·退货期内" in text
    clothes = _calculator(qtbot, ITEMS[3], ORDER)
    assert clothes.repair_label.text() == "无法报价：服装鞋帽没有维修价目表。"
    panel.grab().save("/tmp/test_calculator_zh.png")


def test_the_case_dialog_in_chinese_leaves_no_english(qtbot, chinese) -> None:  # type: ignore[no-untyped-def]
    def assess_fn(**facts: Any) -> Any:
        return assess(POLICY, now=NOW, **facts)

    for item, order in ((ITEM, ORDER), (ITEMS[1], ORDERS[1]), (ITEMS[3], ORDER), (ITEM, ORDERS[2])):
        dialog = OpenCaseDialog(item=item, order=order, assess_fn=assess_fn)
        qtbot.addWidget(dialog)
        for kind in dialog.kind_buttons.values():
            kind.setChecked(True)
            for reason in range(dialog.reason_combo.count()):
                dialog.reason_combo.setCurrentIndex(reason)
                for box in (dialog.evidence_box, dialog.used_box, dialog.packaging_box, dialog.fault_box):
                    box.toggle()
                    assert _english_left(dialog.verdict_label.text()) == []
        dialog.close()
    dialog = OpenCaseDialog(item=ITEM, order=ORDER, assess_fn=assess_fn)
    qtbot.addWidget(dialog)
    dialog.evidence_box.setChecked(True)
    assert dialog.verdict_label.text().startswith("符合条件：退货、换货\n签收后 7 天内出现质量问题：可退货或换货。（质量问题·退货期内）")


def test_approvals_word_stored_lines_also_without_codes(chinese) -> None:  # type: ignore[no-untyped-def]
    stored = {"kind": "fake_goods", "rule": "fake_goods.multiplier", "status": "pending_approval",
              "amount": "800.00", "authority_amount": "600.00",
              "inputs": {"kind": "fake_goods", "price": "200.00", "quantity": 1, "testing_fee": "0.00",
                         "severity": None, "reship": False, "order_item_id": "item-1"},
              "lines": [
                  {"label": "refund of price", "amount": "200.00", "rule": "fake_goods.refund", "refund": True},
                  {"label": "compensation 3x price", "amount": "600.00", "rule": "fake_goods.multiplier"},
              ]}  # fmt: skip
    text = describe_offer(stored)
    assert "退还货款：¥200.00" in text and "价款 3 倍赔偿：¥600.00" in text
    assert "假货·按价款倍数赔偿" in text and _english_left(text) == []
    assert "计算依据：单价 ¥200.00，数量 1，检测费 ¥0.00" in text
    coded = {**stored, "lines": [{"label": "x", "label_code": "compensation.line.coupon_percent",
                                  "params": {"percent": "20"}, "amount": "48.00", "rule": "service_failure.moderate"}]}  # fmt: skip
    assert "优惠券（订单金额的 20%）：¥48.00" in describe_offer(coded)


def test_english_reads_the_same_codes(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    set_language(qapp, "en")
    panel = _calculator(qtbot, ITEM, ORDER)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("damaged_goods"))
    assert "50% of the item value: CN¥120.00" in panel.lines_label.text()
    assert "damaged.percent" not in panel.lines_label.text()
    assert QApplication.instance() is not None


def test_a_use_case_error_wrapping_a_domain_refusal_is_worded_by_its_code(chinese) -> None:  # type: ignore[no-untyped-def]
    from workstation.domain.errors import DomainError
    from workstation.services.changes import ServiceError

    try:
        try:
            raise DomainError("this policy does not offer reshipment", field="reship",
                              code="compensation.error.reship_not_offered")  # fmt: skip
        except DomainError as exc:  # as services.desk does: ServiceError(...) from None
            raise ServiceError("reship", str(exc)) from None
    except ServiceError as wrapped:
        assert labels.error(wrapped) == "当前政策不提供补发。"
    assert labels.error(ServiceError("order_id", "not in the local cache")) == "not in the local cache"
