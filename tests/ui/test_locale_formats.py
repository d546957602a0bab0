"""Money, dates and policy codes as the UI language writes them: ¥ in Chinese and CN¥ in
English, no hand-made "¥" + number or ISO dates, repair codes by name; and modules register
their own Chinese through `i18n.register`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from tests.ui.desk_fakes import FakeReader
from tests.ui.fakes import NOW
from tests.ui.test_approvals import offer
from tests.ui.test_calculator_panel import ITEM, ORDER, POLICY, quote
from workstation.services import scripts as svc
from workstation.ui import i18n, labels
from workstation.ui.application import set_language
from workstation.ui.approvals import OffersModel, describe_offer
from workstation.ui.calculator_panel import CalculatorPanel
from workstation.ui.customer_panel import render

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(params=["en", "zh_CN"])
def language(request, qapp) -> Iterator[str]:  # type: ignore[no-untyped-def]
    set_language(qapp, request.param)
    yield request.param
    set_language(qapp, "en")


def symbol(language: str) -> str:
    return "¥" if language == "zh_CN" else "CN¥"


def calculator(qtbot) -> CalculatorPanel:  # type: ignore[no-untyped-def]
    panel = CalculatorPanel(
        policy=lambda: POLICY, clock=lambda: NOW, quote=quote,
        authority=lambda amount: svc.authority(POLICY, role="agent", tenure_months=0, amount=amount),
    )  # fmt: skip
    qtbot.addWidget(panel)
    panel.set_items([(ITEM, ORDER)], conversation_id="conv-1", prefer_order="o1")
    return panel


def test_the_calculator_names_repair_codes_and_writes_money_the_languages_way(qtbot, language) -> None:  # type: ignore[no-untyped-def]
    panel = calculator(qtbot)
    labour = [panel.labour_combo.itemText(i) for i in range(1, panel.labour_combo.count())]
    parts = [panel.parts_list.item(i).text() for i in range(panel.parts_list.count())]
    if language == "zh_CN":
        assert labour == ["基础工时 · ¥50.00", "主板级维修 · ¥150.00"]
        assert parts[0] == "屏幕 · ¥399.00"
    else:
        assert labour == ["Basic labour · CN¥50.00", "Board-level repair · CN¥150.00"]
        assert parts[0] == "Screen · CN¥399.00"
    panel.parts_list.item(0).setCheckState(Qt.CheckState.Checked)
    panel.labour_combo.setCurrentIndex(1)
    panel.user_caused_check.setChecked(True)
    repair = panel.repair_label.text()
    assert ("屏幕：¥399.00" if language == "zh_CN" else "Screen: CN¥399.00") in repair
    assert "labour basic" not in repair and "part screen" not in repair
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("damaged_goods"))
    money = panel.total_label.text() + panel.authority_label.text() + panel.item_label.text()
    assert f"{symbol(language)}120.00" in money and f"{symbol(language)}240.00" in money
    if language == "zh_CN":
        assert "CN¥" not in money and "each line" not in money
    panel.reason_combo.setCurrentIndex(panel.reason_combo.findData("quality"))
    panel.evidence_check.setChecked(True)
    eligibility = panel.eligibility_label.text()
    assert not ISO_DATE.search(eligibility + repair)
    assert ("结论：退货" if language == "zh_CN" else "Verdict: Return") in eligibility
    panel.grab().save(f"/tmp/calculator_{language}.png")


def test_the_customer_card_writes_money_and_dates_the_languages_way(language) -> None:  # type: ignore[no-untyped-def]
    card = FakeReader().customer_card("cust-1")
    assert card is not None
    card.compensation.append({"amount": "1234.5", "status": "approved", "created_at": NOW.isoformat()})
    html = render(card)
    assert f"{symbol(language)}99.00" in html and f"{symbol(language)}1,234.50" in html
    assert "CN¥" not in html if language == "zh_CN" else "CN¥10.00" in html
    assert not ISO_DATE.search(html)


def test_approvals_show_local_time_kind_and_money(language) -> None:  # type: ignore[no-untyped-def]
    model = OffersModel()
    model.set_rows([offer(1)])
    row = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert "T" not in row[0] and not ISO_DATE.search(row[0])
    assert row[3] == ("商品破损" if language == "zh_CN" else "Damaged goods")
    assert row[5] == f"{symbol(language)}120.00"
    text = describe_offer(offer(1))
    assert f"{symbol(language)}120.00" in text and "damaged_goods" not in text
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    if language == "zh_CN":
        assert headers[0] == "提出时间" and headers[5] == "金额"


def test_every_repair_code_of_the_policy_has_a_name_in_both_languages() -> None:
    codes = {"parts": set(), "labour": set()}
    for prices in POLICY.warranty.price_lists.values():
        codes["parts"] |= set(prices.parts)
        codes["labour"] |= set(prices.labour)
    assert codes["parts"] and codes["labour"]
    assert codes["parts"] <= set(labels.REPAIR_PARTS) and codes["labour"] <= set(labels.REPAIR_LABOUR)
    for source in [*labels.REPAIR_PARTS.values(), *labels.REPAIR_LABOUR.values(), *labels.VERDICTS.values()]:
        assert ("Labels", source) in i18n.ZH_CN


def test_register_adds_entries_keeps_reviewed_ones_and_refuses_broken_placeholders(qapp) -> None:  # type: ignore[no-untyped-def]
    context = "RegisterTest"
    i18n.ZH_CN[(context, "Reviewed")] = "已审校"
    try:
        i18n.register(context, {"Reviewed": "别的", "Hello {name}": "你好 {name}"})
        assert i18n.ZH_CN[(context, "Reviewed")] == "已审校"
        set_language(qapp, "zh_CN")
        assert QCoreApplication.translate(context, "Hello {name}") == "你好 {name}"
        with pytest.raises(ValueError, match="placeholders"):
            i18n.register(context, {"Due {time}": "截止 {when}"})
        assert (context, "Due {time}") not in i18n.ZH_CN
    finally:
        set_language(qapp, "en")
        for key in [k for k in i18n.ZH_CN if k[0] == context]:
            del i18n.ZH_CN[key]


@pytest.mark.parametrize(("days", "english"), [(0, "today"), (1, "1 day ago"), (5, "5 days ago")])
def test_delivery_age_reads_right_for_today_one_day_and_more(qapp, days, english) -> None:  # type: ignore[no-untyped-def]
    from workstation.ui.customer_panel import _signed_text

    set_language(qapp, "en")
    assert _signed_text("Nov 2, 2026", days) == f"signed for Nov 2, 2026, {english}"
    set_language(qapp, "zh_CN")
    try:
        assert "签收" in _signed_text("11月2日", days) and "ago" not in _signed_text("11月2日", days)
    finally:
        set_language(qapp, "en")
