from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.unit.domain.support import local
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import Category
from workstation.domain.errors import DomainError

PAID = local(2026, 3, 1, 12)


def make(**changes: Any) -> OrderItemFacts:
    fields: dict[str, Any] = {
        "category": Category.HOME,
        "price": Decimal("10.00"),
        "paid_at": PAID,
        "delivered_at": local(2026, 3, 3, 12),
    }
    fields.update(changes)
    return OrderItemFacts(**fields)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": Decimal("-0.01")}, "price"),
        ({"price": Decimal("10000000.01")}, "price"),
        ({"price": 9.99}, "price"),
        ({"price": Decimal("NaN")}, "price"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"delivered_at": local(2026, 2, 28, 12)}, "delivered_at"),
        ({"paid_at": PAID.replace(tzinfo=None)}, "paid_at"),
        ({"warranty_months": -1}, "warranty_months"),
        ({"category": "furniture"}, "category"),
    ],
)
def test_invalid_item_facts_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainError) as caught:
        make(**changes)
    assert caught.value.field == field


def test_valid_item() -> None:
    facts = make(price=Decimal("10000000"), quantity=3, delivered_at=None)
    assert facts.value == Decimal("30000000")
    assert facts.counted_from == PAID


def test_keyword_only() -> None:
    with pytest.raises(TypeError):
        OrderItemFacts(Category.HOME, Decimal(1), 1, PAID, None)  # type: ignore[call-arg]
