from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sqlalchemy import or_, select

from workstation.domain.enums import Role
from workstation.server import serialize
from workstation.server.audit import record_audit
from workstation.server.auth import Principal
from workstation.server.problems import forbidden, not_found
from workstation.server.routes._common import Anyone, Ctx, Staff, fetch, page
from workstation.server.schemas import Limit, Offset, Strict
from workstation.server.scope import conversation_filter
from workstation.server.tables import (
    Call,
    Case,
    CompensationOffer,
    Conversation,
    Customer,
    Identity,
    Order,
    OrderItem,
    Survey,
    WorkOrder,
)

router = APIRouter(tags=["customers"])

# Roles that may see a full phone number or address; each reveal is audited.
REVEAL_ROLES = frozenset({Role.AGENT, Role.SENIOR_AGENT, Role.TEAM_LEAD, Role.ADMIN, Role.FIELD_ENGINEER})


def masked_customer(customer: Customer) -> dict[str, Any]:
    data = serialize.row(customer)
    data["phone"] = serialize.mask_phone(customer.phone)
    data["address"] = serialize.mask_address(customer.address)
    return data


def masked_identity(identity: Identity) -> dict[str, Any]:
    data = serialize.row(identity)
    if identity.kind == "phone":
        data["handle"] = serialize.mask_phone(identity.handle)
    return data


def masked_order(order: Order) -> dict[str, Any]:
    data = serialize.row(order)
    data["address"] = serialize.mask_address(order.address)
    return data


def _engineer_may_see(session: Any, principal: Principal, customer_id: str) -> bool:
    return (
        session.execute(
            select(WorkOrder.id).where(WorkOrder.customer_id == customer_id, WorkOrder.engineer_id == principal.id)
        ).first()
        is not None
    )


def visible_customer(session: Any, principal: Principal, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise not_found("customer", customer_id)
    if principal.role is Role.FIELD_ENGINEER and not _engineer_may_see(session, principal, customer_id):
        raise not_found("customer", customer_id)
    return customer


@router.get("/customers", response_model=dict[str, Any])
def search_customers(
    ctx: Ctx,
    _: Staff,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> dict[str, Any]:
    """Find customers by name or by any channel identity (phone, e-mail, handle)."""
    stmt = select(Customer).where(Customer.merged_into.is_(None))
    text = q.strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        by_identity = select(Identity.customer_id).where(Identity.handle.ilike(pattern, escape="\\"))
        stmt = stmt.where(or_(Customer.display_name.ilike(pattern, escape="\\"), Customer.id.in_(by_identity)))
    stmt = stmt.order_by(Customer.display_name, Customer.id)
    with ctx.db.read() as session:
        total_page = page(session, stmt, limit=limit, offset=offset)
        ids = [item["id"] for item in total_page["items"]]
        rows = {c.id: c for c in session.execute(select(Customer).where(Customer.id.in_(ids))).scalars()}
        total_page["items"] = [masked_customer(rows[i]) for i in ids]
        return total_page


@router.get("/customers/{customer_id}", response_model=dict[str, Any])
def customer_360(customer_id: str, ctx: Ctx, principal: Anyone) -> dict[str, Any]:
    """Everything about one customer across channels: identities, orders, conversations,
    calls, cases, compensation and ratings."""
    with ctx.db.read() as session:
        customer = visible_customer(session, principal, customer_id)
        if customer.merged_into:
            customer = visible_customer(session, principal, customer.merged_into)
        cid = customer.id
        orders = list(session.execute(select(Order).where(Order.customer_id == cid).order_by(Order.placed_at.desc())).scalars())
        items = list(session.execute(select(OrderItem).where(OrderItem.order_id.in_([o.id for o in orders]))).scalars())
        by_order: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            by_order.setdefault(item.order_id, []).append(serialize.row(item))
        conversations = session.execute(
            select(Conversation)
            .where(Conversation.customer_id == cid, conversation_filter(principal))
            .order_by(Conversation.last_message_at.desc())
            .limit(200)
        ).scalars()
        result: dict[str, Any] = {
            "customer": masked_customer(customer),
            "identities": [masked_identity(i) for i in session.execute(select(Identity).where(Identity.customer_id == cid)).scalars()],
            "orders": [{**masked_order(o), "items": by_order.get(o.id, [])} for o in orders],
            "conversations": [serialize.row(c) for c in conversations],
            "calls": [serialize.row(c) for c in session.execute(select(Call).where(Call.customer_id == cid).order_by(Call.ringing_at.desc()).limit(100)).scalars()],
            "cases": [serialize.row(c) for c in session.execute(select(Case).where(Case.customer_id == cid).order_by(Case.created_at.desc())).scalars()],
            "compensation": [serialize.row(o) for o in session.execute(select(CompensationOffer).where(CompensationOffer.customer_id == cid).order_by(CompensationOffer.created_at.desc())).scalars()],
            "surveys": [serialize.row(s) for s in session.execute(select(Survey).where(Survey.customer_id == cid).order_by(Survey.invited_at.desc())).scalars()],
        }
        return result


class RevealRequest(Strict):
    field: Literal["phone", "address"]
    reason: str | None = None


class RevealOut(BaseModel):
    field: str
    value: str | None


@router.post("/customers/{customer_id}/reveal", response_model=RevealOut)
def reveal_contact(customer_id: str, body: RevealRequest, request: Request, ctx: Ctx, principal: Anyone) -> RevealOut:
    """Show one unmasked phone number or address; allowed per role, always audited."""
    if principal.role not in REVEAL_ROLES:
        raise forbidden(f"the role {principal.role.value} may not reveal contact details")
    with ctx.db.write() as session:
        customer = visible_customer(session, principal, customer_id)
        value = customer.phone if body.field == "phone" else customer.address
        record_audit(
            session,
            ctx,
            actor=principal,
            action="customer.reveal",
            target_type="customer",
            target_id=customer.id,
            details={"field": body.field, "reason": body.reason or ""},
            address=request.client.host if request.client else None,
        )
    return RevealOut(field=body.field, value=value)


@router.get("/orders/{order_id}", response_model=dict[str, Any])
def get_order(order_id: str, ctx: Ctx, principal: Anyone) -> dict[str, Any]:
    with ctx.db.read() as session:
        order = fetch(session, Order, order_id, "order")
        visible_customer(session, principal, order.customer_id)
        items = session.execute(select(OrderItem).where(OrderItem.order_id == order.id)).scalars()
        return {**masked_order(order), "items": [serialize.row(i) for i in items]}


@router.get("/orders", response_model=dict[str, Any])
def find_orders(
    ctx: Ctx,
    _: Staff,
    order_no: Annotated[str | None, Query(max_length=40)] = None,
    customer_id: Annotated[str | None, Query(max_length=36)] = None,
    limit: Annotated[Limit, Query()] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> dict[str, Any]:
    stmt = select(Order)
    if order_no:
        stmt = stmt.where(Order.order_no == order_no)
    if customer_id:
        stmt = stmt.where(Order.customer_id == customer_id)
    with ctx.db.read() as session:
        result = page(session, stmt.order_by(Order.placed_at.desc(), Order.id), limit=limit, offset=offset)
        for item in result["items"]:
            item["address"] = serialize.mask_address(item.get("address"))
        return result
