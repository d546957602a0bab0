from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.unit.domain.support import build_policy, local
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import Category
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy
from workstation.domain.returns import (
    Reason,
    Verdict,
    assess_return,
    exchange_ship_due,
    refund_due,
    ship_back_due,
)

PAID = local(2026, 10, 28, 9, 0)
SIGNED = local(2026, 11, 1, 15, 0)  # the documented example: signed 1 Nov 15:00


def item(**changes: Any) -> OrderItemFacts:
    base = OrderItemFacts(
        category=Category.ELECTRONICS,
        price=Decimal("299.00"),
        paid_at=PAID,
        delivered_at=SIGNED,
    )
    return replace(base, **changes)


def end_of(day: int, month: int = 11) -> datetime:
    return local(2026, month, day, 23, 59, 59)


def start_of(day: int, month: int = 11) -> datetime:
    return local(2026, month, day, 0, 0, 0)


@pytest.mark.parametrize(
    ("now", "verdict", "rule"),
    [
        (local(2026, 11, 1, 15, 1), Verdict.RETURN, "no_reason.window"),
        (end_of(8), Verdict.RETURN, "no_reason.window"),  # last second of day 7
        (start_of(9), Verdict.NOT_ELIGIBLE, "no_reason.window_passed"),
    ],
)
def test_no_reason_seven_days_after_sign_off(
    policy: Policy, now: datetime, verdict: Verdict, rule: str
) -> None:
    result = assess_return(
        policy, item=item(), reason=Reason.NO_REASON, has_evidence=False, now=now
    )
    assert (result.verdict, result.rule) == (verdict, rule)
    assert result.deadline == local(2026, 11, 8, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"used": True}, "no_reason.not_resaleable"),
        ({"packaging_intact": False}, "no_reason.not_resaleable"),
        ({"no_reason_excluded": True}, "no_reason.page_marked"),
        ({"category": Category.FRESH_FOOD}, "no_reason.excluded_category"),
        ({"category": Category.CUSTOM_MADE}, "no_reason.excluded_category"),
        ({"category": Category.VIRTUAL}, "no_reason.excluded_category"),
    ],
)
def test_no_reason_refusals(policy: Policy, changes: dict[str, Any], rule: str) -> None:
    result = assess_return(
        policy, item=item(**changes), reason=Reason.NO_REASON, has_evidence=True, now=end_of(2)
    )
    assert result.verdict is Verdict.NOT_ELIGIBLE
    assert result.rule == rule
    assert result.options == ()
    assert result.explanation


@pytest.mark.parametrize(
    ("category", "now", "verdict", "options", "rule"),
    [
        (
            Category.ELECTRONICS,
            end_of(8),
            Verdict.RETURN,
            (Verdict.RETURN, Verdict.EXCHANGE),
            "quality.return_window",
        ),
        (
            Category.ELECTRONICS,
            start_of(9),
            Verdict.EXCHANGE,
            (Verdict.EXCHANGE,),
            "quality.exchange_window",
        ),
        (
            Category.ELECTRONICS,
            end_of(16),
            Verdict.EXCHANGE,
            (Verdict.EXCHANGE,),
            "quality.exchange_window",
        ),
        (
            Category.ELECTRONICS,
            start_of(17),
            Verdict.REPAIR_ONLY,
            (Verdict.REPAIR_ONLY,),
            "quality.warranty_repair",
        ),
        (Category.APPAREL, start_of(17), Verdict.NOT_ELIGIBLE, (), "quality.window_passed"),
        # Excluded from no-reason returns, but a quality problem still counts.
        (
            Category.CUSTOM_MADE,
            end_of(5),
            Verdict.RETURN,
            (Verdict.RETURN, Verdict.EXCHANGE),
            "quality.return_window",
        ),
        (
            Category.HOME,
            end_of(5),
            Verdict.RETURN,
            (Verdict.RETURN, Verdict.EXCHANGE),
            "quality.return_window",
        ),
    ],
)
def test_quality_windows(
    policy: Policy,
    category: Category,
    now: datetime,
    verdict: Verdict,
    options: tuple[Verdict, ...],
    rule: str,
) -> None:
    result = assess_return(
        policy, item=item(category=category), reason=Reason.QUALITY, has_evidence=True, now=now
    )
    assert (result.verdict, result.options, result.rule) == (verdict, options, rule)


def test_quality_on_page_marked_item_still_returns(policy: Policy) -> None:
    result = assess_return(
        policy,
        item=item(no_reason_excluded=True, used=True),
        reason=Reason.NOT_AS_DESCRIBED,
        has_evidence=True,
        now=end_of(3),
    )
    assert result.verdict is Verdict.RETURN


def test_quality_needs_evidence(policy: Policy) -> None:
    result = assess_return(
        policy, item=item(), reason=Reason.QUALITY, has_evidence=False, now=end_of(2)
    )
    assert (result.verdict, result.rule) == (Verdict.NOT_ELIGIBLE, "evidence.required")


@pytest.mark.parametrize(
    ("category", "verdict"),
    [(Category.ELECTRONICS, Verdict.REPAIR_ONLY), (Category.APPAREL, Verdict.NOT_ELIGIBLE)],
)
def test_customer_caused_damage_is_not_a_quality_return(
    policy: Policy, category: Category, verdict: Verdict
) -> None:
    result = assess_return(
        policy,
        item=item(category=category),
        reason=Reason.QUALITY,
        has_evidence=True,
        customer_fault=True,
        now=end_of(2),
    )
    assert (result.verdict, result.rule) == (verdict, "quality.customer_caused")


@pytest.fixture(scope="module")
def generous() -> Policy:
    def edit(data: dict[str, Any]) -> None:
        data["returns"]["high_value_published"] = True

    return build_policy(edit)


@pytest.mark.parametrize(
    ("published", "high_value", "now", "verdict", "rule"),
    [
        (True, True, end_of(1, 12), Verdict.RETURN, "quality.high_value_window"),  # day 30
        (True, True, start_of(2, 12), Verdict.REPAIR_ONLY, "quality.warranty_repair"),
        (True, True, end_of(8), Verdict.RETURN, "quality.return_window"),
        (True, False, end_of(20), Verdict.REPAIR_ONLY, "quality.warranty_repair"),
        (False, True, end_of(12), Verdict.EXCHANGE, "quality.exchange_window"),
        (False, True, end_of(20), Verdict.REPAIR_ONLY, "quality.warranty_repair"),
    ],
)
def test_high_value_window_only_where_published(
    policy: Policy,
    generous: Policy,
    published: bool,
    high_value: bool,
    now: datetime,
    verdict: Verdict,
    rule: str,
) -> None:
    result = assess_return(
        generous if published else policy,
        item=item(high_value=high_value),
        reason=Reason.QUALITY,
        has_evidence=True,
        now=now,
    )
    assert (result.verdict, result.rule) == (verdict, rule)


DELIVERED_FRESH = local(2026, 6, 1, 8, 30, 15)


@pytest.mark.parametrize(
    ("reason", "evidence", "now", "verdict", "rule"),
    [
        (
            Reason.FRESH_SPOILAGE,
            True,
            DELIVERED_FRESH + timedelta(hours=24),
            Verdict.RETURN,
            "fresh.spoilage_window",
        ),
        (
            Reason.FRESH_SPOILAGE,
            True,
            DELIVERED_FRESH + timedelta(hours=24, microseconds=1),
            Verdict.NOT_ELIGIBLE,
            "fresh.window_passed",
        ),
        (
            Reason.FRESH_SPOILAGE,
            False,
            DELIVERED_FRESH + timedelta(hours=1),
            Verdict.NOT_ELIGIBLE,
            "evidence.required",
        ),
        (
            Reason.QUALITY,
            True,
            DELIVERED_FRESH + timedelta(hours=23),
            Verdict.RETURN,
            "fresh.spoilage_window",
        ),
        (
            Reason.NO_REASON,
            True,
            DELIVERED_FRESH + timedelta(hours=1),
            Verdict.NOT_ELIGIBLE,
            "no_reason.excluded_category",
        ),
    ],
)
def test_fresh_food_within_24_hours_of_the_exact_moment(
    policy: Policy, reason: Reason, evidence: bool, now: datetime, verdict: Verdict, rule: str
) -> None:
    fresh = item(
        category=Category.FRESH_FOOD,
        price=Decimal("88.00"),
        paid_at=DELIVERED_FRESH - timedelta(days=1),
        delivered_at=DELIVERED_FRESH,
    )
    result = assess_return(policy, item=fresh, reason=reason, has_evidence=evidence, now=now)
    assert (result.verdict, result.rule) == (verdict, rule)
    if verdict is Verdict.RETURN:
        assert result.deadline == DELIVERED_FRESH + timedelta(hours=24)
        assert result.ship_back_days is None  # perishables are not sent back


def test_spoilage_on_non_fresh_goods(policy: Policy) -> None:
    result = assess_return(
        policy, item=item(), reason=Reason.FRESH_SPOILAGE, has_evidence=True, now=end_of(2)
    )
    assert result.rule == "fresh.not_fresh_food"


@pytest.mark.parametrize(
    ("reason", "fault", "delivered", "verdict", "rule"),
    [
        (Reason.VIRTUAL_UNUSABLE, False, None, Verdict.RETURN, "virtual.unusable"),
        (Reason.VIRTUAL_UNUSABLE, False, SIGNED, Verdict.RETURN, "virtual.unusable"),
        (Reason.VIRTUAL_UNUSABLE, True, SIGNED, Verdict.NOT_ELIGIBLE, "virtual.customer_fault"),
        (Reason.NO_REASON, False, SIGNED, Verdict.NOT_ELIGIBLE, "no_reason.excluded_category"),
    ],
)
def test_virtual_goods(
    policy: Policy,
    reason: Reason,
    fault: bool,
    delivered: datetime | None,
    verdict: Verdict,
    rule: str,
) -> None:
    top_up = item(category=Category.VIRTUAL, price=Decimal("100.00"), delivered_at=delivered)
    result = assess_return(
        policy, item=top_up, reason=reason, has_evidence=False, customer_fault=fault, now=end_of(3)
    )
    assert (result.verdict, result.rule) == (verdict, rule)


def test_unusable_claim_on_physical_goods(policy: Policy) -> None:
    result = assess_return(
        policy, item=item(), reason=Reason.VIRTUAL_UNUSABLE, has_evidence=True, now=end_of(2)
    )
    assert result.rule == "virtual.not_virtual"


def test_not_yet_delivered(policy: Policy) -> None:
    result = assess_return(
        policy,
        item=item(delivered_at=None),
        reason=Reason.QUALITY,
        has_evidence=True,
        now=end_of(2),
    )
    assert (result.verdict, result.rule) == (Verdict.NOT_ELIGIBLE, "not_delivered")


@pytest.mark.parametrize(("remote", "days"), [(False, 7), (True, 10)])
def test_ship_back_days_follow_the_area(policy: Policy, remote: bool, days: int) -> None:
    result = assess_return(
        policy,
        item=item(),
        reason=Reason.NO_REASON,
        has_evidence=False,
        remote_area=remote,
        now=end_of(2),
    )
    assert result.ship_back_days == days
    approved = local(2026, 11, 3, 10)
    assert ship_back_due(policy, approved, remote_area=remote) == local(
        2026, 11, 3 + days, 23, 59, 59, 999999
    )


def test_refund_and_exchange_deadlines_after_receipt(policy: Policy) -> None:
    received = local(2026, 11, 10, 17, 45)
    assert refund_due(policy, received) == local(2026, 11, 13, 23, 59, 59, 999999)
    assert exchange_ship_due(policy, received) == local(2026, 11, 12, 23, 59, 59, 999999)


def test_naive_now_is_refused(policy: Policy) -> None:
    with pytest.raises(DomainError):
        assess_return(
            policy,
            item=item(),
            reason=Reason.NO_REASON,
            has_evidence=False,
            now=datetime(2026, 11, 2),
        )
