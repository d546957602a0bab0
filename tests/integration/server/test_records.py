"""Read routes, contact masking and reveal, and the calculators."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server.tables import Customer, Identity, Order, OrderItem, WorkOrder


def _customer_with_order(api: Api, *, category: str = "electronics", price: str = "100.00", phone: str = "13812341234") -> tuple[str, str]:
    now = api.clock()
    cid, oid, iid = new_id(), new_id(), new_id()
    with api.db.write() as s:
        s.add(Customer(id=cid, display_name="李雷", phone=phone, address="上海市浦东新区世纪大道100号",
                       created_at=now, updated_at=now))
        s.add(Identity(id=new_id(), customer_id=cid, kind="phone", handle="+86" + phone, created_at=now))
        s.add(Order(id=oid, order_no=f"SO{cid[-6:]}", customer_id=cid, shop="旗舰店", amount=Decimal(price),
                    placed_at=now - timedelta(days=5), paid_at=now - timedelta(days=5),
                    delivered_at=now - timedelta(days=2), status="delivered", address="上海市浦东新区世纪大道100号"))
        s.add(OrderItem(id=iid, order_id=oid, sku="SKU1", title="蓝牙耳机", category=category,
                        price=Decimal(price), quantity=1, warranty_months=12))
    return cid, iid


def test_customer_360_masks_contacts_and_reveal_is_audited(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    api.make_user("lead", Role.TEAM_LEAD)
    cid, _ = _customer_with_order(api)
    data = api.get(f"/customers/{cid}", "amy").json()
    assert data["customer"]["phone"] == "138****1234"
    assert data["identities"][0]["handle"].count("*") >= 4
    assert data["orders"][0]["items"][0]["title"] == "蓝牙耳机"
    assert "世纪大道100号" not in data["customer"]["address"]

    revealed = api.post(f"/customers/{cid}/reveal", "amy", json={"field": "phone", "reason": "callback"})
    assert revealed.json() == {"field": "phone", "value": "13812341234"}
    audit = api.get("/audit?action=customer.reveal", "lead").json()
    assert audit["total"] == 1 and audit["items"][0]["target_id"] == cid
    assert api.get("/audit", "amy").status_code == 403


def test_customer_search_by_name_and_identity(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    cid, _ = _customer_with_order(api)
    assert api.get("/customers?q=李", "amy").json()["items"][0]["id"] == cid
    assert api.get("/customers?q=8613812341234", "amy").json()["total"] == 1
    assert api.get("/customers?q=%25_", "amy").json()["total"] == 0  # wildcards are literal


def test_engineer_sees_only_own_work_orders_and_customers(api: Api) -> None:
    eng = api.make_user("eng", Role.FIELD_ENGINEER)
    api.make_user("eng2", Role.FIELD_ENGINEER)
    cid, _ = _customer_with_order(api)
    other, _ = _customer_with_order(api, phone="13900001111")
    with api.db.write() as s:
        s.add(WorkOrder(id=new_id(), customer_id=cid, engineer_id=eng, address="上门地址", state="scheduled",
                        scheduled_at=api.clock() + timedelta(days=1), created_at=api.clock()))
    assert api.get("/work-orders", "eng").json()["total"] == 1
    assert api.get("/work-orders", "eng2").json()["total"] == 0
    assert api.get(f"/customers/{cid}", "eng").status_code == 200
    assert api.get(f"/customers/{other}", "eng").status_code == 404
    assert api.get("/customers", "eng").status_code == 403


def test_calculators_use_the_policy(api: Api) -> None:
    api.make_user("amy", Role.AGENT)
    _, item = _customer_with_order(api, price="100.00")
    fake = api.post("/calculators/compensation", "amy", json={"kind": "fake_goods", "item": {"order_item_id": item}}).json()
    amounts = {line["rule"]: line["amount"] for line in fake["lines"]}
    assert "500.00" in amounts.values()  # 3x 100 is below the statutory 500 floor
    assert fake["within_authority"] is False and fake["approval_needed_from"] is not None

    verdict = api.post("/calculators/return-eligibility", "amy",
                       json={"item": {"order_item_id": item}, "reason": "no_reason"}).json()
    assert verdict["eligible"] is True and verdict["deadline"].endswith("Z")

    bad = api.post("/calculators/compensation", "amy", json={"kind": "fake_goods", "price": "-1"})
    assert bad.status_code == 422 and "price" in bad.json()["detail"]
    naive = api.post("/calculators/return-eligibility", "amy", json={
        "item": {"category": "apparel", "price": "10", "paid_at": "2026-11-01T10:00:00"}, "reason": "no_reason"})
    assert naive.status_code == 422 and "paid_at" in naive.json()["detail"]
    unknown = api.post("/calculators/repair-quote", "amy", json={"item": {"category": "spaceship", "price": "1", "paid_at": "2026-11-01T10:00:00Z"}})
    assert unknown.status_code == 422 and "category" in unknown.json()["detail"]
