"""Return and exchange eligibility, counted from delivery sign-off.

Rule ids are stable strings (they are stored with each decision); they name the rule, not
the number of days, so a shop that widens a window keeps the same ids:

* ``quality.return_window`` – quality problem with evidence, inside the return window
* ``quality.high_value_window`` – same, inside the published high-value window
* ``quality.exchange_window`` – quality problem, past the return but inside the exchange window
* ``quality.warranty_repair`` – quality problem past both windows, still under warranty
* ``quality.window_passed`` / ``quality.customer_caused`` / ``evidence.required``
* ``no_reason.window`` / ``no_reason.window_passed`` / ``no_reason.excluded_category`` /
  ``no_reason.page_marked`` / ``no_reason.not_resaleable``
* ``fresh.spoilage_window`` / ``fresh.window_passed`` / ``fresh.not_fresh_food``
* ``virtual.unusable`` / ``virtual.customer_fault`` / ``virtual.not_virtual``
* ``not_delivered``

Each outcome also carries ``reason_code`` and ``params``: which explanation applies and its
numbers (a policy ``Period``, a ``Category``), so a UI can word it in its own language; the
English ``explanation`` is kept for logs, the API and rejections.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from workstation.domain.calendar import months_period_end, require_aware
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import Category
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy


class Verdict(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REPAIR_ONLY = "repair_only"
    NOT_ELIGIBLE = "not_eligible"


class Reason(StrEnum):
    QUALITY = "quality"  # broken, faulty
    NOT_AS_DESCRIBED = "not_as_described"  # handled as a quality problem
    NO_REASON = "no_reason"
    FRESH_SPOILAGE = "fresh_spoilage"  # spoiled or short weight
    VIRTUAL_UNUSABLE = "virtual_unusable"  # top-up missing, course will not play


_QUALITY_REASONS = frozenset({Reason.QUALITY, Reason.NOT_AS_DESCRIBED})

RULES = frozenset(
    {
        "quality.return_window",
        "quality.high_value_window",
        "quality.exchange_window",
        "quality.warranty_repair",
        "quality.window_passed",
        "quality.customer_caused",
        "evidence.required",
        "no_reason.window",
        "no_reason.window_passed",
        "no_reason.excluded_category",
        "no_reason.page_marked",
        "no_reason.not_resaleable",
        "fresh.spoilage_window",
        "fresh.window_passed",
        "fresh.not_fresh_food",
        "virtual.unusable",
        "virtual.customer_fault",
        "virtual.not_virtual",
        "not_delivered",
    }
)
# One rule can be explained in more than one way (e.g. ``evidence.required`` for fresh food
# and for a quality claim), so explanations have codes of their own. A new one needs a
# translation in the UI (a test enumerates these).
REASON_CODES = frozenset(
    {
        "return.not_delivered",
        "return.fresh.not_fresh_food",
        "return.fresh.no_evidence",
        "return.fresh.window_passed",  # params: period
        "return.fresh.spoilage_window",
        "return.virtual.not_virtual",
        "return.virtual.no_reason",
        "return.virtual.customer_fault",
        "return.virtual.window_passed",
        "return.virtual.unusable",
        "return.quality.customer_caused_repair",
        "return.quality.customer_caused",
        "return.quality.no_evidence",
        "return.quality.return_window",  # params: period
        "return.quality.high_value_window",  # params: period
        "return.quality.exchange_window",  # params: period
        "return.quality.warranty_repair",
        "return.quality.window_passed",
        "return.no_reason.excluded_category",  # params: category
        "return.no_reason.page_marked",
        "return.no_reason.not_resaleable",
        "return.no_reason.window_passed",  # params: period
        "return.no_reason.window",  # params: period
    }
)


@dataclass(frozen=True, kw_only=True)
class Eligibility:
    """The outcome of a return request; ``deadline`` is the last moment the rule allows."""

    verdict: Verdict
    options: tuple[Verdict, ...]
    rule: str
    explanation: str
    deadline: datetime | None
    ship_back_days: int | None
    reason_code: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    @property
    def eligible(self) -> bool:
        return self.verdict is not Verdict.NOT_ELIGIBLE


def _refuse(
    rule: str,
    explanation: str,
    deadline: datetime | None = None,
    *,
    code: str,
    params: Mapping[str, object] | None = None,
) -> Eligibility:
    return Eligibility(
        verdict=Verdict.NOT_ELIGIBLE,
        options=(),
        rule=rule,
        explanation=explanation,
        deadline=deadline,
        ship_back_days=None,
        reason_code=code,
        params=dict(params or {}),
    )


def _grant(
    policy: Policy,
    verdict: Verdict,
    options: tuple[Verdict, ...],
    rule: str,
    explanation: str,
    deadline: datetime | None,
    *,
    remote_area: bool,
    goods_come_back: bool = True,
    code: str,
    params: Mapping[str, object] | None = None,
) -> Eligibility:
    cases = policy.sla.cases
    ship_back = cases.ship_back_remote if remote_area else cases.ship_back
    return Eligibility(
        verdict=verdict,
        options=options,
        rule=rule,
        explanation=explanation,
        deadline=deadline,
        ship_back_days=ship_back.amount if goods_come_back else None,
        reason_code=code,
        params=dict(params or {}),
    )


def warranty_months(policy: Policy, item: OrderItemFacts) -> int:
    if item.warranty_months is not None:
        return item.warranty_months
    return policy.warranty.months[item.category]


def assess_return(
    policy: Policy,
    *,
    item: OrderItemFacts,
    reason: Reason,
    has_evidence: bool,
    customer_fault: bool = False,
    remote_area: bool = False,
    now: datetime,
) -> Eligibility:
    """Decide whether and how an item may go back, as of ``now``."""
    require_aware(now, "now")
    if not isinstance(reason, Reason):
        raise DomainError(f"unknown return reason {reason!r}", field="reason")

    if item.category is Category.VIRTUAL or reason is Reason.VIRTUAL_UNUSABLE:
        return _assess_virtual(policy, item, reason, customer_fault, remote_area, now)
    if item.delivered_at is None:
        return _refuse(
            "not_delivered", "The item has not been signed for yet.", code="return.not_delivered"
        )
    if item.category is Category.FRESH_FOOD and reason is not Reason.NO_REASON:
        return _assess_fresh(policy, item, reason, has_evidence, remote_area, now)
    if reason is Reason.FRESH_SPOILAGE:
        return _refuse(
            "fresh.not_fresh_food",
            "Spoilage claims apply to fresh food only.",
            code="return.fresh.not_fresh_food",
        )
    if reason in _QUALITY_REASONS:
        return _assess_quality(policy, item, has_evidence, customer_fault, remote_area, now)
    return _assess_no_reason(policy, item, remote_area, now)


def _assess_virtual(
    policy: Policy,
    item: OrderItemFacts,
    reason: Reason,
    customer_fault: bool,
    remote_area: bool,
    now: datetime,
) -> Eligibility:
    if item.category is not Category.VIRTUAL:
        return _refuse(
            "virtual.not_virtual",
            "Only virtual goods can be reported as unusable.",
            code="return.virtual.not_virtual",
        )
    if reason is Reason.NO_REASON:
        return _refuse(
            "no_reason.excluded_category",
            "Virtual goods cannot be returned without a reason; only unusable ones are refunded.",
            code="return.virtual.no_reason",
        )
    if customer_fault:
        return _refuse(
            "virtual.customer_fault",
            "The virtual goods cannot be used because of the customer's own mistake.",
            code="return.virtual.customer_fault",
        )
    # Virtual goods may never have been "delivered" (a top-up that never arrived), so the
    # quality window counts from delivery when known, else from payment.
    deadline = policy.deadline(policy.returns.quality_return, item.counted_from)
    if now > deadline:
        return _refuse(
            "quality.window_passed",
            "The period for reporting unusable goods has ended.",
            deadline,
            code="return.virtual.window_passed",
        )
    return _grant(
        policy,
        Verdict.RETURN,
        (Verdict.RETURN,),
        "virtual.unusable",
        "The virtual goods cannot be used through no fault of the customer: refund.",
        deadline,
        remote_area=remote_area,
        goods_come_back=False,
        code="return.virtual.unusable",
    )


def _assess_fresh(
    policy: Policy,
    item: OrderItemFacts,
    reason: Reason,
    has_evidence: bool,
    remote_area: bool,
    now: datetime,
) -> Eligibility:
    assert item.delivered_at is not None
    deadline = policy.deadline(policy.returns.fresh_spoilage, item.delivered_at)
    if not has_evidence:
        return _refuse(
            "evidence.required",
            "Fresh-food problems need a photo or video taken at delivery.",
            deadline,
            code="return.fresh.no_evidence",
        )
    if now > deadline:
        return _refuse(
            "fresh.window_passed",
            f"Fresh-food problems must be reported within {policy.returns.fresh_spoilage} "
            "of delivery.",
            deadline,
            code="return.fresh.window_passed",
            params={"period": policy.returns.fresh_spoilage},
        )
    return _grant(
        policy,
        Verdict.RETURN,
        (Verdict.RETURN,),
        "fresh.spoilage_window",
        "Spoiled or short-weight fresh food reported in time with evidence: return and refund.",
        deadline,
        remote_area=remote_area,
        # Perishables are not sent back; the evidence stands in for them.
        goods_come_back=False,
        code="return.fresh.spoilage_window",
    )


def _assess_quality(
    policy: Policy,
    item: OrderItemFacts,
    has_evidence: bool,
    customer_fault: bool,
    remote_area: bool,
    now: datetime,
) -> Eligibility:
    assert item.delivered_at is not None
    rules = policy.returns
    signed = item.delivered_at
    months = warranty_months(policy, item)
    if customer_fault:
        if months > 0:
            return Eligibility(
                verdict=Verdict.REPAIR_ONLY,
                options=(Verdict.REPAIR_ONLY,),
                rule="quality.customer_caused",
                explanation="Damage caused by the customer: paid repair per the price list.",
                deadline=None,
                ship_back_days=None,
                reason_code="return.quality.customer_caused_repair",
            )
        return _refuse(
            "quality.customer_caused",
            "Damage caused by the customer is not a quality problem.",
            code="return.quality.customer_caused",
        )
    if not has_evidence:
        return _refuse(
            "evidence.required",
            "A quality claim needs evidence: a photo, a video or a test report.",
            code="return.quality.no_evidence",
        )

    return_deadline = policy.deadline(rules.quality_return, signed)
    if now <= return_deadline:
        return _grant(
            policy,
            Verdict.RETURN,
            (Verdict.RETURN, Verdict.EXCHANGE),
            "quality.return_window",
            f"Quality problem within {rules.quality_return} of delivery: return or exchange.",
            return_deadline,
            remote_area=remote_area,
            code="return.quality.return_window",
            params={"period": rules.quality_return},
        )
    if item.high_value and rules.high_value_published:
        high_deadline = policy.deadline(rules.high_value_window, signed)
        if now <= high_deadline:
            return _grant(
                policy,
                Verdict.RETURN,
                (Verdict.RETURN, Verdict.EXCHANGE),
                "quality.high_value_window",
                f"High-value item with a quality problem within the published "
                f"{rules.high_value_window}: return or exchange.",
                high_deadline,
                remote_area=remote_area,
                code="return.quality.high_value_window",
                params={"period": rules.high_value_window},
            )
    exchange_deadline = policy.deadline(rules.quality_exchange, signed)
    if now <= exchange_deadline:
        return _grant(
            policy,
            Verdict.EXCHANGE,
            (Verdict.EXCHANGE,),
            "quality.exchange_window",
            f"Quality problem within {rules.quality_exchange} of delivery: exchange.",
            exchange_deadline,
            remote_area=remote_area,
            code="return.quality.exchange_window",
            params={"period": rules.quality_exchange},
        )
    if months > 0:
        warranty_end = months_period_end(signed, months, policy.time_zone)
        if now <= warranty_end:
            return Eligibility(
                verdict=Verdict.REPAIR_ONLY,
                options=(Verdict.REPAIR_ONLY,),
                rule="quality.warranty_repair",
                explanation="Past the return and exchange windows but under warranty: repair.",
                deadline=warranty_end,
                ship_back_days=None,
                reason_code="return.quality.warranty_repair",
            )
    return _refuse(
        "quality.window_passed",
        "The return, exchange and warranty periods for this item have ended.",
        exchange_deadline,
        code="return.quality.window_passed",
    )


def _assess_no_reason(
    policy: Policy, item: OrderItemFacts, remote_area: bool, now: datetime
) -> Eligibility:
    assert item.delivered_at is not None
    rules = policy.returns
    deadline = policy.deadline(rules.no_reason, item.delivered_at)
    if item.category in rules.no_reason_excluded_categories:
        return _refuse(
            "no_reason.excluded_category",
            f"{item.category.value.replace('_', ' ').capitalize()} goods are excluded from "
            "no-reason returns; a quality problem can still be claimed.",
            code="return.no_reason.excluded_category",
            params={"category": item.category},
        )
    if item.no_reason_excluded:
        return _refuse(
            "no_reason.page_marked",
            "The product page marked this item as not eligible for no-reason returns; a quality "
            "problem can still be claimed.",
            code="return.no_reason.page_marked",
        )
    if item.used or not item.packaging_intact:
        return _refuse(
            "no_reason.not_resaleable",
            "A no-reason return needs the item unused and its packaging intact.",
            deadline,
            code="return.no_reason.not_resaleable",
        )
    if now > deadline:
        return _refuse(
            "no_reason.window_passed",
            f"The {rules.no_reason} no-reason period after delivery has ended.",
            deadline,
            code="return.no_reason.window_passed",
            params={"period": rules.no_reason},
        )
    return _grant(
        policy,
        Verdict.RETURN,
        (Verdict.RETURN,),
        "no_reason.window",
        f"Unused, intact item within {rules.no_reason} of delivery: no-reason return.",
        deadline,
        remote_area=remote_area,
        code="return.no_reason.window",
        params={"period": rules.no_reason},
    )


def ship_back_due(policy: Policy, approved_at: datetime, *, remote_area: bool = False) -> datetime:
    """Last moment for the customer to send the goods back after approval."""
    cases = policy.sla.cases
    return policy.deadline(cases.ship_back_remote if remote_area else cases.ship_back, approved_at)


def refund_due(policy: Policy, received_at: datetime) -> datetime:
    """Last moment for finance to refund once the warehouse has the goods."""
    return policy.deadline(policy.sla.cases.refund_after_receipt, received_at)


def exchange_ship_due(policy: Policy, received_at: datetime) -> datetime:
    """Last moment to ship the replacement once the warehouse has the returned goods."""
    return policy.deadline(policy.sla.cases.exchange_ship_after_receipt, received_at)
