from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workstation.domain.compensation import (
    CompensationRequest,
    calculate_compensation,
)
from workstation.domain.enums import CompensationKind
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy, load_policy

D = Decimal
FAKE = CompensationKind.FAKE_GOODS
DAMAGED = CompensationKind.DAMAGED_GOODS
FAILURE = CompensationKind.SERVICE_FAILURE
GOODWILL = CompensationKind.GOODWILL


@pytest.mark.parametrize(
    ("price", "quantity", "refund", "extra", "rule"),
    [
        (D("100.00"), 1, D("100.00"), D("500.00"), "fake_goods.minimum"),  # 3x = 300 < 500
        (D("166.66"), 1, D("166.66"), D("500.00"), "fake_goods.minimum"),  # 499.98
        (D("166.67"), 1, D("166.67"), D("500.01"), "fake_goods.multiplier"),
        (D("200.00"), 1, D("200.00"), D("600.00"), "fake_goods.multiplier"),
        (D("100.00"), 2, D("200.00"), D("600.00"), "fake_goods.multiplier"),  # whole purchase
        (D("0.01"), 1, D("0.01"), D("500.00"), "fake_goods.minimum"),
    ],
)
def test_fake_goods_refund_plus_three_times_with_statutory_minimum(
    policy: Policy, price: Decimal, quantity: int, refund: Decimal, extra: Decimal, rule: str
) -> None:
    quote = calculate_compensation(
        policy, CompensationRequest(kind=FAKE, price=price, quantity=quantity)
    )
    assert [line.amount for line in quote.lines] == [refund, extra]
    assert quote.total == refund + extra
    assert quote.rule == rule
    assert quote.refund_amount == refund
    assert quote.authority_amount == extra


def test_fake_goods_add_testing_fee_and_shipping(policy: Policy) -> None:
    quote = calculate_compensation(
        policy,
        CompensationRequest(
            kind=FAKE, price=D("100.00"), testing_fee=D("80.005"), shipping_fee=D("12")
        ),
    )
    assert [(line.rule, line.amount) for line in quote.lines] == [
        ("fake_goods.refund", D("100.00")),
        ("fake_goods.minimum", D("500.00")),
        ("fake_goods.testing_fee", D("80.01")),
        ("fake_goods.shipping", D("12.00")),
    ]
    assert quote.total == D("692.01")
    assert quote.authority_amount == D("592.01")


@pytest.mark.parametrize(
    ("price", "quantity", "expected"),
    [
        (D("33.33"), 1, D("16.67")),  # 16.665 rounds half-up
        (D("0.01"), 1, D("0.01")),  # 0.005 rounds up
        (D("0.03"), 1, D("0.02")),  # 0.015
        (D("99.99"), 3, D("149.99")),  # 149.985
        (D("200.00"), 1, D("100.00")),
    ],
)
def test_damaged_goods_half_of_value_rounded_half_up(
    policy: Policy, price: Decimal, quantity: int, expected: Decimal
) -> None:
    quote = calculate_compensation(
        policy, CompensationRequest(kind=DAMAGED, price=price, quantity=quantity)
    )
    assert quote.total == expected
    assert quote.rule == "damaged.percent"


def test_damaged_goods_reship_instead(policy: Policy) -> None:
    quote = calculate_compensation(
        policy, CompensationRequest(kind=DAMAGED, price=D("59.90"), reship=True)
    )
    assert [(line.rule, line.amount) for line in quote.lines] == [("damaged.reship", D("0.00"))]
    assert quote.total == D("0.00")


@pytest.mark.parametrize(
    ("order_amount", "severity", "expected"),
    [
        (D("100.00"), "minor", D("10.00")),
        (D("100.00"), "moderate", D("20.00")),
        (D("100.00"), "severe", D("30.00")),
        (D("99.99"), "severe", D("30.00")),  # 29.997
        (D("12.34"), "moderate", D("2.47")),  # 2.468
        (D("0.05"), "minor", D("0.01")),  # 0.005
        (D("0.04"), "minor", D("0.00")),  # 0.004
    ],
)
def test_service_failure_coupon_by_severity(
    policy: Policy, order_amount: Decimal, severity: str, expected: Decimal
) -> None:
    quote = calculate_compensation(
        policy,
        CompensationRequest(
            kind=FAILURE, price=D("0"), order_amount=order_amount, severity=severity
        ),
    )
    assert quote.total == expected
    assert quote.rule == f"service_failure.{severity}"


@pytest.mark.parametrize(
    ("amount", "expected", "rule"),
    [
        (None, D("10.00"), "goodwill.small_dispute_coupon"),
        (D("50.00"), D("50.00"), "goodwill.amount"),
        (D("0"), D("0.00"), "goodwill.amount"),
    ],
)
def test_goodwill_up_to_the_maximum(
    policy: Policy, amount: Decimal | None, expected: Decimal, rule: str
) -> None:
    quote = calculate_compensation(
        policy, CompensationRequest(kind=GOODWILL, price=D("20"), goodwill_amount=amount)
    )
    assert (quote.total, quote.rule) == (expected, rule)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": GOODWILL, "goodwill_amount": D("50.01")}, "goodwill_amount"),
        ({"kind": FAILURE, "severity": "minor"}, "order_amount"),
        ({"kind": FAILURE, "order_amount": D("10")}, "severity"),
    ],
)
def test_incomplete_or_excessive_requests(
    policy: Policy, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as caught:
        calculate_compensation(policy, CompensationRequest(price=D("20"), **fields))
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": D("-1")}, "price"),
        ({"price": 1.5}, "price"),
        ({"quantity": 0}, "quantity"),
        ({"testing_fee": D("-0.01")}, "testing_fee"),
        ({"shipping_fee": D("-2")}, "shipping_fee"),
        ({"order_amount": D("-2")}, "order_amount"),
        ({"goodwill_amount": D("-2")}, "goodwill_amount"),
        ({"severity": "catastrophic"}, "severity"),
    ],
)
def test_invalid_requests_name_the_field(fields: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {"kind": FAKE, "price": D("10")}
    base.update(fields)
    with pytest.raises(DomainError) as caught:
        CompensationRequest(**base)
    assert caught.value.field == field


def test_quote_states_its_rounding(policy: Policy) -> None:
    quote = calculate_compensation(policy, CompensationRequest(kind=DAMAGED, price=D("1")))
    assert "half-up" in quote.rounding


# Property tests: whatever the inputs, a quote is never negative and always in whole fen.
_POLICY = load_policy()
_money = st.decimals(
    min_value=0, max_value=1_000_000, places=3, allow_nan=False, allow_infinity=False
)


@st.composite
def _requests(draw: st.DrawFn) -> CompensationRequest:
    kind = draw(st.sampled_from(list(CompensationKind)))
    return CompensationRequest(
        kind=kind,
        price=draw(_money),
        quantity=draw(st.integers(min_value=1, max_value=50)),
        order_amount=draw(_money),
        testing_fee=draw(_money),
        shipping_fee=draw(_money),
        severity=draw(st.sampled_from(["minor", "moderate", "severe"])),
        reship=draw(st.booleans()),
        goodwill_amount=draw(
            st.none()
            | st.decimals(
                min_value=0, max_value=50, places=2, allow_nan=False, allow_infinity=False
            )
        ),
    )


@settings(max_examples=300, deadline=None)
@given(_requests())
def test_quotes_are_never_negative_and_always_two_decimals(req: CompensationRequest) -> None:
    quote = calculate_compensation(_POLICY, req)
    assert quote.total >= 0
    assert quote.total.as_tuple().exponent == -2
    for line in quote.lines:
        assert line.amount >= 0
        assert line.amount.as_tuple().exponent == -2
    assert quote.total == sum((line.amount for line in quote.lines), D("0.00"))
    assert 0 <= quote.authority_amount <= quote.total


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False))
def test_fake_goods_compensation_never_below_the_floor(price: Decimal) -> None:
    quote = calculate_compensation(_POLICY, CompensationRequest(kind=FAKE, price=price))
    assert quote.authority_amount >= D("500.00")
    assert quote.authority_amount >= price * 3
