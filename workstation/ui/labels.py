"""Translated display names of the closed vocabularies (channel, request type, ...).

Wire values are stable English identifiers; what the user reads goes through
`QCoreApplication.translate` so a Chinese (or any) translator can replace it.
Unknown values are shown as they came, so a newer server never breaks the list.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

_CONTEXT = "Labels"

CHANNELS = {
    "chat": QT_TRANSLATE_NOOP("Labels", "Online chat"),
    "app": QT_TRANSLATE_NOOP("Labels", "In-app"),
    "phone": QT_TRANSLATE_NOOP("Labels", "Phone"),
    "email": QT_TRANSLATE_NOOP("Labels", "E-mail"),
    "sms": QT_TRANSLATE_NOOP("Labels", "SMS"),
    "social": QT_TRANSLATE_NOOP("Labels", "Social / WeChat"),
    "live_stream": QT_TRANSLATE_NOOP("Labels", "Live stream"),
    "web_form": QT_TRANSLATE_NOOP("Labels", "Web form"),
}
REQUEST_TYPES = {
    "complaint": QT_TRANSLATE_NOOP("Labels", "Complaint"),
    "return_refund": QT_TRANSLATE_NOOP("Labels", "Return / refund"),
    "exchange": QT_TRANSLATE_NOOP("Labels", "Exchange"),
    "repair": QT_TRANSLATE_NOOP("Labels", "Repair / warranty"),
    "inquiry": QT_TRANSLATE_NOOP("Labels", "Inquiry"),
    "suggestion": QT_TRANSLATE_NOOP("Labels", "Suggestion"),
}
PRIORITIES = {
    "urgent": QT_TRANSLATE_NOOP("Labels", "Urgent"),
    "high": QT_TRANSLATE_NOOP("Labels", "High"),
    "normal": QT_TRANSLATE_NOOP("Labels", "Normal"),
    "low": QT_TRANSLATE_NOOP("Labels", "Low"),
}
STATUSES = {
    "new": QT_TRANSLATE_NOOP("Labels", "New"),
    "open": QT_TRANSLATE_NOOP("Labels", "Open"),
    "pending_customer": QT_TRANSLATE_NOOP("Labels", "Waiting for customer"),
    "pending_internal": QT_TRANSLATE_NOOP("Labels", "Waiting internally"),
    "resolved": QT_TRANSLATE_NOOP("Labels", "Resolved"),
    "closed": QT_TRANSLATE_NOOP("Labels", "Closed"),
}
ROLES = {
    "agent": QT_TRANSLATE_NOOP("Labels", "Agent"),
    "senior_agent": QT_TRANSLATE_NOOP("Labels", "Senior agent"),
    "team_lead": QT_TRANSLATE_NOOP("Labels", "Team lead"),
    "field_engineer": QT_TRANSLATE_NOOP("Labels", "Field engineer"),
    "admin": QT_TRANSLATE_NOOP("Labels", "Administrator"),
}


def _lookup(table: dict[str, str], value: str) -> str:
    source = table.get(value)
    if source is None:
        return value
    return QCoreApplication.translate(_CONTEXT, source)


def channel(value: str) -> str:
    return _lookup(CHANNELS, value)


def request_type(value: str) -> str:
    return _lookup(REQUEST_TYPES, value)


def priority(value: str) -> str:
    return _lookup(PRIORITIES, value)


def status(value: str) -> str:
    return _lookup(STATUSES, value)


def role(value: str) -> str:
    return _lookup(ROLES, value)

CASE_KINDS = {
    "return": QT_TRANSLATE_NOOP("Labels", "Return"),
    "exchange": QT_TRANSLATE_NOOP("Labels", "Exchange"),
    "repair": QT_TRANSLATE_NOOP("Labels", "Repair"),
}
CASE_STATES = {
    "submitted": QT_TRANSLATE_NOOP("Labels", "Submitted"),
    "approved": QT_TRANSLATE_NOOP("Labels", "Approved"),
    "rejected": QT_TRANSLATE_NOOP("Labels", "Rejected"),
    "shipped_back": QT_TRANSLATE_NOOP("Labels", "Shipped back"),
    "received": QT_TRANSLATE_NOOP("Labels", "Received"),
    "refunded": QT_TRANSLATE_NOOP("Labels", "Refunded"),
    "replacement_shipped": QT_TRANSLATE_NOOP("Labels", "Replacement shipped"),
    "diagnosing": QT_TRANSLATE_NOOP("Labels", "Diagnosing"),
    "onsite_scheduled": QT_TRANSLATE_NOOP("Labels", "On-site visit scheduled"),
    "repaired": QT_TRANSLATE_NOOP("Labels", "Repaired"),
    "closed": QT_TRANSLATE_NOOP("Labels", "Closed"),
    "cancelled": QT_TRANSLATE_NOOP("Labels", "Cancelled"),
}
DEPARTMENTS = {
    "service": QT_TRANSLATE_NOOP("Labels", "Service"),
    "warehouse": QT_TRANSLATE_NOOP("Labels", "Warehouse"),
    "finance": QT_TRANSLATE_NOOP("Labels", "Finance"),
    "logistics": QT_TRANSLATE_NOOP("Labels", "Logistics"),
    "engineering": QT_TRANSLATE_NOOP("Labels", "Engineering"),
}
TAGS = {
    "vip": QT_TRANSLATE_NOOP("Labels", "VIP"),
    "frequent_complainer": QT_TRANSLATE_NOOP("Labels", "Frequent complainer"),
}
OFFER_STATUSES = {
    "offered": QT_TRANSLATE_NOOP("Labels", "Offered"),
    "pending_approval": QT_TRANSLATE_NOOP("Labels", "Awaiting approval"),
    "approved": QT_TRANSLATE_NOOP("Labels", "Approved"),
    "accepted": QT_TRANSLATE_NOOP("Labels", "Accepted"),
    "declined": QT_TRANSLATE_NOOP("Labels", "Declined"),
    "paid": QT_TRANSLATE_NOOP("Labels", "Paid"),
}
RATINGS = {
    "very_satisfied": QT_TRANSLATE_NOOP("Labels", "Very satisfied"),
    "satisfied": QT_TRANSLATE_NOOP("Labels", "Satisfied"),
    "average": QT_TRANSLATE_NOOP("Labels", "Average"),
    "unsatisfied": QT_TRANSLATE_NOOP("Labels", "Unsatisfied"),
}
IDENTITY_KINDS = {
    "phone": QT_TRANSLATE_NOOP("Labels", "Phone"),
    "email": QT_TRANSLATE_NOOP("Labels", "E-mail"),
    "wechat": QT_TRANSLATE_NOOP("Labels", "WeChat"),
    "app_user": QT_TRANSLATE_NOOP("Labels", "App account"),
    "chat_visitor": QT_TRANSLATE_NOOP("Labels", "Chat visitor"),
    "live_user": QT_TRANSLATE_NOOP("Labels", "Live-stream user"),
    "social": QT_TRANSLATE_NOOP("Labels", "Social media"),
}


def case_kind(value: str) -> str:
    return _lookup(CASE_KINDS, value)


def case_state(value: str) -> str:
    return _lookup(CASE_STATES, value)


def department(value: str) -> str:
    return _lookup(DEPARTMENTS, value)


def rating(value: str) -> str:
    return _lookup(RATINGS, value)


def identity_kind(value: str) -> str:
    return _lookup(IDENTITY_KINDS, value)


def tag(value: str) -> str:
    return _lookup(TAGS, value)


def offer_status(value: str) -> str:
    return _lookup(OFFER_STATUSES, value)

# Repair price list codes of the policy (resources/policy/default.toml, [warranty.parts.*]
# and [warranty.labour.*]); a code a newer policy adds shows as itself until named here.
REPAIR_PARTS = {
    "screen": QT_TRANSLATE_NOOP("Labels", "Screen"),
    "battery": QT_TRANSLATE_NOOP("Labels", "Battery"),
    "charging_port": QT_TRANSLATE_NOOP("Labels", "Charging port"),
    "camera": QT_TRANSLATE_NOOP("Labels", "Camera"),
    "mainboard": QT_TRANSLATE_NOOP("Labels", "Mainboard"),
    "back_cover": QT_TRANSLATE_NOOP("Labels", "Back cover"),
    "motor": QT_TRANSLATE_NOOP("Labels", "Motor"),
    "control_board": QT_TRANSLATE_NOOP("Labels", "Control board"),
    "heating_element": QT_TRANSLATE_NOOP("Labels", "Heating element"),
    "door_seal": QT_TRANSLATE_NOOP("Labels", "Door seal"),
    "hinge": QT_TRANSLATE_NOOP("Labels", "Hinge"),
    "caster": QT_TRANSLATE_NOOP("Labels", "Caster"),
}
REPAIR_LABOUR = {
    "basic": QT_TRANSLATE_NOOP("Labels", "Basic labour"),
    "board_level": QT_TRANSLATE_NOOP("Labels", "Board-level repair"),
    "onsite": QT_TRANSLATE_NOOP("Labels", "On-site visit"),
}
COMPENSATION_KINDS = {
    "damaged_goods": QT_TRANSLATE_NOOP("Labels", "Damaged goods"),
    "fake_goods": QT_TRANSLATE_NOOP("Labels", "Fake goods"),
    "service_failure": QT_TRANSLATE_NOOP("Labels", "Service failure (coupon)"),
    "goodwill": QT_TRANSLATE_NOOP("Labels", "Goodwill"),
}
VERDICTS = {
    "return": QT_TRANSLATE_NOOP("Labels", "Return"),
    "exchange": QT_TRANSLATE_NOOP("Labels", "Exchange"),
    "repair_only": QT_TRANSLATE_NOOP("Labels", "Repair only"),
    "not_eligible": QT_TRANSLATE_NOOP("Labels", "Not eligible"),
}


def repair_part(value: str) -> str:
    return _lookup(REPAIR_PARTS, value)


def repair_labour(value: str) -> str:
    return _lookup(REPAIR_LABOUR, value)


def verdict(value: str) -> str:
    return _lookup(VERDICTS, value)


def compensation_kind(value: str) -> str:
    return _lookup(COMPENSATION_KINDS, value)
