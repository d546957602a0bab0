from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from tests.unit.domain.support import local
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import Category
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy
from workstation.domain.warranty import extended_warranty_price, quote_repair, warranty_end

D = Decimal
DELIVERED = local(2026, 1, 15, 14)
IN_WARRANTY = local(2026, 7, 1, 10)
OUT_OF_WARRANTY = local(2027, 1, 16, 0, 0)


def phone(**changes: Any) -> OrderItemFacts:
    fields: dict[str, Any] = {
        "category": Category.ELECTRONICS,
        "price": D("2999.00"),
        "paid_at": local(2026, 1, 13, 9),
        "delivered_at": DELIVERED,
    }
    fields.update(changes)
    return OrderItemFacts(**fields)


def test_warranty_runs_months_from_delivery(policy: Policy) -> None:
    assert warranty_end(policy, phone()) == local(2027, 1, 15, 23, 59, 59, 999999)
    assert warranty_end(policy, phone(warranty_months=24)) == local(2028, 1, 15, 23, 59, 59, 999999)
    assert warranty_end(policy, phone(category=Category.APPAREL)) is None


@pytest.mark.parametrize(
    ("now", "user_caused", "extended_until", "in_warranty", "total", "accept", "offer", "rule"),
    [
        (IN_WARRANTY, False, None, True, D("0.00"), False, None, "warranty.free_repair"),
        (
            local(2027, 1, 15, 23, 59, 59),
            False,
            None,
            True,
            D("0.00"),
            False,
            None,
            "warranty.free_repair",
        ),
        (IN_WARRANTY, True, None, True, D("449.00"), True, None, "warranty.user_caused"),
        (
            OUT_OF_WARRANTY,
            False,
            None,
            False,
            D("449.00"),
            True,
            D("239.92"),
            "warranty.out_of_warranty",
        ),
        (
            OUT_OF_WARRANTY,
            True,
            None,
            False,
            D("449.00"),
            True,
            D("239.92"),
            "warranty.user_caused",
        ),
        (
            OUT_OF_WARRANTY,
            False,
            local(2028, 1, 15),
            True,
            D("0.00"),
            False,
            None,
            "warranty.free_repair",
        ),
    ],
)
def test_quote_repair(
    policy: Policy,
    now: datetime,
    user_caused: bool,
    extended_until: datetime | None,
    in_warranty: bool,
    total: Decimal,
    accept: bool,
    offer: Decimal | None,
    rule: str,
) -> None:
    quote = quote_repair(
        policy,
        item=phone(),
        user_caused=user_caused,
        parts=["screen"],
        labour_code="basic",
        now=now,
        extended_until=extended_until,
    )
    assert quote.in_warranty is in_warranty
    assert quote.total == total
    assert quote.needs_customer_acceptance is accept
    assert quote.extended_warranty_offer == offer
    assert quote.rule == rule
    assert [line.list_price for line in quote.lines] == [D("399.00"), D("50.00")]
    assert quote.total == sum((line.amount for line in quote.lines), D("0.00"))


def test_unknown_part_code_is_named(policy: Policy) -> None:
    with pytest.raises(DomainError) as caught:
        quote_repair(
            policy,
            item=phone(),
            user_caused=True,
            parts=["screen", "flux_capacitor"],
            labour_code=None,
            now=IN_WARRANTY,
        )
    assert "flux_capacitor" in str(caught.value)
    assert caught.value.field == "parts.flux_capacitor"


def test_unknown_labour_code_is_named(policy: Policy) -> None:
    with pytest.raises(DomainError) as caught:
        quote_repair(
            policy, item=phone(), user_caused=True, parts=[], labour_code="magic", now=IN_WARRANTY
        )
    assert "magic" in str(caught.value)


def test_category_without_price_list(policy: Policy) -> None:
    shirt = phone(category=Category.APPAREL, price=D("99"))
    with pytest.raises(DomainError) as caught:
        quote_repair(
            policy, item=shirt, user_caused=False, parts=[], labour_code=None, now=IN_WARRANTY
        )
    assert caught.value.field == "category"


@pytest.mark.parametrize(
    ("category", "price", "offer"),
    [
        (Category.ELECTRONICS, D("2999.00"), D("239.92")),
        (Category.APPLIANCES, D("1234.56"), D("74.07")),  # 74.0736
        (Category.HOME, D("0.10"), D("0.01")),  # 0.005 half-up
        (Category.APPAREL, D("500.00"), None),
    ],
)
def test_extended_warranty_price(
    policy: Policy, category: Category, price: Decimal, offer: Decimal | None
) -> None:
    assert extended_warranty_price(policy, phone(category=category, price=price)) == offer
