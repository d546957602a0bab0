"""Return, exchange and repair cases: opening (with eligibility) and moving through their states."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import StringConstraints, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.domain import cases as case_rules
from workstation.domain import returns
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import CaseKind, CaseState, Category
from workstation.domain.errors import DomainError
from workstation.domain.ids import new_id
from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.mutations.base import (
    STAFF,
    Args,
    Id,
    MutationRejected,
    Text,
    case_filter,
    domain_rejection,
    mutation,
    require_role,
    visible_conversation,
)
from workstation.server.tables import Case, CaseEvent, Order, OrderItem


def item_facts(item: OrderItem, order: Order, **extra: bool) -> OrderItemFacts:
    """An order line as the domain's rules see it."""
    try:
        return OrderItemFacts(
            category=Category(item.category),
            price=item.price,
            quantity=item.quantity,
            paid_at=order.paid_at or order.placed_at,
            delivered_at=order.delivered_at,
            high_value=item.high_value,
            warranty_months=item.warranty_months,
            no_reason_excluded=item.no_reason_excluded,
            **extra,
        )
    except (DomainError, ValueError) as exc:
        raise MutationRejected("bad_order_data", f"order item {item.id} cannot be assessed: {exc}") from None


def _event(
    session: Session,
    *,
    case: Case,
    from_state: str | None,
    to_state: str,
    principal: Principal,
    note: str,
    at: datetime,
    event_id: str | None = None,
) -> None:
    session.add(
        CaseEvent(
            id=event_id or new_id(),
            case_id=case.id,
            from_state=from_state,
            to_state=to_state,
            actor_id=principal.id,
            note=note,
            at=at,
        )
    )


class OpenCaseArgs(Args):
    case_id: Id
    kind: CaseKind
    order_item_id: Id
    conversation_id: Id | None = None
    reason: returns.Reason
    description: Text = ""
    has_evidence: bool = False
    customer_fault: bool = False
    used: bool = False
    packaging_intact: bool = True


_WANTED = {CaseKind.RETURN: returns.Verdict.RETURN, CaseKind.EXCHANGE: returns.Verdict.EXCHANGE}


@mutation("open_case", OpenCaseArgs)
def open_case(session: Session, ctx: ServerContext, principal: Principal, args: OpenCaseArgs) -> None:
    """Open a return, exchange or repair case on an order item; returns and exchanges must be
    eligible under the policy."""
    require_role(principal, STAFF, "opening a case")
    found = session.get(Case, args.case_id)
    if found is not None:
        if found.order_item_id == args.order_item_id and found.kind == args.kind.value:
            return  # already opened (a replay after a resync)
        raise MutationRejected("id_conflict", f"case id {args.case_id} is already used")
    item = session.get(OrderItem, args.order_item_id)
    if item is None:
        raise MutationRejected("not_found", f"no order item with id {args.order_item_id}")
    order = session.get(Order, item.order_id)
    assert order is not None
    if args.conversation_id is not None:
        conv = visible_conversation(session, principal, args.conversation_id, lock=False)
        if conv.customer_id != order.customer_id:
            raise MutationRejected(
                "customer_mismatch", "the order belongs to another customer than the conversation"
            )
    now = ctx.clock()
    if args.kind in _WANTED:
        facts = item_facts(item, order, used=args.used, packaging_intact=args.packaging_intact)
        try:
            verdict = returns.assess_return(
                ctx.policy,
                item=facts,
                reason=args.reason,
                has_evidence=args.has_evidence,
                customer_fault=args.customer_fault,
                remote_area=order.remote_area,
                now=now,
            )
        except DomainError as exc:
            raise domain_rejection(exc) from None
        if not verdict.eligible:
            raise MutationRejected("not_eligible", f"{verdict.explanation} (rule {verdict.rule})")
        if _WANTED[args.kind] not in verdict.options:
            offered = ", ".join(v.value for v in verdict.options)
            raise MutationRejected(
                "not_eligible",
                f"{verdict.explanation} A {args.kind.value} is not possible; the policy allows: "
                f"{offered} (rule {verdict.rule})",
            )
    state = case_rules.INITIAL_STATE
    case = Case(
        id=args.case_id,
        kind=args.kind.value,
        state=state.value,
        conversation_id=args.conversation_id,
        customer_id=order.customer_id,
        order_id=order.id,
        order_item_id=item.id,
        reason=args.reason.value,
        description=args.description,
        owner_department=case_rules.owner_department(args.kind, state).value,
        deadline_at=case_rules.case_deadline(
            ctx.policy, kind=args.kind, state=state, entered_at=now, remote_area=order.remote_area
        ),
        state_entered_at=now,
        remote_area=order.remote_area,
        created_by=principal.id,
        created_at=now,
    )
    session.add(case)
    _event(session, case=case, from_state=None, to_state=state.value, principal=principal, note=args.description, at=now)


class AdvanceCaseArgs(Args):
    case_id: Id
    to_state: CaseState
    reason: Text | None = None
    tracking_number: Annotated[str, StringConstraints(max_length=40)] | None = None
    note: Text = ""
    event_id: Id | None = None

    @model_validator(mode="after")
    def _tracking(self) -> AdvanceCaseArgs:
        if self.tracking_number is not None and not self.tracking_number.strip():
            raise ValueError("tracking_number must not be blank")
        return self


# Steps that hand a parcel to a carrier; the customer is told its tracking number.
_TRACKED = {CaseState.SHIPPED_BACK: "return_tracking", CaseState.REPLACEMENT_SHIPPED: "replacement_tracking"}


@mutation("advance_case", AdvanceCaseArgs)
def advance_case(
    session: Session, ctx: ServerContext, principal: Principal, args: AdvanceCaseArgs
) -> None:
    """Move a case along its state machine; a rejection carries its reason."""
    require_role(principal, STAFF, "advancing a case")
    stmt = select(Case).where(Case.id == args.case_id)
    if not principal.sees_everything:
        stmt = stmt.where(case_filter(principal))
    case = session.execute(stmt.with_for_update()).scalar_one_or_none()
    if case is None:
        raise MutationRejected("not_found", f"case {args.case_id} does not exist or is not yours")
    kind, current = CaseKind(case.kind), CaseState(case.state)
    try:
        case_rules.check_transition(kind, current, args.to_state, reason=args.reason)
    except DomainError as exc:
        code = "reason_required" if exc.field == "reason" else None
        rejection = domain_rejection(exc)
        raise MutationRejected(code or rejection.code, rejection.reason) from None
    column = _TRACKED.get(args.to_state)
    if column is not None:
        if not args.tracking_number:
            raise MutationRejected(
                "tracking_required", f"moving to {args.to_state.value} needs the tracking number"
            )
        setattr(case, column, args.tracking_number.strip())
    now = ctx.clock()
    if args.to_state is CaseState.REJECTED:
        case.rejection_reason = case_rules.require_rejection_reason(args.reason)
    case.state = args.to_state.value
    case.state_entered_at = now
    case.owner_department = case_rules.owner_department(kind, args.to_state).value
    case.deadline_at = case_rules.case_deadline(
        ctx.policy, kind=kind, state=args.to_state, entered_at=now, remote_area=case.remote_area
    )
    note = args.note or (args.reason or "")
    _event(
        session,
        case=case,
        from_state=current.value,
        to_state=args.to_state.value,
        principal=principal,
        note=note,
        at=now,
        event_id=args.event_id,
    )
