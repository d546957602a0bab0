"""Small factories of server rows for sync and mutation tests, plus a push helper."""

from __future__ import annotations

import base64
import itertools
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.integration.server.conftest import Api
from workstation.domain.ids import new_id
from workstation.server.tables import (
    Call,
    Case,
    Conversation,
    Customer,
    Identity,
    Message,
    Order,
    OrderItem,
    ReplyScript,
    Survey,
    WorkOrder,
)

_numbers = itertools.count(1)


@dataclass
class World:
    customer_id: str
    order_id: str
    item_id: str
    conversation_id: str


def customer(api: Api, *, phone: str | None = None, name: str = "李雷") -> str:
    now = api.clock()
    phone = phone or f"138{next(_numbers) % 10_000:04d}1234"
    cid = new_id()
    with api.db.write() as s:
        s.add(Customer(id=cid, display_name=name, phone=phone, address="上海市浦东新区世纪大道100号",
                       created_at=now, updated_at=now))
        s.add(Identity(id=new_id(), customer_id=cid, kind="phone", handle=phone, created_at=now))
    return cid


def order(
    api: Api,
    customer_id: str,
    *,
    category: str = "electronics",
    price: str = "200.00",
    quantity: int = 1,
    delivered_days_ago: float | None = 2,
    warranty_months: int = 12,
    remote_area: bool = False,
) -> tuple[str, str]:
    now = api.clock()
    oid, iid = new_id(), new_id()
    delivered = now - timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None
    amount = Decimal(price) * quantity
    with api.db.write() as s:
        s.add(Order(id=oid, order_no=f"SO{next(_numbers):08d}", customer_id=customer_id, shop="旗舰店",
                    amount=amount, placed_at=now - timedelta(days=30), paid_at=now - timedelta(days=30),
                    delivered_at=delivered, status="delivered", address="上海市浦东新区世纪大道100号",
                    remote_area=remote_area))
        s.add(OrderItem(id=iid, order_id=oid, sku="SKU1", title="蓝牙耳机", category=category,
                        price=Decimal(price), quantity=quantity, warranty_months=warranty_months))
    return oid, iid


def conversation(
    api: Api,
    customer_id: str,
    *,
    queue: str = "general",
    assignee: str | None = None,
    status: str = "new",
    priority: str = "normal",
    channel: str = "chat",
    order_id: str | None = None,
) -> str:
    now = api.clock()
    cid = new_id()
    with api.db.write() as s:
        s.add(Conversation(id=cid, customer_id=customer_id, order_id=order_id, channel=channel,
                           request_type="inquiry", priority=priority, status=status, queue=queue,
                           assignee_id=assignee, subject="耳机没声音", preview="耳机没声音", tags=[],
                           case_record={}, opened_at=now, last_message_at=now, last_inbound_at=now))
        s.add(Message(id=new_id(), conversation_id=cid, direction="inbound", channel=channel,
                      body="你好，耳机没声音", attachments=[], sent_at=now))
    return cid


def world(api: Api, **conv: Any) -> World:
    cust = customer(api)
    oid, iid = order(api, cust)
    conv_id = conversation(api, cust, order_id=oid, **conv)
    return World(customer_id=cust, order_id=oid, item_id=iid, conversation_id=conv_id)


def call(api: Api, *, conversation_id: str | None, customer_id: str | None, agent_id: str | None) -> str:
    now = api.clock()
    ident = new_id()
    with api.db.write() as s:
        s.add(Call(id=ident, external_call_id=f"call-{ident}", conversation_id=conversation_id,
                   customer_id=customer_id, caller="13812341234", state="ended", agent_id=agent_id,
                   ringing_at=now, answered_at=now, ended_at=now + timedelta(minutes=3), duration_s=180))
    return ident


def survey(api: Api, *, customer_id: str, conversation_id: str | None, rating: str | None) -> str:
    now = api.clock()
    ident = new_id()
    with api.db.write() as s:
        s.add(Survey(id=ident, conversation_id=conversation_id, customer_id=customer_id, invited_at=now,
                     rating=rating, responded_at=now if rating else None,
                     callback_due_at=now + timedelta(hours=24) if rating == "unsatisfied" else None))
    return ident


def case(api: Api, w: World, *, kind: str = "repair", state: str = "onsite_scheduled", created_by: str | None = None) -> str:
    now = api.clock()
    ident = new_id()
    with api.db.write() as s:
        s.add(Case(id=ident, kind=kind, state=state, conversation_id=w.conversation_id, customer_id=w.customer_id,
                   order_id=w.order_id, order_item_id=w.item_id, reason="quality", owner_department="engineering",
                   state_entered_at=now, created_by=created_by, created_at=now))
    return ident


def work_order(api: Api, *, customer_id: str, engineer_id: str | None, case_id: str | None = None,
               state: str = "scheduled") -> str:
    now = api.clock()
    ident = new_id()
    with api.db.write() as s:
        s.add(WorkOrder(id=ident, case_id=case_id, customer_id=customer_id, engineer_id=engineer_id,
                        address="上海市徐汇区漕溪北路1号", problem="不开机", state=state,
                        scheduled_at=now + timedelta(hours=20), created_at=now))
    return ident


def script(api: Api, *, status: str = "approved", key: str = "greeting", version: int = 1) -> str:
    now = api.clock()
    ident = new_id()
    with api.db.write() as s:
        s.add(ReplyScript(id=ident, key=key, version=version, status=status, category="general", language="zh",
                          title="问候", variants={"chat": {"body": "您好，请问有什么可以帮您？"}}, tags=[],
                          request_types=[], approved_at=now if status == "approved" else None, created_at=now))
    return ident


def png(size: int = 64) -> str:
    """A real (tiny) PNG as base64, padded with a text chunk up to about ``size`` bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    body = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    pad = max(size - len(body) - 24, 0)
    body += chunk(b"tEXt", b"c\x00" + b"x" * pad) + chunk(b"IEND", b"")
    return base64.b64encode(body).decode()


@dataclass
class Pusher:
    """A client installation: numbers its mutations 1, 2, 3 … like the desktop outbox does."""

    api: Api
    user: str
    client_id: str = field(default_factory=lambda: "client-" + new_id()[-12:])
    next_id: int = 1

    def push(self, name: str, args: dict[str, Any], *, mutation_id: int | None = None) -> dict[str, Any]:
        return self.push_many([(name, args)], first_id=mutation_id)["results"][0]

    def push_many(self, items: list[tuple[str, dict[str, Any]]], *, first_id: int | None = None) -> dict[str, Any]:
        start = self.next_id if first_id is None else first_id
        mutations = [
            {"mutation_id": start + i, "name": name, "args": args, "schema_version": 1}
            for i, (name, args) in enumerate(items)
        ]
        resp = self.api.post("/sync/push", self.user, json={"client_id": self.client_id, "mutations": mutations})
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        self.next_id = max(self.next_id, body["last_applied"] + 1)
        return body


def pull_all(api: Api, user: str, *, limit: int = 1000, cursor: str | None = None) -> tuple[list[dict[str, Any]], str]:
    changes: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/sync/pull", user, params=params).json()
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["has_more"]:
            return changes, cursor


def at(api: Api, **delta: float) -> datetime:
    return api.clock() + timedelta(**delta)
