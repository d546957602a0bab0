"""Webhook intake: signatures, idempotency, triage, verbatim text, precise 4xx bodies."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.integration.server.conftest import Api
from workstation.domain.ids import new_id
from workstation.server.channels.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, signed_headers
from workstation.server.tables import Conversation, Customer, Message, Order, OrderItem

SECRET = "test-secret"


def send(
    api: Api, channel: str, payload: Any, *, secret: str = SECRET, ts: int | None = None, raw: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
    stamp = int(api.clock().timestamp()) if ts is None else ts
    hdrs = {"content-type": "application/json", **signed_headers(secret, body, timestamp=stamp)}
    if headers is not None:
        hdrs = {"content-type": "application/json", **headers}
    return api.client.post(f"/channels/{channel}/messages", content=body, headers=hdrs)


def msg(message_id: str = "m-1", text: str = "你好，请问我的快递到哪了？", **extra: Any) -> dict[str, Any]:
    return {"message_id": message_id, "sender": {"handle": "visitor-1", "name": "王芳"}, "text": text, **extra}


def count(api: Api, table: Any) -> int:
    with api.db.read() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def test_signed_message_opens_a_conversation(api: Api) -> None:
    resp = send(api, "chat", msg())
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert body["duplicate"] is False
    with api.db.read() as s:
        conv = s.get(Conversation, body["conversation_id"])
        assert conv is not None
        assert (conv.channel, conv.request_type, conv.priority, conv.queue, conv.status) == (
            "chat", "inquiry", "normal", "general", "new"
        )
        assert conv.customer_id == body["customer_id"]
        assert conv.unread == 1 and conv.preview.startswith("你好")
        assert conv.first_response_due_at is not None and conv.first_response_due_at > api.clock()
        assert conv.resolution_due_at is not None
        assert s.get(Customer, body["customer_id"]).display_name == "王芳"
        m = s.get(Message, body["message_id"])
        assert m is not None and m.direction == "inbound" and m.external_id == "m-1"


def test_replay_is_idempotent(api: Api) -> None:
    first = send(api, "app", msg("dup-1"))
    again = send(api, "app", msg("dup-1"))
    assert first.status_code == 202 and again.status_code == 200
    assert again.json() == {**first.json(), "duplicate": True}
    assert count(api, Message) == 1
    # The same id on another channel is another message.
    assert send(api, "sms", {**msg("dup-1"), "sender": {"handle": "13800138000"}}).status_code == 202
    assert count(api, Message) == 2


def test_follow_up_joins_the_open_conversation_and_reopens_pending(api: Api) -> None:
    first = send(api, "chat", msg("a")).json()
    with api.db.write() as s:
        s.get(Conversation, first["conversation_id"]).status = "pending_customer"
    second = send(api, "chat", msg("b", text="还在吗？")).json()
    assert second["conversation_id"] == first["conversation_id"]
    with api.db.read() as s:
        conv = s.get(Conversation, first["conversation_id"])
        assert conv.status == "open" and conv.unread == 2 and conv.preview == "还在吗？"
    # Once resolved, the next message starts a new conversation.
    with api.db.write() as s:
        s.get(Conversation, first["conversation_id"]).status = "resolved"
    third = send(api, "chat", msg("c", text="another question")).json()
    assert third["conversation_id"] != first["conversation_id"]


@pytest.mark.parametrize(
    ("text", "request_type", "priority", "queue"),
    [
        ("收到的是假货！我要投诉", "complaint", "urgent", "complaints"),
        ("I want a refund please", "return_refund", "high", "returns"),
        ("尺码不对，想换货", "exchange", "high", "returns"),
        ("耳机坏了，在保修期内吗", "repair", "high", "repairs"),
        ("建议你们增加夜间配送", "suggestion", "low", "general"),
    ],
)
def test_triage_by_keywords(api: Api, text: str, request_type: str, priority: str, queue: str) -> None:
    body = send(api, "social", msg(text=text)).json()
    with api.db.read() as s:
        conv = s.get(Conversation, body["conversation_id"])
        assert (conv.request_type, conv.priority, conv.queue) == (request_type, priority, queue)


def _order(api: Api, category: str, order_no: str = "SO-1001") -> str:
    now = api.clock()
    with api.db.write() as s:
        cust = Customer(id=new_id(), display_name="Owner", created_at=now, updated_at=now)
        s.add(cust)
        s.flush()
        order = Order(id=new_id(), order_no=order_no, customer_id=cust.id, shop="Main", amount=Decimal("88.00"),
                      placed_at=now - timedelta(days=2), delivered_at=now - timedelta(hours=3), status="delivered")
        s.add(order)
        s.flush()
        s.add(OrderItem(id=new_id(), order_id=order.id, sku="X1", title="车厘子 2kg", category=category,
                        price=Decimal("88.00"), quantity=1))
        return order.id


def test_fresh_food_damage_jumps_the_queue(api: Api) -> None:
    order_id = _order(api, "fresh_food")
    body = send(api, "app", msg(text="收到的车厘子全部变质了", order_no="SO-1001")).json()
    with api.db.read() as s:
        conv = s.get(Conversation, body["conversation_id"])
        assert conv.order_id == order_id
        assert conv.priority == "urgent"
        assert "fresh_food_damage" in conv.tags and "jumps_queue" in conv.tags
        assert "order_owner_differs" in conv.tags  # the sender is not the order's customer


def test_damage_on_other_goods_is_a_plain_complaint(api: Api) -> None:
    _order(api, "apparel", order_no="SO-2")
    body = send(api, "app", msg(text="衣服破损了", order_no="SO-2")).json()
    with api.db.read() as s:
        conv = s.get(Conversation, body["conversation_id"])
        assert conv.request_type == "complaint" and "fresh_food_damage" not in conv.tags


def test_unknown_order_number_is_ignored(api: Api) -> None:
    body = send(api, "app", msg(order_no="NOPE-1"))
    assert body.status_code == 202
    with api.db.read() as s:
        assert s.get(Conversation, body.json()["conversation_id"]).order_id is None


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE messages; --",
        "<script>alert('x')</script> {{7*7}} ${jndi:ldap://x}",
        "退款 🙏🏻👨‍👩‍👧 Ünïcödé العربية 한국어 \u202eRTL",
        "",
    ],
)
def test_text_is_stored_verbatim(api: Api, text: str) -> None:
    payload = msg(text=text, subject=text[:300] or None)
    payload["sender"]["name"] = text[:200] or "x"
    resp = send(api, "web_form", payload)
    assert resp.status_code == 202, resp.text
    with api.db.read() as s:
        m = s.get(Message, resp.json()["message_id"])
        assert m.body == text
        assert m.subject == (text[:300] or None)


def test_attachments_are_listed(api: Api) -> None:
    att = [{"name": "照片.jpg", "url": "https://cdn.example/1.jpg", "content_type": "image/jpeg", "size": 1234}]
    resp = send(api, "live_stream", msg(text="", attachments=att))
    with api.db.read() as s:
        m = s.get(Message, resp.json()["message_id"])
        conv = s.get(Conversation, resp.json()["conversation_id"])
    assert m.attachments == att
    assert conv.preview == "[1 attachment]"


# --- signatures -------------------------------------------------------------------------


def test_bad_signature_is_refused(api: Api) -> None:
    resp = send(api, "chat", msg(), secret="wrong-secret")
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["title"] == "Bad signature"
    assert count(api, Message) == 0


def test_tampered_body_is_refused(api: Api) -> None:
    body = json.dumps(msg()).encode()
    headers = signed_headers(SECRET, body, timestamp=int(api.clock().timestamp()))
    tampered = body.replace(b"visitor-1", b"visitor-2")
    resp = send(api, "chat", None, raw=tampered, headers=headers)
    assert resp.status_code == 401


@pytest.mark.parametrize("missing", [TIMESTAMP_HEADER, SIGNATURE_HEADER])
def test_missing_headers_are_refused(api: Api, missing: str) -> None:
    body = json.dumps(msg()).encode()
    headers = signed_headers(SECRET, body, timestamp=int(api.clock().timestamp()))
    del headers[missing]
    resp = send(api, "chat", None, raw=body, headers=headers)
    assert resp.status_code == 401
    assert missing in resp.json()["detail"]


def test_stale_timestamp_is_refused(api: Api) -> None:
    now = int(api.clock().timestamp())
    tolerance = api.settings.webhook_tolerance_seconds
    assert send(api, "chat", msg("s1"), ts=now - tolerance).status_code == 202  # edge: still fresh
    resp = send(api, "chat", msg("s2"), ts=now - tolerance - 1)
    assert resp.status_code == 401
    assert "stale" in resp.json()["detail"]
    assert send(api, "chat", msg("s3"), ts=now + tolerance + 60).status_code == 401


def test_malformed_signature_and_timestamp(api: Api) -> None:
    body = json.dumps(msg()).encode()
    for headers in (
        {TIMESTAMP_HEADER: "yesterday", SIGNATURE_HEADER: "sha256=00"},
        {TIMESTAMP_HEADER: str(int(api.clock().timestamp())), SIGNATURE_HEADER: "md5=abc"},
        {TIMESTAMP_HEADER: str(int(api.clock().timestamp())), SIGNATURE_HEADER: "sha256=zz\xe9"},
    ):
        hdrs = {k: v.encode("latin-1") for k, v in headers.items()}
        assert send(api, "chat", None, raw=body, headers=hdrs).status_code == 401


def test_unconfigured_channel_is_503(api: Api) -> None:
    secrets = api.settings.webhook_secrets
    saved = secrets.pop("sms")
    try:
        resp = send(api, "sms", msg())
    finally:
        secrets["sms"] = saved
    assert resp.status_code == 503
    assert "channel not configured" in resp.json()["detail"]


def test_unknown_channel_is_refused(api: Api) -> None:
    resp = send(api, "pigeon", msg())
    assert resp.status_code in (404, 422)
    assert resp.headers["content-type"].startswith("application/problem+json")


# --- bad bodies -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"sender": {"handle": "v"}, "text": "x"}, "body.message_id"),
        ({**msg(), "message_id": ""}, "body.message_id"),
        ({**msg(), "message_id": "x" * 201}, "body.message_id"),
        ({**msg(), "text": "x" * 20_001}, "body.text"),
        ({**msg(), "text": 42}, "body.text"),
        ({**msg(), "colour": "red"}, "body.colour"),
        ({**msg(), "sender": {"handle": "v", "age": 3}}, "body.sender.age"),
        ({**msg(), "sender": {"handle": ""}}, "body.sender.handle"),
        ({**msg(), "sent_at": "not a time"}, "body.sent_at"),
        ({**msg(), "text": "a\u0000b"}, "body.text"),
        ({**msg(), "attachments": [{"name": "a", "url": "u", "content_type": "t"}] * 21}, "body.attachments"),
        ({**msg(), "attachments": [{"name": "a", "url": "u"}]}, "body.attachments.0.content_type"),
        ([1, 2, 3], "body"),
    ],
)
def test_bad_bodies_name_the_field(api: Api, payload: Any, field: str) -> None:
    resp = send(api, "chat", payload)
    assert resp.status_code == 422, resp.text
    problem = resp.json()
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert any(e["field"] == field for e in problem["errors"]), problem
    assert count(api, Message) == 0 and count(api, Customer) == 0


def test_lone_surrogate_and_malformed_json(api: Api) -> None:
    raw = b'{"message_id": "m", "sender": {"handle": "v"}, "text": "\\ud800"}'
    resp = send(api, "chat", None, raw=raw, headers=signed_headers(SECRET, raw, timestamp=int(api.clock().timestamp())))
    assert resp.status_code == 422 and resp.json()["errors"][0]["field"] == "body.text"
    raw = b'{"message_id": '
    resp = send(api, "chat", None, raw=raw, headers=signed_headers(SECRET, raw, timestamp=int(api.clock().timestamp())))
    assert resp.status_code == 400 and resp.json()["title"] == "Malformed JSON"
    assert count(api, Message) == 0


def test_future_sent_at_is_clamped(api: Api) -> None:
    later = (api.clock() + timedelta(days=3)).isoformat()
    resp = send(api, "chat", msg(sent_at=later))
    with api.db.read() as s:
        assert s.get(Message, resp.json()["message_id"]).sent_at == api.clock()


def test_concurrent_replays_and_first_messages(api: Api) -> None:
    """Racing deliveries: one row per message id, one customer and one conversation per sender."""
    from concurrent.futures import ThreadPoolExecutor

    from workstation.server.channels.intake import ingest_message
    from workstation.server.channels.schemas import InboundMessage

    ctx = api.client.app.state.ctx
    same = InboundMessage.model_validate(msg("race-1", text="退款"))
    distinct = [InboundMessage.model_validate({**msg(f"race-{i}", text="退款"), "sender": {"handle": "racer"}})
                for i in range(2, 10)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        replays = list(pool.map(lambda _: ingest_message(ctx, "chat", same), range(8)))
        firsts = list(pool.map(lambda m: ingest_message(ctx, "chat", m), distinct))
    assert len({r.message_id for r in replays}) == 1
    assert sum(not r.duplicate for r in replays) == 1
    assert len({r.customer_id for r in firsts}) == 1
    assert len({r.conversation_id for r in firsts}) == 1
    assert count(api, Message) == 9
