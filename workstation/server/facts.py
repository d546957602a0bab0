"""Stored rows turned into the facts the domain calculators take."""

from __future__ import annotations

from sqlalchemy.orm import Session

from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import Category
from workstation.domain.errors import DomainError
from workstation.server.problems import Problem, not_found, unprocessable
from workstation.server.tables import Order, OrderItem


def item_facts(order: Order, item: OrderItem, *, used: bool = False, packaging_intact: bool = True) -> OrderItemFacts:
    if order.paid_at is None:
        raise DomainError("the order has not been paid", field="paid_at")
    return OrderItemFacts(
        category=Category(item.category),
        price=item.price,
        quantity=item.quantity,
        paid_at=order.paid_at,
        delivered_at=order.delivered_at,
        high_value=item.high_value,
        warranty_months=item.warranty_months,
        no_reason_excluded=item.no_reason_excluded,
        used=used,
        packaging_intact=packaging_intact,
    )


def load_item(session: Session, order_item_id: str) -> tuple[Order, OrderItem]:
    item = session.get(OrderItem, order_item_id)
    if item is None:
        raise not_found("order item", order_item_id)
    order = session.get(Order, item.order_id)
    if order is None:  # foreign keys make this unreachable; kept for a clear message anyway
        raise not_found("order", item.order_id)
    return order, item


def domain_problem(exc: DomainError) -> Problem:
    """A refused business input as a 422 naming the field."""
    return unprocessable(str(exc), field=exc.field)
