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
