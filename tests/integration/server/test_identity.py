"""Identity resolution across channels, merging duplicates, merge suggestions."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from tests.integration.server.conftest import Api
from workstation.domain.enums import Role
from workstation.domain.ids import new_id
from workstation.server.channels.signature import signed_headers
from workstation.server.identity import (
    national_phone,
    normalise_email,
    normalise_phone,
    resolve_customer,
)
from workstation.server.tables import (
    AuditEntry,
    Call,
    Case,
    CompensationOffer,
    Conversation,
    Customer,
    Identity,
    Order,
    OrderItem,
    Survey,
    WorkOrder,
)


def signed_post(api: Api, path: str, payload: dict[str, Any]) -> Any:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"content-type": "application/json",
               **signed_headers("test-secret", body, timestamp=int(api.clock().timestamp()))}
    resp = api.client.post(path, content=body, headers=headers)
    assert resp.status_code in (200, 202), resp.text
    return resp.json()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("8613800138000", "+8613800138000"),
        ("010-6552 9988", "+861065529988"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("anonymous", None),
        ("", None),
        ("12", None),
        ("+86+138", None),
    ],
)
def test_normalise_phone(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


def test_normalise_email_and_national_form() -> None:
    assert normalise_email("  Li.Lei@Example.COM ") == "li.lei@example.com"
    assert normalise_email("not an address") is None
    assert national_phone("+8613800138000") == "13800138000"
    assert national_phone("+861065529988") == "01065529988"


def test_chat_then_call_from_the_same_number_is_one_customer(api: Api) -> None:
    api.make_user("agent1", Role.AGENT)
    chat = signed_post(api, "/channels/chat/messages", {
        "message_id": "c1", "text": "我的电话是 138 0013 8000",
        "sender": {"handle": "visitor-77", "name": "李雷", "phone": "138 0013 8000"},
    })
    call = signed_post(api, "/channels/phone/events",
                       {"call_id": "call-1", "event": "ringing", "caller": "+86 13800138000"})
    assert call["customer_id"] == chat["customer_id"]
    answered = signed_post(api, "/channels/phone/events",
                           {"call_id": "call-1", "event": "answered", "caller": "13800138000", "agent": "agent1"})
    assert answered["customer_id"] == chat["customer_id"]
    # An SMS from that number and an e-mail address given later join the same record.
    sms = signed_post(api, "/channels/sms/messages", {
        "message_id": "s1", "text": "ok", "sender": {"handle": "008613800138000", "email": "LiLei@Example.com"},
    })
    assert sms["customer_id"] == chat["customer_id"]
    app = signed_post(api, "/channels/app/messages", {
        "message_id": "a1", "text": "hi", "sender": {"handle": "app-user-9", "email": "lilei@example.com"},
    })
    assert app["customer_id"] == chat["customer_id"]
    with api.db.read() as s:
        idents = {(i.kind, i.handle) for i in s.execute(select(Identity)).scalars()}
        customers = s.execute(select(Customer)).scalars().all()
    assert idents == {("chat_visitor", "visitor-77"), ("phone", "+8613800138000"),
                      ("email", "lilei@example.com"), ("app_user", "app-user-9")}
    assert len(customers) == 1 and customers[0].phone == "13800138000" and customers[0].display_name == "李雷"


def test_two_known_customers_are_not_merged_silently(api: Api) -> None:
    a = signed_post(api, "/channels/chat/messages",
                    {"message_id": "1", "text": "x", "sender": {"handle": "v-a"}})
    b = signed_post(api, "/channels/sms/messages",
                    {"message_id": "2", "text": "x", "sender": {"handle": "13900001111"}})
    c = signed_post(api, "/channels/chat/messages",
                    {"message_id": "3", "text": "x", "sender": {"handle": "v-a", "phone": "13900001111"}})
    assert c["customer_id"] == a["customer_id"] != b["customer_id"]
    with api.db.read() as s:  # the phone stays with its owner
        owner = s.execute(select(Identity.customer_id).where(Identity.kind == "phone")).scalar_one()
    assert owner == b["customer_id"]


def _world(api: Api) -> tuple[str, str, str]:
    """Two records of one person: keep (chat) and dup (phone), dup owning one of everything."""
    now = api.clock()
    lead = api.make_user("lead", Role.TEAM_LEAD)
    with api.db.write() as s:
        ctx = api.client.app.state.ctx
        keep = resolve_customer(s, ctx, channel="chat", handle_kind="chat_visitor", handle="v-1", name="韩梅梅")
        dup = resolve_customer(s, ctx, channel="phone", handle_kind="phone", handle="13700001234", name="韩梅梅")
        dup.tags = ["vip"]
        s.flush()
        order = Order(id=new_id(), order_no="SO-77", customer_id=dup.id, shop="s", amount=Decimal("10.00"),
                      placed_at=now, status="delivered")
        s.add(order)
        s.flush()
        item = OrderItem(id=new_id(), order_id=order.id, sku="k", title="t", category="home",
                         price=Decimal("10.00"), quantity=1)
        conv = Conversation(id=new_id(), customer_id=dup.id, channel="phone", request_type="inquiry",
                            priority="normal", status="open", queue="general", opened_at=now, last_message_at=now)
        s.add_all([item, conv])
        s.flush()
        case = Case(id=new_id(), kind="return", state="submitted", customer_id=dup.id, order_id=order.id,
                    order_item_id=item.id, reason="quality", owner_department="service", state_entered_at=now,
                    created_at=now)
        s.add(case)
        s.flush()
        s.add_all([
            Call(id=new_id(), external_call_id="x1", customer_id=dup.id, caller="13700001234", state="ended",
                 ringing_at=now),
            Survey(id=new_id(), customer_id=dup.id, case_id=case.id, invited_at=now),
            CompensationOffer(id=new_id(), customer_id=dup.id, kind="goodwill", rule="r", amount=Decimal("5.00"),
                              authority_amount=Decimal("5.00"), status="offered", offered_by=lead, created_at=now),
            WorkOrder(id=new_id(), customer_id=dup.id, case_id=case.id, address="a", state="scheduled",
                      scheduled_at=now, created_at=now),
        ])
        return keep.id, dup.id, lead


def test_merge_moves_everything_and_is_audited(api: Api) -> None:
    keep, dup, lead = _world(api)
    api.make_user("agent", Role.AGENT)
    assert api.post(f"/customers/{keep}/merge", "agent", json={"duplicate_id": dup}).status_code == 403

    suggestions = api.get(f"/customers/{keep}/merge-suggestions", "agent").json()
    assert [(x["customer_id"], x["reasons"]) for x in suggestions] == [(dup, ["name"])]

    resp = api.post(f"/customers/{keep}/merge", "lead", json={"duplicate_id": dup})
    assert resp.status_code == 200, resp.text
    moved = resp.json()["moved"]
    assert moved == {"identities": 1, "orders": 1, "conversations": 1, "cases": 1, "calls": 1, "surveys": 1,
                     "compensation_offers": 1, "work_orders": 1}
    with api.db.read() as s:
        for table in (Identity, Order, Conversation, Case, Call, Survey, CompensationOffer, WorkOrder):
            assert s.execute(select(table).where(table.customer_id == dup)).first() is None, table
        merged = s.get(Customer, dup)
        kept = s.get(Customer, keep)
        assert merged.merged_into == keep
        assert kept.phone == "13700001234" and kept.tags == ["vip"]
        audit = s.execute(select(AuditEntry).where(AuditEntry.action == "customer.merge")).scalar_one()
        assert (audit.actor_id, audit.target_id, audit.details["merged_id"]) == (lead, keep, dup)
    assert api.get(f"/customers/{keep}/merge-suggestions", "agent").json() == []

    # Traffic on the merged record's handles now lands on the survivor.
    sms = signed_post(api, "/channels/sms/messages",
                      {"message_id": "after", "text": "hi", "sender": {"handle": "137 0000 1234"}})
    assert sms["customer_id"] == keep


def test_merge_refusals(api: Api) -> None:
    keep, dup, _ = _world(api)
    assert api.post(f"/customers/{keep}/merge", "lead", json={"duplicate_id": keep}).status_code == 409
    unknown = api.post(f"/customers/{keep}/merge", "lead", json={"duplicate_id": "nope"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "body.duplicate_id"
    assert api.post("/customers/nope/merge", "lead", json={"duplicate_id": dup}).status_code == 404
    bad = api.post(f"/customers/{keep}/merge", "lead", json={"duplicate": dup})
    assert bad.status_code == 422
    assert api.post(f"/customers/{keep}/merge", "lead", json={"duplicate_id": dup}).status_code == 200
    assert api.post(f"/customers/{keep}/merge", "lead", json={"duplicate_id": dup}).status_code == 409
    assert api.post(f"/customers/{dup}/merge", "lead", json={"duplicate_id": keep}).status_code == 409
    assert api.get("/customers/nope/merge-suggestions", "lead").status_code == 404


def test_suggestions_by_phone(api: Api) -> None:
    api.make_user("lead", Role.TEAM_LEAD)
    now = api.clock()
    with api.db.write() as s:
        ctx = api.client.app.state.ctx
        a = resolve_customer(s, ctx, channel="sms", handle_kind="phone", handle="13600001111", name="A")
        b = Customer(id=new_id(), display_name="B", phone="13600001111", created_at=now, updated_at=now)
        s.add(b)
        a_id, b_id = a.id, b.id
    got = api.get(f"/customers/{a_id}/merge-suggestions", "lead").json()
    assert [(x["customer_id"], x["reasons"], x["phone"]) for x in got] == [(b_id, ["phone"], "136****1111")]
