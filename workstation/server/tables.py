"""The server's tables (SQLAlchemy 2 declarative).

Every table a client syncs carries `change_seq`: a value from one server-wide sequence,
re-stamped whenever the row changes. Pull pages walk that sequence (see sync_pull.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from workstation.domain.money import FEN, round_fen

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; stored naive UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Money(TypeDecorator[Decimal]):
    """Decimal yuan stored as integer fen, so no backend ever rounds through a float."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(round_fen(Decimal(value)) / FEN)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) * FEN).quantize(FEN)


def _id() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), Decimal: Money(), dict[str, Any]: JSON, list[Any]: JSON}


class Synced:
    """Mixin for rows clients receive through pull."""

    change_seq: Mapped[int] = mapped_column(BigInteger, index=True, default=0)


# --- infrastructure -------------------------------------------------------------------


class Counter(Base):
    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class User(Synced, Base):
    __tablename__ = "users"
    id: Mapped[str] = _id()
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    tenure_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    queues: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class Token(Base):
    __tablename__ = "tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # access | refresh
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
    success: Mapped[bool] = mapped_column(Boolean)


class Client(Base):
    """One workstation installation and the last mutation id the server applied from it."""

    __tablename__ = "clients"
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    last_applied: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class MutationResult(Base):
    """What became of each pushed mutation, so a replay gets the same answer."""

    __tablename__ = "mutation_results"
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12))  # applied | rejected
    code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime]


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)


# --- customers and orders ---------------------------------------------------------------


class Customer(Synced, Base):
    __tablename__ = "customers"
    id: Mapped[str] = _id()
    display_name: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    preferred_channel: Mapped[str | None] = mapped_column(String(20), nullable=True)
    preferred_time: Mapped[str | None] = mapped_column(String(60), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    merged_into: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Identity(Synced, Base):
    """A way to reach one customer on one channel: a phone number, e-mail, WeChat openid …"""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("kind", "handle", name="uq_identities_kind_handle"),)
    id: Mapped[str] = _id()
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # phone | email | wechat | app_user | chat_visitor | live_user | social
    handle: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    # Many-to-one links for the unit of work only: with them one flush inserts parents before
    # children (customer, identity, conversation, message) instead of one flush per level.
    # Never loaded (lazy="raise"); code reads and writes the *_id columns.
    customer: Mapped[Customer] = relationship(lazy="raise")


class Order(Synced, Base):
    __tablename__ = "orders"
    id: Mapped[str] = _id()
    order_no: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    shop: Mapped[str] = mapped_column(String(120))
    amount: Mapped[Decimal]
    placed_at: Mapped[datetime]
    paid_at: Mapped[datetime | None] = mapped_column(nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)  # delivery sign-off (签收)
    status: Mapped[str] = mapped_column(String(20))
    tracking_number: Mapped[str | None] = mapped_column(String(40), nullable=True)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    remote_area: Mapped[bool] = mapped_column(Boolean, default=False)


class OrderItem(Synced, Base):
    __tablename__ = "order_items"
    id: Mapped[str] = _id()
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    price: Mapped[Decimal]
    quantity: Mapped[int] = mapped_column(Integer)
    high_value: Mapped[bool] = mapped_column(Boolean, default=False)
    warranty_months: Mapped[int] = mapped_column(Integer, default=0)
    no_reason_excluded: Mapped[bool] = mapped_column(Boolean, default=False)


# --- conversations ----------------------------------------------------------------------


class Conversation(Synced, Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_status_priority", "status", "priority"),
        Index("ix_conversations_queue_status", "queue", "status"),
    )
    id: Mapped[str] = _id()
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    channel: Mapped[str] = mapped_column(String(20))
    request_type: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    queue: Mapped[str] = mapped_column(String(40))
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    preview: Mapped[str] = mapped_column(String(300), default="")
    tags: Mapped[list[Any]] = mapped_column(default=list)
    case_record: Mapped[dict[str, Any]] = mapped_column(default=dict)  # asks, solution, promised_at, wishes
    opened_at: Mapped[datetime]
    first_response_at: Mapped[datetime | None] = mapped_column(nullable=True)
    first_response_due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    resolution_due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_message_at: Mapped[datetime]
    last_inbound_at: Mapped[datetime | None] = mapped_column(nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    thread_ref: Mapped[str | None] = mapped_column(String(300), nullable=True, index=True)  # e-mail root Message-ID
    unread: Mapped[int] = mapped_column(Integer, default=0)
    customer: Mapped[Customer] = relationship(lazy="raise")  # flush order only, see Identity


class Message(Synced, Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_messages_channel_external_id"),
        Index("ix_messages_conversation_sent", "conversation_id", "sent_at"),
    )
    id: Mapped[str] = _id()
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[str] = mapped_column(String(10))  # inbound | outbound | note
    channel: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(String(300), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email_message_id: Mapped[str | None] = mapped_column(String(300), nullable=True, index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(300), nullable=True)
    attachments: Mapped[list[Any]] = mapped_column(default=list)
    script_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    script_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    delivery: Mapped[str | None] = mapped_column(String(12), nullable=True)  # queued | sent | failed (outbound)
    sent_at: Mapped[datetime]
    conversation: Mapped[Conversation] = relationship(lazy="raise")  # flush order only, see Identity


class Call(Synced, Base):
    __tablename__ = "calls"
    id: Mapped[str] = _id()
    external_call_id: Mapped[str] = mapped_column(String(100), unique=True)
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"), nullable=True, index=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), nullable=True, index=True)
    caller: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10))
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    ringing_at: Mapped[datetime]
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(nullable=True)
    duration_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    wrap_up_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # Flush order only (see Identity): a call may point at a conversation opened in the same flush.
    conversation: Mapped[Conversation | None] = relationship(lazy="raise")
    customer: Mapped[Customer | None] = relationship(lazy="raise")


# --- after-sales cases, compensation, field work ----------------------------------------


class Case(Synced, Base):
    __tablename__ = "cases"
    id: Mapped[str] = _id()
    kind: Mapped[str] = mapped_column(String(10))  # return | exchange | repair
    state: Mapped[str] = mapped_column(String(20))
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"), nullable=True, index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    order_item_id: Mapped[str] = mapped_column(ForeignKey("order_items.id"))
    reason: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text, default="")
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    return_tracking: Mapped[str | None] = mapped_column(String(40), nullable=True)
    replacement_tracking: Mapped[str | None] = mapped_column(String(40), nullable=True)
    owner_department: Mapped[str] = mapped_column(String(20))
    deadline_at: Mapped[datetime | None] = mapped_column(nullable=True)
    state_entered_at: Mapped[datetime]
    remote_area: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime]


class CaseEvent(Synced, Base):
    """Insert-only history of a case's state changes."""

    __tablename__ = "case_events"
    id: Mapped[str] = _id()
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class CompensationOffer(Synced, Base):
    __tablename__ = "compensation_offers"
    id: Mapped[str] = _id()
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"), nullable=True, index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ForeignKey("orders.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(20))
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rule: Mapped[str] = mapped_column(String(80))
    lines: Mapped[list[Any]] = mapped_column(default=list)
    amount: Mapped[Decimal]
    authority_amount: Mapped[Decimal]  # the part that counts toward the offerer's limit
    status: Mapped[str] = mapped_column(String(20), index=True)
    offered_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    approved_amount: Mapped[Decimal | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]


class WorkOrder(Synced, Base):
    __tablename__ = "work_orders"
    id: Mapped[str] = _id()
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    engineer_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    address: Mapped[str] = mapped_column(String(300))
    problem: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20))
    scheduled_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    parts: Mapped[list[Any]] = mapped_column(default=list)
    labour_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    total: Mapped[Decimal | None] = mapped_column(nullable=True)
    signer_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    signature: Mapped[str | None] = mapped_column(Text, nullable=True)  # base64 PNG of the customer's signature
    signed_off_at: Mapped[datetime | None] = mapped_column(nullable=True)
    report: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class QaEvaluation(Synced, Base):
    """Insert-only: a correction is a new evaluation that amends the earlier one."""

    __tablename__ = "qa_evaluations"
    id: Mapped[str] = _id()
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    evaluator_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    scores: Mapped[dict[str, Any]] = mapped_column(default=dict)  # timeliness, compliance, courtesy, resolution
    total: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    corrective_action: Mapped[str | None] = mapped_column(Text, nullable=True)
    amends: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime]


class Survey(Synced, Base):
    __tablename__ = "surveys"
    id: Mapped[str] = _id()
    conversation_id: Mapped[str | None] = mapped_column(ForeignKey("conversations.id"), nullable=True, index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    invited_at: Mapped[datetime]
    rating: Mapped[str | None] = mapped_column(String(20), nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(nullable=True)
    callback_due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    callback_done_at: Mapped[datetime | None] = mapped_column(nullable=True)
    callback_notes: Mapped[str] = mapped_column(Text, default="")


class ReplyScript(Synced, Base):
    """One version of an approved reply script; variants hold per-channel wording."""

    __tablename__ = "reply_scripts"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_reply_scripts_key_version"),)
    id: Mapped[str] = _id()
    key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # draft | submitted | approved | retired
    category: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    variants: Mapped[dict[str, Any]] = mapped_column(default=dict)  # channel -> {"subject"?, "body"}
    tags: Mapped[list[Any]] = mapped_column(default=list)
    request_types: Mapped[list[Any]] = mapped_column(default=list)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]


class EmailOutbox(Base):
    """Replies waiting to go out over SMTP; a worker sends them so a push never waits on a relay."""

    __tablename__ = "email_outbox"
    id: Mapped[str] = _id()
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), unique=True)
    to_address: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(10), index=True)  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime]


SYNCED_TABLES: tuple[type[Base], ...] = (
    User,
    Customer,
    Identity,
    Order,
    OrderItem,
    Conversation,
    Message,
    Call,
    Case,
    CaseEvent,
    CompensationOffer,
    WorkOrder,
    QaEvaluation,
    Survey,
    ReplyScript,
)
