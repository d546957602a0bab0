"""What the domain explains carries a stable code and params (the UI words it by code), and
each module's declared set of codes is exactly what it can produce: walking every branch
reaches every declared code and nothing else, so the UI's translation test can trust the sets.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from tests.unit.domain.support import build_policy, local
from workstation.domain import compensation, returns, warranty
from workstation.domain.calendar import Period
from workstation.domain.compensation import CompensationRequest, calculate_compensation
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import Category, CompensationKind
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy

PAID = local(2026, 1, 5, 10)
DELIVERED = local(2026, 1, 8, 15)
LATER = [timedelta(hours=1), timedelta(days=10), timedelta(days=20), timedelta(days=40),
         timedelta(days=200), timedelta(days=2000)]  # fmt: skip


def _items() -> Iterator[OrderItemFacts]:
    for category, delivered, high_value, excluded, used, intact, months in itertools.product(
        Category, (DELIVERED, None), (False, True), (False, True), (False, True), (True, False),
        (None, 0),
    ):  # fmt: skip
        yield OrderItemFacts(
            category=category, price=Decimal("199.00"), paid_at=PAID, delivered_at=delivered,
            high_value=high_value, no_reason_excluded=excluded, used=used,
            packaging_intact=intact, warranty_months=months,
        )  # fmt: skip


def _assessments(policy: Policy) -> Iterator[returns.Eligibility]:
    for item in _items():
        for reason, evidence, fault, later in itertools.product(
            returns.Reason, (True, False), (False, True), LATER
        ):
            yield returns.assess_return(
                policy, item=item, reason=reason, has_evidence=evidence, customer_fault=fault,
                now=item.counted_from + later,
            )  # fmt: skip


def test_every_eligibility_has_a_declared_code_and_rule_and_all_are_reachable(
    policy: Policy,
) -> None:
    high_value = build_policy(lambda d: d["returns"].update(high_value_published=True))
    seen_codes: set[str] = set()
    seen_rules: set[str] = set()
    for p in (policy, high_value):
        for result in _assessments(p):
            assert result.reason_code in returns.REASON_CODES, result
            assert result.rule in returns.RULES, result
            assert result.explanation  # the English stays for logs and the API
            seen_codes.add(result.reason_code)
            seen_rules.add(result.rule)
    assert seen_codes == returns.REASON_CODES
    assert seen_rules == returns.RULES


def test_windows_carry_their_period_and_exclusions_their_category(policy: Policy) -> None:
    item = OrderItemFacts(category=Category.ELECTRONICS, price=Decimal("199.00"), paid_at=PAID,
                          delivered_at=DELIVERED)  # fmt: skip
    result = returns.assess_return(policy, item=item, reason=returns.Reason.QUALITY,
                                   has_evidence=True, now=DELIVERED + timedelta(days=1))  # fmt: skip
    assert result.reason_code == "return.quality.return_window"
    assert result.params == {"period": policy.returns.quality_return}
    assert isinstance(result.params["period"], Period)
    fresh = OrderItemFacts(category=Category.FRESH_FOOD, price=Decimal("20.00"), paid_at=PAID,
                           delivered_at=DELIVERED)  # fmt: skip
    refused = returns.assess_return(policy, item=fresh, reason=returns.Reason.NO_REASON,
                                    has_evidence=True, now=DELIVERED + timedelta(days=1))  # fmt: skip
    assert (refused.reason_code, refused.params) == (
        "return.no_reason.excluded_category", {"category": Category.FRESH_FOOD}
    )


def _requests() -> Iterator[CompensationRequest]:
    price = Decimal("166.67")
    for kind in CompensationKind:
        for testing, shipping in ((Decimal(0), Decimal(0)), (Decimal("80"), Decimal("12"))):
            yield CompensationRequest(kind=kind, price=price, testing_fee=testing,
                                      shipping_fee=shipping, order_amount=price)  # fmt: skip
    yield CompensationRequest(kind=CompensationKind.FAKE_GOODS, price=Decimal("10.00"))
    yield CompensationRequest(kind=CompensationKind.DAMAGED_GOODS, price=price, reship=True)
    for severity in compensation.SEVERITIES:
        yield CompensationRequest(kind=CompensationKind.SERVICE_FAILURE, price=price,
                                  order_amount=price, severity=severity)  # fmt: skip
    yield CompensationRequest(kind=CompensationKind.GOODWILL, price=price, goodwill_amount=Decimal(5))
    yield CompensationRequest(kind=CompensationKind.GOODWILL, price=price, goodwill_amount=Decimal(9999))
    yield CompensationRequest(kind=CompensationKind.SERVICE_FAILURE, price=price, severity="minor")


def test_every_quote_line_and_refusal_has_a_declared_code(policy: Policy) -> None:
    no_reship = build_policy(lambda d: d["compensation"]["damaged_goods"].update(allow_reship=False))
    lines: set[str] = set()
    rules: set[str] = set()
    errors: set[str] = set()
    for p in (policy, no_reship):
        for request in _requests():
            try:
                quote = calculate_compensation(p, request)
            except DomainError as exc:
                assert exc.code in compensation.ERROR_CODES, exc
                errors.add(str(exc.code))
                continue
            assert quote.rule in compensation.RULES
            assert quote.rounding_code == compensation.ROUNDING_CODE
            rules.add(quote.rule)
            for line in quote.lines:
                assert line.label_code in compensation.LINE_CODES, line
                assert line.rule in compensation.RULES, line
                lines.add(line.label_code)
                rules.add(line.rule)
    assert lines == compensation.LINE_CODES
    assert rules == compensation.RULES
    # a negative line cannot be reached through a valid request; the rest can
    assert errors == compensation.ERROR_CODES - {"compensation.error.negative_line"}


def test_percent_lines_carry_the_percent(policy: Policy) -> None:
    quote = calculate_compensation(
        policy, CompensationRequest(kind=CompensationKind.DAMAGED_GOODS, price=Decimal("240.00"))
    )
    (line,) = quote.lines
    assert line.label == "50% of item value"  # unchanged English
    assert (line.label_code, line.params) == ("compensation.line.damaged_percent", {"percent": Decimal(50)})


@pytest.mark.parametrize("now", [DELIVERED + timedelta(days=3), DELIVERED + timedelta(days=3000)])
def test_repair_lines_rules_and_refusals_have_declared_codes(policy: Policy, now: datetime) -> None:
    item = OrderItemFacts(category=Category.ELECTRONICS, price=Decimal("1999.00"), paid_at=PAID,
                          delivered_at=DELIVERED)  # fmt: skip
    price_list = policy.warranty.price_lists[Category.ELECTRONICS]
    part, labour = next(iter(price_list.parts)), next(iter(price_list.labour))
    rules = set()
    for user_caused in (False, True):
        quote = warranty.quote_repair(policy, item=item, user_caused=user_caused, parts=[part],
                                      labour_code=labour, now=now)  # fmt: skip
        assert [(ln.label_code, ln.params) for ln in quote.lines] == [
            ("repair.line.part", {"code": part}), ("repair.line.labour", {"code": labour})
        ]
        rules.add(quote.rule)
    assert rules <= warranty.RULES
    errors = set()
    for parts, code in (([part], "nope"), (["nope"], None), (part, None)):
        with pytest.raises(DomainError) as refused:
            warranty.quote_repair(policy, item=item, user_caused=False, parts=parts,  # type: ignore[arg-type]
                                  labour_code=code, now=now)  # fmt: skip
        errors.add(refused.value.code)
    without = [c for c in Category if c not in policy.warranty.price_lists]
    if without:
        other = OrderItemFacts(category=without[0], price=Decimal("10.00"), paid_at=PAID, delivered_at=DELIVERED)
        with pytest.raises(DomainError) as refused:
            warranty.quote_repair(policy, item=other, user_caused=False, parts=[], labour_code=None, now=now)
        errors.add(refused.value.code)
        assert refused.value.params == {"category": without[0]}
    assert errors <= warranty.ERROR_CODES and len(errors) >= 3
