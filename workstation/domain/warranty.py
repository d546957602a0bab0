"""Repair quotes: free under warranty, otherwise parts and labour from the policy's price list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from workstation.domain.calendar import months_period_end, require_aware
from workstation.domain.entities import OrderItemFacts
from workstation.domain.errors import DomainError
from workstation.domain.money import round_fen
from workstation.domain.policy import Policy, PriceList
from workstation.domain.returns import warranty_months

_ZERO = Decimal("0.00")

RULES = frozenset({"warranty.free_repair", "warranty.user_caused", "warranty.out_of_warranty"})
# What a person reads, as stable codes a UI words in its language (the English stays as is).
LINE_CODES = frozenset({"repair.line.part", "repair.line.labour"})  # params: code
ERROR_CODES = frozenset(
    {
        "repair.error.no_price_list",  # params: category
        "repair.error.unknown_part",  # params: code, category
        "repair.error.unknown_labour",  # params: code, category
        "repair.error.parts_not_a_list",
    }
)


@dataclass(frozen=True, kw_only=True)
class RepairLine:
    label: str
    code: str
    list_price: Decimal
    amount: Decimal  # what the customer pays: 0.00 when warranty covers it
    rule: str
    label_code: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, kw_only=True)
class RepairQuote:
    in_warranty: bool
    warranty_ends: datetime | None
    lines: tuple[RepairLine, ...]
    total: Decimal
    needs_customer_acceptance: bool
    extended_warranty_offer: Decimal | None
    rule: str


def warranty_end(policy: Policy, item: OrderItemFacts) -> datetime | None:
    """Last instant of the standard warranty, counted from delivery (or payment)."""
    months = warranty_months(policy, item)
    if months == 0:
        return None
    return months_period_end(item.counted_from, months, policy.time_zone)


def extended_warranty_price(policy: Policy, item: OrderItemFacts) -> Decimal | None:
    """The price of the paid extended warranty, when the category offers one."""
    percent = policy.warranty.extended_price_percent[item.category]
    if percent == 0 or policy.warranty.extended_months == 0:
        return None
    return round_fen(item.price * percent / 100)


def _price_list(policy: Policy, item: OrderItemFacts) -> PriceList:
    price_list = policy.warranty.price_lists.get(item.category)
    if price_list is None:
        raise DomainError(
            f"there is no repair price list for {item.category.value}",
            field="category",
            code="repair.error.no_price_list",
            params={"category": item.category},
        )
    return price_list


def quote_repair(
    policy: Policy,
    *,
    item: OrderItemFacts,
    user_caused: bool,
    parts: Sequence[str],
    labour_code: str | None,
    now: datetime,
    extended_until: datetime | None = None,
) -> RepairQuote:
    """Price a repair as of ``now``.

    Covered (in standard or extended warranty and not caused by the user): every line is free.
    Otherwise each part and the labour are charged at list price and the customer must accept
    the quote before work starts; out of warranty, the paid extended warranty is offered too.
    """
    require_aware(now, "now")
    if extended_until is not None:
        require_aware(extended_until, "extended_until")
    if isinstance(parts, str):
        raise DomainError(
            "parts must be a list of part codes, not one string",
            field="parts",
            code="repair.error.parts_not_a_list",
        )
    price_list = _price_list(policy, item)

    ends = warranty_end(policy, item)
    in_standard = ends is not None and now <= ends
    in_extended = extended_until is not None and now <= extended_until
    in_warranty = in_standard or in_extended
    covered = in_warranty and not user_caused

    if covered:
        rule = "warranty.free_repair"
    elif user_caused:
        rule = "warranty.user_caused"
    else:
        rule = "warranty.out_of_warranty"

    lines: list[RepairLine] = []
    for code in parts:
        if code not in price_list.parts:
            raise DomainError(
                f"unknown part code {code!r} for {item.category.value}",
                field=f"parts.{code}",
                code="repair.error.unknown_part",
                params={"code": code, "category": item.category},
            )
        price = round_fen(price_list.parts[code])
        lines.append(
            RepairLine(
                label=f"part {code}",
                code=code,
                list_price=price,
                amount=_ZERO if covered else price,
                rule=rule,
                label_code="repair.line.part",
                params={"code": code},
            )
        )
    if labour_code is not None:
        if labour_code not in price_list.labour:
            raise DomainError(
                f"unknown labour code {labour_code!r} for {item.category.value}",
                field="labour_code",
                code="repair.error.unknown_labour",
                params={"code": labour_code, "category": item.category},
            )
        price = round_fen(price_list.labour[labour_code])
        lines.append(
            RepairLine(
                label=f"labour {labour_code}",
                code=labour_code,
                list_price=price,
                amount=_ZERO if covered else price,
                rule=rule,
                label_code="repair.line.labour",
                params={"code": labour_code},
            )
        )
    total = sum((line.amount for line in lines), _ZERO)
    return RepairQuote(
        in_warranty=in_warranty,
        warranty_ends=extended_until if in_extended and not in_standard else ends,
        lines=tuple(lines),
        total=total,
        needs_customer_acceptance=total > 0,
        extended_warranty_offer=None if in_warranty else extended_warranty_price(policy, item),
        rule=rule,
    )
