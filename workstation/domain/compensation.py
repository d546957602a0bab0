"""Compensation quotes: what the shop pays on top of (or instead of) a refund.

Each line is rounded half-up to the fen on its own; the total is the sum of rounded lines, so
the printed lines always add up. Amounts are never negative.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from workstation.domain.entities import MAX_UNIT_PRICE, check_amount
from workstation.domain.enums import CompensationKind
from workstation.domain.errors import DomainError
from workstation.domain.money import round_fen
from workstation.domain.policy import Policy

SEVERITIES = ("minor", "moderate", "severe")
ROUNDING_NOTE = "each line rounded half-up to 0.01 yuan; total is the sum of the lines"
ROUNDING_CODE = "compensation.rounding.half_up_lines"
_ZERO = Decimal("0.00")

# Stable codes of what a person reads; the English labels above stay for logs and the API, a UI
# words the code (with the line's params) in its own language. A new code needs a translation.
LINE_CODES = frozenset(
    {
        "compensation.line.refund_of_price",
        "compensation.line.fake_multiplier",  # params: multiplier
        "compensation.line.fake_minimum",
        "compensation.line.testing_fee",
        "compensation.line.shipping",
        "compensation.line.reship",
        "compensation.line.damaged_percent",  # params: percent
        "compensation.line.coupon_percent",  # params: percent
        "compensation.line.goodwill",
    }
)
RULES = frozenset(
    {
        "fake_goods.refund",
        "fake_goods.multiplier",
        "fake_goods.minimum",
        "fake_goods.testing_fee",
        "fake_goods.shipping",
        "damaged.reship",
        "damaged.percent",
        "goodwill.small_dispute_coupon",
        "goodwill.amount",
    }
    | {f"service_failure.{severity}" for severity in SEVERITIES}
)
ERROR_CODES = frozenset(
    {
        "compensation.error.reship_not_offered",
        "compensation.error.needs_order_amount",
        "compensation.error.needs_severity",
        "compensation.error.goodwill_above_max",  # params: amount, max
        "compensation.error.negative_line",
    }
)


@dataclass(frozen=True, kw_only=True)
class CompensationRequest:
    kind: CompensationKind
    price: Decimal
    quantity: int = 1
    order_amount: Decimal | None = None
    testing_fee: Decimal = Decimal(0)
    shipping_fee: Decimal = Decimal(0)
    severity: str | None = None
    reship: bool = False
    goodwill_amount: Decimal | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, CompensationKind):
            raise DomainError(f"unknown compensation kind {self.kind!r}", field="kind")
        check_amount(self.price, "price", maximum=MAX_UNIT_PRICE)
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise DomainError("quantity must be a whole number", field="quantity")
        if self.quantity < 1:
            raise DomainError(f"quantity must be at least 1, got {self.quantity}", field="quantity")
        check_amount(self.testing_fee, "testing_fee")
        check_amount(self.shipping_fee, "shipping_fee")
        if self.order_amount is not None:
            check_amount(self.order_amount, "order_amount")
        if self.goodwill_amount is not None:
            check_amount(self.goodwill_amount, "goodwill_amount")
        if self.severity is not None and self.severity not in SEVERITIES:
            raise DomainError(
                f"severity must be one of {', '.join(SEVERITIES)}, got {self.severity!r}",
                field="severity",
            )


@dataclass(frozen=True, kw_only=True)
class Line:
    """One line of a quote. ``refund`` lines give back what was paid; the rest is compensation."""

    label: str
    amount: Decimal
    rule: str
    refund: bool = False
    label_code: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, kw_only=True)
class CompensationQuote:
    kind: CompensationKind
    lines: tuple[Line, ...]
    total: Decimal
    rule: str
    rounding: str
    rounding_code: str = ROUNDING_CODE

    @property
    def refund_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.refund), _ZERO)

    @property
    def authority_amount(self) -> Decimal:
        """The part that needs authority: everything beyond giving back the price paid."""
        return self.total - self.refund_amount


def _line(
    label: str,
    amount: Decimal,
    rule: str,
    *,
    code: str,
    params: Mapping[str, object] | None = None,
    refund: bool = False,
) -> Line:
    rounded = round_fen(amount)
    if rounded < 0:
        raise DomainError(
            f"{label} would be negative",
            field="amount",
            code="compensation.error.negative_line",
        )
    return Line(
        label=label,
        amount=rounded,
        rule=rule,
        refund=refund,
        label_code=code,
        params=dict(params or {}),
    )


def calculate_compensation(policy: Policy, request: CompensationRequest) -> CompensationQuote:
    """Quote the compensation the policy gives for ``request``."""
    if request.kind is CompensationKind.FAKE_GOODS:
        lines, rule = _fake_goods(policy, request)
    elif request.kind is CompensationKind.DAMAGED_GOODS:
        lines, rule = _damaged(policy, request)
    elif request.kind is CompensationKind.SERVICE_FAILURE:
        lines, rule = _service_failure(policy, request)
    else:
        lines, rule = _goodwill(policy, request)
    total = sum((line.amount for line in lines), _ZERO)
    return CompensationQuote(
        kind=request.kind, lines=tuple(lines), total=total, rule=rule, rounding=ROUNDING_NOTE
    )


def _fake_goods(policy: Policy, request: CompensationRequest) -> tuple[list[Line], str]:
    rules = policy.compensation.fake_goods
    paid = request.price * request.quantity
    multiplied = paid * rules.multiplier
    # The statutory minimum applies to the added compensation for the whole purchase.
    if multiplied >= rules.minimum:
        punitive = _line(
            f"compensation {rules.multiplier}x price",
            multiplied,
            "fake_goods.multiplier",
            code="compensation.line.fake_multiplier",
            params={"multiplier": rules.multiplier},
        )
        rule = "fake_goods.multiplier"
    else:
        punitive = _line(
            "compensation (statutory minimum)",
            rules.minimum,
            "fake_goods.minimum",
            code="compensation.line.fake_minimum",
        )
        rule = "fake_goods.minimum"
    refund = _line(
        "refund of price",
        paid,
        "fake_goods.refund",
        code="compensation.line.refund_of_price",
        refund=True,
    )
    lines = [refund, punitive]
    if rules.refund_testing_fee and request.testing_fee > 0:
        lines.append(
            _line(
                "testing fee",
                request.testing_fee,
                "fake_goods.testing_fee",
                code="compensation.line.testing_fee",
            )
        )
    if rules.refund_shipping and request.shipping_fee > 0:
        lines.append(
            _line(
                "shipping",
                request.shipping_fee,
                "fake_goods.shipping",
                code="compensation.line.shipping",
            )
        )
    return lines, rule


def _damaged(policy: Policy, request: CompensationRequest) -> tuple[list[Line], str]:
    rules = policy.compensation.damaged_goods
    if request.reship:
        if not rules.allow_reship:
            raise DomainError(
                "this policy does not offer reshipment",
                field="reship",
                code="compensation.error.reship_not_offered",
            )
        reship = _line(
            "free reshipment", _ZERO, "damaged.reship", code="compensation.line.reship"
        )
        return [reship], "damaged.reship"
    value = request.price * request.quantity
    amount = value * rules.percent / 100
    line = _line(
        f"{rules.percent}% of item value",
        amount,
        "damaged.percent",
        code="compensation.line.damaged_percent",
        params={"percent": rules.percent},
    )
    return [line], "damaged.percent"


def _service_failure(policy: Policy, request: CompensationRequest) -> tuple[list[Line], str]:
    if request.order_amount is None:
        raise DomainError(
            "a service-failure coupon needs the order amount",
            field="order_amount",
            code="compensation.error.needs_order_amount",
        )
    if request.severity is None:
        raise DomainError(
            "a service-failure coupon needs a severity",
            field="severity",
            code="compensation.error.needs_severity",
        )
    percent = policy.compensation.service_failure.percent_for(request.severity)
    assert percent is not None  # severity was checked on construction
    rule = f"service_failure.{request.severity}"
    amount = request.order_amount * percent / 100
    line = _line(
        f"coupon {percent}% of order",
        amount,
        rule,
        code="compensation.line.coupon_percent",
        params={"percent": percent},
    )
    return [line], rule


def _goodwill(policy: Policy, request: CompensationRequest) -> tuple[list[Line], str]:
    rules = policy.compensation.goodwill
    if request.goodwill_amount is None:
        amount, rule = rules.small_dispute_coupon, "goodwill.small_dispute_coupon"
    else:
        amount, rule = request.goodwill_amount, "goodwill.amount"
    if amount > rules.max:
        raise DomainError(
            f"goodwill of {amount} is above the policy maximum of {rules.max}",
            field="goodwill_amount",
            code="compensation.error.goodwill_above_max",
            params={"amount": amount, "max": rules.max},
        )
    return [_line("goodwill", amount, rule, code="compensation.line.goodwill")], rule
