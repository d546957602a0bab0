"""The Pending Changes list: one line per outbox entry, retry, discard, and re-applying the
optimistic effects of pending entries after a pull (ARCHITECTURE.md "Sync protocol" 6, 10).

Functions here run inside the caller's write/read transaction; `DeskServices` opens it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workstation.services import effects
from workstation.services.changes import Key, ServiceError
from workstation.services.effects import EffectContext, load
from workstation.store import outbox
from workstation.store.tables import outbox as outbox_table


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingChange:
    """One row of the Pending Changes list."""

    mutation_id: int
    name: str
    summary: str
    """A short human line, e.g. "Reply to 李雷: 您好…"."""
    status: Literal["pending", "rejected"]
    code: str | None
    """The server's rejection code (``already_claimed`` …) when rejected."""
    reason: str | None
    """The server's explanation when rejected — show it to the user."""
    created_at: str
    attempts: int = 0
    last_error: str | None = None
    entity: str | None = None
    entity_id: str | None = None


ContextFor = Callable[[str], EffectContext]
"""An effect context for an outbox entry's ``created_at``."""


# --- summaries ---------------------------------------------------------------------------


def _clip(text: Any, n: int = 24) -> str:
    value = " ".join(str(text or "").split())
    return value if len(value) <= n else value[: n - 1] + "…"


def _customer_of_conversation(session: Session, conversation_id: Any) -> str:
    if not conversation_id:
        return "?"
    conv = load(session, "conversations", str(conversation_id))
    if conv is None:
        return "a conversation"
    customer = load(session, "customers", str(conv.get("customer_id") or ""))
    if customer and customer.get("display_name"):
        return str(customer["display_name"])
    return _clip(conv.get("subject") or "a conversation", 16)


def _user_name(session: Session, user_id: Any) -> str:
    user = load(session, "users", str(user_id)) if user_id else None
    return str(user.get("display_name") or user.get("username")) if user else str(user_id)


def summarize(session: Session, name: str, args: Mapping[str, Any]) -> str:
    """A short human line for an outbox entry."""
    who = _customer_of_conversation(session, args.get("conversation_id"))
    if name == "send_reply":
        return f"Reply to {who}: {_clip(args.get('body'))}"
    if name == "add_note":
        return f"Note on {who}: {_clip(args.get('body'))}"
    if name == "claim_conversation":
        return f"Claim the conversation with {who}"
    if name == "transfer_conversation":
        target = (
            _user_name(session, args["to_user_id"])
            if args.get("to_user_id")
            else f"queue {args.get('to_queue')}"
        )
        return f"Transfer the conversation with {who} to {target}"
    if name == "set_conversation_fields":
        given = ", ".join(
            f"{k} {v if not isinstance(v, list) else ', '.join(map(str, v))}"
            for k, v in args.items()
            if k != "conversation_id"
        )
        return f"Set {given} on {who}"
    if name == "update_case_record":
        return f"Update the case record of {who}"
    if name == "record_call_notes":
        return f"Call notes: {_clip(args.get('notes'))}"
    if name == "open_case":
        item = load(session, "order_items", str(args.get("order_item_id")))
        title = item.get("title") if item else "an order item"
        return f"Open a {args.get('kind')} case for {title}"
    if name == "advance_case":
        return f"Move case to {args.get('to_state')}"
    if name == "offer_compensation":
        amount = args.get("expected_amount")
        return f"Offer {args.get('kind')} compensation" + (f" of ¥{amount}" if amount else "")
    if name == "decide_compensation":
        return f"{str(args.get('decision')).capitalize()} a compensation offer"
    if name == "confirm_work_order":
        return "Confirm the visit of a work order"
    if name == "sign_off_work_order":
        return f"Sign off a work order ({_clip(args.get('signer_name'), 16)})"
    if name == "record_qa_evaluation":
        return f"QA evaluation of the conversation with {who}"
    if name == "record_survey_callback":
        return f"Survey callback: {_clip(args.get('notes'))}"
    return name.replace("_", " ")


def pending_changes(session: Session) -> list[PendingChange]:
    rows = session.execute(select(outbox_table).order_by(outbox_table.c.mutation_id))
    found: list[PendingChange] = []
    for row in rows:
        m = row._mapping
        args = m["args"] if isinstance(m["args"], dict) else {}
        found.append(
            PendingChange(
                mutation_id=int(m["mutation_id"]),
                name=str(m["name"]),
                summary=summarize(session, str(m["name"]), args),
                status="rejected" if m["status"] == "rejected" else "pending",
                code=m["rejection_code"],
                reason=m["rejection_reason"],
                created_at=str(m["created_at"]),
                attempts=int(m["attempts"] or 0),
                last_error=m["last_error"],
                entity=m["entity"],
                entity_id=m["entity_id"],
            )
        )
    return found


# --- re-applying, retry, discard ----------------------------------------------------------


def _entries(session: Session, *, statuses: tuple[str, ...]) -> list[Mapping[str, Any]]:
    stmt = (
        select(outbox_table)
        .where(outbox_table.c.status.in_(statuses))
        .order_by(outbox_table.c.mutation_id)
    )
    return [dict(row._mapping) for row in session.execute(stmt)]


def reapply(
    session: Session,
    context_for: ContextFor,
    *,
    only: set[Key] | None = None,
    statuses: tuple[str, ...] = ("pending",),
) -> set[Key]:
    """Re-apply the effects of outbox entries (oldest first) on top of the cached rows; with
    `only`, just the entries touching those rows. Returns the rows written."""
    touched: set[Key] = set()
    for entry in _entries(session, statuses=statuses):
        args = entry["args"]
        if not isinstance(args, dict):
            continue
        keys = effects.targets(str(entry["name"]), args)
        if only is not None and not only.intersection(keys):
            continue
        try:
            with session.begin_nested():
                touched.update(
                    effects.apply_effect(
                        session, context_for(str(entry["created_at"])), str(entry["name"]), args
                    )
                )
        except Exception:  # noqa: BLE001 - one odd entry must not hide the others' effects
            continue
    return touched


def _entry(session: Session, mutation_id: int) -> Mapping[str, Any]:
    row = session.execute(
        select(outbox_table).where(outbox_table.c.mutation_id == mutation_id)
    ).first()
    if row is None:
        raise ServiceError(
            "mutation_id", f"change #{mutation_id} is not in the list (already sent or discarded)"
        )
    return dict(row._mapping)


def retry(
    session: Session, context_for: ContextFor, mutation_id: int, created_at: str
) -> tuple[int, list[Key]]:
    """Send a rejected change again under a new mutation id (the old id is used up at the
    server) and show its effect again. A pending one is left alone (it is retried anyway)."""
    old = _entry(session, mutation_id)
    if old["status"] != "rejected":
        return mutation_id, []
    args = dict(old["args"]) if isinstance(old["args"], dict) else {}
    new_id = outbox.enqueue(
        session,
        str(old["name"]),
        args,
        entity=old["entity"],
        entity_id=old["entity_id"],
        schema_version=int(old["schema_version"]),
        created_at=created_at,
    )
    session.execute(delete(outbox_table).where(outbox_table.c.mutation_id == mutation_id))
    keys = effects.apply_effect(session, context_for(created_at), str(old["name"]), args)
    return new_id, keys


def discard(session: Session, context_for: ContextFor, mutation_id: int) -> list[Key]:
    """Drop a rejected change and undo its local effect: the rows it touched go back to the
    server's version, then the other outbox entries touching them are re-applied."""
    old = _entry(session, mutation_id)
    if old["status"] != "rejected":
        raise ServiceError(
            "mutation_id",
            f"change #{mutation_id} is still waiting to be sent; only a rejected change can be "
            "discarded (it may already be at the server)",
        )
    args = old["args"] if isinstance(old["args"], dict) else {}
    keys = effects.targets(str(old["name"]), args)
    session.execute(delete(outbox_table).where(outbox_table.c.mutation_id == mutation_id))
    restored = {key for key in keys if effects.restore(session, *key)}
    if restored:
        reapply(session, context_for, only=restored, statuses=("pending", "rejected"))
    return keys
