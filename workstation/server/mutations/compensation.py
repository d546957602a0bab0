"""Compensation offers: the server recomputes every amount from policy and checks authority."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from workstation.domain.authority import check_authority
from workstation.domain.compensation import SEVERITIES, CompensationRequest, calculate_compensation
from workstation.domain.enums import CompensationKind, OfferStatus
from workstation.domain.errors import DomainError
from workstation.server.audit import record_audit
from workstation.server.auth import Principal
from workstation.server.context import ServerContext
from workstation.server.mutations.base import (
    LEADS,
    STAFF,
    Args,
    Id,
    Money,
    MutationRejected,
    Text,
    case_filter,
    domain_rejection,
    mutation,
    require_role,
    tenure_months,
    visible_conversation,
)
from workstation.server.tables import Case, CompensationOffer, Order, OrderItem

Severity = Annotated[str, StringConstraints(pattern="^(" + "|".join(SEVERITIES) + ")$")]


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class OfferArgs(Args):
    offer_id: Id
    kind: CompensationKind
    conversation_id: Id | None = None
    case_id: Id | None = None
    order_id: Id | None = None
    order_item_id: Id | None = None
    quantity: Annotated[int, Field(ge=1, le=10_000)] | None = None
    testing_fee: Money = Decimal(0)
    shipping_fee: Money = Decimal(0)
    severity: Severity | None = None
    reship: bool = False
    goodwill_amount: Money | None = None
    expected_amount: Money | None = None
    note: Text = ""

    @model_validator(mode="after")
    def _anchor(self) -> OfferArgs:
        if self.order_id is None and self.order_item_id is None and self.case_id is None:
            raise ValueError("give the order_item_id, order_id or case_id the offer is about")
        return self


@mutation("offer_compensation", OfferArgs)
def offer_compensation(
    session: Session, ctx: ServerContext, principal: Principal, args: OfferArgs
) -> None:
    """Offer compensation; the amount is the policy's, over the offerer's limit it waits for a lead."""
    require_role(principal, STAFF, "offering compensation")
    found = session.get(CompensationOffer, args.offer_id)
    if found is not None:
        if found.offered_by == principal.id and found.kind == args.kind.value:
            return
        raise MutationRejected("id_conflict", f"offer id {args.offer_id} is already used")
    case: Case | None = None
    if args.case_id is not None:
        stmt = select(Case).where(Case.id == args.case_id)
        if not principal.sees_everything:
            stmt = stmt.where(case_filter(principal))
        case = session.execute(stmt).scalar_one_or_none()
        if case is None:
            raise MutationRejected("not_found", f"case {args.case_id} does not exist or is not yours")
    item_id = args.order_item_id or (case.order_item_id if case else None)
    item = session.get(OrderItem, item_id) if item_id else None
    if item_id and item is None:
        raise MutationRejected("not_found", f"no order item with id {item_id}")
    order_id = item.order_id if item else (args.order_id or (case.order_id if case else None))
    order = session.get(Order, order_id) if order_id else None
    if order is None:
        raise MutationRejected("not_found", f"no order with id {order_id}")
    if args.order_id is not None and order.id != args.order_id:
        raise MutationRejected("order_mismatch", "the order item does not belong to that order")
    if args.conversation_id is not None:
        conv = visible_conversation(session, principal, args.conversation_id, lock=False)
        if conv.customer_id != order.customer_id:
            raise MutationRejected("customer_mismatch", "the order belongs to another customer than the conversation")
    if args.kind in (CompensationKind.FAKE_GOODS, CompensationKind.DAMAGED_GOODS) and item is None:
        raise MutationRejected("invalid_args", f"args.order_item_id: a {args.kind.value} offer needs the order item")
    quantity = args.quantity or (item.quantity if item else 1)
    if item is not None and quantity > item.quantity:
        raise MutationRejected(
            "invalid_args", f"args.quantity: {quantity} is more than the {item.quantity} bought"
        )
    inputs: dict[str, Any] = {
        "kind": args.kind.value,
        "price": _money(item.price if item else Decimal(0)),
        "quantity": quantity,
        "order_amount": _money(order.amount),
        "testing_fee": _money(args.testing_fee),
        "shipping_fee": _money(args.shipping_fee),
        "severity": args.severity,
        "reship": args.reship,
        "goodwill_amount": _money(args.goodwill_amount),
        "order_id": order.id,
        "order_item_id": item.id if item else None,
    }
    try:
        quote = calculate_compensation(
            ctx.policy,
            CompensationRequest(
                kind=args.kind,
                price=item.price if item else Decimal(0),
                quantity=quantity,
                order_amount=order.amount,
                testing_fee=args.testing_fee,
                shipping_fee=args.shipping_fee,
                severity=args.severity,
                reship=args.reship,
                goodwill_amount=args.goodwill_amount,
            ),
        )
    except DomainError as exc:
        raise domain_rejection(exc) from None
    if args.expected_amount is not None and args.expected_amount != quote.total:
        raise MutationRejected(
            "amount_mismatch",
            f"the policy gives {quote.total:.2f} (rule {quote.rule}), not the "
            f"{args.expected_amount:.2f} shown to you; review the offer and send it again",
        )
    months = tenure_months(ctx, principal)
    decision = check_authority(ctx.policy, role=principal.role, tenure_months=months, amount=quote.authority_amount)
    status = OfferStatus.OFFERED if decision.within else OfferStatus.PENDING_APPROVAL
    now = ctx.clock()
    lines = [
        {"label": line.label, "amount": _money(line.amount), "rule": line.rule, "refund": line.refund}
        for line in quote.lines
    ]
    offer = CompensationOffer(
        id=args.offer_id,
        conversation_id=args.conversation_id or (case.conversation_id if case else None),
        case_id=case.id if case else None,
        customer_id=order.customer_id,
        order_id=order.id,
        kind=args.kind.value,
        inputs=inputs,
        rule=quote.rule,
        lines=lines,
        amount=quote.total,
        authority_amount=quote.authority_amount,
        status=status.value,
        offered_by=principal.id,
        created_at=now,
    )
    session.add(offer)
    record_audit(
        session,
        ctx,
        actor=principal,
        action="compensation.offer",
        target_type="compensation_offer",
        target_id=offer.id,
        details={
            "inputs": inputs,
            "rule": quote.rule,
            "rounding": quote.rounding,
            "lines": lines,
            "amount": _money(quote.total),
            "authority_amount": _money(quote.authority_amount),
            "offerer_limit": _money(decision.limit),
            "tenure_months": months,
            "status": status.value,
            "needs": decision.needs.value if decision.needs else None,
            "note": args.note,
        },
    )


class Decision(StrEnum):
    APPROVE = "approve"
    CHANGE = "change"
    REJECT = "reject"


class DecideArgs(Args):
    offer_id: Id
    decision: Decision
    amount: Money | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> DecideArgs:
        if self.decision is Decision.CHANGE and self.amount is None:
            raise ValueError("a change needs the new amount")
        if self.decision is not Decision.CHANGE and self.amount is not None:
            raise ValueError("amount is only for a change")
        return self


@mutation("decide_compensation", DecideArgs)
def decide_compensation(
    session: Session, ctx: ServerContext, principal: Principal, args: DecideArgs
) -> None:
    """A team lead approves, changes (within their own authority) or rejects a pending offer."""
    require_role(principal, LEADS, "deciding on compensation")
    offer = session.execute(
        select(CompensationOffer).where(CompensationOffer.id == args.offer_id).with_for_update()
    ).scalar_one_or_none()
    if offer is None:
        raise MutationRejected("not_found", f"no compensation offer with id {args.offer_id}")
    if offer.status != OfferStatus.PENDING_APPROVAL.value:
        raise MutationRejected("already_decided", f"the offer is {offer.status}, not waiting for approval")
    reason = (args.reason or "").strip() or None
    months = tenure_months(ctx, principal)
    refund_part = offer.amount - offer.authority_amount
    if args.decision is Decision.REJECT:
        if reason is None:
            raise MutationRejected("reason_required", "a rejection must give its reason")
        status, approved = OfferStatus.REJECTED, None
    else:
        approved = offer.amount if args.decision is Decision.APPROVE else args.amount
        assert approved is not None
        if approved < refund_part:
            raise MutationRejected(
                "invalid_amount",
                f"the amount cannot be below the refund of the price paid ({refund_part:.2f})",
            )
        counted = approved - refund_part
        try:
            decision = check_authority(ctx.policy, role=principal.role, tenure_months=months, amount=counted)
        except DomainError as exc:
            raise domain_rejection(exc) from None
        if not decision.within:
            raise MutationRejected(
                "over_authority",
                f"{counted:.2f} of compensation is above your limit of {decision.limit:.2f}"
                + (f"; it needs {decision.needs.value}" if decision.needs else ""),
            )
        status = OfferStatus.APPROVED if args.decision is Decision.APPROVE else OfferStatus.CHANGED
    now = ctx.clock()
    previous = offer.status
    offer.status = status.value
    offer.decided_by = principal.id
    offer.decided_at = now
    offer.decision_reason = reason
    offer.approved_amount = approved
    record_audit(
        session,
        ctx,
        actor=principal,
        action=f"compensation.{args.decision.value}",
        target_type="compensation_offer",
        target_id=offer.id,
        details={
            "from_status": previous,
            "status": status.value,
            "offered_amount": _money(offer.amount),
            "approved_amount": _money(approved),
            "rule": offer.rule,
            "offered_by": offer.offered_by,
            "reason": reason,
        },
    )
