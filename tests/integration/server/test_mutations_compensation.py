"""Compensation: recomputed by the server, authority, approval by a lead, all audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tests.integration.server import factories as f
from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server.tables import AuditEntry, CompensationOffer


def _offer(api: Api, ident: str) -> CompensationOffer:
    with api.db.read() as s:
        offer = s.get(CompensationOffer, ident)
        assert offer is not None
        return offer


def _audit(api: Api, target: str) -> list[AuditEntry]:
    with api.db.read() as s:
        return list(s.execute(select(AuditEntry).where(AuditEntry.target_id == target).order_by(AuditEntry.id)).scalars())


def test_within_limit_is_offered_and_audited(api: Api) -> None:
    amy = api.make_user("amy", Role.AGENT)
    w = f.world(api)
    oid = new_id()
    result = f.Pusher(api, "amy").push("offer_compensation", {
        "offer_id": oid, "kind": "goodwill", "order_id": w.order_id, "conversation_id": w.conversation_id,
        "expected_amount": "10.00"})
    assert result["status"] == "applied", result
    offer = _offer(api, oid)
    assert (offer.status, offer.amount, offer.rule) == ("offered", Decimal("10.00"), "goodwill.small_dispute_coupon")
    [entry] = _audit(api, oid)
    assert entry.action == "compensation.offer" and entry.actor_id == amy and entry.at == api.clock()
    assert entry.details["amount"] == "10.00" and entry.details["rule"] == "goodwill.small_dispute_coupon"
    assert entry.details["inputs"]["order_amount"] == "200.00"


def test_client_amount_is_never_trusted(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    result = f.Pusher(api, "amy").push("offer_compensation", {
        "offer_id": new_id(), "kind": "damaged_goods", "order_item_id": w.item_id, "expected_amount": "150.00"})
    assert result["code"] == "amount_mismatch" and "100.00" in result["reason"]
    floats = f.Pusher(api, "amy").push("offer_compensation", {
        "offer_id": new_id(), "kind": "damaged_goods", "order_item_id": w.item_id, "expected_amount": 100.0})
    assert floats["code"] == "invalid_args" and "args.expected_amount" in floats["reason"]


def test_above_agent_limit_waits_for_a_lead_whose_decision_is_audited(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    lead = api.make_user("lead", Role.TEAM_LEAD)
    w = f.world(api)
    oid = new_id()
    amy = f.Pusher(api, "amy")
    offered = amy.push("offer_compensation", {"offer_id": oid, "kind": "damaged_goods", "order_item_id": w.item_id,
                                              "expected_amount": "100.00"})
    assert offered["status"] == "applied"
    assert _offer(api, oid).status == "pending_approval"
    assert _audit(api, oid)[0].details["needs"] == "senior_agent"
    assert amy.push("decide_compensation", {"offer_id": oid, "decision": "approve"})["code"] == "forbidden"

    boss = f.Pusher(api, "lead")
    no_reason = boss.push("decide_compensation", {"offer_id": oid, "decision": "reject"})
    assert no_reason["code"] == "reason_required"
    api.clock.advance(minutes=10)
    changed = boss.push("decide_compensation", {"offer_id": oid, "decision": "change", "amount": "80.00",
                                                "reason": "客户同意80元"})
    assert changed["status"] == "applied"
    offer = _offer(api, oid)
    assert (offer.status, offer.approved_amount, offer.decided_by) == ("changed", Decimal("80.00"), lead)
    assert offer.decided_at == api.clock()
    decision = _audit(api, oid)[-1]
    assert decision.action == "compensation.change" and decision.actor_id == lead
    assert decision.details["approved_amount"] == "80.00" and decision.details["reason"] == "客户同意80元"
    again = boss.push("decide_compensation", {"offer_id": oid, "decision": "approve"})
    assert again["code"] == "already_decided"


def test_senior_agent_tenure_and_the_leads_own_limit(api: Api) -> None:
    api.make_user("sam", Role.SENIOR_AGENT, tenure_start=date(2025, 1, 1))
    api.make_user("new", Role.SENIOR_AGENT, tenure_start=date(2026, 9, 1))
    api.make_user("lead", Role.TEAM_LEAD)
    w = f.world(api)
    seasoned, fresh = new_id(), new_id()
    f.Pusher(api, "sam").push("offer_compensation", {"offer_id": seasoned, "kind": "damaged_goods", "order_item_id": w.item_id})
    f.Pusher(api, "new").push("offer_compensation", {"offer_id": fresh, "kind": "damaged_goods", "order_item_id": w.item_id})
    assert _offer(api, seasoned).status == "offered"
    assert _offer(api, fresh).status == "pending_approval"  # under 6 months acts as an agent
    over = f.Pusher(api, "lead").push("decide_compensation", {"offer_id": fresh, "decision": "change",
                                                              "amount": "6000.00"})
    assert over["code"] == "over_authority" and "5000.00" in over["reason"]
    assert _offer(api, fresh).status == "pending_approval"


def test_fake_goods_counts_only_the_compensation_against_authority(api: Api) -> None:
    api.make_user("lead", Role.TEAM_LEAD)
    w = f.world(api)
    oid = new_id()
    f.Pusher(api, "lead").push("offer_compensation", {"offer_id": oid, "kind": "fake_goods", "order_item_id": w.item_id,
                                                      "testing_fee": "50.00", "shipping_fee": "12.00"})
    offer = _offer(api, oid)
    # refund 200 + 3x 600 + testing 50 + shipping 12
    assert offer.amount == Decimal("862.00") and offer.authority_amount == Decimal("662.00")
    assert offer.status == "offered" and offer.rule == "fake_goods.multiplier"
    assert [line["rule"] for line in offer.lines][:2] == ["fake_goods.refund", "fake_goods.multiplier"]
