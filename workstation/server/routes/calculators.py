"""Calculators: the same domain code the client runs offline, answered by the server.

They compute and save nothing; offers are made through the offer_compensation mutation, where
the server recomputes the amount again.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import AfterValidator, Field

from workstation.domain.authority import check_authority
from workstation.domain.compensation import CompensationRequest, calculate_compensation
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import Category, CompensationKind
from workstation.domain.errors import DomainError
from workstation.domain.returns import Reason, assess_return
from workstation.domain.warranty import quote_repair
from workstation.server import serialize
from workstation.server.facts import domain_problem, item_facts, load_item
from workstation.server.problems import unprocessable
from workstation.server.routes._common import Anyone, Ctx, Staff
from workstation.server.schemas import Strict

router = APIRouter(tags=["calculators"])


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2026-11-01T15:00:00+08:00")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("10000000"), max_digits=12, decimal_places=2)]


class ItemInput(Strict):
    """Either an order item the server knows, or the facts typed in."""

    order_item_id: str | None = Field(default=None, max_length=36)
    category: Category | None = None
    price: Amount | None = None
    quantity: int = Field(default=1, ge=1, le=10_000)
    paid_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None
    high_value: bool = False
    warranty_months: int | None = Field(default=None, ge=0, le=240)
    no_reason_excluded: bool = False
    used: bool = False
    packaging_intact: bool = True


def _facts(ctx: Any, item: ItemInput) -> OrderItemFacts:
    if item.order_item_id:
        with ctx.db.read() as session:
            order, row = load_item(session, item.order_item_id)
            return item_facts(order, row, used=item.used, packaging_intact=item.packaging_intact)
    missing = [name for name in ("category", "price", "paid_at") if getattr(item, name) is None]
    if missing:
        raise unprocessable(f"give order_item_id, or the item facts: {', '.join(missing)} missing", field=f"item.{missing[0]}")
    assert item.category is not None and item.price is not None and item.paid_at is not None
    return OrderItemFacts(
        category=item.category,
        price=item.price,
        quantity=item.quantity,
        paid_at=item.paid_at,
        delivered_at=item.delivered_at,
        high_value=item.high_value,
        warranty_months=item.warranty_months,
        no_reason_excluded=item.no_reason_excluded,
        used=item.used,
        packaging_intact=item.packaging_intact,
    )


class EligibilityRequest(Strict):
    item: ItemInput
    reason: Reason
    has_evidence: bool = False
    customer_fault: bool = False
    remote_area: bool = False


@router.post("/calculators/return-eligibility", response_model=dict[str, Any])
def return_eligibility(body: EligibilityRequest, ctx: Ctx, _: Staff) -> dict[str, Any]:
    try:
        result = assess_return(
            ctx.policy,
            item=_facts(ctx, body.item),
            reason=body.reason,
            has_evidence=body.has_evidence,
            customer_fault=body.customer_fault,
            remote_area=body.remote_area,
            now=ctx.clock(),
        )
    except DomainError as exc:
        raise domain_problem(exc) from exc
    return {
        "verdict": result.verdict.value,
        "eligible": result.eligible,
        "options": [o.value for o in result.options],
        "rule": result.rule,
        "explanation": result.explanation,
        "deadline": serialize.value(result.deadline),
        "ship_back_days": result.ship_back_days,
    }


class CompensationInput(Strict):
    kind: CompensationKind
    item: ItemInput | None = None
    price: Amount | None = None
    quantity: int = Field(default=1, ge=1, le=10_000)
    order_amount: Amount | None = None
    testing_fee: Amount = Decimal(0)
    shipping_fee: Amount = Decimal(0)
    severity: str | None = Field(default=None, max_length=20)
    reship: bool = False
    goodwill_amount: Amount | None = None


@router.post("/calculators/compensation", response_model=dict[str, Any])
def compensation_quote(body: CompensationInput, ctx: Ctx, principal: Staff) -> dict[str, Any]:
    try:
        price, quantity = body.price, body.quantity
        if body.item is not None:
            facts = _facts(ctx, body.item)
            price, quantity = facts.price, facts.quantity
        if price is None:
            raise unprocessable("give price or item", field="price")
        quote = calculate_compensation(
            ctx.policy,
            CompensationRequest(
                kind=body.kind,
                price=price,
                quantity=quantity,
                order_amount=body.order_amount,
                testing_fee=body.testing_fee,
                shipping_fee=body.shipping_fee,
                severity=body.severity,
                reship=body.reship,
                goodwill_amount=body.goodwill_amount,
            ),
        )
        authority = check_authority(
            ctx.policy,
            role=principal.role,
            tenure_months=principal.tenure_months(ctx.clock().date()),
            amount=quote.authority_amount,
        )
    except DomainError as exc:
        raise domain_problem(exc) from exc
    return {
        "kind": quote.kind.value,
        "rule": quote.rule,
        "lines": [
            {"label": line.label, "amount": serialize.value(line.amount), "rule": line.rule, "refund": line.refund}
            for line in quote.lines
        ],
        "total": serialize.value(quote.total),
        "authority_amount": serialize.value(quote.authority_amount),
        "rounding": quote.rounding,
        "within_authority": authority.within,
        "authority_limit": serialize.value(authority.limit),
        "approval_needed_from": authority.needs.value if authority.needs else None,
    }


class RepairRequest(Strict):
    item: ItemInput
    user_caused: bool = False
    parts: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list, max_length=50)
    labour_code: str | None = Field(default=None, max_length=40)
    extended_until: AwareDatetime | None = None


@router.post("/calculators/repair-quote", response_model=dict[str, Any])
def repair_quote(body: RepairRequest, ctx: Ctx, _: Anyone) -> dict[str, Any]:
    try:
        quote = quote_repair(
            ctx.policy,
            item=_facts(ctx, body.item),
            user_caused=body.user_caused,
            parts=body.parts,
            labour_code=body.labour_code,
            now=ctx.clock(),
            extended_until=body.extended_until,
        )
    except DomainError as exc:
        raise domain_problem(exc) from exc
    return {
        "in_warranty": quote.in_warranty,
        "warranty_ends": serialize.value(quote.warranty_ends),
        "rule": quote.rule,
        "lines": [
            {
                "label": line.label,
                "code": line.code,
                "list_price": serialize.value(line.list_price),
                "amount": serialize.value(line.amount),
                "rule": line.rule,
            }
            for line in quote.lines
        ],
        "total": serialize.value(quote.total),
        "needs_customer_acceptance": quote.needs_customer_acceptance,
        "extended_warranty_offer": serialize.value(quote.extended_warranty_offer),
    }
