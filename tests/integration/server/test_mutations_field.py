"""Work orders: the engineer confirms the visit and records a final sign-off."""

from __future__ import annotations

from typing import Any

from tests.integration.server import factories as f
from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.server.tables import Case, WorkOrder


def _wo(api: Api, ident: str) -> WorkOrder:
    with api.db.read() as s:
        wo = s.get(WorkOrder, ident)
        assert wo is not None
        return wo


def _sign_off(wo: str, **over: Any) -> dict[str, Any]:
    args = {"work_order_id": wo, "diagnosis": "主板供电故障", "parts": ["battery"], "labour_code": None,
            "signer_name": "李雷", "signature": f.png(), "report": "更换电池后正常开机"}
    args.update(over)
    return {k: v for k, v in args.items() if v is not None}


def test_confirm_only_own_work_orders(api: Api) -> None:
    eng = api.make_user("eng", Role.FIELD_ENGINEER)
    api.make_user("eng2", Role.FIELD_ENGINEER)
    api.make_user("amy", Role.AGENT)
    cust = f.customer(api)
    wo = f.work_order(api, customer_id=cust, engineer_id=eng)
    visit = f.at(api, hours=22).isoformat()
    assert f.Pusher(api, "eng2").push("confirm_work_order", {"work_order_id": wo})["code"] == "not_yours"
    assert f.Pusher(api, "amy").push("confirm_work_order", {"work_order_id": wo})["code"] == "forbidden"
    assert f.Pusher(api, "eng").push("confirm_work_order", {"work_order_id": wo, "visit_at": visit})["status"] == "applied"
    order = _wo(api, wo)
    assert order.state == "confirmed" and order.confirmed_at == api.clock()
    assert order.scheduled_at == f.at(api, hours=22)


def test_sign_off_is_final_and_repairs_the_case(api: Api) -> None:
    eng = api.make_user("eng", Role.FIELD_ENGINEER)
    w = f.world(api)
    case_id = f.case(api, w, kind="repair", state="onsite_scheduled")
    wo = f.work_order(api, customer_id=w.customer_id, engineer_id=eng, case_id=case_id)
    p = f.Pusher(api, "eng")
    assert p.push("sign_off_work_order", _sign_off(wo))["status"] == "applied"
    order = _wo(api, wo)
    assert order.state == "signed_off" and order.signer_name == "李雷" and order.parts == ["battery"]
    assert order.total is not None and order.total == 0  # 12-month warranty, not user-caused: free
    with api.db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None and case.state == "repaired"
    again = p.push("sign_off_work_order", _sign_off(wo, diagnosis="改一下"))
    assert again["code"] == "already_signed_off"
    assert _wo(api, wo).diagnosis == "主板供电故障"


def test_signature_must_be_a_small_png(api: Api) -> None:
    eng = api.make_user("eng", Role.FIELD_ENGINEER)
    cust = f.customer(api)
    wo = f.work_order(api, customer_id=cust, engineer_id=eng)
    p = f.Pusher(api, "eng")
    gif = p.push("sign_off_work_order", _sign_off(wo, signature="R0lGODlhAQABAAAAACw="))
    assert gif["code"] == "invalid_args" and "args.signature" in gif["reason"] and "PNG" in gif["reason"]
    huge = p.push("sign_off_work_order", _sign_off(wo, signature=f.png(210 * 1024)))
    assert huge["code"] == "invalid_args" and "limit" in huge["reason"]
    junk = p.push("sign_off_work_order", _sign_off(wo, signature="***"))
    assert junk["code"] == "invalid_args"
    assert _wo(api, wo).state == "scheduled"
