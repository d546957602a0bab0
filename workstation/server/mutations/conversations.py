"""Inbox intents: claim, transfer, reply, note, ticket fields, case record, call notes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints, model_validator
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workstation.domain import conversations as rules
from workstation.domain.enums import (
    Channel,
    ConversationStatus,
    MessageDirection,
    Priority,
    RequestType,
    Role,
)
from workstation.domain.errors import DomainError
from workstation.server import outbound
from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.mutations.base import (
    LEADS,
    STAFF,
    Args,
    Body,
    Code,
    Id,
    MutationRejected,
    Short,
    Text,
    domain_rejection,
    mutation,
    require_role,
    restamp_conversation,
    tenure_months,
    visible_conversation,
)
from workstation.server.scope import conversation_filter
from workstation.server.tables import Call, Conversation, Message, ReplyScript, User

Queue = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=40)]


def _holder_name(session: Session, user_id: str | None) -> str:
    if user_id is None:
        return "nobody"
    user = session.get(User, user_id)
    return f"{user.display_name} ({user.username})" if user else user_id


# --- claim and transfer ----------------------------------------------------------------


class ClaimArgs(Args):
    conversation_id: Id


@mutation("claim_conversation", ClaimArgs)
def claim_conversation(
    session: Session, ctx: ServerContext, principal: Principal, args: ClaimArgs
) -> None:
    """Take an unassigned conversation (or confirm one already mine)."""
    require_role(principal, STAFF, "claiming a conversation")
    conv = visible_conversation(session, principal, args.conversation_id)
    try:
        rules.check_claim(assignee_id=conv.assignee_id, agent_id=principal.id)
    except rules.AlreadyClaimed:
        raise MutationRejected(
            "already_claimed",
            f"the conversation is already claimed by {_holder_name(session, conv.assignee_id)}",
        ) from None
    if not rules.may_take(
        ctx.policy,
        role=principal.role,
        tenure_months=tenure_months(ctx, principal),
        priority=Priority(conv.priority),
    ):
        raise MutationRejected(
            "needs_senior",
            "urgent conversations go to senior agents (with the required tenure) or team leads",
        )
    conv.assignee_id = principal.id


class TransferArgs(Args):
    conversation_id: Id
    to_user_id: Id | None = None
    to_queue: Queue | None = None

    @model_validator(mode="after")
    def _one_target(self) -> TransferArgs:
        if (self.to_user_id is None) == (self.to_queue is None):
            raise ValueError("give exactly one of to_user_id or to_queue")
        return self


@mutation("transfer_conversation", TransferArgs)
def transfer_conversation(
    session: Session, ctx: ServerContext, principal: Principal, args: TransferArgs
) -> None:
    """Hand a conversation to a colleague or back to a queue."""
    require_role(principal, STAFF, "transferring a conversation")
    conv = visible_conversation(session, principal, args.conversation_id)
    if principal.role not in LEADS and conv.assignee_id != principal.id:
        raise MutationRejected(
            "not_yours",
            "you can transfer only conversations you hold; it is held by "
            f"{_holder_name(session, conv.assignee_id)}",
        )
    if args.to_user_id is not None:
        target = session.get(User, args.to_user_id)
        if target is None or not target.active:
            raise MutationRejected("unknown_user", f"no active user with id {args.to_user_id}")
        if Role(target.role) is Role.FIELD_ENGINEER:
            raise MutationRejected("invalid_target", "field engineers do not work the inbox")
        conv.assignee_id = target.id
    else:
        assert args.to_queue is not None
        conv.queue = args.to_queue
        conv.assignee_id = None
    # New viewers must receive the history that lies below their pull cursor.
    restamp_conversation(session, conv.id)


# --- messages --------------------------------------------------------------------------


class ReplyArgs(Args):
    message_id: Id
    conversation_id: Id
    body: Body
    channel: Channel | None = None
    subject: Short | None = None
    script_id: Id | None = None
    script_version: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _script_pair(self) -> ReplyArgs:
        if (self.script_id is None) != (self.script_version is None):
            raise ValueError("script_id and script_version go together")
        return self


def _insert_only(session: Session, message_id: str, conversation_id: str) -> bool:
    """True when the message already exists here (a replay after a resync): nothing to do."""
    found = session.get(Message, message_id)
    if found is None:
        return False
    if found.conversation_id != conversation_id:
        raise MutationRejected("id_conflict", f"message id {message_id} is already used elsewhere")
    return True


@mutation("send_reply", ReplyArgs)
def send_reply(session: Session, ctx: ServerContext, principal: Principal, args: ReplyArgs) -> None:
    """Answer the customer; goes out on the conversation's channel unless another is chosen."""
    require_role(principal, STAFF, "replying")
    conv = visible_conversation(session, principal, args.conversation_id)
    if _insert_only(session, args.message_id, conv.id):
        return
    status = ConversationStatus(conv.status)
    if status is ConversationStatus.CLOSED:
        raise MutationRejected("conversation_closed", "the conversation is closed; replies cannot be added")
    if args.script_id is not None:
        script = session.get(ReplyScript, args.script_id)
        if script is None or script.approved_at is None or script.version != args.script_version:
            raise MutationRejected(
                "script_not_approved",
                f"script {args.script_id} version {args.script_version} is not an approved script",
            )
    now = ctx.clock()
    message = Message(
        id=args.message_id,
        conversation_id=conv.id,
        direction=MessageDirection.OUTBOUND.value,
        channel=(args.channel or Channel(conv.channel)).value,
        author_id=principal.id,
        body=args.body,
        subject=args.subject,
        script_id=args.script_id,
        script_version=args.script_version,
        attachments=[],
        delivery="queued",
        sent_at=now,
    )
    session.add(message)
    if conv.first_response_at is None:
        conv.first_response_at = now
    conv.preview = args.body[:300]
    conv.last_message_at = now
    conv.unread = 0
    if status is ConversationStatus.NEW:
        rules.check_status_transition(status, ConversationStatus.OPEN)
        conv.status = ConversationStatus.OPEN.value
    session.flush()
    outbound.deliver_reply(session, ctx, conversation=conv, message=message)


class NoteArgs(Args):
    message_id: Id
    conversation_id: Id
    body: Body


@mutation("add_note", NoteArgs)
def add_note(session: Session, ctx: ServerContext, principal: Principal, args: NoteArgs) -> None:
    """An internal note on the conversation, never sent to the customer."""
    require_role(principal, STAFF, "adding a note")
    conv = visible_conversation(session, principal, args.conversation_id)
    if _insert_only(session, args.message_id, conv.id):
        return
    session.add(
        Message(
            id=args.message_id,
            conversation_id=conv.id,
            direction=MessageDirection.NOTE.value,
            channel=conv.channel,
            author_id=principal.id,
            body=args.body,
            attachments=[],
            sent_at=ctx.clock(),
        )
    )


# --- ticket fields ---------------------------------------------------------------------


class FieldsArgs(Args):
    conversation_id: Id
    request_type: RequestType | None = None
    priority: Priority | None = None
    status: ConversationStatus | None = None
    tags: Annotated[list[Tag], Field(max_length=30)] | None = None

    @model_validator(mode="after")
    def _something(self) -> FieldsArgs:
        if self.request_type is None and self.priority is None and self.status is None and self.tags is None:
            raise ValueError("give at least one of request_type, priority, status, tags")
        return self


@mutation("set_conversation_fields", FieldsArgs)
def set_conversation_fields(
    session: Session, ctx: ServerContext, principal: Principal, args: FieldsArgs
) -> None:
    """Field-level last-writer-wins: only the fields given are written."""
    require_role(principal, STAFF, "editing a conversation")
    conv = visible_conversation(session, principal, args.conversation_id)
    if args.status is not None and args.status.value != conv.status:
        try:
            rules.check_status_transition(ConversationStatus(conv.status), args.status)
        except DomainError as exc:
            raise domain_rejection(exc) from None
        conv.status = args.status.value
        if args.status is ConversationStatus.CLOSED:
            conv.closed_at = ctx.clock()
    if args.request_type is not None:
        conv.request_type = args.request_type.value
    if args.priority is not None:
        conv.priority = args.priority.value
    if args.tags is not None:
        conv.tags = list(dict.fromkeys(args.tags))


class CaseRecordArgs(Args):
    conversation_id: Id
    asks: Text | None = None
    solution: Text | None = None
    promised_at: AwareDatetime | None = None
    wishes: Text | None = None


@mutation("update_case_record", CaseRecordArgs)
def update_case_record(
    session: Session, ctx: ServerContext, principal: Principal, args: CaseRecordArgs
) -> None:
    """What the customer asks, the solution offered, the time promised, special wishes."""
    require_role(principal, STAFF, "editing the case record")
    conv = visible_conversation(session, principal, args.conversation_id)
    record = dict(conv.case_record or {})
    given = args.model_dump(exclude_unset=True, exclude={"conversation_id"})
    for key, value in given.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        record[key] = value
    conv.case_record = record


# --- calls -----------------------------------------------------------------------------


class CallNotesArgs(Args):
    call_id: Id
    notes: Text
    wrap_up_code: Code | None = None


@mutation("record_call_notes", CallNotesArgs)
def record_call_notes(
    session: Session, ctx: ServerContext, principal: Principal, args: CallNotesArgs
) -> None:
    """Notes and the wrap-up code of a call."""
    require_role(principal, STAFF, "recording call notes")
    visible = select(Conversation.id).where(conversation_filter(principal))
    stmt = select(Call).where(Call.id == args.call_id)
    if not principal.sees_everything:
        stmt = stmt.where(or_(Call.agent_id == principal.id, Call.conversation_id.in_(visible)))
    call = session.execute(stmt.with_for_update()).scalar_one_or_none()
    if call is None:
        raise MutationRejected("not_found", f"call {args.call_id} does not exist or is not yours")
    call.notes = args.notes
    if args.wrap_up_code is not None:
        call.wrap_up_code = args.wrap_up_code
