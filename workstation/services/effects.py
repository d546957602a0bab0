"""The optimistic effect of each mutation on the local cache: plain functions keyed by the
mutation's wire name.

An effect shows the user what the server will (most likely) do with the intent, before the
server has it. The same function runs

- when the use case enqueues the mutation (in the same transaction as the outbox entry),
- after every pull, for each still-pending entry, on top of the fresh server rows
  (ARCHITECTURE.md "Sync protocol" 6: `pending.reapply_pending`),
- when a rejected entry is retried.

So an effect must be idempotent and lenient: a row that is not cached is skipped, a row the
server already has is never overwritten by an insert-only effect (messages, cases, offers,
QA evaluations, case events), and times come from the outbox entry's ``created_at``.

Undo (discarding a rejected change): before an effect first changes a row, the server's
version of that row is kept inside the row as ``data["_server"]`` (``None`` for a row made
here). `restore` puts that version back (or deletes a row made here). The next pull that
carries the row replaces it wholesale, and with it the kept copy — so ``"_server"`` is present
exactly while a row shows local, unconfirmed changes (a view may show that as "unsent").
We chose this over "mark for re-pull" because the pull cursor is server-wide: re-pulling one
row would mean re-pulling everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from workstation.domain import cases as case_rules
from workstation.domain import qa as qa_rules
from workstation.domain.authority import check_authority
from workstation.domain.compensation import (
    CompensationQuote,
    CompensationRequest,
    calculate_compensation,
)
from workstation.domain.enums import (
    CaseKind,
    CaseState,
    CompensationKind,
    ConversationStatus,
    MessageDirection,
    OfferStatus,
    Role,
    WorkOrderState,
)
from workstation.domain.policy import Policy
from workstation.services.changes import Key
from workstation.store.apply import get_row, save_local, stored_seq
from workstation.store.tables import ENTITY_TABLES

SERVER_COPY = "_server"
"""Key of the server's version of a row inside an optimistically changed row's data."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EffectContext:
    """Who acts, when (the outbox entry's time) and under which policy."""

    user_id: str
    role: Role
    tenure_months: int
    now: datetime
    policy: Policy


Effect = Callable[[Session, EffectContext, Mapping[str, Any]], None]


@dataclass(frozen=True, slots=True)
class EffectSpec:
    name: str
    targets: tuple[tuple[str, str], ...]
    """(entity, argument naming the row's id) for every row the effect may write."""
    apply: Effect


EFFECTS: dict[str, EffectSpec] = {}


def effect(name: str, *targets: tuple[str, str]) -> Callable[[Effect], Effect]:
    def register(fn: Effect) -> Effect:
        EFFECTS[name] = EffectSpec(name, targets, fn)
        return fn

    return register


def targets(name: str, args: Mapping[str, Any]) -> list[Key]:
    """The rows a mutation's effect may write (derived from its arguments)."""
    spec = EFFECTS.get(name)
    if spec is None:
        return []
    return [(entity, str(args[key])) for entity, key in spec.targets if args.get(key)]


def apply_effect(
    session: Session, ctx: EffectContext, name: str, args: Mapping[str, Any]
) -> list[Key]:
    """Apply `name`'s optimistic effect inside the caller's write transaction; returns the rows
    it may have written. Unknown names (e.g. salvaged entries) have no local effect."""
    spec = EFFECTS.get(name)
    if spec is None:
        return []
    spec.apply(session, ctx, args)
    return targets(name, args)


# --- rows ------------------------------------------------------------------------------


def wire_time(value: datetime) -> str:
    """A time as the server sends it (ISO-8601, UTC, 'Z')."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def load(session: Session, entity: str, id_: str) -> dict[str, Any] | None:
    """The cached row (wire dict, with ``_server`` if it has local changes), or None."""
    return get_row(session, entity, id_)


def server_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A cached row without the bookkeeping key."""
    return {k: v for k, v in row.items() if k != SERVER_COPY}


def _write(
    session: Session, entity: str, before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> None:
    data = server_view(after)
    if before is None:
        data[SERVER_COPY] = None  # made here: undoing it deletes it
    elif SERVER_COPY in before:
        data[SERVER_COPY] = before[SERVER_COPY]  # keep the first server version
    else:
        data[SERVER_COPY] = dict(before)
    save_local(session, entity, data)


def update_row(session: Session, entity: str, id_: str, changes: Mapping[str, Any]) -> bool:
    """Change some fields of a cached row; False (nothing done) if it is not cached."""
    before = load(session, entity, id_)
    if before is None:
        return False
    if all(before.get(k) == v for k, v in changes.items()):
        return True
    _write(session, entity, before, {**before, **changes})
    return True


def insert_row(session: Session, entity: str, row: Mapping[str, Any]) -> bool:
    """An insert-only record made here; never overwrites the server's version of it."""
    seq = stored_seq(session, entity, str(row["id"]))
    if seq is not None and seq > 0:
        return False
    before = load(session, entity, str(row["id"])) if seq is not None else None
    _write(session, entity, before, row)
    return True


def restore(session: Session, entity: str, id_: str) -> bool:
    """Undo every local change of a row: put the server's version back, or delete a row
    made here. False if the row has no local changes."""
    row = load(session, entity, id_)
    if row is None or SERVER_COPY not in row:
        return False
    server = row[SERVER_COPY]
    if server is None:
        table = ENTITY_TABLES[entity]
        session.execute(table.delete().where(table.c.id == id_))
    else:
        save_local(session, entity, server)
    return True


# --- conversations ---------------------------------------------------------------------


@effect("claim_conversation", ("conversations", "conversation_id"))
def _claim(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    update_row(session, "conversations", args["conversation_id"], {"assignee_id": ctx.user_id})


@effect("transfer_conversation", ("conversations", "conversation_id"))
def _transfer(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    if args.get("to_user_id"):
        changes: dict[str, Any] = {"assignee_id": args["to_user_id"]}
    else:
        changes = {"queue": args["to_queue"], "assignee_id": None}
    update_row(session, "conversations", args["conversation_id"], changes)


def _message(
    ctx: EffectContext,
    conv: Mapping[str, Any],
    args: Mapping[str, Any],
    direction: MessageDirection,
) -> dict[str, Any]:
    outbound = direction is MessageDirection.OUTBOUND
    return {
        "id": args["message_id"],
        "conversation_id": args["conversation_id"],
        "direction": direction.value,
        "channel": (args.get("channel") if outbound else None) or conv.get("channel"),
        "author_id": ctx.user_id,
        "body": args["body"],
        "subject": args.get("subject") if outbound else None,
        "external_id": None,
        "email_message_id": None,
        "in_reply_to": None,
        "attachments": [],
        "script_id": args.get("script_id") if outbound else None,
        "script_version": args.get("script_version") if outbound else None,
        "delivery": "queued" if outbound else None,
        "sent_at": wire_time(ctx.now),
    }


@effect("send_reply", ("messages", "message_id"), ("conversations", "conversation_id"))
def _reply(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    conv = load(session, "conversations", args["conversation_id"])
    if conv is None:
        return
    if not insert_row(session, "messages", _message(ctx, conv, args, MessageDirection.OUTBOUND)):
        return  # the server has the message: its conversation row is the truth
    changes: dict[str, Any] = {"unread": 0}
    if conv.get("first_response_at") is None:
        changes["first_response_at"] = wire_time(ctx.now)
    last = parse_time(conv.get("last_message_at"))
    if last is None or last <= ctx.now:
        changes["preview"] = str(args["body"])[:300]
        changes["last_message_at"] = wire_time(ctx.now)
    if conv.get("status") == ConversationStatus.NEW.value:
        changes["status"] = ConversationStatus.OPEN.value
    update_row(session, "conversations", conv["id"], changes)


@effect("add_note", ("messages", "message_id"))
def _note(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    conv = load(session, "conversations", args["conversation_id"])
    if conv is not None:
        insert_row(session, "messages", _message(ctx, conv, args, MessageDirection.NOTE))


@effect("set_conversation_fields", ("conversations", "conversation_id"))
def _fields(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    conv = load(session, "conversations", args["conversation_id"])
    if conv is None:
        return
    changes: dict[str, Any] = {}
    status = args.get("status")
    if status is not None and status != conv.get("status"):
        changes["status"] = status
        if status == ConversationStatus.CLOSED.value:
            changes["closed_at"] = wire_time(ctx.now)
    for key in ("request_type", "priority"):
        if args.get(key) is not None:
            changes[key] = args[key]
    if args.get("tags") is not None:
        changes["tags"] = list(dict.fromkeys(args["tags"]))
    update_row(session, "conversations", conv["id"], changes)


@effect("update_case_record", ("conversations", "conversation_id"))
def _case_record(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    conv = load(session, "conversations", args["conversation_id"])
    if conv is None:
        return
    record = dict(conv.get("case_record") or {})
    record.update({k: v for k, v in args.items() if k != "conversation_id"})
    update_row(session, "conversations", conv["id"], {"case_record": record})


@effect("record_call_notes", ("calls", "call_id"))
def _call_notes(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    changes: dict[str, Any] = {"notes": args["notes"]}
    if args.get("wrap_up_code") is not None:
        changes["wrap_up_code"] = args["wrap_up_code"]
    update_row(session, "calls", args["call_id"], changes)


# --- cases -----------------------------------------------------------------------------


@effect("open_case", ("cases", "case_id"))
def _open_case(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    item = load(session, "order_items", args["order_item_id"])
    order = load(session, "orders", item["order_id"]) if item else None
    if item is None or order is None:
        return
    kind = CaseKind(args["kind"])
    state = case_rules.INITIAL_STATE
    remote = bool(order.get("remote_area"))
    deadline = case_rules.case_deadline(
        ctx.policy, kind=kind, state=state, entered_at=ctx.now, remote_area=remote
    )
    insert_row(
        session,
        "cases",
        {
            "id": args["case_id"],
            "kind": kind.value,
            "state": state.value,
            "conversation_id": args.get("conversation_id"),
            "customer_id": order.get("customer_id"),
            "order_id": order["id"],
            "order_item_id": item["id"],
            "reason": args["reason"],
            "description": args.get("description", ""),
            "rejection_reason": None,
            "return_tracking": None,
            "replacement_tracking": None,
            "owner_department": case_rules.owner_department(kind, state).value,
            "deadline_at": None if deadline is None else wire_time(deadline),
            "state_entered_at": wire_time(ctx.now),
            "remote_area": remote,
            "created_by": ctx.user_id,
            "created_at": wire_time(ctx.now),
        },
    )


_TRACKED = {
    CaseState.SHIPPED_BACK: "return_tracking",
    CaseState.REPLACEMENT_SHIPPED: "replacement_tracking",
}


@effect("advance_case", ("cases", "case_id"), ("case_events", "event_id"))
def _advance_case(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    case = load(session, "cases", args["case_id"])
    if case is None:
        return
    kind, to_state = CaseKind(case["kind"]), CaseState(args["to_state"])
    if case.get("state") == to_state.value:
        return  # already there (this effect, or the server's version of it)
    changes: dict[str, Any] = {
        "state": to_state.value,
        "state_entered_at": wire_time(ctx.now),
        "owner_department": case_rules.owner_department(kind, to_state).value,
    }
    deadline = case_rules.case_deadline(
        ctx.policy,
        kind=kind,
        state=to_state,
        entered_at=ctx.now,
        remote_area=bool(case.get("remote_area")),
    )
    changes["deadline_at"] = None if deadline is None else wire_time(deadline)
    column = _TRACKED.get(to_state)
    if column is not None and args.get("tracking_number"):
        changes[column] = str(args["tracking_number"]).strip()
    if to_state is CaseState.REJECTED and args.get("reason"):
        changes["rejection_reason"] = str(args["reason"]).strip()
    from_state = case.get("state")
    update_row(session, "cases", case["id"], changes)
    if args.get("event_id"):
        insert_row(
            session,
            "case_events",
            {
                "id": args["event_id"],
                "case_id": case["id"],
                "from_state": from_state,
                "to_state": to_state.value,
                "actor_id": ctx.user_id,
                "note": args.get("note") or (args.get("reason") or ""),
                "at": wire_time(ctx.now),
            },
        )


# --- compensation ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferFacts:
    """What an offer is about, found in the cache the way the server finds it."""

    order: dict[str, Any]
    item: dict[str, Any] | None
    case: dict[str, Any] | None
    quantity: int


def offer_facts(session: Session, args: Mapping[str, Any]) -> OfferFacts | str:
    """The cached order (and item, case) of an offer, or the name of the argument that points
    at nothing cached."""
    case = None
    if args.get("case_id"):
        case = load(session, "cases", args["case_id"])
        if case is None:
            return "case_id"
    item_id = args.get("order_item_id") or (case.get("order_item_id") if case else None)
    item = load(session, "order_items", item_id) if item_id else None
    if item_id and item is None:
        return "order_item_id"
    order_id = (
        item["order_id"]
        if item
        else (args.get("order_id") or (case.get("order_id") if case else None))
    )
    order = load(session, "orders", order_id) if order_id else None
    if order is None:
        return "order_id"
    quantity = args.get("quantity") or (int(item.get("quantity") or 1) if item else 1)
    return OfferFacts(order=order, item=item, case=case, quantity=int(quantity))


def quote_offer(policy: Policy, facts: OfferFacts, args: Mapping[str, Any]) -> CompensationQuote:
    """The policy's amount for an offer (raises `DomainError`); the server recomputes it."""

    def dec(key: str) -> Decimal | None:
        value = args.get(key)
        return None if value is None else Decimal(str(value))

    return calculate_compensation(
        policy,
        CompensationRequest(
            kind=CompensationKind(args["kind"]),
            price=Decimal(str(facts.item["price"])) if facts.item else Decimal(0),
            quantity=facts.quantity,
            order_amount=Decimal(str(facts.order["amount"])),
            testing_fee=dec("testing_fee") or Decimal(0),
            shipping_fee=dec("shipping_fee") or Decimal(0),
            severity=args.get("severity"),
            reship=bool(args.get("reship", False)),
            goodwill_amount=dec("goodwill_amount"),
        ),
    )


@effect("offer_compensation", ("compensation_offers", "offer_id"))
def _offer(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    facts = offer_facts(session, args)
    if isinstance(facts, str):
        return
    quote = quote_offer(ctx.policy, facts, args)
    decision = check_authority(
        ctx.policy, role=ctx.role, tenure_months=ctx.tenure_months, amount=quote.authority_amount
    )
    status = OfferStatus.OFFERED if decision.within else OfferStatus.PENDING_APPROVAL
    insert_row(
        session,
        "compensation_offers",
        {
            "id": args["offer_id"],
            "conversation_id": args.get("conversation_id")
            or (facts.case or {}).get("conversation_id"),
            "case_id": facts.case["id"] if facts.case else None,
            "customer_id": facts.order.get("customer_id"),
            "order_id": facts.order["id"],
            "kind": args["kind"],
            "inputs": {},
            "rule": quote.rule,
            "lines": [
                {
                    "label": line.label,
                    "amount": money(line.amount),
                    "rule": line.rule,
                    "refund": line.refund,
                }
                for line in quote.lines
            ],
            "amount": money(quote.total),
            "authority_amount": money(quote.authority_amount),
            "status": status.value,
            "offered_by": ctx.user_id,
            "decided_by": None,
            "decided_at": None,
            "decision_reason": None,
            "approved_amount": None,
            "created_at": wire_time(ctx.now),
        },
    )


_DECIDED = {
    "approve": OfferStatus.APPROVED,
    "change": OfferStatus.CHANGED,
    "reject": OfferStatus.REJECTED,
}


@effect("decide_compensation", ("compensation_offers", "offer_id"))
def _decide(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    offer = load(session, "compensation_offers", args["offer_id"])
    if offer is None or offer.get("status") != OfferStatus.PENDING_APPROVAL.value:
        return
    decision = str(args["decision"])
    approved = None
    if decision == "approve":
        approved = offer.get("amount")
    elif decision == "change":
        approved = args.get("amount")
    update_row(
        session,
        "compensation_offers",
        offer["id"],
        {
            "status": _DECIDED[decision].value,
            "decided_by": ctx.user_id,
            "decided_at": wire_time(ctx.now),
            "decision_reason": (args.get("reason") or "").strip() or None,
            "approved_amount": approved,
        },
    )


# --- field work, quality ---------------------------------------------------------------


@effect("confirm_work_order", ("work_orders", "work_order_id"))
def _confirm(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    order = load(session, "work_orders", args["work_order_id"])
    if order is None or order.get("state") not in (
        WorkOrderState.SCHEDULED.value,
        WorkOrderState.CONFIRMED.value,
    ):
        return
    changes: dict[str, Any] = {
        "state": WorkOrderState.CONFIRMED.value,
        "confirmed_at": wire_time(ctx.now),
    }
    if args.get("visit_at"):
        changes["scheduled_at"] = wire_time(parse_time(args["visit_at"]) or ctx.now)
    update_row(session, "work_orders", order["id"], changes)


@effect("sign_off_work_order", ("work_orders", "work_order_id"))
def _sign_off(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    order = load(session, "work_orders", args["work_order_id"])
    if order is None or order.get("state") == WorkOrderState.SIGNED_OFF.value:
        return
    update_row(
        session,
        "work_orders",
        order["id"],
        {
            "diagnosis": args["diagnosis"],
            "parts": list(args.get("parts") or []),
            "labour_code": args.get("labour_code"),
            "signer_name": args["signer_name"],
            "signature": args["signature"],
            "report": args.get("report", ""),
            "signed_off_at": wire_time(ctx.now),
            "state": WorkOrderState.SIGNED_OFF.value,
        },
    )


@effect("record_qa_evaluation", ("qa_evaluations", "evaluation_id"))
def _qa(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    conv = load(session, "conversations", args["conversation_id"])
    if conv is None:
        return
    scores = {str(k): int(v) for k, v in dict(args["scores"]).items()}
    result = qa_rules.score_evaluation(ctx.policy, scores)
    insert_row(
        session,
        "qa_evaluations",
        {
            "id": args["evaluation_id"],
            "conversation_id": conv["id"],
            "agent_id": args.get("agent_id") or conv.get("assignee_id"),
            "evaluator_id": ctx.user_id,
            "scores": scores,
            "total": result.total,
            "passed": result.passed,
            "comment": args.get("comment", ""),
            "corrective_action": (args.get("corrective_action") or "").strip() or None,
            "amends": args.get("amends"),
            "created_at": wire_time(ctx.now),
        },
    )


@effect("record_survey_callback", ("surveys", "survey_id"))
def _survey_callback(session: Session, ctx: EffectContext, args: Mapping[str, Any]) -> None:
    survey = load(session, "surveys", args["survey_id"])
    if survey is None:
        return
    changes: dict[str, Any] = {"callback_notes": args["notes"]}
    if args.get("done", True) and survey.get("callback_done_at") is None:
        changes["callback_done_at"] = wire_time(ctx.now)
    update_row(session, "surveys", survey["id"], changes)
