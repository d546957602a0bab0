"""Wire-shaped changes for cache tests (what a pull page carries)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
_seq = itertools.count(1)


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat().replace("+00:00", "Z")


def change(entity: str, data: dict[str, Any], seq: int | None = None) -> dict[str, Any]:
    seq = next(_seq) if seq is None else seq
    return {"entity": entity, "id": data["id"], "seq": seq, "data": {**data, "change_seq": seq}}


def customer(id_: str, name: str, **kw: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "display_name": name,
        "language": "zh",
        "tags": [],
        "notes": "",
        "phone": "138****1234",
        "merged_into": None,
        "created_at": iso(T0),
        "updated_at": iso(T0),
        **kw,
    }


def identity(id_: str, customer_id: str, handle: str, kind: str = "email") -> dict[str, Any]:
    return {"id": id_, "customer_id": customer_id, "kind": kind, "handle": handle, "created_at": iso(T0)}


def order(id_: str, customer_id: str, order_no: str, amount: str = "199.00") -> dict[str, Any]:
    return {
        "id": id_,
        "order_no": order_no,
        "customer_id": customer_id,
        "shop": "官方旗舰店",
        "amount": amount,
        "placed_at": iso(T0 - timedelta(days=3)),
        "paid_at": iso(T0 - timedelta(days=3)),
        "shipped_at": None,
        "delivered_at": None,
        "status": "paid",
        "tracking_number": None,
        "address": None,
        "remote_area": False,
    }


def order_item(id_: str, order_id: str, title: str) -> dict[str, Any]:
    return {
        "id": id_,
        "order_id": order_id,
        "sku": "SKU-1",
        "title": title,
        "category": "appliance",
        "price": "199.00",
        "quantity": 1,
        "high_value": False,
        "warranty_months": 12,
        "no_reason_excluded": False,
    }


def conversation(id_: str, customer_id: str = "k1", **kw: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "customer_id": customer_id,
        "order_id": None,
        "channel": "chat",
        "request_type": "inquiry",
        "priority": "normal",
        "status": "open",
        "queue": "general",
        "assignee_id": None,
        "subject": "",
        "preview": "",
        "tags": [],
        "case_record": {},
        "opened_at": iso(T0),
        "first_response_at": None,
        "first_response_due_at": iso(T0 + timedelta(minutes=5)),
        "resolution_due_at": iso(T0 + timedelta(days=1)),
        "last_message_at": iso(T0),
        "last_inbound_at": iso(T0),
        "closed_at": None,
        "thread_ref": None,
        "unread": 0,
        **kw,
    }


def message(id_: str, conversation_id: str, body: str, sent_at: datetime = T0, **kw: Any) -> dict[str, Any]:
    return {
        "id": id_,
        "conversation_id": conversation_id,
        "direction": "inbound",
        "channel": "chat",
        "author_id": None,
        "body": body,
        "subject": None,
        "external_id": None,
        "email_message_id": None,
        "in_reply_to": None,
        "attachments": [],
        "script_id": None,
        "script_version": None,
        "delivery": None,
        "sent_at": iso(sent_at),
        **kw,
    }
