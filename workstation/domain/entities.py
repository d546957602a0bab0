"""Facts about orders that the rule calculators consume; checked when built."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from workstation.domain.enums import Category
from workstation.domain.errors import DomainError

# A sanity bound, not a business rule: a larger unit price is a data-entry error.
MAX_UNIT_PRICE = Decimal("10000000")


def check_amount(value: object, name: str, *, maximum: Decimal | None = None) -> Decimal:
    """An exact, non-negative amount of money; floats are refused because they lose fen."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise DomainError(
            f"{name} must be a Decimal amount of yuan, got {type(value).__name__}", field=name
        )
    amount = Decimal(value)
    if not amount.is_finite():
        raise DomainError(f"{name} must be a finite amount, got {amount}", field=name)
    if amount < 0:
        raise DomainError(f"{name} must not be negative, got {amount}", field=name)
    if maximum is not None and amount > maximum:
        raise DomainError(f"{name} of {amount} is beyond any plausible value", field=name)
    return amount


def check_aware(value: datetime | None, name: str) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise DomainError(f"{name} must be a timezone-aware datetime", field=name)


@dataclass(frozen=True, kw_only=True)
class OrderItemFacts:
    """One order line as the after-sales rules see it.

    ``warranty_months`` of ``None`` means the policy's default for the category.
    ``no_reason_excluded`` is set when the product page said no-reason returns do not apply.
    """

    category: Category
    price: Decimal
    quantity: int = 1
    paid_at: datetime
    delivered_at: datetime | None
    high_value: bool = False
    warranty_months: int | None = None
    no_reason_excluded: bool = False
    used: bool = False
    packaging_intact: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.category, Category):
            raise DomainError(f"unknown category {self.category!r}", field="category")
        check_amount(self.price, "price", maximum=MAX_UNIT_PRICE)
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise DomainError("quantity must be a whole number", field="quantity")
        if self.quantity < 1:
            raise DomainError(f"quantity must be at least 1, got {self.quantity}", field="quantity")
        check_aware(self.paid_at, "paid_at")
        check_aware(self.delivered_at, "delivered_at")
        if self.delivered_at is not None and self.delivered_at < self.paid_at:
            raise DomainError("delivered_at is earlier than paid_at", field="delivered_at")
        if self.warranty_months is not None and self.warranty_months < 0:
            raise DomainError("warranty_months must not be negative", field="warranty_months")

    @property
    def value(self) -> Decimal:
        """What the customer paid for the line (unit price times quantity)."""
        return self.price * self.quantity

    @property
    def counted_from(self) -> datetime:
        """The event periods count from: delivery sign-off, or payment when never delivered."""
        return self.delivered_at if self.delivered_at is not None else self.paid_at
