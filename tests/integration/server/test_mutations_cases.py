"""Case mutations: open (with eligibility) and advance (state machine, reasons, tracking)."""

from __future__ import annotations

from sqlalchemy import select

from tests.integration.server import factories as f
from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server.tables import Case, CaseEvent


def _case(api: Api, ident: str) -> Case:
    with api.db.read() as s:
        case = s.get(Case, ident)
        assert case is not None
        return case


def _events(api: Api, ident: str) -> list[tuple[str | None, str, str]]:
    with api.db.read() as s:
        rows = s.execute(select(CaseEvent).where(CaseEvent.case_id == ident).order_by(CaseEvent.change_seq)).scalars()
        return [(e.from_state, e.to_state, e.note) for e in rows]


def test_open_return_within_the_quality_window(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    case_id = new_id()
    p = f.Pusher(api, "amy")
    result = p.push("open_case", {"case_id": case_id, "kind": "return", "order_item_id": w.item_id,
                                  "conversation_id": w.conversation_id, "reason": "quality",
                                  "has_evidence": True, "description": "左耳无声"})
    assert result["status"] == "applied", result
    case = _case(api, case_id)
    assert (case.state, case.owner_department, case.customer_id) == ("submitted", "service", w.customer_id)
    assert case.deadline_at is not None and case.deadline_at > api.clock()
    assert _events(api, case_id) == [(None, "submitted", "左耳无声")]


def test_not_eligible_is_rejected_with_the_rules_explanation(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    cust = f.customer(api)
    _, fresh_item = f.order(api, cust, category="fresh_food", price="88.00")
    _, late_item = f.order(api, cust, delivered_days_ago=12)
    p = f.Pusher(api, "amy")
    fresh = p.push("open_case", {"case_id": new_id(), "kind": "return", "order_item_id": fresh_item,
                                 "reason": "no_reason"})
    assert fresh["code"] == "not_eligible" and "no-reason" in fresh["reason"]
    assert "no_reason.excluded_category" in fresh["reason"]
    late = p.push("open_case", {"case_id": new_id(), "kind": "return", "order_item_id": late_item,
                                "reason": "quality", "has_evidence": True})
    assert late["code"] == "not_eligible" and "exchange" in late["reason"]
    ok = p.push("open_case", {"case_id": new_id(), "kind": "exchange", "order_item_id": late_item,
                              "reason": "quality", "has_evidence": True})
    assert ok["status"] == "applied"


def test_advance_through_a_return_with_tracking_and_reasons(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    case_id = new_id()
    p = f.Pusher(api, "amy")
    p.push("open_case", {"case_id": case_id, "kind": "return", "order_item_id": w.item_id,
                         "conversation_id": w.conversation_id, "reason": "quality", "has_evidence": True})
    assert p.push("advance_case", {"case_id": case_id, "to_state": "approved"})["status"] == "applied"
    jump = p.push("advance_case", {"case_id": case_id, "to_state": "refunded"})
    assert jump["code"] == "invalid_transition" and "approved to refunded" in jump["reason"]
    untracked = p.push("advance_case", {"case_id": case_id, "to_state": "shipped_back"})
    assert untracked["code"] == "tracking_required"
    event_id = new_id()
    assert p.push("advance_case", {"case_id": case_id, "to_state": "shipped_back", "tracking_number": "SF1234567890",
                                   "event_id": event_id})["status"] == "applied"
    case = _case(api, case_id)
    assert case.return_tracking == "SF1234567890" and case.owner_department == "warehouse"
    assert [e[1] for e in _events(api, case_id)] == ["submitted", "approved", "shipped_back"]


def test_rejection_needs_a_reason(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    w = f.world(api)
    case_id = new_id()
    p = f.Pusher(api, "amy")
    p.push("open_case", {"case_id": case_id, "kind": "repair", "order_item_id": w.item_id, "reason": "quality"})
    bare = p.push("advance_case", {"case_id": case_id, "to_state": "rejected", "reason": "  "})
    assert bare["code"] == "reason_required"
    ok = p.push("advance_case", {"case_id": case_id, "to_state": "rejected", "reason": "人为进水，不在保修范围"})
    assert ok["status"] == "applied"
    assert _case(api, case_id).rejection_reason == "人为进水，不在保修范围"


def test_cases_of_other_queues_are_out_of_scope(api: Api) -> None:
    api.make_user("amy", Role.AGENT, queues=["general"])
    hidden = f.world(api, queue="vip")
    case_id = f.case(api, hidden, kind="return", state="submitted")
    result = f.Pusher(api, "amy").push("advance_case", {"case_id": case_id, "to_state": "approved"})
    assert result["code"] == "not_found"
