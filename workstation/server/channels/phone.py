"""Phone events from the telephony system (CTI): ringing, answered, ended, missed.

A call is one `Call` row keyed by the CTI's call id. Events may arrive twice or out of order
(an "ended" overtaking its "answered"); each event sets only its own facts, so applying them in
any order gives the same row, and an event whose facts are already there is a no-op:

- ringing: the call exists (state ringing) with the caller's customer if the number is known;
  the ringing agent's desk gets a screen-pop hint.
- answered: answered_at and the agent; the call joins the customer's open phone conversation
  (opened if needed, assigned to the agent, first response = the answer).
- ended: ended_at and the duration (given, or measured from the answer).
- missed: the call ends unanswered and opens a conversation in the inbox for a callback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.domain.enums import CallState, ConversationStatus
from workstation.domain.ids import new_id
from workstation.server.channels.intake import (
    find_open_conversation,
    lock_customer,
    open_conversation,
    run_write,
)
from workstation.server.channels.schemas import PhoneEvent
from workstation.server.context import ServerContext
from workstation.server.identity import (
    PHONE,
    find_customer_by_phone,
    mask_caller,
    normalise_phone,
    resolve_customer,
)
from workstation.server.problems import Problem
from workstation.server.tables import Call, Conversation, Customer, User

_RANK = {CallState.RINGING.value: 0, CallState.ANSWERED.value: 1, CallState.ENDED.value: 2, CallState.MISSED.value: 2}


@dataclass(frozen=True, kw_only=True)
class PhoneResult:
    call_id: str
    external_call_id: str
    state: str
    customer_id: str | None
    conversation_id: str | None
    duplicate: bool
    screen_pop: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "external_call_id": self.external_call_id,
            "state": self.state,
            "customer_id": self.customer_id,
            "conversation_id": self.conversation_id,
            "duplicate": self.duplicate,
        }


def _customer_for_call(session: Session, ctx: ServerContext, call: Call) -> Customer:
    if call.customer_id is not None:
        found = session.get(Customer, call.customer_id)
        if found is not None:
            return found
    if normalise_phone(call.caller) is not None:
        return resolve_customer(session, ctx, channel="phone", handle_kind=PHONE, handle=call.caller)
    # A withheld or garbled number: a customer of its own, never shared with other anonymous callers.
    now = ctx.clock()
    customer = Customer(
        id=new_id(), display_name=f"Caller {call.caller}"[:200], preferred_channel="phone", created_at=now, updated_at=now
    )
    session.add(customer)
    session.flush()
    return customer


def _conversation_for_call(
    session: Session, ctx: ServerContext, call: Call, *, at: datetime, missed: bool
) -> Conversation:
    customer = _customer_for_call(session, ctx, call)
    call.customer_id = customer.id
    lock_customer(session, customer)
    conv = None
    if call.conversation_id is not None:
        conv = session.get(Conversation, call.conversation_id)
    if conv is None:
        conv = find_open_conversation(session, customer_id=customer.id, channel="phone")
    if conv is None:
        conv = open_conversation(
            session, ctx, customer=customer, channel="phone", text="", subject=None, order=None, now=ctx.clock(),
            extra_tags=["missed_call"] if missed else None,
        )
    masked = mask_caller(call.caller) or ""
    conv.preview = (f"Missed call from {masked}" if missed else f"Call from {masked}")[:300]
    conv.last_message_at = max(conv.last_message_at, at)
    conv.last_inbound_at = at if conv.last_inbound_at is None else max(conv.last_inbound_at, at)
    if missed:
        conv.unread = (conv.unread or 0) + 1
        if conv.status == ConversationStatus.PENDING_CUSTOMER.value:
            conv.status = ConversationStatus.OPEN.value
    call.conversation_id = conv.id
    return conv


def _agent_id(session: Session, username: str | None) -> str | None:
    if username is None:
        return None
    user_id = session.execute(select(User.id).where(User.username == username)).scalar_one_or_none()
    if user_id is None:
        raise Problem(
            422, "Invalid input", f"body.agent: no user named {username!r}", kind="invalid-input",
            errors=[{"field": "body.agent", "message": "unknown user"}],
        )
    return user_id


def apply_phone_event(ctx: ServerContext, event: PhoneEvent) -> PhoneResult:
    def work(session: Session) -> PhoneResult:
        now = ctx.clock()
        at = min(event.at, now) if event.at is not None else now
        call = session.execute(select(Call).where(Call.external_call_id == event.call_id)).scalar_one_or_none()
        created = call is None
        if call is None:
            known = find_customer_by_phone(session, event.caller)
            call = Call(
                id=new_id(),
                external_call_id=event.call_id,
                caller=event.caller.strip()[:40],
                state=CallState.RINGING.value,
                customer_id=known.id if known else None,
                ringing_at=at,
                notes="",
            )
            session.add(call)
        duplicate = False
        screen_pop = None
        if at < call.ringing_at:
            call.ringing_at = at  # an earlier event arrived late: the call started then
        if event.event == "ringing":
            duplicate = not created and not session.is_modified(call)
            if created:
                screen_pop = {
                    "call_id": call.id,
                    "caller_masked": mask_caller(call.caller),
                    "customer_id": call.customer_id,
                    "agent": event.agent,
                }
        elif event.event == "answered":
            if call.answered_at is not None:
                duplicate = True
            else:
                agent_id = _agent_id(session, event.agent)
                call.answered_at = at
                call.agent_id = agent_id or call.agent_id
                if _RANK[call.state] < _RANK[CallState.ANSWERED.value]:
                    call.state = CallState.ANSWERED.value
                elif call.state == CallState.MISSED.value:
                    call.state = CallState.ENDED.value  # it was answered after all
                conv = _conversation_for_call(session, ctx, call, at=at, missed=False)
                if conv.status == ConversationStatus.NEW.value:
                    conv.status = ConversationStatus.OPEN.value
                elif conv.status == ConversationStatus.PENDING_CUSTOMER.value:
                    conv.status = ConversationStatus.OPEN.value
                if conv.assignee_id is None and agent_id is not None:
                    conv.assignee_id = agent_id
                if conv.first_response_at is None:
                    conv.first_response_at = at
        elif event.event == "ended":
            if call.ended_at is not None:
                duplicate = True
            else:
                call.ended_at = at
                if event.duration_s is not None:
                    call.duration_s = event.duration_s
                elif call.answered_at is not None:
                    call.duration_s = max(int((at - call.answered_at).total_seconds()), 0)
                else:
                    call.duration_s = 0
                call.state = CallState.ENDED.value
        else:  # missed
            if call.ended_at is not None or call.answered_at is not None:
                duplicate = call.ended_at is not None
                if call.ended_at is None:  # answered but reported missed: the call just ended
                    call.ended_at = at
                    call.state = CallState.ENDED.value
            else:
                call.ended_at = at
                call.duration_s = 0
                call.state = CallState.MISSED.value
                _conversation_for_call(session, ctx, call, at=at, missed=True)
        session.flush()
        return PhoneResult(
            call_id=call.id,
            external_call_id=call.external_call_id,
            state=call.state,
            customer_id=call.customer_id,
            conversation_id=call.conversation_id,
            duplicate=duplicate,
            screen_pop=screen_pop,
        )

    def read_back() -> PhoneResult | None:
        return None  # a concurrent event created the call: run again and apply ours on top

    return run_write(ctx, work, on_conflict=read_back)
