"""Reply scripts and calculators for the desk: the approved scripts from the local cache, the
render context a script is filled from (conversation, customer, order, case, calculator
result), and the calculators the panel runs offline (eligibility, compensation, repair).

No Qt here; every function is safe on a background thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from workstation.domain import returns, warranty
from workstation.domain.authority import check_authority
from workstation.domain.entities import OrderItemFacts
from workstation.domain.enums import Category, Role
from workstation.domain.errors import DomainError
from workstation.domain.policy import Policy
from workstation.scripts.model import ScriptVersion, Status, from_record
from workstation.store.db import CacheDatabase
from workstation.store.tables import reply_scripts

_CUSTOMER_TITLE = {"zh": ("先生", "女士"), "en": ("Mr", "Ms")}


def _data(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else dict(json.loads(value))


def approved_scripts(db: CacheDatabase) -> list[ScriptVersion]:
    """The approved (latest approved per key) scripts in the cache; drafts, submitted and
    retired versions are never shown to agents."""
    best: dict[str, ScriptVersion] = {}
    with db.read() as s:
        rows = s.execute(
            select(reply_scripts.c.data).where(reply_scripts.c.status == Status.APPROVED.value)
        ).scalars()
        for raw in rows:
            try:
                sv = from_record(_data(raw))
            except (KeyError, ValueError, TypeError):
                continue
            if sv.status is not Status.APPROVED:
                continue
            if sv.key not in best or best[sv.key].version < sv.version:
                best[sv.key] = sv
    return sorted(best.values(), key=lambda v: (v.category, v.title))


def _money(value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"
    except (InvalidOperation, ValueError):
        return None


def _date(value: Any) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d")
    except ValueError:
        return None


def customer_address(customer: Mapping[str, Any] | None, language: str = "zh") -> str | None:
    """How the customer is addressed: the name as given, else the stored display name."""
    if not customer:
        return None
    for key in ("salutation", "display_name", "name"):
        value = customer.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def render_context(
    *,
    conversation: Mapping[str, Any] | None = None,
    customer: Mapping[str, Any] | None = None,
    order: Mapping[str, Any] | None = None,
    item: Mapping[str, Any] | None = None,
    case: Mapping[str, Any] | None = None,
    compensation: Mapping[str, Any] | None = None,
    agent: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The flat ``{"customer.name": ..., "order.id": ...}`` a script is rendered with. Only what
    is known goes in; the renderer names what is missing."""
    ctx: dict[str, Any] = {}

    def put(name: str, value: Any) -> None:
        if value is not None and str(value).strip():
            ctx[name] = str(value)

    conv = conversation or {}
    put("customer.name", customer_address(customer) or conv.get("customer_name"))
    if agent:
        put("agent.name", agent.get("display_name") or agent.get("username"))
    if order:
        put("order.id", order.get("order_no") or order.get("id"))
        put("order.amount", _money(order.get("amount")))
        put("tracking.number", order.get("tracking_number"))
        put("tracking.carrier", order.get("carrier"))
    if item:
        put("order.item", item.get("title"))
    if case:
        put("case.id", case.get("number") or case.get("case_no") or case.get("id"))
        put("refund.amount", _money(case.get("refund_amount")))
        put("deadline.date", _date(case.get("ship_back_by") or case.get("deadline")))
    record = conv.get("case_record") or {}
    if isinstance(record, Mapping) and record.get("promised_at"):
        try:
            at = datetime.fromisoformat(str(record["promised_at"]).replace("Z", "+00:00")).astimezone()
            put("promise.time", at.strftime("%Y-%m-%d %H:%M"))
        except ValueError:
            pass
    if compensation:
        amount = compensation.get("approved_amount") or compensation.get("amount")
        put("compensation.amount", _money(amount))
        put("compensation.kind", compensation.get("kind_label") or compensation.get("kind"))
        if compensation.get("refund_amount") is not None:
            put("refund.amount", _money(compensation.get("refund_amount")))
        if compensation.get("repair_amount") is not None:
            put("repair.amount", _money(compensation.get("repair_amount")))
        if compensation.get("warranty_end"):
            put("warranty.end", compensation.get("warranty_end"))
        if compensation.get("deadline"):
            put("deadline.date", compensation.get("deadline"))
    for key, value in (extra or {}).items():
        put(key, value)
    return ctx


# -- calculators ------------------------------------------------------------------------------


# Codes of the calculators' own refusals (a UI words them; a test checks each has a label).
ERROR_CODES = frozenset(
    {
        "calculator.error.no_payment_time",
        "calculator.error.item_unassessable",
        "calculator.error.unknown_reason",  # params: reason
    }
)


class CalculatorError(ValueError):
    """``message`` is English; ``code`` and ``params`` (the domain's, when it refused) let the
    UI say it in the user's language."""

    def __init__(
        self, field: str, message: str, *, code: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message)
        self.field = field
        self.message = message
        self.code = code
        self.params: Mapping[str, object] = dict(params or {})


def _refused(exc: DomainError, default_field: str) -> CalculatorError:
    return CalculatorError(getattr(exc, "field", None) or default_field, str(exc),
                           code=exc.code, params=exc.params)  # fmt: skip


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def item_facts(item: Mapping[str, Any], order: Mapping[str, Any], *, used: bool = False,
               packaging_intact: bool = True) -> OrderItemFacts:
    paid = _time(order.get("paid_at")) or _time(order.get("placed_at"))
    if paid is None:
        raise CalculatorError("order.paid_at", "the cached order has no payment time",
                              code="calculator.error.no_payment_time")  # fmt: skip
    try:
        return OrderItemFacts(
            category=Category(str(item.get("category"))),
            price=Decimal(str(item.get("price"))),
            quantity=int(item.get("quantity") or 1),
            paid_at=paid,
            delivered_at=_time(order.get("delivered_at")),
            high_value=bool(item.get("high_value")),
            warranty_months=item.get("warranty_months"),
            no_reason_excluded=bool(item.get("no_reason_excluded")),
            used=used,
            packaging_intact=packaging_intact,
        )
    except DomainError as exc:
        raise _refused(exc, "item") from None
    except (InvalidOperation, ValueError) as exc:
        raise CalculatorError("item", f"the order item cannot be assessed: {exc}",
                              code="calculator.error.item_unassessable") from None  # fmt: skip


@dataclass(frozen=True)
class EligibilityResult:
    verdict: str
    options: tuple[str, ...]
    rule: str
    explanation: str
    deadline: datetime | None
    ship_back_days: int | None
    refund_days: int | None = None
    reason_code: str = ""  # the domain's explanation code; with params, what the UI words
    params: Mapping[str, object] = field(default_factory=dict, hash=False)


def assess_eligibility(
    policy: Policy, *, item: Mapping[str, Any], order: Mapping[str, Any], reason: str,
    has_evidence: bool, used: bool, packaging_intact: bool, customer_fault: bool = False,
    now: datetime,
) -> EligibilityResult:
    facts = item_facts(item, order, used=used, packaging_intact=packaging_intact)
    try:
        why = returns.Reason(reason)
    except ValueError:
        raise CalculatorError("reason", f"unknown reason {reason!r}",
                              code="calculator.error.unknown_reason", params={"reason": reason}) from None  # fmt: skip
    try:
        e = returns.assess_return(policy, item=facts, reason=why, has_evidence=has_evidence,
                                  customer_fault=customer_fault, remote_area=bool(order.get("remote_area")),
                                  now=now)  # fmt: skip
    except DomainError as exc:
        raise _refused(exc, "reason") from None
    return EligibilityResult(
        verdict=e.verdict.value, options=tuple(o.value for o in e.options), rule=e.rule,
        explanation=e.explanation, deadline=e.deadline, ship_back_days=e.ship_back_days,
        reason_code=e.reason_code, params=e.params,
    )  # fmt: skip


def repair_quote(
    policy: Policy, *, item: Mapping[str, Any], order: Mapping[str, Any], user_caused: bool,
    parts: list[str], labour_code: str | None, now: datetime,
) -> warranty.RepairQuote:
    facts = item_facts(item, order)
    try:
        return warranty.quote_repair(policy, item=facts, user_caused=user_caused, parts=parts,
                                     labour_code=labour_code, now=now)  # fmt: skip
    except DomainError as exc:
        raise _refused(exc, "parts") from None


def price_list(policy: Policy, item: Mapping[str, Any]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """(parts, labour) of the item's category from the policy's price list (empty if none)."""
    try:
        found = policy.warranty.price_lists.get(Category(str(item.get("category"))))
    except ValueError:
        found = None
    if found is None:
        return {}, {}
    return dict(found.parts), dict(found.labour)


def authority(policy: Policy, *, role: str, tenure_months: int, amount: Decimal) -> tuple[bool, Decimal, str | None]:
    """(within, limit, role needed) for an amount counted against the offerer's authority."""
    d = check_authority(policy, role=Role(role), tenure_months=tenure_months, amount=amount)
    return d.within, d.limit, (d.needs.value if d.needs is not None else None)
