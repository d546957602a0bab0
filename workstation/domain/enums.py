"""Closed vocabularies shared by the client, the server and the wire protocol.

Values are stable lower-case strings: they are stored in databases and sent over the wire.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    SENIOR_AGENT = "senior_agent"
    TEAM_LEAD = "team_lead"
    FIELD_ENGINEER = "field_engineer"
    ADMIN = "admin"


class Channel(StrEnum):
    CHAT = "chat"
    APP = "app"
    PHONE = "phone"
    EMAIL = "email"
    SMS = "sms"
    SOCIAL = "social"
    LIVE_STREAM = "live_stream"
    WEB_FORM = "web_form"

    @property
    def is_instant(self) -> bool:
        """Channels whose first-response clock runs in minutes, not hours."""
        return self in (Channel.CHAT, Channel.APP, Channel.SOCIAL, Channel.LIVE_STREAM)


class RequestType(StrEnum):
    COMPLAINT = "complaint"
    RETURN_REFUND = "return_refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    INQUIRY = "inquiry"
    SUGGESTION = "suggestion"


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 is the most pressing; used to order the inbox."""
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class ConversationStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING_CUSTOMER = "pending_customer"
    PENDING_INTERNAL = "pending_internal"
    RESOLVED = "resolved"
    CLOSED = "closed"


class MessageDirection(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    NOTE = "note"  # internal note, never sent to the customer


class CallState(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"
    MISSED = "missed"


class Category(StrEnum):
    ELECTRONICS = "electronics"  # 3C
    APPLIANCES = "appliances"
    HOME = "home"
    APPAREL = "apparel"
    BEAUTY = "beauty"
    FRESH_FOOD = "fresh_food"
    VIRTUAL = "virtual"
    CUSTOM_MADE = "custom_made"


class CaseKind(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REPAIR = "repair"


class CaseState(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SHIPPED_BACK = "shipped_back"
    RECEIVED = "received"
    REFUNDED = "refunded"
    REPLACEMENT_SHIPPED = "replacement_shipped"
    DIAGNOSING = "diagnosing"
    ONSITE_SCHEDULED = "onsite_scheduled"
    REPAIRED = "repaired"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Department(StrEnum):
    SERVICE = "service"
    WAREHOUSE = "warehouse"
    FINANCE = "finance"
    LOGISTICS = "logistics"
    ENGINEERING = "engineering"


class CompensationKind(StrEnum):
    FAKE_GOODS = "fake_goods"
    DAMAGED_GOODS = "damaged_goods"
    SERVICE_FAILURE = "service_failure"
    GOODWILL = "goodwill"


class OfferStatus(StrEnum):
    OFFERED = "offered"  # within the offerer's authority, gone out
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    CHANGED = "changed"  # approved with a different amount
    REJECTED = "rejected"


class WorkOrderState(StrEnum):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"  # engineer confirmed the visit time ahead
    IN_PROGRESS = "in_progress"
    SIGNED_OFF = "signed_off"
    CANCELLED = "cancelled"


class Rating(StrEnum):
    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    AVERAGE = "average"
    UNSATISFIED = "unsatisfied"
