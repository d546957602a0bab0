"""Storing what customers send: the one path every channel's inbound traffic takes.

`ingest_message` (webhook channels) and the e-mail and phone adapters all end here: resolve the
customer, find their open conversation on the channel or open one (request type, priority,
queue and SLA clocks set from the first message), store the message, and bump the
conversation's preview, times and unread count. Each intake is one write transaction and is
idempotent on the channel's message id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

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
from workstation.server import changes
from workstation.server.channels.classify import classify_request, mentions_damage, queue_for
from workstation.server.channels.schemas import InboundMessage
from workstation.server.context import ServerContext
from workstation.server.db import run_driver_sql
from workstation.server.identity import (
    CHANNEL_HANDLE_KIND,
    is_locked,
    mark_locked,
    resolve_customer_id,
)
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
    change_seq: int | None = None  # the highest change_seq written (None for a replay)

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


_ORDER_CATEGORIES = select(OrderItem.category).where(OrderItem.order_id == bindparam("order_id"))


def triage(session: Session, ctx: ServerContext, *, text: str, order_id: str | None) -> Triage:
    request_type = classify_request(text)
    fresh_damage = False
    if order_id is not None and mentions_damage(text):
        categories = set(session.connection().execute(_ORDER_CATEGORIES, {"order_id": order_id}).scalars())
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


_OPEN_CONVERSATION = (
    select(Conversation)
    .where(
        Conversation.customer_id == bindparam("customer_id"),
        Conversation.channel == bindparam("channel"),
        Conversation.status.not_in(CLOSED_STATUSES),
    )
    .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    .limit(1)
)


def find_open_conversation(session: Session, *, customer_id: str, channel: str) -> Conversation | None:
    """The customer's latest conversation on the channel that is not resolved or closed."""
    return session.execute(
        _OPEN_CONVERSATION, {"customer_id": customer_id, "channel": channel}
    ).scalar_one_or_none()


def new_conversation_values(
    session: Session,
    ctx: ServerContext,
    *,
    customer_id: str,
    channel: str,
    text: str,
    subject: str | None,
    order_id: str | None,
    now: datetime,
    thread_ref: str | None = None,
    extra_tags: list[str] | None = None,
) -> dict[str, Any]:
    """The columns of a new conversation: first-guess triage and SLA clocks running from `now`."""
    t = triage(session, ctx, text=f"{subject or ''}\n{text}", order_id=order_id)
    chan = Channel(channel)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return {
        "id": new_id(),
        "customer_id": customer_id,
        "order_id": order_id,
        "channel": channel,
        "request_type": t.request_type.value,
        "priority": t.priority.value,
        "status": ConversationStatus.NEW.value,
        "queue": t.queue,
        "subject": (subject or first_line[:SUBJECT_CHARS])[:300],
        "preview": "",
        "tags": [*t.tags, *(extra_tags or [])],
        "case_record": {},
        "opened_at": now,
        "first_response_due_at": sla.first_response_due(
            ctx.policy, channel=chan, request_type=t.request_type, priority=t.priority, opened_at=now
        ),
        "resolution_due_at": sla.resolution_due(
            ctx.policy, request_type=t.request_type, priority=t.priority, opened_at=now
        ),
        "last_message_at": now,
        "last_inbound_at": None,
        "closed_at": None,
        "thread_ref": thread_ref,
        "unread": 0,
    }


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
    conv = Conversation(**new_conversation_values(
        session, ctx, customer_id=customer.id, channel=channel, text=text, subject=subject,
        order_id=order.id if order is not None else None, now=now, thread_ref=thread_ref, extra_tags=extra_tags,
    ))
    # Not flushed here: the Message/Call -> Conversation -> Customer relationships make the next
    # flush insert it before the rows that point at it, in the same round trip.
    session.add(conv)
    return conv


def note_inbound(
    session: Session,
    ctx: ServerContext,
    conv: Any,
    *,
    text: str,
    at: datetime,
    preview: str,
    order_id: str | None = None,
) -> None:
    """Bump a conversation for a new inbound contact: times, preview, unread, status, urgency.

    `conv` is a Conversation or any object with its attributes (the webhook path's `ConvRow`).
    """
    conv.last_message_at = max(conv.last_message_at, at)
    conv.last_inbound_at = at if conv.last_inbound_at is None else max(conv.last_inbound_at, at)
    conv.preview = preview
    conv.unread = (conv.unread or 0) + 1
    if order_id is not None and conv.order_id is None:
        conv.order_id = order_id
    status = ConversationStatus(conv.status)
    if status in (ConversationStatus.PENDING_CUSTOMER, ConversationStatus.RESOLVED):
        check_status_transition(status, ConversationStatus.OPEN)
        conv.status = ConversationStatus.OPEN.value
        conv.closed_at = None
    if text.strip():  # callers pass no text for a conversation's first message
        # A follow-up can raise urgency (say, the goods turned out spoiled), never lower it.
        t = triage(session, ctx, text=text, order_id=order_id)
        if t.priority.rank < Priority(conv.priority).rank:
            conv.priority = t.priority.value
            conv.tags = list(dict.fromkeys([*(conv.tags or []), *t.tags, "escalated_by_customer"]))


def clamp_sent_at(sent_at: datetime | None, now: datetime) -> datetime:
    """The channel's send time, but never in the future (a skewed sender cannot jump the list)."""
    if sent_at is None or sent_at > now:
        return now
    return sent_at


_FIND_EXISTING = (
    select(Message.id, Message.conversation_id, Conversation.customer_id)
    .join(Conversation, Conversation.id == Message.conversation_id)
    .where(Message.channel == bindparam("channel"), Message.external_id == bindparam("external_id"))
)


def find_existing(session: Session, *, channel: str, external_id: str) -> IntakeResult | None:
    # Core on the session's connection: three plain columns need no ORM, and this runs first in
    # every intake (it is most of the cost of a replay).
    return _find_existing(session.connection(), channel=channel, external_id=external_id)


def _find_existing(conn: Connection, *, channel: str, external_id: str) -> IntakeResult | None:
    row = conn.execute(_FIND_EXISTING, {"channel": channel, "external_id": external_id}).first()
    if row is None:
        return None
    return IntakeResult(conversation_id=row[1], message_id=row[0], customer_id=row[2], duplicate=True)


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
    for _ in range(_RETRIES):
        try:
            with ctx.db.write() as session:
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


async def run_intake(ctx: ServerContext, intake: Callable[..., T], *args: Any) -> T:
    """Run a blocking intake function (`ingest_message`, `apply_phone_event`) for a request.

    On SQLite, when no other writer of this process holds the database, it runs right here on
    the event loop: the write takes about a millisecond, commits without an fsync (WAL with
    synchronous=NORMAL), and the hop to a worker thread and back cost as much CPU as the write
    itself. When the write gate is taken, waiting for it would stall every request on the loop,
    so the work goes to a worker thread instead, as it always does on PostgreSQL (network round
    trips, row locks held by other processes).
    """
    gate = ctx.db.write_gate
    if ctx.db.serial_writes and gate.acquire(blocking=False):
        try:
            return intake(*args)
        finally:
            gate.release()
    return await run_in_threadpool(intake, *args)


def lock_customer(session: Session, customer: Customer) -> None:
    """Serialise intake per customer on PostgreSQL (SQLite writers are serial already), so two
    simultaneous first messages do not open two conversations. A no-op for a customer this
    transaction created or already locked (`resolve_customer(..., lock=True)`)."""
    if session.get_bind().dialect.name == "postgresql" and not is_locked(session, customer):
        session.execute(select(Customer.id).where(Customer.id == customer.id).with_for_update())
        mark_locked(session, (customer.id,))


# --- the webhook path, in SQLAlchemy Core ---------------------------------------------------
#
# Webhooks are the one path that must sustain hundreds of messages a second in one process, and
# per message the ORM's unit of work cost more than the database did. This path follows the same
# rules as the ORM helpers above (it shares resolve/new-conversation/note_inbound logic) but reads
# plain rows and writes with prebuilt Core statements, stamping change_seq itself.

# note_inbound's attributes, read for an existing conversation and written back when changed.
_BUMPED = ("order_id", "status", "priority", "tags", "last_message_at", "last_inbound_at", "closed_at",
           "unread", "preview")
_OPEN_CONVERSATION_ROW = (
    select(Conversation.id, *(getattr(Conversation, name) for name in _BUMPED))
    .where(
        Conversation.customer_id == bindparam("customer_id"),
        Conversation.channel == bindparam("channel"),
        Conversation.status.not_in(CLOSED_STATUSES),
    )
    .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    .limit(1)
)
_ORDER_ROW = select(Order.id, Order.customer_id).where(Order.order_no == bindparam("order_no"))
_INSERT_CONVERSATION = insert(Conversation)
_INSERT_MESSAGE = insert(Message)
_UPDATE_CONVERSATION: dict[frozenset[str], Any] = {}  # one prebuilt UPDATE per set of changed columns


class ConvRow:
    """A conversation's note_inbound attributes as plain Python values."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def changed_since(self, before: dict[str, Any]) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _BUMPED if getattr(self, name) != before[name]}


def _update_conversation(changed: frozenset[str]) -> Any:
    stmt = _UPDATE_CONVERSATION.get(changed)
    if stmt is None:
        stmt = (
            update(Conversation.__table__)  # type: ignore[arg-type]
            .where(Conversation.__table__.c.id == bindparam("_id"))
            .values({name: bindparam(name) for name in (*sorted(changed), "change_seq")})
        )
        _UPDATE_CONVERSATION[changed] = stmt
    return stmt


def _store(session: Session, ctx: ServerContext, channel: str, body: InboundMessage) -> IntakeResult:
    """ingest_message's write, in the caller's transaction."""
    conn = session.connection()
    now = ctx.clock()
    sender = body.sender
    customer = resolve_customer_id(
        session,
        ctx,
        conn=conn,
        reserve_extra=2,  # the conversation and the message: one counter update for the lot
        channel=channel,
        handle_kind=CHANNEL_HANDLE_KIND[channel],
        handle=sender.handle,
        name=sender.name,
        phone=sender.phone,
        email=sender.email,
    )
    order = conn.execute(_ORDER_ROW, {"order_no": body.order_no}).first() if body.order_no else None
    order_id = order.id if order is not None else None
    sent_at = clamp_sent_at(body.sent_at, now)
    attachments = [a.model_dump(exclude_none=True) for a in body.attachments]
    # A customer created just now has no conversations to find.
    found = None if customer.created else conn.execute(
        _OPEN_CONVERSATION_ROW, {"customer_id": customer.id, "channel": channel}
    ).first()
    created = found is None
    if found is None:
        values = new_conversation_values(
            session, ctx, customer_id=customer.id, channel=channel, text=body.text, subject=body.subject,
            order_id=order_id, now=now,
        )
        before = None
    else:
        values = found._asdict()
        before = dict(values)
    conv = ConvRow(values)
    if order is not None and order.customer_id != customer.id and "order_owner_differs" not in (conv.tags or []):
        # Someone quoted an order that is not on their record: the agent checks before acting.
        conv.tags = [*(conv.tags or []), "order_owner_differs"]
    note_inbound(
        session, ctx, conv, text="" if created else body.text, at=sent_at,
        preview=preview_of(body.text, attachments), order_id=order_id,
    )
    seq = changes.take(session, 2)  # the conversation, then its message
    if before is None:
        values.update({name: getattr(conv, name) for name in _BUMPED}, change_seq=seq)
        run_driver_sql(conn, _INSERT_CONVERSATION, values)
    else:
        changed = conv.changed_since(before)
        run_driver_sql(conn, _update_conversation(frozenset(changed)), {**changed, "change_seq": seq, "_id": conv.id})
    message_id = new_id()
    run_driver_sql(conn, _INSERT_MESSAGE, {
        "id": message_id,
        "conversation_id": conv.id,
        "direction": MessageDirection.INBOUND.value,
        "channel": channel,
        "body": body.text,
        "subject": body.subject,
        "external_id": body.message_id,
        "attachments": attachments,
        "sent_at": sent_at,
        "change_seq": seq + 1,
    })
    return IntakeResult(
        conversation_id=conv.id, message_id=message_id, customer_id=customer.id, duplicate=False,
        new_conversation=created, change_seq=seq + 1,
    )


def ingest_message(ctx: ServerContext, channel: str, body: InboundMessage) -> IntakeResult:
    """Store one webhook message (idempotent on the channel's message id).

    A handful of statements: one identity + customer query (on PostgreSQL it also row-locks the
    customer, serialising intake per customer up to the commit); for a known customer the
    open-conversation query; then the inserts (customer, identities, conversation, message) or
    updates, one counter update for all their change_seq values, and the commit.

    There is no replay check up front: the message insert comes last, and a replay breaks the
    unique (channel, external_id) constraint there, which rolls the whole transaction back and
    reads the stored message instead (`run_write`'s on_conflict). Replays are rare (a sender's
    retry), and the check cost every new message a query.
    """

    def work(session: Session) -> IntakeResult:
        return _store(session, ctx, channel, body)

    def read_back() -> IntakeResult | None:
        with ctx.db.read() as session:
            return find_existing(session, channel=channel, external_id=body.message_id)

    return run_write(ctx, work, on_conflict=read_back)


def ingest_messages(ctx: ServerContext, items: Sequence[tuple[str, InboundMessage]]) -> list[IntakeResult | Exception]:
    """Store several webhook messages in one write transaction: a group commit.

    Per message a write transaction costs a session, BEGIN and COMMIT, and the commit writes
    every page the message touched to the WAL. Messages stored together share all of that, and
    mostly the same pages too (the newest leaves of each table and index, the counter). Each
    message stays idempotent: if anything in the batch fails (a replay meets the unique message
    id, a race, one bad message), the whole transaction rolls back and each message is stored on
    its own with `ingest_message`, so only a faulty one gets its error (returned, not raised).
    """
    if len(items) > 1:
        try:
            with ctx.db.write() as session:
                return [_store(session, ctx, channel, body) for channel, body in items]
        except Exception:
            log.debug("batch of %d webhook messages rolled back; storing them one by one", len(items), exc_info=True)
    results: list[IntakeResult | Exception] = []
    for channel, body in items:
        try:
            results.append(ingest_message(ctx, channel, body))
        except Exception as exc:  # this message's own failure, answered to its own request
            results.append(exc)
    return results
