"""Storing what customers send: the one path every channel's inbound traffic takes.

`ingest_message` (webhook channels) and the e-mail and phone adapters all end here: resolve the
customer, find their open conversation on the channel or open one (request type, priority,
queue and SLA clocks set from the first message), store the message, and bump the
conversation's preview, times and unread count. Each intake is one write transaction and is
idempotent on the channel's message id.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from workstation.domain import priority as priority_rules
from workstation.domain import sla
from workstation.domain.conversations import check_status_transition
from workstation.domain.enums import (
    Category,
    Channel,
    ConversationStatus,
    MessageDirection,
    Priority,
    RequestType,
)
from workstation.domain.ids import new_id
from workstation.server.channels.classify import classify_request, mentions_damage, queue_for
from workstation.server.channels.schemas import InboundMessage
from workstation.server.context import ServerContext
from workstation.server.identity import CHANNEL_HANDLE_KIND, resolve_customer
from workstation.server.tables import Conversation, Customer, Message, Order, OrderItem

log = logging.getLogger("workstation.server.channels")

T = TypeVar("T")

CLOSED_STATUSES = (ConversationStatus.RESOLVED.value, ConversationStatus.CLOSED.value)
PREVIEW_CHARS = 300
SUBJECT_CHARS = 120
_RETRIES = 4
# PostgreSQL: deadlock detected, serialization failure. Both mean "try the transaction again".
_RETRY_SQLSTATES = {"40P01", "40001"}


@dataclass(frozen=True, kw_only=True)
class IntakeResult:
    conversation_id: str
    message_id: str
    customer_id: str
    duplicate: bool
    new_conversation: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "message_id": self.message_id,
            "customer_id": self.customer_id,
            "duplicate": self.duplicate,
        }


@dataclass(frozen=True, kw_only=True)
class Triage:
    """Where a new request starts: what it is about, how urgent, which queue."""

    request_type: RequestType
    priority: Priority
    queue: str
    tags: list[str] = field(default_factory=list)


def triage(session: Session, ctx: ServerContext, *, text: str, order: Order | None) -> Triage:
    request_type = classify_request(text)
    fresh_damage = False
    if order is not None and mentions_damage(text):
        categories = set(session.execute(select(OrderItem.category).where(OrderItem.order_id == order.id)).scalars())
        fresh_damage = Category.FRESH_FOOD.value in categories
    tags: list[str] = []
    if fresh_damage:
        prio = priority_rules.default_priority(
            ctx.policy, request_type, category=Category.FRESH_FOOD, fresh_food_damage=True
        )
        tags.append("fresh_food_damage")
        if priority_rules.jumps_queue(ctx.policy, fresh_food_damage=True):
            tags.append("jumps_queue")
    else:
        prio = priority_rules.default_priority(ctx.policy, request_type)
    return Triage(request_type=request_type, priority=prio, queue=queue_for(request_type), tags=tags)


def preview_of(text: str, attachments: list[dict[str, Any]] | None = None) -> str:
    flat = " ".join(text.split())
    if not flat and attachments:
        flat = f"[{len(attachments)} attachment{'s' if len(attachments) != 1 else ''}]"
    return flat[:PREVIEW_CHARS]


def find_open_conversation(session: Session, *, customer_id: str, channel: str) -> Conversation | None:
    return session.execute(
        select(Conversation)
        .where(
            Conversation.customer_id == customer_id,
            Conversation.channel == channel,
            Conversation.status.not_in(CLOSED_STATUSES),
        )
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def open_conversation(
    session: Session,
    ctx: ServerContext,
    *,
    customer: Customer,
    channel: str,
    text: str,
    subject: str | None,
    order: Order | None,
    now: datetime,
    thread_ref: str | None = None,
    extra_tags: list[str] | None = None,
) -> Conversation:
    """A new conversation with its first-guess triage and SLA clocks running from `now`."""
    t = triage(session, ctx, text=f"{subject or ''}\n{text}", order=order)
    chan = Channel(channel)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    conv = Conversation(
        id=new_id(),
        customer_id=customer.id,
        order_id=order.id if order is not None else None,
        channel=channel,
        request_type=t.request_type.value,
        priority=t.priority.value,
        status=ConversationStatus.NEW.value,
        queue=t.queue,
        subject=(subject or first_line[:SUBJECT_CHARS])[:300],
        preview="",
        tags=[*t.tags, *(extra_tags or [])],
        case_record={},
        opened_at=now,
        first_response_due_at=sla.first_response_due(
            ctx.policy, channel=chan, request_type=t.request_type, priority=t.priority, opened_at=now
        ),
        resolution_due_at=sla.resolution_due(
            ctx.policy, request_type=t.request_type, priority=t.priority, opened_at=now
        ),
        last_message_at=now,
        thread_ref=thread_ref,
        unread=0,
    )
    session.add(conv)
    session.flush()  # rows that point at it (messages, calls) may be flushed in any order later
    return conv


def note_inbound(
    session: Session,
    ctx: ServerContext,
    conv: Conversation,
    *,
    text: str,
    at: datetime,
    preview: str,
    order: Order | None = None,
) -> None:
    """Bump a conversation for a new inbound contact: times, preview, unread, status, urgency."""
    conv.last_message_at = max(conv.last_message_at, at)
    conv.last_inbound_at = at if conv.last_inbound_at is None else max(conv.last_inbound_at, at)
    conv.preview = preview
    conv.unread = (conv.unread or 0) + 1
    if order is not None and conv.order_id is None:
        conv.order_id = order.id
    status = ConversationStatus(conv.status)
    if status in (ConversationStatus.PENDING_CUSTOMER, ConversationStatus.RESOLVED):
        check_status_transition(status, ConversationStatus.OPEN)
        conv.status = ConversationStatus.OPEN.value
        conv.closed_at = None
    if text.strip():  # callers pass no text for a conversation's first message
        # A follow-up can raise urgency (say, the goods turned out spoiled), never lower it.
        t = triage(session, ctx, text=text, order=order)
        if t.priority.rank < Priority(conv.priority).rank:
            conv.priority = t.priority.value
            conv.tags = list(dict.fromkeys([*(conv.tags or []), *t.tags, "escalated_by_customer"]))


def clamp_sent_at(sent_at: datetime | None, now: datetime) -> datetime:
    """The channel's send time, but never in the future (a skewed sender cannot jump the list)."""
    if sent_at is None or sent_at > now:
        return now
    return sent_at


def find_existing(session: Session, *, channel: str, external_id: str) -> IntakeResult | None:
    row = session.execute(
        select(Message.id, Message.conversation_id, Conversation.customer_id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.channel == channel, Message.external_id == external_id)
    ).first()
    if row is None:
        return None
    return IntakeResult(conversation_id=row[1], message_id=row[0], customer_id=row[2], duplicate=True)


# SQLite has one writer at a time, and a writer that finds the lock taken sleeps in steps of up
# to 100 ms (busy_timeout) before it looks again. Queueing this process's intake writers on a
# lock instead hands the database over the moment it is free: under load that is the difference
# between a p95 of a few milliseconds and one of seconds.
_SQLITE_WRITE_GATE = threading.Lock()


def _retryable(exc: DBAPIError) -> bool:
    return getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES


def run_write(ctx: ServerContext, work: Callable[[Session], T], *, on_conflict: Callable[[], T | None]) -> T:
    """Run `work` in one write transaction, again if a concurrent writer got in first.

    A unique-constraint conflict means another request stored the same thing (the same message
    id, the same new identity) between our read and our write: `on_conflict` reads back what it
    stored, and when that answers the request we are done; otherwise the work runs again and
    now sees the other request's rows.
    """
    last: Exception | None = None
    gate = _SQLITE_WRITE_GATE if ctx.db.dialect == "sqlite" else contextlib.nullcontext()
    for _ in range(_RETRIES):
        try:
            with gate, ctx.db.write() as session:
                return work(session)
        except IntegrityError as exc:
            last = exc
            answer = on_conflict()
            if answer is not None:
                return answer
        except DBAPIError as exc:
            if not _retryable(exc):
                raise
            last = exc
    assert last is not None
    raise last


def lock_customer(session: Session, customer: Customer) -> None:
    """Serialise intake per customer on PostgreSQL (SQLite writers are serial already), so two
    simultaneous first messages do not open two conversations."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Customer.id).where(Customer.id == customer.id).with_for_update())


def ingest_message(ctx: ServerContext, channel: str, body: InboundMessage) -> IntakeResult:
    """Store one webhook message (idempotent on the channel's message id)."""

    def work(session: Session) -> IntakeResult:
        existing = find_existing(session, channel=channel, external_id=body.message_id)
        if existing is not None:
            return existing
        now = ctx.clock()
        sender = body.sender
        customer = resolve_customer(
            session,
            ctx,
            channel=channel,
            handle_kind=CHANNEL_HANDLE_KIND[channel],
            handle=sender.handle,
            name=sender.name,
            phone=sender.phone,
            email=sender.email,
        )
        lock_customer(session, customer)
        order = None
        if body.order_no:
            order = session.execute(select(Order).where(Order.order_no == body.order_no)).scalar_one_or_none()
        sent_at = clamp_sent_at(body.sent_at, now)
        attachments = [a.model_dump(exclude_none=True) for a in body.attachments]
        conv = find_open_conversation(session, customer_id=customer.id, channel=channel)
        created = conv is None
        if conv is None:
            conv = open_conversation(
                session, ctx, customer=customer, channel=channel, text=body.text, subject=body.subject,
                order=order, now=now,
            )
        if order is not None and order.customer_id != customer.id and "order_owner_differs" not in (conv.tags or []):
            # Someone quoted an order that is not on their record: the agent checks before acting.
            conv.tags = [*(conv.tags or []), "order_owner_differs"]
        message = Message(
            id=new_id(),
            conversation_id=conv.id,
            direction=MessageDirection.INBOUND.value,
            channel=channel,
            body=body.text,
            subject=body.subject,
            external_id=body.message_id,
            attachments=attachments,
            sent_at=sent_at,
        )
        session.add(message)
        note_inbound(
            session, ctx, conv, text="" if created else body.text, at=sent_at,
            preview=preview_of(body.text, attachments), order=order,
        )
        session.flush()
        return IntakeResult(
            conversation_id=conv.id, message_id=message.id, customer_id=customer.id, duplicate=False,
            new_conversation=created,
        )

    def read_back() -> IntakeResult | None:
        with ctx.db.read() as session:
            return find_existing(session, channel=channel, external_id=body.message_id)

    return run_write(ctx, work, on_conflict=read_back)
