"""The desk's script use cases: approved scripts from the cache, the render context, and the
calculators the panel runs offline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.unit.services.conftest import NOW, Seed, pull
from workstation.domain.ids import new_id
from workstation.domain.policy import load_policy
from workstation.scripts.render import render_script
from workstation.services import scripts as svc
from workstation.store.db import CacheDatabase


def script_row(key: str, version: int, status: str, **kw: Any) -> dict[str, Any]:
    return {
        "id": new_id(),
        "key": key,
        "version": version,
        "status": status,
        "category": "compensation",
        "language": "zh",
        "title": f"{key} v{version}",
        "variants": {"chat": {"body": "{{customer.name}}您好，补偿{{compensation.amount}}元已为您申请。"}},
        "tags": ["赔偿"],
        "request_types": ["complaint"],
        **kw,
    }


def test_only_the_latest_approved_version_of_each_script_is_listed(db: CacheDatabase, seed: Seed) -> None:
    pull(db, seed, [
        ("reply_scripts", script_row("comp.damaged", 1, "approved")),
        ("reply_scripts", script_row("comp.damaged", 2, "approved")),
        ("reply_scripts", script_row("comp.fake", 1, "draft")),
        ("reply_scripts", script_row("comp.old", 1, "retired")),
    ])  # fmt: skip
    found = svc.approved_scripts(db)
    assert [(s.key, s.version) for s in found] == [("comp.damaged", 2)]
    assert all(s.status.value == "approved" for s in found)


def test_render_context_fills_from_conversation_customer_order_and_calculator() -> None:
    ctx = svc.render_context(
        conversation={"customer_name": "王女士", "case_record": {"promised_at": "2026-11-02T08:00:00Z"}},
        customer={"display_name": "王丽"},
        order={"id": "o1", "order_no": "SO123", "amount": "200"},
        item={"title": "蓝牙耳机"},
        compensation={"amount": Decimal("100"), "kind": "damaged_goods"},
        agent={"display_name": "小雨"},
    )
    assert ctx["customer.name"] == "王丽"
    assert ctx["order.id"] == "SO123"
    assert ctx["order.amount"] == "200.00"
    assert ctx["order.item"] == "蓝牙耳机"
    assert ctx["compensation.amount"] == "100.00"
    assert ctx["agent.name"] == "小雨"
    assert "promise.time" in ctx


def test_approved_amount_wins_and_missing_values_stay_missing() -> None:
    ctx = svc.render_context(compensation={"amount": "120.00", "approved_amount": "80.00"})
    assert ctx["compensation.amount"] == "80.00"
    assert "customer.name" not in ctx
    from workstation.scripts.model import from_record

    out = render_script(from_record(script_row("k1", 1, "approved")), "chat", ctx)
    assert out.missing == ("customer.name",)


def test_user_data_is_never_template_code() -> None:
    ctx = svc.render_context(customer={"display_name": "{{order.id}}"}, order={"order_no": "SO1"})
    from workstation.scripts.model import from_record

    out = render_script(from_record(script_row("k1", 1, "approved")), "chat", {**ctx, "compensation.amount": "1"})
    assert out.body.startswith("{{order.id}}您好")


ITEM = {"id": "i1", "title": "耳机", "category": "electronics", "price": "200.00", "quantity": 1,
        "warranty_months": 12}  # fmt: skip


def order(delivered_days_ago: int) -> dict[str, Any]:
    return {"id": "o1", "amount": "200.00", "paid_at": (NOW - timedelta(days=40)).isoformat(),
            "delivered_at": (NOW - timedelta(days=delivered_days_ago)).isoformat()}  # fmt: skip


def test_eligibility_of_a_damaged_item_within_seven_days() -> None:
    e = svc.assess_eligibility(load_policy(), item=ITEM, order=order(2), reason="quality", has_evidence=True,
                               used=True, packaging_intact=False, now=NOW)  # fmt: skip
    assert e.verdict == "return"
    assert "exchange" in e.options
    assert e.rule and e.deadline is not None


def test_eligibility_names_the_bad_field() -> None:
    with pytest.raises(svc.CalculatorError) as err:
        svc.assess_eligibility(load_policy(), item=ITEM, order={"id": "o1"}, reason="quality", has_evidence=True,
                               used=False, packaging_intact=True, now=NOW)  # fmt: skip
    assert err.value.field == "order.paid_at"
    with pytest.raises(svc.CalculatorError) as err:
        svc.assess_eligibility(load_policy(), item=ITEM, order=order(2), reason="whim", has_evidence=True,
                               used=False, packaging_intact=True, now=NOW)  # fmt: skip
    assert err.value.field == "reason"


def test_repair_in_warranty_is_free_and_user_caused_is_charged() -> None:
    policy = load_policy()
    parts, labour = svc.price_list(policy, ITEM)
    assert parts and labour
    part, work = next(iter(parts)), next(iter(labour))
    free = svc.repair_quote(policy, item=ITEM, order=order(30), user_caused=False, parts=[part],
                            labour_code=work, now=NOW)  # fmt: skip
    assert free.in_warranty and free.total == Decimal("0.00")
    paid = svc.repair_quote(policy, item=ITEM, order=order(30), user_caused=True, parts=[part],
                            labour_code=work, now=NOW)  # fmt: skip
    assert paid.total == parts[part] + labour[work]
    assert paid.needs_customer_acceptance


def test_authority_of_an_agent() -> None:
    policy = load_policy()
    within, limit, needs = svc.authority(policy, role="agent", tenure_months=0, amount=Decimal("0.01"))
    assert within and needs is None
    within, limit, needs = svc.authority(policy, role="agent", tenure_months=0, amount=limit + 1)
    assert not within and needs is not None
