"""Rows to JSON-ready dicts: one place decides how money, times and masking look on the wire."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect

from workstation.server.tables import Base, Conversation

# Columns never sent to clients.
_PRIVATE = {"password_hash"}


def value(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.isoformat().replace("+00:00", "Z")
    if isinstance(v, Decimal):
        return f"{v:.2f}"
    return v


def row(obj: Base) -> dict[str, Any]:
    mapper = inspect(type(obj))
    return {
        attr.key: value(getattr(obj, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in _PRIVATE
    }


def mask_phone(phone: str | None) -> str | None:
    """138****1234: enough to recognise a number, not enough to dial it."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_address(address: str | None) -> str | None:
    if not address:
        return address
    keep = max(len(address) // 3, 2)
    return address[:keep] + "****"


def conversation_summary(conv: Conversation, customer_name: str) -> dict[str, Any]:
    return {
        "id": conv.id,
        "customer_id": conv.customer_id,
        "customer_name": customer_name,
        "channel": conv.channel,
        "request_type": conv.request_type,
        "priority": conv.priority,
        "status": conv.status,
        "queue": conv.queue,
        "assignee_id": conv.assignee_id,
        "subject": conv.subject,
        "preview": conv.preview,
        "opened_at": value(conv.opened_at),
        "last_message_at": value(conv.last_message_at),
        "first_response_at": value(conv.first_response_at),
        "first_response_due_at": value(conv.first_response_due_at),
        "resolution_due_at": value(conv.resolution_due_at),
        "unread": conv.unread,
    }
